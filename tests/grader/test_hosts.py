"""Host connections against a real engine over its unix socket, and each way a host can fail
(refused, unknown name, silence, not an engine, too old, stopped mid-run). TLS, SSH: test_tls_ssh.py
"""
from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grader.hosts import NEWEST_API, HostError, HostSpec, classify, connect, engine_summary


def kind_of(spec: HostSpec) -> HostError:
    with pytest.raises(HostError) as caught, connect(spec):
        pass
    return caught.value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a real engine ---------------------------------------------------------------------------
def test_unix_socket_answers_and_counts_every_call(docker_engine):
    with connect(HostSpec(docker_engine.base_url)) as connection:
        assert connection.server_api_version == connection.api.api_version == "1.41"
        connection.api.containers(all=True)
        connection.api.images()
        assert connection.api_calls == 3
        assert connection.requests_log == [("GET", "/_ping"), ("GET", "/v1.41/containers/json"),
                                           ("GET", "/v1.41/images/json")]
        # /version is dear on the engine: read once, and only when a check asks for it.
        assert connection.version_info["Version"] == docker_engine.client.version()["Version"]
        assert connection.version_info["ApiVersion"] == "1.41"
        assert connection.api_calls == 4
        assert connection.requests_log[-1] == ("GET", "/v1.41/version")


def test_environment_proxies_are_ignored(docker_engine, monkeypatch):
    # trust_env is off: an HTTP(S)_PROXY in the server's environment never sees learner traffic.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port()}")
    with connect(HostSpec(docker_engine.base_url)) as connection:
        assert connection.api.trust_env is False
        assert connection.api.version()["ApiVersion"]


def test_engine_summary_for_a_test_connection_button(docker_engine):
    summary = engine_summary(HostSpec(docker_engine.base_url))
    assert summary["os"] == "linux"
    assert summary["version"] == docker_engine.client.version()["Version"]
    assert summary["api_version"] == "1.41"


def test_an_engine_stopped_mid_run_is_classified_as_refused(extra_engine):
    engine = extra_engine(images=())
    with connect(HostSpec(engine["socket_url"])) as connection:
        engine["daemon"].stop()
        with pytest.raises(Exception) as raised:
            connection.api.containers(all=True)
        error = connection.classify(raised.value)
    assert error.kind == "refused", error
    assert "refused" in error.message("en") and "거부" in error.message("ko")


# --- hosts that are not there ----------------------------------------------------------------
def test_missing_socket_is_refused_with_a_reason(tmp_path):
    error = kind_of(HostSpec(f"unix://{tmp_path}/nothing.sock"))
    assert error.kind == "refused"
    assert "거부" in error.message("ko") and "refused" in error.message("en")
    assert "nothing.sock" in error.message("en") or "No such file" in error.message("en")


def test_closed_tcp_port_is_refused():
    started = time.monotonic()
    error = kind_of(HostSpec(f"tcp://127.0.0.1:{closed_port()}", allow_plain_tcp=True))
    assert error.kind == "refused"
    assert time.monotonic() - started < 2  # at once, not after the timeout


@pytest.mark.parametrize("url", ["tcp://no-such-host.invalid:2376",
                                 "ssh://learner@no-such-host.invalid:22"])
def test_unknown_host_name(url):
    # .invalid never resolves (RFC 2606): no query leaves the machine for an answer.
    error = kind_of(HostSpec(url, allow_plain_tcp=True, ssh_private_key=_any_ssh_key(),
                             ssh_host_key=_any_host_key()))
    assert error.kind == "unknown_host", error
    assert "no-such-host.invalid" in error.message("en") or "resolve" in error.message("en")


def _any_ssh_key() -> bytes:
    from tests.support.sshd import new_keypair

    return new_keypair()[0]


def _any_host_key() -> str:
    from tests.support.sshd import new_keypair

    return " ".join(new_keypair()[1].split()[:2])


def test_plain_tcp_is_refused_unless_allowed():
    error = kind_of(HostSpec(f"tcp://127.0.0.1:{closed_port()}"))
    assert error.kind == "plain_tcp_forbidden"
    assert "TLS" in error.message("en") and "TLS" in error.message("ko")


@pytest.mark.parametrize("url", ["http://127.0.0.1:2375", "tcp://127.0.0.1", "ssh://host-only",
                                 "unix://", "tcp://127.0.0.1:port", "  ", "docker.sock"])
def test_bad_urls(url):
    error = kind_of(HostSpec(url, allow_plain_tcp=True, ssh_private_key=b"x"))
    assert error.kind == "bad_url", error
    assert "주소" in error.message("ko")


def test_ssh_without_a_private_key_is_an_auth_error():
    assert kind_of(HostSpec("ssh://learner@127.0.0.1:22")).kind == "ssh_auth"


@contextmanager
def silent_listener(family=socket.AF_INET, address=("127.0.0.1", 0)):
    """Accepts connections and never says a word: a host that hangs."""
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    listener.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def accept_forever():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.mark.parametrize("transport", ["tcp", "unix", "ssh"])
def test_a_host_that_never_answers_times_out_in_time(transport, tmp_path):
    family, address = socket.AF_INET, ("127.0.0.1", 0)
    if transport == "unix":
        family, address = socket.AF_UNIX, str(tmp_path / "silent.sock")
    with silent_listener(family, address) as where:
        url = {"tcp": lambda: f"tcp://127.0.0.1:{where[1]}",
               "ssh": lambda: f"ssh://learner@127.0.0.1:{where[1]}",
               "unix": lambda: f"unix://{where}"}[transport]()
        started = time.monotonic()
        error = kind_of(HostSpec(url, allow_plain_tcp=True, ssh_private_key=_any_ssh_key(),
                                 ssh_host_key=_any_host_key(), connect_timeout=1,
                                 read_timeout=1))
        elapsed = time.monotonic() - started
    assert error.kind == "timeout", error
    assert "time limit" in error.message("en") and "제한 시간" in error.message("ko")
    assert 0.9 <= elapsed < 4


# --- something answers, but not a usable engine ----------------------------------------------
@contextmanager
def fake_engine(version_body: bytes, status: int = 200, content_type="application/json",
                ping_version: str | None = None, minimum: str | None = None):
    """A real HTTP server on loopback speaking a sliver of the Engine API: /_ping (with an
    Api-Version header when given), /version, and a versioned endpoint that, like a real engine,
    refuses an API version below its minimum. Records every path it was asked for."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, body, content, headers=()):
            self.send_response(code)
            for key, value in (("Content-Type", content), *headers):
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            seen.append(self.path)
            asked = self.path.split("/")[1][1:] if self.path.startswith("/v1.") else None
            if self.path == "/_ping":
                header = (("Api-Version", ping_version),) if ping_version else ()
                self.reply(status, b"OK" if ping_version else version_body, content_type, header)
            elif asked and minimum and tuple(map(int, asked.split("."))) < tuple(
                    map(int, minimum.split("."))):
                message = (f"client version {asked} is too old. Minimum supported API version "
                           f"is {minimum}, please upgrade your client to a newer version")
                self.reply(400, json.dumps({"message": message}).encode(), "application/json")
            elif self.path.endswith("/version"):
                self.reply(status, version_body, content_type)
            else:
                self.reply(200, b"[]", "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def version_json(api: str, minimum: str = "1.12") -> bytes:
    return json.dumps({"Version": "x", "ApiVersion": api, "MinAPIVersion": minimum,
                       "Os": "linux"}).encode()


def test_an_engine_older_than_api_1_24_is_too_old():
    # Engines before API 1.25 send no Api-Version header on /_ping: /version tells instead.
    with fake_engine(version_json("1.18")) as (url, seen):
        error = kind_of(HostSpec(url, allow_plain_tcp=True))
    assert seen == ["/_ping", "/version"]
    assert error.kind == "api_too_old"
    assert "1.18" in error.message("en") and "1.18" in error.message("ko")


@pytest.mark.parametrize(("server", "spoken"), [("1.30", "1.30"), ("1.99", NEWEST_API)])
def test_the_api_version_is_negotiated_not_pinned(server, spoken):
    with fake_engine(version_json(server), ping_version=server) as (url, seen), \
            connect(HostSpec(url, allow_plain_tcp=True)) as connection:
        connection.api.containers(all=True)
    assert [path.split("?")[0] for path in seen] == ["/_ping", f"/v{spoken}/containers/json"]


def test_an_engine_that_needs_a_newer_api_than_we_speak():
    with fake_engine(version_json("1.60", minimum="1.55"), ping_version="1.60",
                     minimum="1.55") as (url, _seen), \
            connect(HostSpec(url, allow_plain_tcp=True)) as connection:
        with pytest.raises(Exception) as raised:
            connection.api.containers(all=True)
        error = connection.classify(raised.value)
    assert error.kind == "protocol"
    assert "1.55" in error.message("en") and NEWEST_API in error.message("en")


@pytest.mark.parametrize(("body", "status", "content_type"), [
    (b"<html>It works!</html>", 200, "text/html"),
    (b"not found", 404, "text/plain"),
    (b'{"hello": "world"}', 200, "application/json"),
])
def test_a_web_server_is_not_an_engine(body, status, content_type):
    with fake_engine(body, status, content_type) as (url, _seen):
        error = kind_of(HostSpec(url, allow_plain_tcp=True))
    assert error.kind == "protocol", error
    assert "Docker" in error.message("en")


def test_classify_maps_exceptions_raised_later():
    assert classify(ConnectionRefusedError(111, "Connection refused")).kind == "refused"
    assert classify(TimeoutError("timed out")).kind == "timeout"
    assert classify(socket.gaierror(-2, "Name or service not known")).kind == "unknown_host"
    already = HostError("ssh_auth", "x")
    assert classify(already) is already
