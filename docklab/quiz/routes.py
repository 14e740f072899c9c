"""Quiz pages. Every answer is a plain form post (works without JavaScript); quiz.js only adds
keyboard shortcuts and in-place reordering."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import library
from ..content import (
    AnswerFormatError,
    NoAnswer,
    check_answer,
    describe_answer,
    kind_of,
    public_dict,
)
from ..content.annotations import section_blocks
from ..extensions import db
from ..forms import EmptyForm
from ..i18n import current_lang
from ..models import utcnow
from . import anonymous, bp, services
from .forms import (
    MODE_CHOICES,
    QuizSettingsForm,
    StartForm,
    answer_from_form,
    moved_order,
)
from .models import PRACTICE, TEST, QuizRun
from .rendering import as_lines, inline_html, markdown_html


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


# Globals (not a context processor) so imported macros can use them too.
bp.add_app_template_global(markdown_html, "markdown_html")
bp.add_app_template_global(inline_html, "inline_html")
bp.add_app_template_global(MODE_CHOICES, "mode_choices")
bp.add_app_template_global(kind_of, "question_kind")


@bp.before_app_request
def _offer_anonymous_answers():
    """Once per log-in, tell a learner who practised before logging in that they can keep it."""
    if (request.endpoint == "static" or request.path.startswith("/api/")
            or session.get("anon_offered") or not session.get(anonymous.ANSWERS_KEY)):
        return
    if current_user.is_authenticated and anonymous.pending_answers():
        session["anon_offered"] = True
        flash(_("You answered %(count)s questions before logging in. Save them from "
                "“Save my answers” on the quizzes page.",
                count=len(anonymous.pending_answers())), "info")


def _owned_run(run_id: int) -> QuizRun:
    """The run, if it is this visitor's: others' runs are 404, never 403."""
    run = db.session.get(QuizRun, run_id)
    if run is None:
        abort(404)
    if run.user_id is None:
        if not anonymous.owns_run(run.id):
            abort(404)
    elif run.user_id != _user_id():
        abort(404)
    return run


def _begin(run: QuizRun | None):
    if run is None:
        flash(_("There are no questions to practise here right now."), "info")
        return redirect(url_for("quiz.index"))
    if run.user_id is None:
        anonymous.own_run(run.id)
    return redirect(url_for("quiz.run", run_id=run.id))


# --- notes -------------------------------------------------------------------------------------
@bp.get("/notes")
def notes():
    content = library.current()
    counts = {section.anchor: count for section, count in content.bank.section_counts()}
    lang = current_lang()
    blocks = {section.anchor: section_blocks(section, list(content.callouts), lang)
              for section in content.notes.sections}
    return render_template("quiz/notes.html", sections=content.notes.sections, counts=counts,
                           blocks=blocks)


def _settings_form(back: str) -> QuizSettingsForm | None:
    if not current_user.is_authenticated:
        return None
    return QuizSettingsForm(include_retired=services.includes_retired(current_user.id),
                            back=back, formdata=None)


# --- choosing a quiz ---------------------------------------------------------------------------
@bp.get("/quiz")
def index():
    user_id = _user_id()
    progress = {item.section.anchor: item for item in services.section_progress(user_id)} \
        if user_id else {}
    due = services.due_now_count(user_id) if user_id else 0
    later = len(services.due_queue(user_id)) - due if user_id else 0
    return render_template(
        "quiz/index.html", sections=services.sections_with_counts(), progress=progress,
        due_count=due, later_count=max(later, 0), start_form=StartForm(),
        total=len(services.bank()),
        mixed_size=services.MIXED_SIZE, settings_form=_settings_form("index"),
        pending=len(anonymous.pending_answers()))


@bp.get("/quiz/section/<anchor>")
def section(anchor: str):
    found = library.current().notes.by_anchor(anchor)
    count = len(services.section_question_ids(anchor)) if found else 0
    if found is None or count == 0:
        abort(404)
    return render_template("quiz/section.html", section=found, count=count,
                           start_form=StartForm(kind="section", section=found.anchor))


@bp.post("/quiz/start")
def start():
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    user_id = _user_id()
    if form.kind.data == "section":
        return _begin(services.start_section_run(user_id, form.section.data, form.mode.data))
    if form.kind.data == "due":
        if user_id is None:
            return redirect(url_for("auth.login", next=url_for("quiz.due")))
        return _begin(services.start_due_run(user_id, form.mode.data))
    return _begin(services.start_mixed_run(user_id, form.mode.data))


# --- answering ---------------------------------------------------------------------------------
def _question_page(run: QuizRun, question, *, order=None, error=None, previous=None,
                   status: int = 200):
    public = public_dict(question, current_lang())
    if order:
        public = kind_of(question).arranged(public, order)
    section = services.section(question.anchor)
    return render_template("quiz/question.html", run=run, question=question, public=public,
                           section=section, form=EmptyForm(), error=error,
                           previous=previous or {}, number=run.position + 1), status


@bp.get("/quiz/runs/<int:run_id>")
def run(run_id: int):
    quiz_run = _owned_run(run_id)
    question = services.current_question(quiz_run)
    db.session.commit()  # questions dropped from the content were skipped
    if question is None:
        return redirect(url_for("quiz.result", run_id=quiz_run.id))
    return _question_page(quiz_run, question)


@bp.post("/quiz/runs/<int:run_id>/answer")
def answer(run_id: int):
    quiz_run = _owned_run(run_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    question = services.current_question(quiz_run)
    if question is None:
        return redirect(url_for("quiz.result", run_id=quiz_run.id))
    if request.form.get("question_id") != question.id:
        # A second submit of an already answered question (back button, double click).
        flash(_("That question was already answered; here is the next one."), "info")
        return redirect(url_for("quiz.run", run_id=quiz_run.id))
    previous = {"values": request.form.getlist("answer"), "form": request.form}
    order = moved_order(request.form)
    if order is not None:
        return _question_page(quiz_run, question, order=order, previous=previous)
    try:
        given = answer_from_form(question, request.form)
        result = services.answer_in_run(quiz_run, question, given, current_lang())
    except NoAnswer as error:
        return _question_page(quiz_run, question, error=error.message.get(current_lang()),
                              previous=previous,
                              order=request.form.getlist("answer"), status=422)
    except AnswerFormatError as error:
        reason = error.reason if current_lang() == "en" else error.reason_ko
        return _question_page(quiz_run, question, error=reason, previous=previous,
                              order=request.form.getlist("answer"), status=422)
    if quiz_run.user_id is None:
        anonymous.remember_answer(question.id, given, result.correct, quiz_run.mode)
    if quiz_run.mode == PRACTICE:
        return redirect(url_for("quiz.feedback", run_id=quiz_run.id,
                                index=quiz_run.position - 1))
    return redirect(url_for("quiz.run", run_id=quiz_run.id))


def _review_item(quiz_run: QuizRun, index: int) -> dict | None:
    question = services.question(quiz_run.question_ids[index])
    given = quiz_run.given[index]
    if question is None or given is None:
        return None
    lang = current_lang()
    try:
        expected = as_lines(check_answer(question, given, lang).correct_answer)
    except AnswerFormatError:  # the question changed since it was answered
        expected = []
    item = {
        "index": index, "question": question, "public": public_dict(question, lang),
        "correct": bool(quiz_run.results[index]),
        "given": describe_answer(question, given, lang),
        "expected": expected,
        "explanation": question.explanation.get(lang),
        "section": services.section(question.anchor), "next_review": None,
    }
    if quiz_run.user_id is not None:
        card = services.card_for(quiz_run.user_id, question.id)
        if card is not None:
            item["next_review"] = format_timedelta(card.due - utcnow(),
                                                   add_direction=True,
                                                   threshold=1.0)
    return item


@bp.get("/quiz/runs/<int:run_id>/feedback/<int:index>")
def feedback(run_id: int, index: int):
    quiz_run = _owned_run(run_id)
    if index >= quiz_run.position or (quiz_run.mode == TEST and not quiz_run.finished):
        abort(404)  # no peeking at answers during a test
    item = _review_item(quiz_run, index)
    if item is None:
        abort(404)
    return render_template("quiz/feedback.html", run=quiz_run, item=item)


@bp.get("/quiz/runs/<int:run_id>/result")
def result(run_id: int):
    quiz_run = _owned_run(run_id)
    if not quiz_run.finished:
        return redirect(url_for("quiz.run", run_id=quiz_run.id))
    items = [item for index in range(quiz_run.total)
             if (item := _review_item(quiz_run, index)) is not None]
    return render_template("quiz/result.html", run=quiz_run, items=items,
                           missed=len(services.missed_ids(quiz_run)), form=EmptyForm(),
                           section=services.section(quiz_run.section_anchor),
                           pending=len(anonymous.pending_answers()))


@bp.post("/quiz/runs/<int:run_id>/retry")
def retry(run_id: int):
    quiz_run = _owned_run(run_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _begin(services.start_retry_run(quiz_run))


# --- the learner's own pages -------------------------------------------------------------------
@bp.get("/quiz/due")
@login_required
def due():
    now = utcnow()
    queue = []
    for card, question in services.due_queue(current_user.id, now):
        moment = card.due
        queue.append({"question": question, "public": public_dict(question, current_lang()),
                      "due_now": moment <= now,
                      "when": format_timedelta(moment - now, add_direction=True, threshold=1.0)})
    return render_template("quiz/due.html", queue=queue,
                           due_now=sum(1 for entry in queue if entry["due_now"]),
                           start_form=StartForm(kind="due", mode=PRACTICE),
                           settings_form=_settings_form("due"))


@bp.post("/quiz/settings")
@login_required
def settings():
    """Save the learner's quiz settings, then go back to the page the form was on."""
    form = QuizSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_includes_retired(current_user.id, form.include_retired.data)
    if form.include_retired.data:
        flash(_("Questions on retired tools are now part of your reviews and mixed quizzes."),
              "success")
    else:
        flash(_("Questions on retired tools are left out of your reviews and mixed quizzes."),
              "success")
    return redirect(url_for("quiz.due" if form.back.data == "due" else "quiz.index"))


@bp.get("/quiz/progress")
@login_required
def progress():
    return render_template(
        "quiz/progress.html", sections=services.section_progress(current_user.id),
        tests=services.test_results(current_user.id),
        due_count=services.due_now_count(current_user.id),
        answers=services.answer_count(current_user.id),
        titles={sec.anchor: sec.title for sec in library.current().notes.sections})


@bp.route("/quiz/save-answers", methods=["GET", "POST"])
@login_required
def save_answers():
    pending = anonymous.pending_answers()
    form = EmptyForm()
    if form.validate_on_submit():
        if request.form.get("action") == "save":
            saved = services.save_anonymous_answers(current_user.id, pending)
            flash(_("Saved %(count)s answers to your account.", count=saved), "success")
        else:
            flash(_("The answers from before you logged in were discarded."), "info")
        anonymous.forget_answers()
        return redirect(url_for("quiz.progress"))
    lang = current_lang()
    rows = []
    for entry in pending:
        question = services.question(entry.get("q", ""))
        if question is not None:
            rows.append({"public": public_dict(question, lang), "correct": bool(entry.get("c")),
                         "given": describe_answer(question, entry.get("a"), lang)})
    return render_template("quiz/save_answers.html", rows=rows, form=form)
