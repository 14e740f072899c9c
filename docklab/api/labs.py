"""Labs JSON API (token auth). A learner's attempts are theirs alone: any other id is a 404, the
same as one that does not exist."""
from __future__ import annotations

from flask import g, jsonify

from ..errors import ApiError, not_found
from ..i18n import request_lang
from ..labs import catalog
from ..labs import services as labs
from ..quiz.services import progress_summary
from . import bp
from .auth import token_required
from .contract import NOT_FOUND, RATE_LIMITED, TOO_LARGE, contract, ok, refused
from .models import Attempt, CheckRequest, CheckResponse, LabList, Progress

# Ids are 32-bit integer columns: a larger id cannot exist (and must not reach the database).
MAX_ID = 2**31 - 1

BUSY = refused("Every thread that calls learners' hosts is busy: try again after Retry-After "
               "seconds (nothing was stored) (error: busy).", headers=("Retry-After",))


def no_lab(lab_id: str) -> ApiError:
    return not_found("no_lab", lab_id=lab_id)


def no_host(host_id: int | None) -> ApiError:
    return not_found("no_host", host_id=host_id)


@bp.get("/labs")
@token_required()
@contract("labs", "Labs with your progress", lang=True, responses={200: ok("Labs.", LabList)})
def list_labs():
    lang = request_lang()
    items = labs.progress(g.api_user.id, catalog.all_labs())
    return jsonify(labs=[{**item.to_dict(lang), "note": catalog.note_link(item.lab)}
                         for item in items])


@bp.post("/labs/<lab_id>/check")
@token_required()
@contract(
    "labs", "Grade a lab now on your host (or the local engine)", lang=True,
    description=(
        "Body optional. Rate limited per learner (DOCKLAB_CHECK_LIMIT per DOCKLAB_CHECK_WINDOW, "
        "error: rate_limited), one check or connection test in flight per learner (429, "
        "error: already_running), refused at once when the server is busy (503). Answers 200 "
        "when grading finished within DOCKLAB_REQUEST_WAIT seconds, else 202 with the pending "
        "attempt to poll."),
    body=CheckRequest, body_required=False, example={"host_id": 1},
    body_description="Optional; an empty body uses the default host.",
    responses={
        200: ok("The stored attempt; a host that cannot be used gives status error.",
                CheckResponse),
        202: ok("The host is slow: the check goes on (up to DOCKLAB_CHECK_DEADLINE s). Poll the "
                "attempt at Location (GET /api/v1/attempts/{id}) until its status is no longer "
                "pending.", Attempt, headers=("Location", "Retry-After")),
        404: refused("No such lab, or host_id is not one of your hosts."),
        413: TOO_LARGE,
        429: RATE_LIMITED,
        503: BUSY})
def check_lab(lab_id: str, body: CheckRequest):
    lab = catalog.lab(lab_id)
    if lab is None:
        raise no_lab(lab_id)
    host_id = body.host_id
    if host_id is not None and not 0 <= host_id <= MAX_ID:
        raise no_host(host_id)
    try:
        attempt, result = labs.run_check(g.api_user.id, lab, host_id, request_lang(),
                                         body.target)
    except labs.UnknownHost:
        raise no_host(host_id) from None
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


@bp.post("/labs/<lab_id>/self-report")
@contract(
    "labs", "Retired: answers 410 Gone (use the own-machine plan and upload)", public=True,
    lang=True, deprecated=True,
    description=(
        "The older self-reported path, where a client sent its own verdict per check, is "
        "retired: nothing is read or stored. Every request, with or without a token, gets 410 "
        "`gone` whose `message_ko` and `message_en` point to the one self-reported path: POST "
        "/api/v1/labs/{lab_id}/own-machine for a code and its plan, then POST "
        "/api/v1/own-machine/{code}/upload with the docker reads the plan names (the server "
        "grades them). `details.own_machine` is the first of those URLs for this lab. `python "
        "-m grader check --submit` and the line pasted from the lab page take that path."),
    responses={410: refused(
        "Gone (error: gone). The message, in Korean and English, names the own-machine plan "
        "and upload; details.own_machine is the URL to POST to for a code and its plan.",
        example={"error": "gone", "message": "이 경로(/self-report)는 더 이상 쓰지 않습니다. ...",
                 "message_ko": "이 경로(/self-report)는 더 이상 쓰지 않습니다. ...",
                 "message_en": "This path (/self-report) is retired. ...",
                 "details": {"own_machine": "/api/v1/labs/nginx-port/own-machine"}})})
def self_report_retired(lab_id: str):
    """410 Gone for everyone, with or without a token: nothing is read or stored."""
    raise ApiError(410, "gone", "self_report_retired", lab=lab_id,
                   details={"own_machine": f"{bp.url_prefix}/labs/{lab_id}/own-machine"})


@bp.get("/attempts/<int:attempt_id>")
@token_required()
@contract("labs", "One of your attempts",
          responses={200: ok("The attempt.", Attempt), 404: NOT_FOUND})
def get_attempt(attempt_id: int):
    attempt = labs.attempt_of(g.api_user.id, attempt_id) if attempt_id <= MAX_ID else None
    if attempt is None:
        raise not_found("no_attempt", attempt_id=attempt_id)
    return jsonify(attempt.to_dict(request_lang()))


@bp.get("/me/progress")
@token_required()
@contract("me", "Quiz and lab progress", lang=True, responses={200: ok("Progress.", Progress)})
def my_progress():
    lang = request_lang()
    user_id = g.api_user.id
    lab_items = labs.progress(user_id, catalog.all_labs())
    return jsonify(quizzes=progress_summary(user_id),
                   labs=[item.to_dict(lang) for item in lab_items],
                   labs_passed=sum(item.passed for item in lab_items),
                   labs_self_reported=sum(item.passed and item.self_reported
                                          for item in lab_items),
                   labs_total=len(lab_items))
