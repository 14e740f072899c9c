"""A hostile "Docker engine": a real HTTP server on a unix socket that speaks just enough of the
Engine API, badly on purpose (malformed data, hostile strings, thousands of containers, hangs),
to prove the grader ends every such host as a clean `error` or a correct result."""
from __future__ import annotations

import json
import socketserver
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

HOSTILE_TEXT = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\x1b[31mRED\x07\u202e'
IMAGE_ID = "sha256:" + "c" * 64


def _container(index: int, name: str, state: str = "running") -> dict:
    return {"Id": f"{index:064x}", "Names": [f"/{name}"], "State": state, "Image": "mysql:5.6",
            "ImageID": IMAGE_ID, "Labels": {}, "Status": state}


def _inspect(summary: dict) -> dict:
    return {"Id": summary["Id"], "Name": summary["Names"][0], "Image": IMAGE_ID,
            "State": {"Status": summary["State"], "ExitCode": 0, "Running": True},
            "Config": {"Image": "mysql:5.6", "Env": [f"MYSQL_ROOT_PASSWORD={HOSTILE_TEXT}"],
                       "Labels": {HOSTILE_TEXT: HOSTILE_TEXT}, "Cmd": [HOSTILE_TEXT]},
            "HostConfig": {"PortBindings": {}, "PublishAllPorts": False},
            "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": HOSTILE_TEXT,
                                                      "HostPort": HOSTILE_TEXT}]}}}


SCENARIOS = {
    # the container list: what `/containers/json` answers
    "hostile": [_container(1, "mydb" + HOSTILE_TEXT), _container(2, HOSTILE_TEXT, "exited")],
    "many": [_container(i, f"box{i}", "exited" if i % 3 else "running") for i in range(5000)],
    "not-json": b"<html>definitely not JSON</html>",
    "list-is-a-dict": {"oops": 1},
    "null-fields": [{"Id": "a" * 64, "Names": None, "State": None, "Image": None,
                     "Labels": None}],
    "wrong-types": [{"Id": 7, "Names": "mydb", "State": 3, "Image": ["x"], "Labels": "y"}],
    "hang": None,
    # every answer but /_ping is 64 MB of JSON, streamed in chunks with no length announced
    "huge": None,
    # every answer but /_ping announces 50 GB (and sends a little of it)
    "huge-announced": None,
    # a container whose log never ends: fast (megabytes a second) or dripping a line at a time
    "endless-logs": [_container(1, "talker")],
    "dripping-logs": [_container(1, "talker")],
}
HUGE_BYTES = 64 * 1024 * 1024


class HostileEngine:
    def __init__(self, scenario: str):
        self.scenario = scenario
        self.dir = Path(tempfile.mkdtemp(prefix="dl-hostile-"))
        self.url = f"unix://{self.dir}/docker.sock"
        listed = SCENARIOS[scenario]
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def address_string(self):
                return "unix"

            def reply(self, body, status=200, headers=()):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def huge(self, announced: bool):
                row = json.dumps(_container(1, "x" * 200)).encode() + b","
                chunk = b"[" + row * (1024 * 1024 // len(row))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if announced:
                    self.send_header("Content-Length", str(50 * 1024**3))
                else:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for _ in range(HUGE_BYTES // len(chunk) + 1):
                        if announced:
                            self.wfile.write(chunk)
                        else:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        chunk = row * (1024 * 1024 // len(row))
                    if not announced:
                        self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass  # the client stopped reading: what a capped client does
                self.close_connection = True

            def endless_log(self, pause: float):
                """A multiplexed stdout stream (8-byte frame headers) that never ends."""
                line = b"still talking " + HOSTILE_TEXT.encode() + b"\n"
                frame = b"\x01\0\0\0" + len(line).to_bytes(4, "big") + line
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.docker.raw-stream")
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(frame if pause else frame * 256)
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass  # the client stopped reading
                self.close_connection = True

            def do_GET(self):  # noqa: N802 - the http.server API
                path = self.path.split("?")[0]
                if path.endswith("/logs") and engine.scenario.endswith("-logs"):
                    return self.endless_log(0.3 if engine.scenario == "dripping-logs" else 0)
                if path == "/_ping":
                    return self.reply(b"OK", headers=[("Api-Version", "1.41")])
                if engine.scenario == "hang":
                    time.sleep(30)
                    return None
                if engine.scenario.startswith("huge"):
                    return self.huge(announced=engine.scenario == "huge-announced")
                if path.endswith("/version"):
                    return self.reply({"Version": HOSTILE_TEXT, "ApiVersion": "1.41",
                                       "Os": "linux", "Arch": "amd64"})
                if path.endswith("/containers/json"):
                    return self.reply(listed)
                if "/containers/" in path and path.endswith("/json"):
                    name = path.split("/containers/")[1].removesuffix("/json")
                    rows = listed if isinstance(listed, list) else []
                    for row in rows:
                        names = row.get("Names") if isinstance(row, dict) else None
                        if isinstance(names, list) and f"/{name}" in names or (
                                isinstance(row, dict) and row.get("Id") == name):
                            return self.reply(_inspect(row))
                    return self.reply({"message": f"No such container: {name}"}, 404)
                if path.endswith("/images/json"):
                    return self.reply([{"Id": IMAGE_ID, "RepoTags": [HOSTILE_TEXT]}])
                if path.endswith("/history"):
                    return self.reply([{"Id": IMAGE_ID, "CreatedBy": HOSTILE_TEXT}])
                if "/images/" in path:
                    return self.reply({"message": "No such image"}, 404)
                return self.reply({"message": "not here"}, 404)

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self._server = Server(str(self.dir / "docker.sock"), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        (self.dir / "docker.sock").unlink(missing_ok=True)
        self.dir.rmdir()
