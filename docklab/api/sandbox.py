"""The learner's sandbox over the API: start or resume it, read its state, wipe it, and run one
command in its workstation (for scripts, tests and screen-reader users)."""
from __future__ import annotations

from flask import g, jsonify, request

from grader.hosts import HostError

from ..i18n import request_lang
from ..sandboxes import services as sandboxes
from ..sandboxes.models import QUEUED, READY
from . import bp
from .auth import error, token_required

MAX_COMMAND = 4000


def _answer(found: sandboxes.Status):
    body = found.to_dict()
    if found.state == READY:
        return jsonify(body), 200
    if found.state == QUEUED:
        response = jsonify(body)
        response.headers["Retry-After"] = str(min(found.estimate_seconds or 30, 300))
        return response, 503
    return jsonify(body), 202


@bp.put("/me/sandbox")
@token_required()
def start_sandbox():
    try:
        found = sandboxes.request(g.api_user.id)
    except sandboxes.Unavailable as off:
        return error(409, "sandboxes_unavailable", off.reason)
    return _answer(found)


@bp.get("/me/sandbox")
@token_required()
def sandbox_status():
    found = sandboxes.status(g.api_user.id, usage=True)
    if found.state == "none":
        return error(404, "not_found", "You have no sandbox yet: PUT /api/v1/me/sandbox starts "
                                       "one.")
    return jsonify(found.to_dict())


@bp.delete("/me/sandbox")
@token_required()
def wipe_sandbox():
    try:
        sandboxes.wipe(g.api_user.id)
    except sandboxes.NoSandbox:
        return error(404, "not_found", "You have no sandbox.")
    return "", 204


@bp.post("/me/sandbox/exec")
@token_required()
def exec_in_sandbox():
    payload = request.get_json(silent=True)
    command = payload.get("command") if isinstance(payload, dict) else None
    if not isinstance(command, str) or not command.strip() or len(command) > MAX_COMMAND:
        return error(400, "bad_request", f'Send {{"command": "..."}} (1 to {MAX_COMMAND} '
                                         "characters).")
    try:
        exit_code, output = sandboxes.exec_command(g.api_user.id, command)
    except sandboxes.NoSandbox:
        return error(409, "sandbox_not_ready", "Your sandbox is not running: PUT "
                                               "/api/v1/me/sandbox first.")
    except HostError as problem:
        return error(504 if problem.kind in ("deadline", "timeout") else 502, problem.kind,
                     problem.message(request_lang()))
    return jsonify(exit_code=exit_code, output=output)
