import re

from docklab.extensions import db
from docklab.models import ApiToken
from tests.support.webapp import create_user, post_form


def test_me_requires_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer dl_not-a-token"})
    assert bad.status_code == 401


def test_cli_token_works_and_is_stored_hashed(app, runner):
    create_user(app, "api-user", role="instructor")
    result = runner.invoke(args=["users", "token", "api-user"])
    token = result.output.strip()
    assert token.startswith("dl_")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json() == {"username": "api-user", "role": "instructor"}
    with app.app_context():
        stored = db.session.scalars(db.select(ApiToken)).one()
        assert stored.token_hash != token and token not in stored.token_hash
        assert stored.last_used_at is not None


def test_token_made_and_revoked_in_the_browser_flow(app, client, auth):
    create_user(app, "scripter")
    auth.login("scripter")
    page = post_form(client, "/account", {"name": "laptop"}, action="/account/tokens").get_data(
        as_text=True)  # shown in the answer to the POST itself, not kept for a next page
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # The token is shown once only.
    assert token not in client.get("/account").get_data(as_text=True)
    with app.app_context():
        token_id = db.session.scalars(db.select(ApiToken.id)).one()
    post_form(client, "/account", {}, action=f"/account/tokens/{token_id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(app, client, auth, runner):
    create_user(app, "owner")
    create_user(app, "intruder")
    runner.invoke(args=["users", "token", "owner"])
    with app.app_context():
        token_id = db.session.scalars(db.select(ApiToken.id)).one()
    auth.login("intruder")
    response = post_form(client, "/account", {}, action=f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
