"""Learner hosts over TCP+TLS (a second dockerd --tlsverify on loopback with generated
certificates) and over SSH (a real sshd on loopback with key-only users), as ENGINE.md describes."""
from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from grader import hosts
from grader.hosts import HostError, HostSpec, connect, engine_summary, fetch_ssh_host_key
from tests.support.certs import make_tls_set
from tests.support.sshd import new_keypair


def kind_of(spec: HostSpec) -> HostError:
    with pytest.raises(HostError) as caught, connect(spec):
        pass
    return caught.value


# --- TLS -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls_engine(extra_engine):
    return extra_engine(tls=True, images=())


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    """A complete, valid set from a CA the engine does not trust."""
    return make_tls_set(tmp_path_factory.mktemp("other-ca"), name="other")


def tls_spec(engine, **overrides) -> HostSpec:
    pem = engine["certs"]["pem"]
    values = {"tls_ca": pem["ca"], "tls_cert": pem["cert"], "tls_key": pem["key"]}
    values.update(overrides)
    return HostSpec(engine["tcp_url"], **values)


def test_tls_with_the_learners_certificates(tls_engine):
    with connect(tls_spec(tls_engine)) as connection:
        assert connection.api.containers(all=True) == []
        assert connection.version_info["Os"] == "linux"
        assert [path for _m, path in connection.requests_log] == [
            "/_ping", "/v1.41/containers/json", "/v1.41/version"]


def test_tls_by_host_name_matches_the_certificate(tls_engine):
    spec = tls_spec(tls_engine)
    by_name = HostSpec(spec.url.replace("127.0.0.1", "localhost"), tls_ca=spec.tls_ca,
                       tls_cert=spec.tls_cert, tls_key=spec.tls_key)
    assert engine_summary(by_name)["api_version"] == "1.41"


def test_tls_connects_to_the_checked_address_not_a_second_dns_answer(tls_engine, monkeypatch):
    """Issue 12 (3), DNS rebinding: the allow-list checked `localhost` as 127.0.0.1; a name server
    that now answers 127.0.0.9 (a forbidden service on the same port) must not be reached, and
    the certificate is still verified for the name."""
    port = int(tls_engine["tcp_url"].rsplit(":", 1)[1])
    forbidden = socket.socket()
    forbidden.bind(("127.0.0.9", port))
    forbidden.listen(8)
    forbidden.settimeout(0.05)
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "localhost":
            return real_getaddrinfo("127.0.0.9", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    spec = tls_spec(tls_engine)
    pinned = HostSpec(spec.url.replace("127.0.0.1", "localhost"), tls_ca=spec.tls_ca,
                      tls_cert=spec.tls_cert, tls_key=spec.tls_key, resolved_ip="127.0.0.1",
                      connect_timeout=2, read_timeout=2)
    try:
        for _ in range(5):
            assert engine_summary(pinned)["api_version"] == "1.41"
        with pytest.raises(TimeoutError):
            forbidden.accept()  # nobody ever connected to the rebound address
        # The name is still what the certificate is checked against: a name it does not
        # carry fails verification even at the right address.
        wrong_name = HostSpec(spec.url.replace("127.0.0.1", "docklab-elsewhere.test"),
                              tls_ca=spec.tls_ca, tls_cert=spec.tls_cert, tls_key=spec.tls_key,
                              resolved_ip="127.0.0.1", connect_timeout=2, read_timeout=2)
        assert kind_of(wrong_name).kind == "tls_verify"
    finally:
        forbidden.close()


@pytest.mark.parametrize("bundle", ["system", "other-ca"])
def test_tls_ignores_ca_bundles_from_the_environment(tls_engine, other_ca, monkeypatch, bundle):
    # This machine (and many corporate ones) sets REQUESTS_CA_BUNDLE: it must never replace the
    # CA the learner registered for their host.
    path = ("/etc/ssl/certs/ca-certificates.crt" if bundle == "system"
            else other_ca["paths"]["ca"])
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, path)
    with connect(tls_spec(tls_engine)) as connection:
        assert connection.version_info["ApiVersion"] == "1.41"


def test_tls_secrets_live_in_0600_files_only_while_connected(tls_engine):
    with connect(tls_spec(tls_engine)) as connection:
        folder = Path(connection._tempdir)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = sorted(folder.iterdir())
        assert [f.name for f in files] == ["tls_ca.pem", "tls_cert.pem", "tls_key.pem"]
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert not folder.exists()


def test_tls_temp_files_are_removed_when_the_handshake_fails(tls_engine, other_ca):
    before = set(Path("/tmp").glob("docklab-tls-*"))  # noqa: S108 - tempfile's default dir
    kind_of(tls_spec(tls_engine, tls_ca=other_ca["pem"]["ca"]))
    assert set(Path("/tmp").glob("docklab-tls-*")) <= before  # noqa: S108


def test_tls_wrong_ca_is_a_verification_error(tls_engine, other_ca):
    error = kind_of(tls_spec(tls_engine, tls_ca=other_ca["pem"]["ca"]))
    assert error.kind == "tls_verify"
    assert "ca.pem" in error.message("en") and "CA" in error.message("ko")


def test_tls_without_a_client_certificate(tls_engine):
    error = kind_of(tls_spec(tls_engine, tls_cert=None, tls_key=None))
    assert error.kind == "tls_client_cert"
    assert "cert.pem" in error.message("en") and "인증서" in error.message("ko")


def test_tls_with_a_client_certificate_from_another_ca(tls_engine, other_ca):
    pem = other_ca["pem"]
    assert kind_of(tls_spec(tls_engine, tls_cert=pem["cert"], tls_key=pem["key"])).kind == \
        "tls_client_cert"


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("tls_ca", b"-----BEGIN CERTIFICATE-----\nnot base64\n", "tls_verify"),
    ("tls_cert", b"hello", "tls_client_cert"),
    ("tls_key", None, "tls_client_cert"),
])
def test_tls_broken_files_are_named(tls_engine, other_ca, field, value, kind):
    error = kind_of(tls_spec(tls_engine, **{field: value}))
    assert error.kind == kind, error
    assert ".pem" in error.message("en")


def test_tls_key_that_does_not_match_the_certificate(tls_engine, other_ca):
    error = kind_of(tls_spec(tls_engine, tls_key=other_ca["pem"]["key"]))
    assert error.kind == "tls_client_cert" and "match" in error.message("en")


def test_plain_http_to_the_tls_port(tls_engine):
    assert kind_of(HostSpec(tls_engine["tcp_url"], allow_plain_tcp=True)).kind == "protocol"
    assert kind_of(HostSpec(tls_engine["tcp_url"])).kind == "plain_tcp_forbidden"


# --- SSH -----------------------------------------------------------------------------------------
def ssh_spec(host, **overrides) -> HostSpec:
    values = {"ssh_private_key": host.private_key, "ssh_host_key": host.host_key_line}
    values.update(overrides)
    return HostSpec(host.url, **values)


def test_ssh_with_key_and_pinned_host_key(ssh_host, docker_engine):
    with connect(ssh_spec(ssh_host)) as connection:
        names = {c["Id"] for c in connection.api.containers(all=True)}
        assert names == {c.id for c in docker_engine.client.containers.list(all=True)}
        assert connection.api_calls == 2
        assert [m for m, _p in connection.requests_log] == ["GET", "GET"]


def test_ssh_never_reads_the_server_accounts_ssh_folder(ssh_host, tmp_path, monkeypatch):
    # A ~/.ssh that would send the connection elsewhere and distrust the host: ignored.
    dot_ssh = tmp_path / ".ssh"
    dot_ssh.mkdir()
    (dot_ssh / "config").write_text(f"Host {ssh_host.host}\n  Port 1\n  User nobody\n"
                                    "  IdentityFile /nonexistent\n")
    other = new_keypair()[1].split()[1]
    (dot_ssh / "known_hosts").write_text(f"[{ssh_host.host}]:{ssh_host.port} ssh-ed25519 {other}\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert engine_summary(ssh_spec(ssh_host))["os"] == "linux"


def test_ssh_through_an_address_already_checked(ssh_host):
    by_name = ssh_spec(ssh_host)
    spec = HostSpec(by_name.url.replace("127.0.0.1", "localhost"),
                    ssh_private_key=by_name.ssh_private_key, ssh_host_key=by_name.ssh_host_key,
                    resolved_ip="127.0.0.1")
    assert engine_summary(spec)["os"] == "linux"


def test_ssh_host_key_fetch_matches_the_server(ssh_host):
    line, fingerprint = fetch_ssh_host_key(ssh_host.host, ssh_host.port)
    assert line == ssh_host.host_key_line
    expected = os.popen(f"ssh-keygen -lf {ssh_host.root}/ssh_host_ed25519_key.pub").read()  # noqa: S605
    assert fingerprint == expected.split()[1]
    assert hosts.host_key_fingerprint(line) == fingerprint


def test_ssh_host_key_fetch_from_a_closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HostError) as caught:
        fetch_ssh_host_key("127.0.0.1", port, timeout=2)
    assert caught.value.kind == "refused"


def test_ssh_host_key_fetch_from_a_silent_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        with pytest.raises(HostError) as caught:
            fetch_ssh_host_key("127.0.0.1", listener.getsockname()[1], timeout=1)
    finally:
        listener.close()
    assert caught.value.kind == "timeout"


def test_ssh_wrong_key_is_an_auth_error(ssh_host):
    error = kind_of(ssh_spec(ssh_host, ssh_private_key=new_keypair()[0]))
    assert error.kind == "ssh_auth"
    assert "authorized_keys" in error.message("en") and "authorized_keys" in error.message("ko")


def test_ssh_unreadable_key_is_an_auth_error(ssh_host):
    assert kind_of(ssh_spec(ssh_host, ssh_private_key=b"not a key")).kind == "ssh_auth"


def test_ssh_changed_or_missing_host_key_is_refused(ssh_host):
    changed = " ".join(new_keypair()[1].split()[:2])
    error = kind_of(ssh_spec(ssh_host, ssh_host_key=changed))
    assert error.kind == "ssh_host_key"
    assert "pinned" in error.message("en") and "고정" in error.message("ko")
    assert kind_of(ssh_spec(ssh_host, ssh_host_key=None)).kind == "ssh_host_key"


def test_ssh_pinned_key_that_is_not_a_key(ssh_host):
    error = kind_of(ssh_spec(ssh_host, ssh_host_key="ssh-ed25519 AAAA"))
    assert error.kind == "ssh_host_key" and "type base64" in error.message("en")


def test_ssh_user_without_socket_access_shows_the_remote_reason(ssh_host):
    spec = HostSpec(f"ssh://{ssh_host.user_without_access}@{ssh_host.host}:{ssh_host.port}",
                    ssh_private_key=ssh_host.private_key_without_access,
                    ssh_host_key=ssh_host.host_key_line)
    error = kind_of(spec)
    assert error.kind == "ssh_remote"
    assert "permission denied" in error.detail.lower()
    assert "docker.sock" in error.message("en")


def test_ssh_connection_is_closed_afterwards(ssh_host):
    with connect(ssh_spec(ssh_host)) as connection:
        transport = connection._ssh_adapter.ssh_client.get_transport()
        assert transport.is_active()
    assert not transport.is_active()
