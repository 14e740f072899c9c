"""Quiz JSON API: sections with question counts, a question without its answer, answering."""
from __future__ import annotations

from flask import g, jsonify, request

from ..content import AnswerFormatError
from ..i18n import request_lang
from ..quiz import services
from ..quiz.models import PRACTICE, TEST
from . import bp
from .auth import error, token_required


@bp.get("/quizzes")
@token_required()
def list_quizzes():
    lang = request_lang()
    sections = [{"section": section.title, "anchor": section.anchor, "level": section.level,
                 "questions": count}
                for section, count in services.sections_with_counts()]
    return jsonify(language=lang, total=len(services.bank()), sections=sections,
                   due_today=len(services.due_queue(g.api_user.id)))


@bp.get("/questions/<question_id>")
@token_required()
def get_question(question_id: str):
    question = services.question(question_id)
    if question is None:
        return error(404, "not_found", f"No question with id '{question_id}'.")
    return jsonify(question.public_dict(request_lang()))


@bp.post("/questions/<question_id>/answer")
@token_required()
def answer_question(question_id: str):
    question = services.question(question_id)
    if question is None:
        return error(404, "not_found", f"No question with id '{question_id}'.")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "answer" not in payload:
        return error(400, "bad_answer", 'Send a JSON object {"answer": ...}.',
                     reason='the request body must be a JSON object with an "answer" field')
    lang = request_lang()
    mode = payload.get("mode", PRACTICE)
    if mode not in (PRACTICE, TEST):
        reason, reason_ko = ('mode must be "practice" or "test"',
                             'mode 는 "practice" 또는 "test" 여야 합니다')
        return error(400, "bad_answer", reason if lang == "en" else reason_ko, reason=reason,
                     reason_ko=reason_ko)
    try:
        result = services.answer_question(g.api_user.id, question, payload["answer"], lang,
                                          mode=mode)
    except AnswerFormatError as problem:
        reason = problem.reason if lang == "en" else problem.reason_ko
        return error(400, "bad_answer", reason, reason=problem.reason,
                     reason_ko=problem.reason_ko)
    where = dict(mode=mode, section=question.section_title, anchor=question.anchor)
    if mode == TEST:
        # As in a test on the web: nothing that tells right from wrong (not even the next
        # review, which comes sooner after a wrong answer), no answer, no explanation.
        return jsonify(recorded=True, **where)
    # As in practice on the web: graded, with the answer and the explanation.
    card = services.card_for(g.api_user.id, question.id)
    return jsonify(correct=result.correct, explanation=question.explanation.get(lang),
                   correct_answer=result.correct_answer, expected=result.expected,
                   next_review=card.due.isoformat() if card else None, **where)
