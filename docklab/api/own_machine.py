"""The own-machine check as a JSON API (issue 14), for the pasted script and any other client:

- `POST /labs/<lab_id>/own-machine` (token): a single-use code and the line to paste;
- `GET /own-machine/<code>/plan`: what to read (the code is the credential; a token, when sent,
  must be the code's owner's);
- `POST /own-machine/<code>/upload`: the results; graded, stored as self-reported, code spent.
Errors are the one error body, whose `message_ko` and `message_en` are on lines of their own, so
the script can show them without a JSON parser; with `Accept: text/plain` the upload answers
(errors too) as `docklab: ...` lines."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from ..errors import ApiError
from ..i18n import request_lang
from ..labs import catalog
from ..labs import own_machine as own
from . import bp
from .auth import token_required, token_user
from .contract import NOT_FOUND, RATE_LIMITED, contract, ok, refused
from .labs import no_lab
from .models import Attempt, OwnMachineCommand, OwnMachinePlan, OwnMachineUpload

NOT_YOUR_CODE = refused("A token of another learner was sent with this code (error: "
                        "not_your_code).")
UNKNOWN_CODE = refused("No such code (error: unknown_code).")
NOT_CHECKABLE = refused("The lab cannot be checked on one's own computer (error: "
                        "not_checkable).")
CODE_SPENT = refused("The code was used or has expired (error: code_used, code_expired).")


def _caller() -> int | None:
    """The token's user when a token is sent (it must be valid), else None."""
    if not request.headers.get("Authorization"):
        return None
    user = token_user()
    if user is None:
        raise ApiError(401, "unauthorized", "unauthorized")
    return user.id


def server_url() -> str:
    return request.url_root.rstrip("/")


@bp.post("/labs/<lab_id>/own-machine")
@token_required()
@contract(
    "labs", "A single-use line to check this lab on one's own computer", lang=True,
    examples={"lab_id": "mysql-env"},
    description=(
        "Makes a code bound to the caller and the lab that expires after "
        "DOCKLAB_OWN_MACHINE_CODE_TTL seconds (600), and the line to paste: `curl -fsSL "
        "SERVER/c/CODE | sh`. That script (readable at /own-machine/script.sh) fetches the plan, "
        "runs only read-only docker commands on what the plan names, and uploads the output. "
        "Other clients may use plan_url and upload_url themselves. `python -m grader check LAB "
        "--submit URL --token T` takes this same path (it asks for a code and runs the same "
        "script against the host it graded), so there is one self-reported path. 409 "
        "`not_checkable` when the lab has a check the read-only commands cannot serve: `exec`, "
        "`container_logs` (a log can hold anything), `volume_exists`, `network_exists`, "
        "`images_dangling`; message_ko and message_en name the check and why."),
    responses={
        201: ok("The line and its code.", OwnMachineCommand),
        404: NOT_FOUND,
        409: refused("The lab has a check the read-only client cannot serve (error: "
                     "not_checkable; message_ko/message_en say which).")})
def own_machine_code(lab_id: str):
    lab = catalog.lab(lab_id)
    if lab is None:
        raise no_lab(lab_id)
    # NotReadable (409 not_checkable) is the error handler's.
    issued = own.issue(g.api_user.id, lab, request_lang(), server_url())
    return jsonify(issued.to_dict()), 201


@bp.get("/own-machine/<code>/plan")
@contract(
    "labs", "What to read for this code's lab (the plan)", lang=True, token_optional=True,
    description=(
        "JSON with a fixed layout, so a POSIX shell can follow it without a JSON parser: "
        "`{\"version\": 1,` on the first line, then `lab`, `salt`, and `reads` with one read "
        "per line. A read is a list of words: [\"version\"], [\"containers\"], [\"container\", "
        "NAME], [\"all-containers\"], [\"env\", NAME, VAR, \"plain\"|\"hash\"], [\"image\", "
        "REF], [\"image-env\", REF], [\"history\", REF]. A client that does not know `version` "
        "must stop. Nothing in a plan is a command."),
    responses={200: ok("The plan.", OwnMachinePlan), 403: NOT_YOUR_CODE, 404: UNKNOWN_CODE,
               409: NOT_CHECKABLE, 410: CODE_SPENT})
def own_machine_plan(code: str):
    # own.Refused (its status and reason) is the error handler's.
    _row, text = own.plan(code, _caller())
    return Response(text, mimetype="application/json")


@bp.post("/own-machine/<code>/upload")
@contract(
    "labs", "Upload the plan's results: graded and stored as self-reported", lang=True,
    token_optional=True, text=True, body=OwnMachineUpload, validate=False,
    example={"version": 1, "results": [{"exit": 0, "lines": [
        {"ID": "3f1c", "Names": "mydb", "Image": "mysql:5.6", "State": "running",
         "Labels": ""}]}]},
    description=(
        "One entry per read of the plan, in its order: the docker command's exit status and "
        "its output lines (each a JSON value, as docker's `--format '{{json ...}}'` prints "
        "them). The server grades them with the same checks as a live engine and stores the "
        "attempt as self-reported; the code is then spent. A refused upload does not spend the "
        "code. With `Accept: text/plain` the answer, an error too, is text for a terminal. At "
        "most DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB (1024) KB."),
    responses={
        201: ok("The stored attempt (source self_reported).", Attempt),
        400: refused("The upload does not answer the plan: not JSON, another version, another "
                     "lab, the wrong number of results, a field of the wrong type, a field an "
                     "upload does not have (a verdict such as `score`) (error: bad_upload; the "
                     "message names the field)."),
        403: NOT_YOUR_CODE, 404: UNKNOWN_CODE, 409: NOT_CHECKABLE, 410: CODE_SPENT,
        413: refused("The upload is larger than DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB (error: "
                     "too_large)."),
        429: RATE_LIMITED})
def own_machine_upload(code: str):
    caller = _caller()
    limit = own.max_upload_bytes()
    if (request.content_length or 0) > limit:
        raise own.Refused("too_large", size=request.content_length, limit=limit)
    # own.Refused and labs' RateLimited (429) are the error handler's.
    row, attempt, result = own.accept_upload(code, request.get_data(cache=False), caller)
    if request.accept_mimetypes.best == "text/plain":
        link = f"{server_url()}/labs/{attempt.lab_id}?attempt={attempt.id}"
        return Response(own.terminal_summary(result, attempt, row.lang, link), 201,
                        mimetype="text/plain")
    return jsonify(attempt.to_dict()), 201
