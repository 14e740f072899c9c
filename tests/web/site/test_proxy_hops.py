"""Behind a reverse proxy the per-address log-in limit must key on the learner's address, not the
proxy's (else a classroom's typos lock everyone out); without a configured proxy, X-Forwarded-For is
ignored, so a client cannot dodge the limit by inventing addresses."""
import pytest

from docklab.extensions import db
from tests.support.webapp import make_app, post_form


@pytest.fixture
def proxied(database_url):
    def build(hops: int):
        app = make_app(database_url, DOCKLAB_PROXY_HOPS=hops, DOCKLAB_LOGIN_ADDRESS_LIMIT=2,
                       DOCKLAB_LOGIN_WINDOW=60)
        built.append(app)
        return app.test_client()

    built = []
    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


def fail_login(client, address: str, username: str) -> int:
    headers = {"X-Forwarded-For": address}
    return post_form(client, "/login", {"username": username, "password": "wrong-password-1"},
                     headers=headers).status_code


def test_behind_one_proxy_each_learner_has_their_own_limit(proxied):
    client = proxied(hops=1)
    assert [fail_login(client, "203.0.113.5", f"nobody{n}") for n in range(3)] == [200, 200, 429]
    # Another learner behind the same proxy is not locked out by the first one's typos.
    assert fail_login(client, "203.0.113.6", "someone") == 200


def test_without_a_proxy_forwarded_addresses_are_ignored(proxied):
    client = proxied(hops=0)
    statuses = [fail_login(client, f"198.51.100.{n}", f"nobody{n}") for n in range(3)]
    assert statuses == [200, 200, 429]
