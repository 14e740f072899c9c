"""The local engine and unix sockets: tested from the hosts page; a socket other than the local
engine only when an admin allows it, then checked on like any host; local mode off refuses; an SSH
host whose key cannot be fetched is not registered."""
from __future__ import annotations

import re

from docklab.extensions import db
from docklab.hosts.models import LearnerHost
from tests.support.webapp import create_user, post_form
from tests.web.labs.labs_helpers import use_local_engine, web_check


def flashes(response) -> str:
    page = response.get_data(as_text=True)
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', page))


def test_local_engine_tested_without_registering(app, client, auth, docker_engine):
    use_local_engine(app, docker_engine)
    create_user(app, "solo")
    auth.login("solo")
    tested = post_form(client, "/hosts", {}, action="/hosts/local/test", follow_redirects=True)
    version = docker_engine.client.version()["Version"]
    assert f"Docker {version}" in flashes(tested)
    app.config["DOCKLAB_LOCAL_ENGINE"] = False
    off = post_form(client, "/hosts", {}, action="/hosts/local/test", follow_redirects=True)
    assert "먼저 Docker 호스트를 등록하세요" in flashes(off)
    refused = post_form(client, "/hosts", {"name": "mine"}, action="/hosts/local")
    assert refused.status_code == 422 and "DOCKLAB_LOCAL_ENGINE=0" in refused.get_data(as_text=True)
    assert web_check(client, "engine-ready", as_json=True).get_json()["status"] == "error"


def test_a_socket_needs_an_admins_entry(app, client, auth, docker_engine, lab_images):
    """engine-ready also looks for an image the labs use, so the images must be there."""
    use_local_engine(app, docker_engine, DOCKLAB_LOCAL_ENGINE=False)
    create_user(app, "boss", role="admin")
    create_user(app, "sock")
    auth.login("sock")
    form = {"name": "engine", "url": docker_engine.base_url}
    refused = post_form(client, "/hosts", form, action="/hosts/other")
    assert refused.status_code == 422 and "unix 소켓은" in refused.get_data(as_text=True)
    auth.logout()

    auth.login("boss")
    allowed = post_form(client, "/hosts/allowed", {"entry": docker_engine.base_url, "note": "lab"})
    assert allowed.status_code == 302
    auth.logout()

    auth.login("sock")
    assert "다른 주소" in client.get("/hosts").get_data(as_text=True)  # the form now shows
    assert post_form(client, "/hosts", form, action="/hosts/other").status_code == 302
    with app.app_context():
        host = db.session.scalar(db.select(LearnerHost))
        assert (host.kind, host.url, host.is_default) == ("unix", docker_engine.base_url, True)
    answer = web_check(client, "engine-ready", as_json=True).get_json()
    assert answer["status"] == "passed" and answer["attempt"]["host_id"] == host.id


def test_an_ssh_host_whose_key_cannot_be_fetched_is_not_registered(app, client, auth):
    from tests.web.labs.labs_helpers import closed_port

    app.config["DOCKLAB_ALLOWED_HOSTS"] = "127.0.0.1/32"
    create_user(app, "nossh")
    auth.login("nossh")
    url = f"ssh://learner@127.0.0.1:{closed_port()}"
    response = post_form(client, "/hosts", {"name": "vm", "url": url}, action="/hosts/ssh")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "SSH 호스트 키를 가져오지 못했습니다" in page and "거부" in page
    assert f'value="{url}"' in page  # the form keeps what was typed
    with app.app_context():
        assert db.session.scalar(db.select(LearnerHost)) is None
