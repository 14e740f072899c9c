"""The terminal's door, without a Docker engine: the WebSocket needs a session and our own Origin
(refused before the handshake otherwise), a learner with no sandbox reads why in both languages,
and xterm.js is served from node_modules through an allow-list (or the page says it is missing)."""
from __future__ import annotations

import pytest
import simple_websocket

from docklab.sandboxes import terminal
from tests.support.webapp import create_user
from tests.web.terminal.terminal_helpers import (
    live_terminal_app,
    log_in,
    open_terminal,
    read_until,
    refused_status,
)


@pytest.fixture
def live(database_url, tmp_path):
    server, targets = live_terminal_app(database_url, tmp_path)
    create_user(server.app, "term-user")
    with server:
        yield server


def test_websocket_without_a_session_is_refused(live):
    assert refused_status(live.url, None) == 401


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None,
                                    "http://127.0.0.1:1", "https://127.0.0.1"])
def test_websocket_from_a_foreign_origin_is_refused(live, origin):
    session = log_in(live.url, "term-user")
    if origin == "https://127.0.0.1":  # same host, other scheme and port
        origin = live.url.replace("http://", "https://")
    assert refused_status(live.url, session, origin=origin) == 403


def test_own_origin_without_a_sandbox_gets_a_message_in_both_languages(live):
    session = log_in(live.url, "term-user")
    ws = open_terminal(live.url, session)
    text = read_until(ws, "connect again.")
    assert "샌드박스가 아직 없습니다" in text
    assert "You have no sandbox yet." in text
    with pytest.raises(simple_websocket.ConnectionClosed) as closed:
        for _ in range(50):
            ws.receive(timeout=0.2)
    assert closed.value.reason == terminal.CLOSE_NO_SANDBOX


def test_a_plain_get_is_not_a_terminal(live):
    session = log_in(live.url, "term-user")
    assert session.get(f"{live.url}/sandbox/terminal", timeout=5,
                       headers={"Origin": live.url}).status_code == 400


def test_vendor_files_are_an_allow_list(client):
    for name in terminal.VENDOR_FILES:
        answer = client.get(f"/static/vendor/{name}")
        assert answer.status_code == 200, name
        assert answer.data
    assert "javascript" in client.get("/static/vendor/xterm.js").content_type
    assert "css" in client.get("/static/vendor/xterm.css").content_type
    for name in ("package.json", "..%2Fpackage.json", "xterm.js.map", "%2Fetc%2Fpasswd",
                 "..", "LICENSE"):
        assert client.get(f"/static/vendor/{name}").status_code == 404, name


def test_page_needs_a_log_in_and_shows_the_terminal(app, client, auth):
    assert client.get("/sandbox").status_code == 302
    create_user(app, "page-user")
    auth.login("page-user")
    answer = client.get("/sandbox")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "data-terminal" in page and "/static/vendor/xterm.js" in page
    assert "<script>" not in page  # no inline script
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # scripts unchanged
    nonce = page.split('data-style-nonce="', 1)[1].split('"', 1)[0]
    assert f"style-src-elem 'self' 'nonce-{nonce}'" in policy
    # other pages keep the strict policy
    assert "nonce" not in client.get("/account").headers["Content-Security-Policy"]


def test_without_node_modules_the_page_says_the_terminal_is_unavailable(app, client, auth,
                                                                        tmp_path):
    app.config["DOCKLAB_NODE_MODULES"] = str(tmp_path / "no-node-modules")
    create_user(app, "page-user")
    auth.login("page-user")
    answer = client.get("/sandbox")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "data-terminal-unavailable" in page
    assert "npm ci" in page
    assert "/static/vendor/xterm.js" not in page
    assert client.get("/static/vendor/xterm.js").status_code == 404
    assert client.get("/sandbox?lang=en").status_code == 200


def test_origin_normalisation():
    normalise = terminal._normalise_origin
    assert normalise("http://Example.org") == normalise("http://example.org:80")
    assert normalise("https://example.org") == "https://example.org:443"
    assert normalise("http://[::1]:8080") == "http://[::1]:8080"
    assert normalise("http://[::1]") == "http://[::1]:80"
    assert normalise("null") is None
    assert normalise("http://example.org/path") is None
