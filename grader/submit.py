"""`--submit URL --token T`: send a lab to docklab the one self-reported way, the own-machine
plan and upload (issue 14), exactly as the line pasted from the lab page does.

For each lab: `POST URL/api/v1/labs/<lab>/own-machine` with the personal API token gives a
single-use code; the static script docklab serves at `URL/c/<code>` (the very text the pasted
`curl ... | sh` runs) is run with `sh` against the same engine the grader read (DOCKER_HOST,
TLS files), reads what the lab's plan names with the docker CLI's read-only commands and
uploads it; docklab grades the upload and stores it as self-reported. The grader's own result
is never sent: what is stored is what docklab graded.

Needs `sh`, `docker` and `curl` or `wget` (the script's needs). Standard library only, so the
grader stays usable without the web app."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: this module needs nothing of hosts at run time
    from .hosts import HostSpec

API_PREFIX = "/api/v1"
SCRIPT_TIMEOUT = 120  # seconds; the script itself is a few docker reads and two requests


class SubmitError(Exception):
    """The results could not be delivered; the message says why (ko / en in one line)."""


@dataclass
class Submitted:
    lab: str
    ok: bool  # docklab stored an attempt (the script ended with status 0)
    terminal: str  # what the script printed (docklab's summary, or why it stopped)


def server_root(base_url: str) -> tuple[str, str]:
    """`http://host:5000`, `.../api/v1` or `.../` → (server root, API root)."""
    parsed = urllib.parse.urlsplit(base_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SubmitError(f"--submit 에는 http(s):// 주소가 필요합니다 / --submit needs an "
                          f"http(s):// URL: {base_url!r}")
    path = parsed.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    root = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path, "", ""))
    return root, root + API_PREFIX


def _request(url: str, token: str | None = None, data: bytes | None = None,
             timeout: float = 15.0) -> bytes:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - server_root() admits only http(s) URLs
        url, data=data, method="POST" if data is not None else "GET", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        raise SubmitError(f"docklab 가 거부했습니다 / docklab refused: HTTP {exc.code} "
                          f"{_refusal(exc.read())}".rstrip()) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SubmitError(f"docklab 에 보내지 못했습니다 / could not reach docklab: {reason}") \
            from exc


def _refusal(body: bytes) -> str:
    """What docklab's error answer says, in Korean and English (its `message_ko` and
    `message_en`; `message` alone from a server that sends only that)."""
    try:
        answer = json.loads(body.decode())
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(answer, dict):
        return ""
    ko, en = answer.get("message_ko"), answer.get("message_en")
    if isinstance(ko, str) and isinstance(en, str):
        return f"{ko} / {en}"
    message = answer.get("message")
    return message if isinstance(message, str) else ""


def _engine_environment(spec: HostSpec, folder: Path) -> dict[str, str]:
    """What the docker CLI needs to read the engine the grader read: DOCKER_HOST, and for TLS
    the three files where DOCKER_CERT_PATH says (the names the CLI expects)."""
    env = {"DOCKER_HOST": spec.url}
    if spec.tls_ca or spec.tls_cert or spec.tls_key:
        for name, content in (("ca.pem", spec.tls_ca), ("cert.pem", spec.tls_cert),
                              ("key.pem", spec.tls_key)):
            if content:
                (folder / name).write_bytes(content)
                (folder / name).chmod(0o600)
        env.update(DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=str(folder))
    return env


def submit_lab(base_url: str, token: str | None, lab_id: str, spec: HostSpec,
               lang: str = "ko") -> Submitted:
    """Ask docklab for a code for `lab_id`, run its script against `spec`'s engine, and return
    what the script printed. SubmitError when no code could be had (bad token, a lab that cannot
    be checked this way, docklab unreachable)."""
    token = token or os.environ.get("DOCKLAB_TOKEN")
    if not token:
        raise SubmitError("--submit 에는 --token 이 필요합니다 (또는 DOCKLAB_TOKEN) / "
                          "--submit needs --token (or DOCKLAB_TOKEN)")
    root, api = server_root(base_url)
    lab = urllib.parse.quote(lab_id, safe="")
    issued = json.loads(_request(f"{api}/labs/{lab}/own-machine?lang={lang}", token, data=b""))
    code = urllib.parse.quote(str(issued["code"]), safe="")
    script = _request(f"{root}/c/{code}")  # the static script, the code on top
    with tempfile.TemporaryDirectory(prefix="docklab-submit-") as folder:
        env = {**os.environ, **_engine_environment(spec, Path(folder))}
        try:
            done = subprocess.run(["sh", "-s"], input=script, env=env, capture_output=True,
                                  timeout=SCRIPT_TIMEOUT, check=False)
        except FileNotFoundError as exc:
            raise SubmitError("`sh` 가 없습니다 / `sh` was not found") from exc
        except subprocess.TimeoutExpired as exc:
            raise SubmitError(f"스크립트가 {SCRIPT_TIMEOUT} 초 안에 끝나지 않았습니다 / the script "
                              f"did not finish within {SCRIPT_TIMEOUT} s") from exc
    printed = (done.stdout + done.stderr).decode(errors="replace")
    return Submitted(lab_id, done.returncode == 0, printed)
