"""The app served by a real gunicorn (gthread workers, as in production) on a free loopback port,
for tests about what only a real server shows: several workers, threads held by slow hosts,
WebSockets."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn(database_url: str, instance: Path, *, workers: int = 1, threads: int = 4,
             app: str = "app:app", **environment: str):
    """Yields the server's base URL; extra keyword arguments become environment variables."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, DOCKLAB_SECRET_KEY="shared-secret",
               DOCKLAB_INSTANCE_PATH=str(instance), DOCKLAB_LOCAL_ENGINE="0", **environment)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads",
         str(threads), "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", app],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=40)
