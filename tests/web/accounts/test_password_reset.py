"""Who may give whom a new password without knowing the old one, and what it does: an admin for
anyone, an instructor for a student of their classes, nobody for themselves (that is the account
page, which asks for the current password); every session of the account ends."""
from __future__ import annotations

from docklab.classes import services
from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import AuthActions, create_user, post_form


def setup_people(app) -> dict[str, int]:
    ids = {name: create_user(app, name, role) for name, role in (
        ("admin", "admin"), ("teach", "instructor"), ("other-teach", "instructor"),
        ("mina", "student"), ("outsider", "student"))}
    with app.app_context():
        classroom = services.create_class(db.session.get(User, ids["teach"]), "반")
        services.join(classroom, db.session.get(User, ids["mina"]))
    return ids


def status(client, user_id: int) -> int:
    return client.get(f"/instructor/users/{user_id}/password").status_code


def test_who_may_set_whose_password(app, client, auth):
    ids = setup_people(app)
    auth.login("teach")
    assert status(client, ids["mina"]) == 200  # a student of theirs
    assert status(client, ids["outsider"]) == 404  # not in any class of theirs
    assert status(client, ids["other-teach"]) == 404  # instructors only through an admin
    assert status(client, ids["teach"]) == 404  # their own: the account page
    auth.logout()
    auth.login("admin")
    assert [status(client, ids[n]) for n in ("mina", "outsider", "teach")] == [200, 200, 200]
    assert status(client, ids["admin"]) == 404
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/instructor/users/{ids["teach"]}/password' in page


def test_a_new_password_ends_the_learners_sessions_and_needs_the_rules(app, client, auth):
    ids = setup_people(app)
    learner = app.test_client()
    AuthActions(learner).login("mina")
    assert learner.get("/account").status_code == 200
    auth.login("teach")
    url = f"/instructor/users/{ids['mina']}/password"
    short = post_form(client, url, {"password": "short", "confirm": "short"})
    page = short.get_data(as_text=True)
    assert short.status_code == 200 and 'aria-invalid="true"' in page
    assert 'aria-describedby="password-hint password-error-1"' in page
    done = post_form(client, url, {"password": "new-password-1", "confirm": "new-password-1"})
    assert done.status_code == 302
    # the learner's open session is over; the new password works, the old one not
    assert learner.get("/account").status_code == 302
    fresh = app.test_client()
    assert AuthActions(fresh).login("mina").status_code == 200  # the form again, refused
    assert fresh.get("/account").status_code == 302
    AuthActions(fresh).login("mina", "new-password-1")
    assert fresh.get("/account").status_code == 200
