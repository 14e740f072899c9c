"""Quiz JSON API: sections with question counts, a question without its answer, answering."""
from __future__ import annotations

from flask import g, jsonify

from ..content import public_dict
from ..errors import not_found
from ..i18n import request_lang
from ..quiz import services
from ..quiz.models import TEST
from . import bp
from .auth import token_required
from .contract import NOT_FOUND, contract, ok, refused
from .models import AnswerReceipt, AnswerRequest, AnswerResult, Question, QuizList


@bp.get("/quizzes")
@token_required()
@contract("quizzes", "Note sections with question counts", lang=True,
          responses={200: ok("Sections.", QuizList)})
def list_quizzes():
    lang = request_lang()
    sections = [{"section": section.title, "anchor": section.anchor, "level": section.level,
                 "questions": count}
                for section, count in services.sections_with_counts()]
    return jsonify(language=lang, total=len(services.bank()), sections=sections,
                   due_today=len(services.due_queue(g.api_user.id)))


def _question(question_id: str):
    question = services.question(question_id)
    if question is None:
        raise not_found("no_question", question_id=question_id)
    return question


@bp.get("/questions/<question_id>")
@token_required()
@contract("quizzes", "A question without its answer", lang=True,
          responses={200: ok("The question.", Question), 404: NOT_FOUND})
def get_question(question_id: str):
    return jsonify(public_dict(_question(question_id), request_lang()))


@bp.post("/questions/<question_id>/answer")
@token_required()
@contract("quizzes", "Answer a question (graded, stored, rescheduled)", lang=True,
          body=AnswerRequest, example={"answer": "api-caller"}, responses={
              200: ok("Stored. Practice (the default): graded, with the answer and the "
                      "explanation, as the web practice mode shows them. Test: only a receipt, "
                      "nothing that tells right from wrong, as in a test on the web.",
                      AnswerResult | AnswerReceipt),
              400: refused("The body is not {\"answer\": ...} or the mode is unknown "
                           "(error: bad_request, details.field names the field), or the answer "
                           "has the wrong shape for the question (error: bad_answer); or the "
                           "body is refused before the endpoint (NUL character, JSON nested too "
                           "deeply: error: bad_request)."),
              404: NOT_FOUND})
def answer_question(question_id: str, body: AnswerRequest):
    question = _question(question_id)
    lang = request_lang()
    # AnswerFormatError (the answer's shape does not fit the question) is the handler's.
    result = services.answer_question(g.api_user.id, question, body.answer, lang,
                                      mode=body.mode)
    where = dict(mode=body.mode, section=question.section_title, anchor=question.anchor)
    if body.mode == TEST:
        # As in a test on the web: nothing that tells right from wrong (not even the next
        # review, which comes sooner after a wrong answer), no answer, no explanation.
        return jsonify(recorded=True, **where)
    # As in practice on the web: graded, with the answer and the explanation.
    card = services.card_for(g.api_user.id, question.id)
    return jsonify(correct=result.correct, explanation=question.explanation.get(lang),
                   correct_answer=result.correct_answer, expected=result.expected,
                   next_review=card.due.isoformat() if card else None, **where)
