"""Shared parts of the terminal tests: a workstation image with tmux, a live app whose terminal
resolves to a given container, and a small WebSocket client that logs in first."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tarfile
import time
from pathlib import Path

import requests
import simple_websocket

import docker
from docklab.sandboxes import terminal
from tests.support.browser import LiveServer
from tests.support.images import BASE, HASH_LABEL, ensure_busybox
from tests.support.webapp import PASSWORD, create_user, make_app

TMUX_IMAGE = "local/workstation-tmux:latest"
# Besides tmux and the libraries it links: the UTF-8 locale tmux insists on, and terminfo.
TMUX_EXTRA = ["/usr/lib/locale/C.utf8", "/lib/terminfo/x/xterm-256color",
              "/lib/terminfo/s/screen", "/lib/terminfo/t/tmux-256color"]


def _tmux_files() -> list[str]:
    """Debian's tmux with every shared library `ldd` names (the paths as the loader sees them)."""
    listed = subprocess.run(["ldd", "/usr/bin/tmux"], capture_output=True, text=True,
                            check=True).stdout
    files = ["/usr/bin/tmux"]
    for line in listed.splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            files.append(match.group(1))
    return files + [path for path in TMUX_EXTRA if Path(path).exists()]


def ensure_tmux_image(client: docker.DockerClient) -> str:
    """busybox (tests/support/images.py) plus the host's tmux: a workstation that keeps its shell
    when the terminal's connection drops. Rebuilt only when the base or the files change."""
    ensure_busybox(client)
    files = _tmux_files()
    digest = hashlib.sha256(client.images.get(BASE).id.encode())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in files:
            tar.add(Path(path).resolve(), arcname="root" + path)  # the real file, at this path
            digest.update(path.encode())
        wanted = digest.hexdigest()[:16]
        dockerfile = (f"FROM {BASE}\nCOPY root/ /\nENV LD_LIBRARY_PATH=/lib/x86_64-linux-gnu\n"
                      f'LABEL {HASH_LABEL}="{wanted}"\nCMD ["sleep", "3600"]\n').encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    try:
        if client.images.get(TMUX_IMAGE).labels.get(HASH_LABEL) == wanted:
            return TMUX_IMAGE
    except docker.errors.ImageNotFound:
        pass
    buffer.seek(0)
    client.images.build(fileobj=buffer, custom_context=True, tag=TMUX_IMAGE, rm=True,
                        forcerm=True)
    return TMUX_IMAGE


class Targets:
    """The resolver the tests hand to terminal.init_app: user id -> TerminalTarget."""

    def __init__(self):
        self.by_user: dict[int, terminal.TerminalTarget] = {}

    def __call__(self, user_id: int):
        return self.by_user.get(user_id)


def live_terminal_app(database_url: str, tmp_path: Path, **config):
    """(LiveServer, Targets): the app in a real threaded HTTP server, its terminal resolving
    through a Targets the test fills in."""
    app = make_app(database_url, **config)
    app.instance_path = str(tmp_path / "instance")
    targets = Targets()
    terminal.init_app(app, targets)
    return LiveServer(app), targets


def log_in(base_url: str, username: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base_url}/login", timeout=10, allow_redirects=False,
                          data={"csrf_token": token, "username": username,
                                "password": password})
    assert answer.status_code == 302, answer.text[:500]
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


class _Client(simple_websocket.Client):
    """simple-websocket's client sends `Host: 127.0.0.1` without the port; a browser sends it."""

    def handshake(self):
        if self.port not in (80, 443):
            self.host = f"{self.host}:{self.port}"
        super().handshake()


def open_terminal(base_url: str, session: requests.Session | None, origin: str | None = "",
                  **headers) -> _Client:
    """A WebSocket to /sandbox/terminal as a browser on `origin` (default: the app's own)."""
    sent = dict(headers)
    if session is not None:
        sent["Cookie"] = cookie_header(session)
    if origin == "":
        origin = base_url
    if origin is not None:
        sent["Origin"] = origin
    ws_url = base_url.replace("http://", "ws://") + "/sandbox/terminal"
    return _Client(ws_url, headers=sent)


def refused_status(base_url: str, session, origin: str | None = "") -> int:
    """The HTTP status a refused WebSocket handshake got."""
    try:
        open_terminal(base_url, session, origin=origin).close()
    except simple_websocket.ConnectionError as refused:
        return refused.status_code
    raise AssertionError("the WebSocket was accepted")


def send_input(ws, text: str) -> None:
    ws.send(json.dumps({"type": "input", "data": text}))


def send_size(ws, cols: int, rows: int) -> None:
    ws.send(json.dumps({"type": "resize", "cols": cols, "rows": rows}))


def read_until(ws, wanted: str | re.Pattern, timeout: float = 10.0) -> str:
    """Everything the terminal printed until `wanted` shows up (decoded only here, at the end,
    so a character split between frames is whole again)."""
    received = b""
    deadline = time.monotonic() + timeout
    pattern = re.compile(re.escape(wanted)) if isinstance(wanted, str) else wanted
    while time.monotonic() < deadline:
        try:
            data = ws.receive(timeout=0.2)
        except simple_websocket.ConnectionClosed:
            break
        if isinstance(data, str):
            data = data.encode()
        if data:
            received += data
            if pattern.search(received.decode("utf-8", errors="replace")):
                return received.decode("utf-8", errors="replace")
    raise AssertionError(f"{wanted!r} never came; the terminal printed:\n"
                         + received.decode("utf-8", errors="replace")[-2000:])


def new_user(app, name: str) -> int:
    return create_user(app, name)


# The xterm.js buffer as text, for page.evaluate / wait_for_function in browser tests.
SCREEN_TEXT = """() => {
  const buffer = document.querySelector('[data-terminal]').docklab.terminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join('\\n');
}"""
