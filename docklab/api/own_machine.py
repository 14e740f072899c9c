"""The own-machine check as a JSON API (issue 14), for the pasted script and any other client:

- `POST /labs/<lab_id>/own-machine` (token): a single-use code and the line to paste;
- `GET /own-machine/<code>/plan`: what to read (the code is the credential; a token, when sent,
  must be the code's owner's);
- `POST /own-machine/<code>/upload`: the results; graded, stored as self-reported, code spent.
Errors carry `message_ko` and `message_en` on lines of their own, so the script can show them
without a JSON parser."""
from __future__ import annotations

import json

from flask import Response, g, jsonify, request

from grader.plan import NotReadable

from ..i18n import request_lang
from ..labs import catalog
from ..labs import own_machine as own
from ..labs.services import RateLimited
from . import bp
from .auth import error, token_required, token_user


def refusal(refused: own.Refused, lang: str, text: bool = False) -> Response:
    if text:
        return Response(f"docklab: {refused.ko}\ndocklab: {refused.en}\n", refused.status,
                        mimetype="text/plain")
    body = {"error": refused.reason, "message": refused.message(lang),
            "message_ko": refused.ko, "message_en": refused.en}
    return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", refused.status,
                    mimetype="application/json")


def _caller() -> int | None | Response:
    """The token's user when a token is sent (it must be valid), else None."""
    if not request.headers.get("Authorization"):
        return None
    user = token_user()
    if user is None:
        return error(401, "unauthorized", "The API token is not valid.")[0]
    return user.id


def server_url() -> str:
    return request.url_root.rstrip("/")


@bp.post("/labs/<lab_id>/own-machine")
@token_required()
def own_machine_code(lab_id: str):
    lab = catalog.lab(lab_id)
    if lab is None:
        return error(404, "not_found", f"No lab with id '{lab_id}'.")
    try:
        issued = own.issue(g.api_user.id, lab, request_lang(), server_url())
    except NotReadable as why:
        return error(409, "not_checkable", why.message(request_lang()),
                     message_ko=why.message("ko"), message_en=why.message("en"))
    return jsonify(issued.to_dict()), 201


@bp.get("/own-machine/<code>/plan")
def own_machine_plan(code: str):
    caller = _caller()
    if isinstance(caller, Response):
        return caller, 401
    try:
        _row, text = own.plan(code, caller)
    except own.Refused as refused:
        return refusal(refused, request_lang())
    return Response(text, mimetype="application/json")


@bp.post("/own-machine/<code>/upload")
def own_machine_upload(code: str):
    caller = _caller()
    if isinstance(caller, Response):
        return caller, 401
    text = request.accept_mimetypes.best == "text/plain"
    limit = own.max_upload_bytes()
    if (request.content_length or 0) > limit:
        return refusal(own.Refused("too_large", size=request.content_length, limit=limit),
                       request_lang(), text)
    body = request.get_data(cache=False)
    try:
        row, attempt, result = own.accept_upload(code, body, caller)
    except own.Refused as refused:
        return refusal(refused, request_lang(), text)
    except RateLimited as limited:
        return refusal(own.Refused("rate_limited", window=limited.window), request_lang(), text)
    if text:
        link = f"{server_url()}/labs/{attempt.lab_id}?attempt={attempt.id}"
        return Response(own.terminal_summary(result, attempt, row.lang, link), 201,
                        mimetype="text/plain")
    return jsonify(attempt.to_dict()), 201
