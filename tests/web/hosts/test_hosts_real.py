"""Learner hosts for real: TLS (a second dockerd with --tlsverify) and SSH (sshd on loopback) are
registered through the web pages with the allow-list opened for 127.0.0.1; refused addresses get
their reason; secrets never reach the database file in clear; others' hosts are 404."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from docklab import crypto
from docklab.extensions import db
from docklab.hosts import services as host_services
from docklab.hosts.models import LearnerHost
from docklab.models import User
from grader.hosts import host_key_fingerprint
from tests.support.certs import make_tls_set
from tests.support.sshd import new_keypair
from tests.support.webapp import create_user, csrf_token, post_form

LOOPBACK_ALLOWED = "127.0.0.1/32"


@pytest.fixture
def hosts_app(app, docker_engine):
    app.config["DOCKLAB_LOCAL_ENGINE_URL"] = docker_engine.base_url
    return app


@pytest.fixture(scope="module")
def tls_engine(extra_engine):
    return extra_engine(tls=True, images=())


def upload_tls(client, url: str, pem: dict, name: str = "vm1"):
    data = {"csrf_token": csrf_token(client, "/hosts"), "name": name, "url": url,
            "ca": (io.BytesIO(pem["ca"]), "ca.pem"), "cert": (io.BytesIO(pem["cert"]), "cert.pem"),
            "key": (io.BytesIO(pem["key"]), "key.pem")}
    return client.post("/hosts/tls", data=data, content_type="multipart/form-data")


def only_host(app, username: str) -> LearnerHost:
    with app.app_context():
        host = db.session.scalar(select(LearnerHost).join(User, LearnerHost.user_id == User.id)
                                 .where(User.username == username))
        db.session.expunge(host)
        return host


def flashes(response) -> str:
    page = response.get_data(as_text=True)
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S))


def test_tls_host_registered_and_tested(hosts_app, client, auth, tls_engine, database_file):
    hosts_app.config["DOCKLAB_ALLOWED_HOSTS"] = LOOPBACK_ALLOWED
    create_user(hosts_app, "ana")
    auth.login("ana")
    pem = tls_engine["certs"]["pem"]
    response = upload_tls(client, tls_engine["tcp_url"], pem)
    assert response.status_code == 302, response.get_data(as_text=True)
    host = only_host(hosts_app, "ana")
    assert host.kind == "tls" and host.is_default

    page = client.post(f"/hosts/{host.id}/test", data={"csrf_token": csrf_token(client, "/hosts")},
                       follow_redirects=True)
    version = tls_engine["client"].version()["Version"]
    assert f"Docker {version}" in flashes(page)

    # The client key and certificate are only on disk encrypted (the WAL file included).
    raw = b"".join(path.read_bytes() for path in database_file.parent.glob("docklab.sqlite3*"))
    key_body = b"".join(pem["key"].splitlines()[1:-1])
    assert pem["key"].splitlines()[1] not in raw and key_body[:40] not in raw
    assert pem["cert"].splitlines()[1] not in raw
    assert b"PRIVATE KEY" not in raw
    # ...and never shown again.
    assert pem["key"].splitlines()[1].decode() not in client.get("/hosts").get_data(as_text=True)

    # Deleting the host deletes its secrets with it.
    client.post(f"/hosts/{host.id}/delete", data={"csrf_token": csrf_token(client, "/hosts")})
    with hosts_app.app_context():
        assert db.session.get(LearnerHost, host.id) is None


def test_tls_host_with_a_wrong_ca_tests_as_a_verification_error(hosts_app, client, auth,
                                                                tls_engine, tmp_path):
    hosts_app.config["DOCKLAB_ALLOWED_HOSTS"] = LOOPBACK_ALLOWED
    create_user(hosts_app, "ben")
    auth.login("ben")
    pem = dict(tls_engine["certs"]["pem"])
    pem["ca"] = make_tls_set(tmp_path / "other")["pem"]["ca"]
    assert upload_tls(client, tls_engine["tcp_url"], pem).status_code == 302
    host = only_host(hosts_app, "ben")
    page = client.post(f"/hosts/{host.id}/test", data={"csrf_token": csrf_token(client, "/hosts")},
                       follow_redirects=True)
    assert "TLS 검증 실패" in flashes(page)


def test_ssh_host_key_pinned_and_a_changed_key_refused(hosts_app, client, auth, ssh_host):
    hosts_app.config["DOCKLAB_ALLOWED_HOSTS"] = LOOPBACK_ALLOWED
    user_id = create_user(hosts_app, "cho")
    auth.login("cho")
    page = client.get("/hosts").get_data(as_text=True)
    with hosts_app.app_context():
        public_key = host_services.ssh_key_for(user_id).public_key
    assert public_key in page  # shown for authorized_keys
    keys_file = ssh_host.root / "authorized_keys" / ssh_host.user
    with keys_file.open("a") as handle:
        handle.write(public_key + "\n")

    response = post_form(client, "/hosts", {"name": "lab-vm", "url": ssh_host.url},
                         action="/hosts/ssh")
    assert response.status_code == 302, response.get_data(as_text=True)
    host = only_host(hosts_app, "cho")
    assert host.ssh_host_fingerprint == host_key_fingerprint(ssh_host.host_key_line)
    assert host.ssh_host_fingerprint in client.get("/hosts").get_data(as_text=True)

    tested = client.post(f"/hosts/{host.id}/test",
                         data={"csrf_token": csrf_token(client, "/hosts")}, follow_redirects=True)
    assert "Docker " in flashes(tested) and "API" in flashes(tested)

    # The server now presents another key (simulated by changing the pinned one): refused.
    other_line = "ssh-ed25519 " + new_keypair()[1].split()[1]
    with hosts_app.app_context():
        db.session.get(LearnerHost, host.id).ssh_host_key = other_line
        db.session.commit()
    refused = client.post(f"/hosts/{host.id}/test",
                          data={"csrf_token": csrf_token(client, "/hosts")}, follow_redirects=True)
    assert "SSH 호스트 키가 등록할 때 고정한 키와 다릅니다" in flashes(refused)

    # The learner's private key is stored encrypted only.
    with hosts_app.app_context():
        private = crypto.decrypt(host_services.ssh_key_for(user_id).private_key_enc)
    assert b"OPENSSH PRIVATE KEY" in private


@pytest.mark.parametrize(("allowed", "url", "reason"), [
    ("", "tcp://127.0.0.1:2376", "루프백"),  # loopback, nothing allowed
    ("0.0.0.0/0", "tcp://127.0.0.1:2376", "루프백"),  # a broad rule does not open loopback
    ("0.0.0.0/0", "tcp://169.254.169.254:2376", "링크-로컬"),  # the cloud metadata address
    ("10.0.0.0/8", "tcp://localhost:2376", "루프백"),  # a name that resolves to loopback
    ("", "tcp://10.1.2.3:2376", "허용된 네트워크"),  # not in the allow-list
    ("", "http://example.org", "지원하지 않는 주소"),  # not a Docker host URL
    ("", "tcp://10.1.2.3", "형식이 잘못"),  # no port
    ("", "unix:///var/run/docker.sock", "unix 소켓"),  # only as the local engine
])
def test_refused_tls_addresses_show_the_reason(hosts_app, client, auth, tmp_path, allowed, url,
                                               reason):
    hosts_app.config["DOCKLAB_ALLOWED_HOSTS"] = allowed
    create_user(hosts_app, "dan")
    auth.login("dan")
    pem = make_tls_set(tmp_path)["pem"]
    response = upload_tls(client, url, pem)
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    with hosts_app.app_context():
        assert db.session.scalar(select(LearnerHost.id)) is None


def test_another_learners_host_is_not_found(hosts_app, client, auth, tls_engine):
    hosts_app.config["DOCKLAB_ALLOWED_HOSTS"] = LOOPBACK_ALLOWED
    create_user(hosts_app, "owner")
    create_user(hosts_app, "other")
    auth.login("owner")
    assert upload_tls(client, tls_engine["tcp_url"], tls_engine["certs"]["pem"]).status_code == 302
    host = only_host(hosts_app, "owner")
    auth.logout()
    auth.login("other")
    token = csrf_token(client, "/hosts")
    for action in ("test", "default", "delete"):
        assert client.post(f"/hosts/{host.id}/{action}", data={"csrf_token": token}) \
            .status_code == 404
    assert host.url not in client.get("/hosts").get_data(as_text=True)
    with hosts_app.app_context():
        assert db.session.get(LearnerHost, host.id) is not None


def test_admin_allow_list_page(hosts_app, client, auth):
    create_user(hosts_app, "root", role="admin")
    create_user(hosts_app, "student")
    auth.login("student")
    assert client.get("/hosts/allowed").status_code == 403
    auth.logout()
    auth.login("root")
    response = post_form(client, "/hosts/allowed", {"entry": "10.20.0.0/16", "note": "lab"})
    assert response.status_code == 302
    assert "10.20.0.0/16" in client.get("/hosts/allowed").get_data(as_text=True)
    bad = post_form(client, "/hosts/allowed", {"entry": "not a network!", "note": ""})
    assert bad.status_code == 422
