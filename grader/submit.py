"""`--submit URL --token T`: send results graded in a terminal to docklab, where they are stored
marked as self-reported (for learners whose engine the server cannot reach).

Posts each lab's JSON (`LabResult.to_dict()`) to `URL/api/v1/labs/<lab>/self-report` with the
personal API token. Standard library only, so the grader stays usable without the web app."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

API_PREFIX = "/api/v1"


class SubmitError(Exception):
    """The results could not be delivered; the message says why (ko / en in one line)."""


def endpoint(base_url: str, lab_id: str) -> str:
    """`http://host:5000` or `http://host:5000/api/v1` → the lab's self-report URL."""
    parsed = urllib.parse.urlsplit(base_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SubmitError(f"--submit 에는 http(s):// 주소가 필요합니다 / --submit needs an "
                          f"http(s):// URL: {base_url!r}")
    path = parsed.path.rstrip("/")
    if not path.endswith(API_PREFIX):
        path += API_PREFIX
    lab = urllib.parse.quote(lab_id, safe="")
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, f"{path}/labs/{lab}/self-report",
                                    "", ""))


def submit_result(base_url: str, token: str, result: dict, host: str = "",
                  timeout: float = 15.0) -> dict:
    """Post one lab result; returns the stored attempt as docklab answers it."""
    body = json.dumps({**result, "host": host}).encode()
    request = urllib.request.Request(  # noqa: S310 - endpoint() admits only http(s) URLs
        endpoint(base_url, result["lab"]), data=body, method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read().decode()).get("message", "")
        except (ValueError, AttributeError):
            detail = ""
        raise SubmitError(f"docklab 가 결과를 거부했습니다 / docklab refused the result: HTTP "
                          f"{exc.code} {detail}".rstrip()) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SubmitError(f"docklab 에 보내지 못했습니다 / could not reach docklab: {reason}") \
            from exc


def submit(base_url: str, token: str | None, result: dict, host: str = "") -> dict:
    """What `python -m grader check --submit URL --token T` calls for each lab's result; the token
    defaults to $DOCKLAB_TOKEN."""
    token = token or os.environ.get("DOCKLAB_TOKEN")
    if not token:
        raise SubmitError("--submit 에는 --token 이 필요합니다 (또는 DOCKLAB_TOKEN) / "
                          "--submit needs --token (or DOCKLAB_TOKEN)")
    return submit_result(base_url, token, result, host)
