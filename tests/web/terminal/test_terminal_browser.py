"""The terminal in a real Chromium: xterm.js from node_modules, Korean typed into it and printed
back, a viewport resize reaching the exec's tty, and a dropped WebSocket re-attaching to the same
tmux shell by itself. The page's policy stays strict (no CSP violation reported)."""
from __future__ import annotations

import re

import pytest

from docklab.sandboxes import terminal
from tests.support.webapp import PASSWORD, create_user
from tests.web.terminal.terminal_helpers import SCREEN_TEXT, ensure_tmux_image, live_terminal_app

BOX = "[data-terminal]"
SIZE = "() => { const t = document.querySelector('[data-terminal]').docklab.terminal; " \
       "return [t.cols, t.rows]; }"


@pytest.fixture
def workstation(database_url, tmp_path, docker_engine, lab_images, make_container):
    server, targets = live_terminal_app(database_url, tmp_path)
    user_id = create_user(server.app, "browser-learner")
    image = ensure_tmux_image(docker_engine.client)
    container = make_container(image, command=["sleep", "3600"])
    targets.by_user[user_id] = terminal.TerminalTarget(docker_engine.base_url, container.id)
    with server:
        yield server, container


def wait_for_screen(page, pattern: str, timeout: float = 10_000) -> str:
    page.wait_for_function(
        f"() => new RegExp({pattern!r}).test(({SCREEN_TEXT})())", timeout=timeout)
    return page.evaluate(SCREEN_TEXT)


def test_type_korean_resize_and_reattach(page, workstation):
    server, container = workstation
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", "browser-learner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.url}/sandbox")
    page.wait_for_selector(f"{BOX}[data-state=connected][data-persistent=yes]")
    wait_for_screen(page, r"/ # ")

    # Korean typed into xterm.js goes in as UTF-8 and comes back on the screen.
    page.click("[data-terminal-screen]")
    page.keyboard.type("echo 안녕 docklab")
    page.keyboard.press("Enter")
    screen = wait_for_screen(page, r"\n안녕 docklab")
    assert re.search(r"^안녕 docklab\s*$", screen, re.M), screen

    # A larger window: the fit add-on grows the terminal and the exec's tty follows.
    before = page.evaluate(SIZE)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.wait_for_function(f"() => ({SIZE})()[0] > {before[0]}")
    cols, rows = page.evaluate(SIZE)
    for attempt in range(10):  # tmux resizes its window a moment after the client's size
        page.keyboard.type("stty size")
        page.keyboard.press("Enter")
        try:  # tmux keeps one row for its status line
            wait_for_screen(page, rf"\n{rows - 1} {cols}\s*\n", timeout=1000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: ask again
            assert attempt < 9, page.evaluate(SCREEN_TEXT)

    # The WebSocket drops: the page says so, reconnects by itself, and it is the same shell.
    page.keyboard.type("KEPT=browser-$((40+2))")
    page.keyboard.press("Enter")
    page.evaluate("() => document.querySelector('[data-terminal]').docklab.socket().close()")
    page.wait_for_selector(f"{BOX}[data-state=reconnecting], {BOX}[data-state=connecting]",
                           timeout=5000)
    status = page.text_content("[data-terminal-status]")
    assert "다시 연결" in status  # "reconnecting…" in Korean (the page's locale)
    page.wait_for_selector(f"{BOX}[data-state=connected]")
    wait_for_screen(page, r"KEPT=browser")  # tmux redrew the same screen
    page.click("[data-terminal-screen]")
    page.keyboard.type("echo again $KEPT")
    page.keyboard.press("Enter")
    wait_for_screen(page, r"\nagain browser-42")
    sessions = container.exec_run(["tmux", "list-sessions"]).output.decode().strip()
    assert len(sessions.splitlines()) == 1, sessions

    # The shell itself ends: no reconnect loop; the learner chooses to start a new one.
    page.keyboard.type("exit")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{BOX}[data-state=ended]")
    page.click("[data-terminal-reconnect]")
    page.wait_for_selector(f"{BOX}[data-state=connected]")
    page.click("[data-terminal-screen]")
    page.keyboard.type("echo fresh ${KEPT:-none}")
    page.keyboard.press("Enter")
    wait_for_screen(page, r"\nfresh none")
    assert not violations, violations


def test_a_learner_without_a_sandbox_is_told_so(page, database_url, tmp_path):
    server, _targets = live_terminal_app(database_url, tmp_path)
    create_user(server.app, "no-sandbox")
    with server:
        page.goto(f"{server.url}/login")
        page.fill("input[name=username]", "no-sandbox")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{server.url}/sandbox")
        page.wait_for_selector(f"{BOX}[data-state=noSandbox]")  # our close code, not 1006
        assert page.is_visible("[data-terminal-reconnect]")
        screen = wait_for_screen(page, "You have no sandbox yet")
        assert "샌드박스가 아직 없습니다" in screen
