"""The browser terminal: xterm.js in the page, a WebSocket (flask-sock) to this server, and an
exec in the learner's workstation container over the Docker Engine API.

    browser (xterm.js)  --ws-->  /sandbox/terminal  --Engine API exec, hijacked socket-->  tmux

- The WebSocket needs a logged-in session and an Origin equal to the app's own (a foreign page
  cannot open a shell with the learner's cookie); both are refused before the handshake.
- Which container: `resolve_target(user_id) -> TerminalTarget | None`, given by the app to
  `init_app` (the sandbox driver); with none the learner reads a message in both languages.
- The shell is `tmux new-session -A -D -s main` when the container has tmux, so a dropped
  connection re-attaches to the same shell (and a newer tab takes the session over); otherwise
  `/bin/sh`, which ends with its connection.
- Bytes go both ways unchanged (binary frames to the browser: xterm.js decodes UTF-8 across
  frame boundaries); the browser sends JSON text frames `{"type": "input", "data": "..."}` or
  `{"type": "resize", "cols": N, "rows": M}`, or raw bytes as binary frames.
- xterm.js and its fit add-on are served from node_modules (`npm ci`), through an allow-list.
"""
from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, current_app, g, render_template, request, send_file
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_sock import Sock
from simple_websocket import ConnectionClosed

import docker

from .. import settings
from ..security import CONTENT_SECURITY_POLICY
from . import bp

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# name under /static/vendor/ -> path under node_modules (nothing else there is served)
VENDOR_FILES = {
    "xterm.js": "@xterm/xterm/lib/xterm.js",
    "xterm.css": "@xterm/xterm/css/xterm.css",
    "addon-fit.js": "@xterm/addon-fit/lib/addon-fit.js",
}
TMUX = ["tmux", "new-session", "-A", "-D", "-s", "main"]
FALLBACK_SHELL = ["/bin/sh"]
# What the bridge types when the browser goes away, so the exec does not outlive it (Docker
# keeps an exec running after its connection closes): tmux's prefix + d detaches this client
# (the session lives on); Ctrl-C, Ctrl-D ends the plain shell.
FAREWELL = {True: b"\x02d", False: b"\x03\x04"}
ENVIRONMENT = {"TERM": "xterm-256color", "LANG": "C.UTF-8"}
API_TIMEOUT = 10  # seconds, every Engine API call but the hijacked exec stream itself
READ_SIZE = 65536
MAX_SIZE = 1000  # columns or rows

# Close codes the page understands (4000-4999 are the application's own).
CLOSE_ENDED = 4001  # the shell ended (exit, or the session was taken over by another tab)
CLOSE_NO_SANDBOX = 4004  # no sandbox to attach to (yet)
CLOSE_BUSY = 4029  # too many terminals open for this learner
CLOSE_ERROR = 4011  # the engine failed

sock = Sock()


@dataclass(frozen=True)
class TerminalTarget:
    """Where a learner's terminal runs: a container on a Docker engine."""
    engine_url: str
    container: str


Resolver = Callable[[int], "TerminalTarget | None"]


def no_sandbox(user_id: int) -> TerminalTarget | None:
    """The default resolver: nobody has a sandbox until a driver provides one."""
    return None


def init_app(app: Flask, resolve_target: Resolver = no_sandbox) -> None:
    """Attach the terminal to `app`. `resolve_target(user_id)` names the learner's workstation
    container, or returns None when they have none (it runs in the request's app context).
    Calling it again (before the app serves) only swaps the resolver."""
    if "docklab.terminal" in app.extensions:
        app.extensions["docklab.terminal"].resolve_target = resolve_target
        return
    app.extensions["docklab.terminal"] = _State(resolve_target)
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"ping_interval": 25,
                                                  "max_message_size": 1 << 16})
    app.config.setdefault("DOCKLAB_NODE_MODULES", str(NODE_MODULES))
    app.jinja_env.globals.update(terminal_available=terminal_available,
                                 terminal_style_nonce=terminal_style_nonce)
    app.after_request(_allow_terminal_styles)
    sock.init_app(app)


class _State:
    def __init__(self, resolve_target: Resolver):
        self.resolve_target = resolve_target
        self.lock = threading.Lock()
        self.open: dict[int, int] = {}  # user id -> terminals open in this process

    def enter(self, user_id: int, limit: int, total: int) -> bool:
        """Room for one more terminal of this user? Each holds a server thread while open, so
        the process's own cap keeps threads free for everybody else's pages."""
        with self.lock:
            if self.open.get(user_id, 0) >= limit or sum(self.open.values()) >= total:
                return False
            self.open[user_id] = self.open.get(user_id, 0) + 1
            return True

    def leave(self, user_id: int) -> None:
        with self.lock:
            self.open[user_id] -= 1
            if not self.open[user_id]:
                del self.open[user_id]


def _state() -> _State:
    return current_app.extensions["docklab.terminal"]


# --- the page's assets --------------------------------------------------------------------------

def _vendor_path(name: str) -> Path:
    return Path(current_app.config["DOCKLAB_NODE_MODULES"]) / VENDOR_FILES[name]


def terminal_available() -> bool:
    """Whether xterm.js is installed (`npm ci`); without it the page says so instead."""
    return all(_vendor_path(name).is_file() for name in VENDOR_FILES)


def terminal_style_nonce() -> str:
    """xterm.js adds <style> elements for its dimensions and colours (and style attributes for
    24-bit colours); the page that shows a terminal allows exactly those (see below)."""
    if "terminal_style_nonce" not in g:
        g.terminal_style_nonce = secrets.token_urlsafe(16)
    return g.terminal_style_nonce


def _allow_terminal_styles(response):
    """Only on a page that rendered the terminal: style elements carrying this response's nonce,
    and style attributes. Scripts stay `'self'` only."""
    nonce = g.get("terminal_style_nonce")
    if nonce:
        policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Content-Security-Policy"] = (
            f"{policy.rstrip('; ')}; style-src-elem 'self' 'nonce-{nonce}'; "
            "style-src-attr 'unsafe-inline'")
    return response


@bp.route("/static/vendor/<name>")
def vendor(name: str):
    if name not in VENDOR_FILES:
        abort(404)
    path = _vendor_path(name)
    if not path.is_file():
        abort(404)
    return send_file(path, max_age=3600)


@bp.route("/sandbox")
@login_required
def terminal_page():
    return render_template("sandboxes/terminal_page.html")


# --- the WebSocket ------------------------------------------------------------------------------

def _default_port(scheme: str) -> str:
    return "443" if scheme in ("https", "wss") else "80"


def _normalise_origin(origin: str) -> str | None:
    scheme, sep, rest = origin.strip().lower().partition("://")
    if not sep or not rest or "/" in rest:
        return None
    host, colon, port = rest.rpartition(":")
    if not colon or "]" in port:  # no port given (or an IPv6 address without one)
        host, port = rest, _default_port(scheme)
    return f"{scheme}://{host}:{port}"


def own_origin() -> str:
    """scheme://host:port of this request as the browser addressed the app (X-Forwarded-* are
    believed only as far as DOCKLAB_PROXY_HOPS says)."""
    scheme = {"ws": "http", "wss": "https"}.get(request.scheme, request.scheme)
    return _normalise_origin(f"{scheme}://{request.host}") or ""


@bp.before_request
def _refuse_foreign_terminal():
    """Before the WebSocket handshake: a session, and a request sent by one of our own pages."""
    if request.endpoint != "sandboxes.terminal":
        return None
    if not current_user.is_authenticated:
        abort(401)
    origin = _normalise_origin(request.headers.get("Origin", ""))
    if origin is None or origin != own_origin():
        abort(403)
    return None


def _both(message: str, **values) -> str:
    """The message in Korean and in English, one line each, for the terminal screen."""
    lines = []
    for lang in ("ko", "en"):
        with force_locale(lang):
            lines.append(_(message, **values))
    return "\r\n" + "\r\n".join(lines) + "\r\n"


@sock.route("/sandbox/terminal", bp=bp, endpoint="terminal")
def terminal(ws):
    user_id = current_user.id
    state = _state()
    site = settings.current()
    if not state.enter(user_id, site.terminals_per_user, site.terminals_per_process):
        ws.send(_both("Too many terminals are open. Close one and try again.").encode())
        close(ws, CLOSE_BUSY, "busy")
        return
    try:
        target = state.resolve_target(user_id)
        if target is None:
            ws.send(_both("You have no sandbox yet. Start one from a lab page, then "
                          "connect again.").encode())
            close(ws, CLOSE_NO_SANDBOX, "no sandbox")
            return
        try:
            bridge = Bridge.open(target)
        except (docker.errors.DockerException, OSError) as exc:
            current_app.logger.warning("terminal for user %s: %s", user_id, exc)
            ws.send(_both("The sandbox did not answer. Try again in a moment.").encode())
            close(ws, CLOSE_ERROR, "engine error")
            return
        try:
            bridge.run(ws)
        finally:
            bridge.close()
    finally:
        state.leave(user_id)


def close(ws, code: int, reason: str) -> None:
    """Close with our code. Under Werkzeug's development server (`flask run`) the view's return
    is followed by an HTTP response on the same connection, which the browser would read as a
    broken frame (and report 1006 instead of our code): there, wait for the browser's answer,
    then shut the connection so nothing more reaches it. gunicorn writes nothing more."""
    try:
        ws.close(code, reason)
    except ConnectionClosed:
        return
    if ws.mode == "werkzeug":
        ws.thread.join(timeout=2)
        try:
            ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Bridge:
    """One exec in the container, its hijacked socket, and the pumps between it and a WebSocket."""

    def __init__(self, api: docker.APIClient, exec_id: str, stream, raw: socket.socket,
                 persistent: bool):
        self.api, self.exec_id, self.stream, self.raw = api, exec_id, stream, raw
        self.persistent = persistent  # tmux: the shell outlives the connection
        self.ended = threading.Event()  # the exec's output ended
        self.browser_gone = threading.Event()
        self.resized = False

    @classmethod
    def open(cls, target: TerminalTarget) -> Bridge:
        api = docker.APIClient(base_url=target.engine_url, timeout=API_TIMEOUT)
        try:
            probe = api.exec_create(target.container, ["/bin/sh", "-c", "command -v tmux"])
            api.exec_start(probe["Id"])
            persistent = api.exec_inspect(probe["Id"]).get("ExitCode") == 0
            created = api.exec_create(target.container, TMUX if persistent else FALLBACK_SHELL,
                                      stdin=True, tty=True, environment=ENVIRONMENT)
            stream = api.exec_start(created["Id"], tty=True, socket=True)
        except Exception:
            api.close()
            raise
        # A unix or plain-TCP engine gives a SocketIO around the socket; TLS the socket itself.
        raw = getattr(stream, "_sock", stream)
        raw.settimeout(None)  # output may pause for hours; shutdown() wakes the reader
        return cls(api, created["Id"], stream, raw, persistent)

    def run(self, ws) -> None:
        reader = threading.Thread(target=self._pump_output, args=(ws,), daemon=True,
                                  name="terminal-output")
        ws.send(json.dumps({"type": "hello", "persistent": self.persistent}))
        reader.start()
        try:
            while not self.ended.is_set():
                message = ws.receive(timeout=0.5)
                if message is not None:
                    self._handle(message)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self.browser_gone.set()
            if not self.ended.is_set():
                self._say_goodbye()
            self._shut()
            reader.join(timeout=5)
        if self.ended.is_set() and ws.connected:
            close(ws, CLOSE_ENDED, "shell ended")

    def _pump_output(self, ws) -> None:
        """Exec output to the browser until the exec ends (after the browser has gone, drained
        until the farewell has ended this client)."""
        try:
            while True:
                data = self.raw.recv(READ_SIZE)
                if not data:
                    break
                if not self.browser_gone.is_set():
                    try:
                        ws.send(data)  # bytes: a binary frame
                    except ConnectionClosed:
                        self.browser_gone.set()
        except OSError:
            pass
        finally:
            self.ended.set()

    def _say_goodbye(self) -> None:
        try:
            self.raw.sendall(FAREWELL[self.persistent])
        except OSError:
            return
        self.ended.wait(timeout=2)

    def _handle(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            self.raw.sendall(message)
            return
        try:
            frame = json.loads(message)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        if frame.get("type") == "input" and isinstance(frame.get("data"), str):
            self.raw.sendall(frame["data"].encode("utf-8", errors="replace"))
        elif frame.get("type") == "resize":
            cols, rows = frame.get("cols"), frame.get("rows")
            if all(isinstance(v, int) and 1 <= v <= MAX_SIZE for v in (cols, rows)):
                self.resize(cols, rows)

    def resize(self, cols: int, rows: int) -> None:
        # Right after the start the process may not run yet: the first resize retries briefly.
        attempts = 1 if self.resized else 10
        for attempt in range(attempts):
            try:
                self.api.exec_resize(self.exec_id, height=rows, width=cols)
                self.resized = True
                return
            except docker.errors.APIError:
                if attempt + 1 < attempts and not self.ended.is_set():
                    time.sleep(0.1)

    def _shut(self) -> None:
        try:
            self.raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self._shut()
        for closing in (self.raw.close, self.stream.close, self.api.close):
            try:
                closing()
            except Exception:  # noqa: BLE001, S112 - closing is best effort
                continue
