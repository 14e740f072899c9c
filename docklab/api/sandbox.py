"""The learner's sandbox over the API: start or resume it, read its state, wipe it, and run one
command in its workstation (for scripts, tests and screen-reader users)."""
from __future__ import annotations

from flask import g, jsonify

from ..errors import ApiError, not_found
from ..sandboxes import services as sandboxes
from ..sandboxes.models import QUEUED, READY
from . import bp
from .auth import token_required
from .contract import contract, ok, refused
from .models import ExecRequest, ExecResult, Sandbox


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
@contract("sandbox", "Start or resume your sandbox (your own Docker engine on the server)",
          responses={
              200: ok("Ready.", Sandbox),
              202: ok("Starting: poll GET /api/v1/me/sandbox.", Sandbox),
              409: refused("This server runs no sandboxes (turned off, or the machine cannot) "
                           "(error: sandboxes_unavailable)."),
              503: ok("The server is at capacity: you are queued (position and estimate); try "
                      "again after Retry-After.", Sandbox, headers=("Retry-After",))})
def start_sandbox():
    # sandboxes.Unavailable (409) is the error handler's.
    return _answer(sandboxes.request(g.api_user.id))


@bp.get("/me/sandbox")
@token_required()
@contract("sandbox", "Your sandbox's state, queue place and use", responses={
    200: ok("The sandbox.", Sandbox), 404: refused("You have no sandbox yet.")})
def sandbox_status():
    found = sandboxes.status(g.api_user.id, usage=True)
    if found.state == "none":
        raise not_found("no_sandbox")
    return jsonify(found.to_dict())


@bp.delete("/me/sandbox")
@token_required()
@contract("sandbox", "Reset your sandbox: stop it and delete everything in it", responses={
    204: ok("Wiped."), 404: refused("You have no sandbox.")})
def wipe_sandbox():
    try:
        sandboxes.wipe(g.api_user.id)
    except sandboxes.NoSandbox:
        raise not_found("no_sandbox") from None
    return "", 204


@bp.post("/me/sandbox/exec")
@token_required()
@contract("sandbox", "Run one shell command in your sandbox's workstation (where the terminal "
          "runs)", body=ExecRequest, example={"command": "docker ps -a"}, responses={
              200: ok("The command ran.", ExecResult),
              409: refused("Your sandbox is not running (error: sandbox_not_ready)."),
              429: refused("A check, test or command of yours is still running (error: "
                           "already_running).", headers=("Retry-After",)),
              502: refused("The sandbox's engine failed."),
              503: refused("The server is busy: try again after Retry-After (error: busy).",
                           headers=("Retry-After",)),
              504: refused("The command did not finish within DOCKLAB_SANDBOX_EXEC_TIMEOUT.")})
def exec_in_sandbox(body: ExecRequest):
    try:
        exit_code, output = sandboxes.exec_command(g.api_user.id, body.command)
    except sandboxes.NoSandbox:
        raise ApiError(409, "sandbox_not_ready", "sandbox_not_running") from None
    # HostError (502, or 504 for a time-out) is the error handler's.
    return jsonify(exit_code=exit_code, output=output)
