"""The terminal end to end on a real engine, through a real WebSocket: Korean in and out, resize
reaching the exec's tty, tmux keeping the shell across a dropped connection, /bin/sh without
tmux, and everything closed when either side ends."""
from __future__ import annotations

import re
import time

import pytest
import simple_websocket

from docklab.sandboxes import terminal
from tests.support.images import BASE
from tests.support.webapp import create_user
from tests.web.terminal.terminal_helpers import (
    ensure_tmux_image,
    live_terminal_app,
    log_in,
    open_terminal,
    read_until,
    send_input,
    send_size,
)


@pytest.fixture
def live(database_url, tmp_path):
    server, targets = live_terminal_app(database_url, tmp_path)
    with server:
        yield server, targets


@pytest.fixture(scope="module")
def tmux_image(docker_engine, lab_images):
    return ensure_tmux_image(docker_engine.client)


@pytest.fixture
def learner(live, docker_engine, make_container):
    """learner(image, name) -> (logged-in session, their workstation container)."""
    server, targets = live

    def make(image: str, name: str):
        user_id = create_user(server.app, name)
        container = make_container(image, command=["sleep", "3600"])
        targets.by_user[user_id] = terminal.TerminalTarget(
            engine_url=docker_engine.base_url, container=container.id)
        return log_in(server.url, name), container

    return make


def _exec_processes(container) -> list[str]:
    return container.exec_run(["ps"]).output.decode(errors="replace").splitlines()


def _tmux_clients(container) -> list[str]:
    return container.exec_run(["tmux", "list-clients"]).output.decode().strip().splitlines()


def test_busybox_falls_back_to_sh_and_korean_round_trips(live, learner, lab_images):
    server, _ = live
    session, container = learner(BASE, "sh-user")
    ws = open_terminal(server.url, session)
    send_size(ws, 100, 30)
    send_input(ws, "echo 안녕 docklab; echo $((6*7)) $LANG $TERM; stty size\r")
    text = read_until(ws, re.compile(r"30 100"))
    # the output line (busybox's line editor echoes the typed Korean as "??": not ours)
    assert "\n안녕 docklab\r\n" in text
    assert "42 C.UTF-8 xterm-256color" in text
    # A character split over two frames (binary input) arrives whole.
    encoded = "printf '%s\\n' 한글끝\r".encode()
    cut = encoded.index("한".encode()) + 1
    ws.send(encoded[:cut])
    ws.send(encoded[cut:])
    assert "한글끝" in read_until(ws, re.compile(r"\n한글끝"))
    send_size(ws, 61, 17)
    send_input(ws, "stty size\r")
    read_until(ws, "17 61")
    # The shell ends: the server closes with "ended", the page then waits for the learner.
    send_input(ws, "exit\r")
    with pytest.raises(simple_websocket.ConnectionClosed) as closed:
        for _ in range(100):
            ws.receive(timeout=0.1)
    assert closed.value.reason == terminal.CLOSE_ENDED


def test_closing_the_socket_ends_the_sh_exec(live, learner, lab_images):
    server, _ = live
    session, container = learner(BASE, "drop-sh")
    ws = open_terminal(server.url, session)
    send_input(ws, "echo ready-$((1+1))\r")
    read_until(ws, "ready-2")
    assert any(line.rstrip().endswith("/bin/sh") for line in _exec_processes(container))
    ws.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shells = [line for line in _exec_processes(container) if line.rstrip().endswith("/bin/sh")]
        if not shells:
            break
        time.sleep(0.2)
    assert not shells, shells  # no shell left behind by a closed terminal


def test_tmux_keeps_the_shell_across_a_dropped_connection(live, learner, tmux_image):
    server, _ = live
    session, container = learner(tmux_image, "tmux-user")
    ws = open_terminal(server.url, session)
    send_size(ws, 90, 25)
    send_input(ws, "KEPT=$((20+3))x; echo 안녕 tmux $KEPT\r")
    read_until(ws, "안녕 tmux 23x")
    send_input(ws, "sleep 600 &\r")
    time.sleep(0.3)
    ws.close()  # the connection drops
    deadline = time.monotonic() + 10
    while _tmux_clients(container) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _tmux_clients(container)  # its tmux client left; the session stays
    again = open_terminal(server.url, session)
    send_size(again, 70, 20)
    read_until(again, "sleep 600 &")  # tmux redraws the same screen
    send_input(again, "echo back $KEPT bg=$!\r")
    text = read_until(again, re.compile(r"back 23x bg=\d+"))
    # tmux resizes the window a moment after the client's size changes: ask until it has.
    for _ in range(20):
        send_input(again, "stty size\r")
        try:
            read_until(again, re.compile(r"\b19 70\b"), timeout=0.5)  # tmux keeps a status row
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("the tty never became 70x19")
    pid = re.search(r"bg=(\d+)", text).group(1)
    assert any(line.split()[0] == pid and "sleep 600" in line
               for line in _exec_processes(container)[1:])  # same shell, same job
    listed = container.exec_run(["tmux", "list-sessions"]).output.decode()
    assert listed.count("main:") == 1 and listed.count("\n") == 1, listed
    again.close()


def test_a_second_terminal_takes_the_tmux_session_over(live, learner, tmux_image):
    server, _ = live
    session, container = learner(tmux_image, "two-tabs")
    first = open_terminal(server.url, session)
    send_input(first, "echo first-$((2*2))\r")
    read_until(first, "first-4")
    second = open_terminal(server.url, session)
    read_until(second, "first-4")  # the same screen
    send_input(second, "echo second-$((3*3))\r")
    read_until(second, "second-9")
    with pytest.raises(simple_websocket.ConnectionClosed) as closed:
        for _ in range(100):
            first.receive(timeout=0.1)
    assert closed.value.reason == terminal.CLOSE_ENDED  # the page then waits: no ping-pong
    assert len(_tmux_clients(container)) == 1
    second.close()


def test_an_engine_that_does_not_answer_is_a_clear_message(live, tmp_path):
    server, targets = live
    user_id = create_user(server.app, "no-engine")
    targets.by_user[user_id] = terminal.TerminalTarget(
        engine_url=f"unix://{tmp_path}/nothing.sock", container="workstation")
    ws = open_terminal(server.url, log_in(server.url, "no-engine"))
    text = read_until(ws, "moment.")
    assert "샌드박스가 응답하지 않습니다" in text
    with pytest.raises(simple_websocket.ConnectionClosed) as closed:
        for _ in range(50):
            ws.receive(timeout=0.1)
    assert closed.value.reason == terminal.CLOSE_ERROR
