"""Labs and hosts JSON API (token auth). A learner's hosts and attempts are theirs alone: any
other id is a 404, the same as one that does not exist."""
from __future__ import annotations

import base64
import binascii

from flask import current_app, g, jsonify, request

from grader.hosts import HostError

from ..hosts import outbound
from ..hosts import services as hosts
from ..hosts.models import LearnerHost
from ..hosts.policy import HostRefused
from ..i18n import request_lang
from ..labs import catalog
from ..labs import services as labs
from . import bp
from .auth import error, token_required

# Ids are 32-bit integer columns: a larger id cannot exist (and must not reach the database).
MAX_ID = 2**31 - 1


def _host_dict(host: LearnerHost) -> dict:
    return {"id": host.id, "name": host.name, "kind": host.kind, "url": host.url,
            "default": host.is_default, "ssh_public_key": host.ssh_public_key,
            "ssh_host_fingerprint": host.ssh_host_fingerprint,
            "created_at": host.created_at.isoformat()}


def _payload() -> dict | None:
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else None


def _pem(payload: dict, name: str) -> bytes | None:
    """PEM text as sent, or base64 of it (`<name>_base64`)."""
    if isinstance(payload.get(name), str):
        return payload[name].encode()
    encoded = payload.get(f"{name}_base64")
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return b"not base64"
    return None


@bp.errorhandler(outbound.Busy)
@bp.errorhandler(outbound.AlreadyRunning)
def _outbound_refused(refused):
    """Every call to a learner's host can be refused before it starts: the pool is full (503)
    or this learner already has one running (429). Either way: when to try again."""
    busy = isinstance(refused, outbound.Busy)
    response, status = error(503 if busy else 429, "busy" if busy else "already_running",
                             refused.message(request_lang()))
    response.headers["Retry-After"] = str(refused.retry_after)
    return response, status


# --- labs --------------------------------------------------------------------------------------
@bp.get("/labs")
@token_required()
def list_labs():
    lang = request_lang()
    items = labs.progress(g.api_user.id, catalog.all_labs())
    return jsonify(labs=[{**item.to_dict(lang), "note": catalog.note_link(item.lab)}
                         for item in items])


def _lab(lab_id: str):
    return catalog.lab(lab_id)


@bp.post("/labs/<lab_id>/check")
@token_required()
def check_lab(lab_id: str):
    lab = _lab(lab_id)
    if lab is None:
        return error(404, "not_found", f"No lab with id '{lab_id}'.")
    payload = request.get_json(silent=True) if request.data else {}
    if not isinstance(payload, dict):
        return error(400, "bad_request", 'Send a JSON object, e.g. {"host_id": 3}, or nothing.')
    host_id = payload.get("host_id")
    if host_id is not None and (not isinstance(host_id, int) or isinstance(host_id, bool)):
        return error(400, "bad_request", "`host_id` must be a number.")
    target = payload.get("target")
    if target not in (None, "sandbox", "host"):
        return error(400, "bad_request", '`target` must be "sandbox" or "host".')
    if host_id is not None and not 0 <= host_id <= MAX_ID:
        return error(404, "not_found", f"No host with id {host_id}.")
    user_id = g.api_user.id
    try:
        attempt, result = labs.run_check(user_id, lab, host_id, request_lang(), target)
    except labs.UnknownHost:
        return error(404, "not_found", f"No host with id {host_id}.")
    except labs.RateLimited as limited:
        return error(429, "rate_limited", limited.message(request_lang()))
    if result is None:  # a slow host: still running on the pool, poll the attempt
        response = jsonify(attempt.to_dict(request_lang()))
        response.headers["Location"] = f"{bp.url_prefix}/attempts/{attempt.id}"
        response.headers["Retry-After"] = "1"
        return response, 202
    return jsonify({**result.to_dict(), "attempt_id": attempt.id, "source": attempt.source,
                    "host": attempt.host_label, "host_id": attempt.host_id})


# The older self-reported path, where a client posted its own verdict per check, is retired: the
# own-machine plan and upload (own_machine.py) is the one self-reported path, and there docklab
# grades what the engine showed. The URL stays only to tell old clients where to go.
RETIRED_KO = ("이 경로(/self-report)는 더 이상 쓰지 않습니다. 채점 결과를 직접 보내는 대신 "
              "POST /api/v1/labs/{lab}/own-machine 으로 코드와 계획을 받아, 계획이 말하는 "
              "docker 읽기 결과를 /api/v1/own-machine/<code>/upload 로 올리세요 (실습 페이지의 "
              "붙여 넣는 명령과 `python -m grader check --submit` 이 이렇게 합니다).")
RETIRED_EN = ("This path (/self-report) is retired. Instead of sending a verdict, get a code and "
              "its plan with POST /api/v1/labs/{lab}/own-machine and upload the docker reads the "
              "plan names to /api/v1/own-machine/<code>/upload (the line pasted from the lab page "
              "and `python -m grader check --submit` do this).")


@bp.post("/labs/<lab_id>/self-report")
def self_report_retired(lab_id: str):
    """410 Gone for everyone, with or without a token: nothing is read or stored."""
    own_machine = f"{bp.url_prefix}/labs/{lab_id}/own-machine"
    ko, en = RETIRED_KO.format(lab=lab_id), RETIRED_EN.format(lab=lab_id)
    return error(410, "gone", en if request_lang() == "en" else ko, message_ko=ko,
                 message_en=en, own_machine=own_machine)


@bp.get("/attempts/<int:attempt_id>")
@token_required()
def get_attempt(attempt_id: int):
    attempt = labs.attempt_of(g.api_user.id, attempt_id) if attempt_id <= MAX_ID else None
    if attempt is None:
        return error(404, "not_found", f"No attempt with id {attempt_id}.")
    return jsonify(attempt.to_dict(request_lang()))


@bp.get("/me/progress")
@token_required()
def my_progress():
    lang = request_lang()
    user_id = g.api_user.id
    quizzes = None
    if "quiz" in current_app.blueprints:
        from ..quiz.services import progress_summary

        quizzes = progress_summary(user_id)
    lab_items = labs.progress(user_id, catalog.all_labs())
    return jsonify(quizzes=quizzes, labs=[item.to_dict(lang) for item in lab_items],
                   labs_passed=sum(item.passed for item in lab_items),
                   labs_self_reported=sum(item.passed and item.self_reported
                                          for item in lab_items),
                   labs_total=len(lab_items))


# --- hosts -------------------------------------------------------------------------------------
@bp.get("/hosts")
@token_required()
def list_hosts():
    user_id = g.api_user.id
    return jsonify(hosts=[_host_dict(host) for host in hosts.hosts_of(user_id)],
                   ssh_public_key=hosts.ssh_key_for(user_id).public_key)


@bp.post("/hosts")
@token_required()
def register_host():
    payload = _payload()
    if payload is None:
        return error(400, "bad_request", 'Send a JSON object: {"url": ..., "kind": "tls"|"ssh"|'
                     '"local", "name": ..., "tls_ca", "tls_cert", "tls_key": PEM text}.')
    lang = request_lang()
    kind = payload.get("kind") or ""
    if kind not in ("", "local", "tls", "ssh", "tcp", "unix"):
        return error(400, "bad_request", "`kind` must be local, tls, ssh, tcp or unix.")
    for name in ("url", "name"):
        if payload.get(name) is not None and not isinstance(payload.get(name), str):
            return error(400, "bad_request", f"`{name}` must be text.")
    try:
        host = hosts.register(g.api_user.id, kind, payload.get("name") or "",
                              payload.get("url") or "", tls_ca=_pem(payload, "tls_ca"),
                              tls_cert=_pem(payload, "tls_cert"), tls_key=_pem(payload, "tls_key"),
                              make_default=bool(payload.get("default")))
    except HostRefused as refused:
        return error(422, "host_refused", refused.message(lang), reason=refused.code,
                     message_ko=refused.message("ko"), message_en=refused.message("en"))
    except hosts.RegistrationError as problem:
        return error(422, "host_invalid", problem.message(lang), reason=problem.code,
                     message_ko=problem.message("ko"), message_en=problem.message("en"))
    return jsonify(_host_dict(host)), 201


def _own_host(host_id: int):
    return hosts.host_of(g.api_user.id, host_id) if host_id <= MAX_ID else None


@bp.delete("/hosts/<int:host_id>")
@token_required()
def delete_host(host_id: int):
    host = _own_host(host_id)
    if host is None:
        return error(404, "not_found", f"No host with id {host_id}.")
    hosts.delete_host(host)
    return "", 204


@bp.post("/hosts/<int:host_id>/test")
@token_required()
def test_host(host_id: int):
    host = _own_host(host_id)
    if host is None:
        return error(404, "not_found", f"No host with id {host_id}.")
    lang = request_lang()
    try:
        summary = hosts.test_connection(g.api_user.id, host)
    except HostError as problem:
        return jsonify(ok=False, reason=problem.kind, message=problem.message(lang))
    except (HostRefused, hosts.RegistrationError) as problem:
        return jsonify(ok=False, reason=problem.code, message=problem.message(lang))
    return jsonify(ok=True, engine=summary)
