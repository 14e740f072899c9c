"""Lab pages. "Check" is a plain form post that redirects to the result (works without
JavaScript); labs.js posts the same form with fetch and swaps in the returned HTML."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import settings
from ..extensions import db
from ..hosts import outbound
from ..hosts import services as hosts
from ..i18n import current_lang
from ..models import User
from ..quiz import services as quiz
from ..sandboxes import services as sandboxes
from . import bp, catalog, display, services
from .forms import CheckForm
from .models import ERROR, PASSED, PENDING

SANDBOX = "sandbox"


def _lab_or_404(lab_id: str):
    lab = catalog.lab(lab_id)
    if lab is None:
        abort(404)
    return lab


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _host_choices(user_id: int) -> tuple[list[tuple[str, str]], str]:
    """(choices, selected) for the host picker: the learner's sandbox first (the default) when
    this server runs sandboxes, then their hosts; empty when the local engine is the only one."""
    owned = hosts.hosts_of(user_id)
    choices = [(str(host.id), host.label) for host in owned]
    default = next((host for host in owned if host.is_default), owned[0] if owned else None)
    if sandboxes.unavailable() is None:
        return [(SANDBOX, _("My sandbox (on this server)")), *choices], SANDBOX
    return choices, str(default.id) if default else ""


@bp.get("/labs")
def index():
    labs = catalog.all_labs()
    progress = {item.lab.id: item for item in services.progress(current_user.id, labs)} \
        if current_user.is_authenticated else {}
    return render_template("labs/index.html", labs=list(labs.values()), progress=progress,
                           lang=current_lang())


@bp.get("/labs/<lab_id>")
def lab(lab_id: str):
    lab = _lab_or_404(lab_id)
    context = {"lab": lab, "lang": current_lang(), "note_link": catalog.note_link(lab),
               "note_section": catalog.note_section(lab), "attempt": None, "history": [],
               "form": None, "local_enabled": settings.current().local_engine,
               "local_url": settings.current().local_engine_url,
               "deadline_ms": int(settings.current().check_deadline * 1000) + 10_000,
               "sandbox_unavailable": sandboxes.unavailable(), "shared_engine": False}
    if current_user.is_authenticated:
        form = CheckForm()
        form.host.choices, form.host.data = _host_choices(current_user.id)
        context["form"] = form
        context["shared_engine"] = not form.host.choices and _engine_shared()
        context["history"] = services.attempts_of(current_user.id, lab.id, limit=50)
        shown = request.args.get("attempt", type=int)
        if shown is not None:
            context["attempt"] = services.attempt_of(current_user.id, shown)
            if context["attempt"] is None or context["attempt"].lab_id != lab.id:
                abort(404)
    return render_template("labs/lab.html", **context)


def _engine_shared() -> bool:
    """Learners without a host of their own are graded on this server's engine, and more than
    one account exists: they all see (and pass with) each other's containers."""
    if not settings.current().local_engine or sandboxes.unavailable() is None:
        return False
    return (db.session.scalar(select(func.count(User.id))) or 0) > 1


@bp.post("/labs/<lab_id>/check")
@login_required
def check(lab_id: str):
    lab = _lab_or_404(lab_id)
    form = CheckForm()
    form.host.choices, _selected = _host_choices(current_user.id)
    if not form.validate_on_submit():
        abort(400)
    host_id = int(form.host.data) if (form.host.data or "").isdigit() else None
    target = SANDBOX if form.host.data == SANDBOX else ("host" if host_id else None)
    user_id = current_user.id
    try:
        attempt, _result = services.run_check(user_id, lab, host_id, current_lang(), target)
    except services.UnknownHost:
        abort(404)
    except (services.RateLimited, outbound.Busy, outbound.AlreadyRunning) as refused:
        code = 503 if isinstance(refused, outbound.Busy) else 429
        if _wants_json():
            response = jsonify(error="busy" if code == 503 else "rate_limited",
                               message=refused.message(current_lang()))
            response.headers["Retry-After"] = str(getattr(refused, "retry_after", 10))
            return response, code
        flash(refused.message(current_lang()), "error")
        return redirect(url_for("labs.lab", lab_id=lab.id)), 303
    if _wants_json():
        return _attempt_json(attempt, lab)
    return redirect(url_for("labs.lab", lab_id=lab.id, attempt=attempt.id) + "#result"), 303


def _attempt_json(attempt, lab):
    """What labs.js shows; 202 with the URL to poll while the check is still running."""
    history = services.attempts_of(attempt.user_id, lab.id, limit=50)
    body = {"attempt": attempt.to_dict(current_lang()), "status": attempt.status,
            "summary": summary_text(attempt),
            "html": render_template("labs/_result.html", attempt=attempt, lab=lab,
                                    lang=current_lang()),
            "history_html": render_template("labs/_history.html", history=history, lab=lab,
                                            current=attempt)}
    if attempt.status != PENDING:
        return jsonify(body)
    poll = url_for("labs.attempt", attempt_id=attempt.id)
    response = jsonify({**body, "poll": poll})
    response.headers["Location"] = poll
    response.headers["Retry-After"] = "1"
    return response, 202


def summary_text(attempt) -> str:
    if attempt.status == PASSED:
        return _("Passed: %(score)s/%(max)s points.", score=attempt.score, max=attempt.max_score)
    if attempt.status == ERROR:
        return _("Could not check your host (this is not a failed attempt).")
    if attempt.status == PENDING:
        return _("Checking your host… (a slow host can take up to %(seconds)s s)",
                 seconds=f"{settings.current().check_deadline:g}")
    return _("Not yet: %(score)s/%(max)s points. See the checklist below.",
             score=attempt.score, max=attempt.max_score)


@bp.app_template_global("lab_summary")
def _lab_summary(attempt) -> str:
    return summary_text(attempt)


@bp.app_template_global("next_lab")
def _next_lab(lab_id: str):
    """The lab after `lab_id` in the learning order (None after the last)."""
    order = list(catalog.all_labs())
    index = order.index(lab_id) + 1 if lab_id in order else len(order)
    return catalog.lab(order[index]) if index < len(order) else None


@bp.app_template_global("review_note")
def _review_note(attempt) -> dict:
    """What the attempt put in the review queue or took out of it, as question prompts."""
    record = getattr(attempt, "review_queue", None) or {}

    def prompts(ids):
        found = (quiz.question(qid) for qid in ids)
        return [q.prompt.get(current_lang()) for q in found if q is not None]

    return {"added": prompts(entry.get("q") for entry in record.get("added", [])),
            "cap": services.review_cap(),
            "undone": bool(record.get("undone")),
            "removed": prompts(record.get("removed", []))}


bp.add_app_template_global(display.check_message, "check_message")
bp.add_app_template_global(display.check_hint, "check_hint")
bp.add_app_template_global(display.check_title, "check_title")


@bp.get("/labs/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    found = services.attempt_of(current_user.id, attempt_id)
    if found is None:
        abort(404)
    lab = catalog.lab(found.lab_id)
    if _wants_json() and lab is not None:
        return _attempt_json(found, lab)
    return render_template("labs/attempt.html", attempt=found, lab=lab, lang=current_lang())


@bp.get("/labs/progress")
@login_required
def progress():
    labs = catalog.all_labs()
    quiz_link = url_for("quiz.progress")
    return render_template("labs/progress.html", progress=services.progress(current_user.id, labs),
                           timeline=services.attempts_of(current_user.id, limit=200), labs=labs,
                           lang=current_lang(), quiz_link=quiz_link)
