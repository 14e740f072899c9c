"""Host connections against real engines: unix socket, TCP+TLS, SSH; and each way of failing."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from grader.hosts import HostError, HostSpec, connect, engine_summary, fetch_ssh_host_key
from tests.support.sshd import new_keypair


def kind_of(spec: HostSpec) -> str:
    with pytest.raises(HostError) as caught, connect(spec):
        pass
    return caught.value.kind


def test_unix_socket_answers_and_counts_calls(docker_engine):
    with connect(HostSpec(docker_engine.base_url)) as connection:
        assert connection.version_info["ApiVersion"]
        connection.api.containers(all=True)
        assert connection.api_calls == 2
        assert [method for method, _path in connection.requests_log] == ["GET", "GET"]
        assert connection.requests_log[0][1] == "/version"


def test_engine_summary(docker_engine):
    summary = engine_summary(HostSpec(docker_engine.base_url))
    assert summary["os"] == "linux" and summary["version"]


def test_missing_socket_is_refused_with_a_reason(tmp_path):
    spec = HostSpec(f"unix://{tmp_path}/nothing.sock")
    with pytest.raises(HostError) as caught, connect(spec):
        pass
    assert caught.value.kind == "refused"
    assert "거부" in caught.value.message("ko") and "refused" in caught.value.message("en")


def test_closed_tcp_port_is_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert kind_of(HostSpec(f"tcp://127.0.0.1:{port}", allow_plain_tcp=True)) == "refused"


def test_unknown_host_name():
    assert kind_of(HostSpec("tcp://no-such-host.invalid:2376", allow_plain_tcp=True)) == \
        "unknown_host"


def test_plain_tcp_is_refused_unless_allowed():
    assert kind_of(HostSpec("tcp://127.0.0.1:2375")) == "plain_tcp_forbidden"


@pytest.mark.parametrize("url", ["http://127.0.0.1:2375", "tcp://127.0.0.1", "ssh://host-only",
                                 "unix://"])
def test_bad_urls(url):
    assert kind_of(HostSpec(url, allow_plain_tcp=True, ssh_private_key=b"x")) == "bad_url"


def test_a_host_that_never_answers_times_out_in_time():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted = []
    stop = threading.Event()

    def accept_and_hang():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hang, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    started = time.monotonic()
    try:
        kind = kind_of(HostSpec(f"tcp://127.0.0.1:{port}", allow_plain_tcp=True,
                                connect_timeout=1, read_timeout=1))
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert kind == "timeout"
    assert time.monotonic() - started < 5


@pytest.fixture(scope="module")
def tls_engine(extra_engine):
    return extra_engine(tls=True, images=())


def tls_spec(engine, **overrides) -> HostSpec:
    pem = engine["certs"]["pem"]
    values = {"tls_ca": pem["ca"], "tls_cert": pem["cert"], "tls_key": pem["key"]}
    values.update(overrides)
    return HostSpec(engine["tcp_url"], **values)


def test_tls_with_the_learners_certificates(tls_engine):
    with connect(tls_spec(tls_engine)) as connection:
        assert connection.version_info["Os"] == "linux"


def test_tls_ignores_requests_ca_bundle_from_the_environment(tls_engine, monkeypatch, tmp_path):
    # This machine (and many corporate ones) sets REQUESTS_CA_BUNDLE to the system bundle,
    # which does not hold the learner's CA: it must not override the host's own CA.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with connect(tls_spec(tls_engine)) as connection:
        assert connection.version_info["ApiVersion"]


def test_tls_wrong_ca_is_a_verification_error(tls_engine, tmp_path):
    from tests.support.certs import make_tls_set

    other = make_tls_set(tmp_path / "other")["pem"]
    assert kind_of(tls_spec(tls_engine, tls_ca=other["ca"])) == "tls_verify"


def test_tls_without_client_certificate(tls_engine):
    assert kind_of(tls_spec(tls_engine, tls_cert=None, tls_key=None)) == "tls_client_cert"


def test_plain_http_to_the_tls_port(tls_engine):
    spec = HostSpec(tls_engine["tcp_url"], allow_plain_tcp=True)
    assert kind_of(spec) == "protocol"


def ssh_spec(host, **overrides) -> HostSpec:
    values = {"ssh_private_key": host.private_key, "ssh_host_key": host.host_key_line}
    values.update(overrides)
    return HostSpec(host.url, **values)


def test_ssh_with_key_and_pinned_host_key(ssh_host):
    with connect(ssh_spec(ssh_host)) as connection:
        connection.api.containers(all=True)
        assert connection.api_calls == 2


def test_ssh_host_key_fetch_matches_the_server(ssh_host):
    line, fingerprint = fetch_ssh_host_key(ssh_host.host, ssh_host.port)
    assert line == ssh_host.host_key_line
    assert fingerprint.startswith("SHA256:")


def test_ssh_wrong_key_is_an_auth_error(ssh_host):
    wrong, _public = new_keypair()
    assert kind_of(ssh_spec(ssh_host, ssh_private_key=wrong)) == "ssh_auth"


def test_ssh_changed_or_missing_host_key_is_refused(ssh_host):
    _private, other_public = new_keypair()
    changed = " ".join(other_public.split()[:2])
    assert kind_of(ssh_spec(ssh_host, ssh_host_key=changed)) == "ssh_host_key"
    assert kind_of(ssh_spec(ssh_host, ssh_host_key=None)) == "ssh_host_key"


def test_ssh_user_without_socket_access_shows_the_remote_reason(ssh_host):
    spec = HostSpec(f"ssh://{ssh_host.user_without_access}@{ssh_host.host}:{ssh_host.port}",
                    ssh_private_key=ssh_host.private_key_without_access,
                    ssh_host_key=ssh_host.host_key_line)
    with pytest.raises(HostError) as caught, connect(spec):
        pass
    assert caught.value.kind == "ssh_remote"
    assert "permission denied" in caught.value.detail.lower()
