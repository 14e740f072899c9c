"""Quiz forms: starting a quiz, and turning a posted answer form into the JSON answer shape
the content checker expects (each question type reads its own form: docklab/content/kinds.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField
from wtforms.validators import AnyOf

from ..content import Question, kind_of
from .models import MODES, PRACTICE, TEST

MODE_CHOICES = [
    (PRACTICE, _l("Practice: feedback after each answer")),
    (TEST, _l("Test: feedback at the end, score recorded")),
]


class StartForm(FlaskForm):
    """Rendered by hand in _start_form.html (radio buttons from MODE_CHOICES)."""

    kind = HiddenField(validators=[AnyOf(["section", "mixed", "due"])])
    section = HiddenField()
    mode = HiddenField(default=PRACTICE, validators=[AnyOf(MODES)])


class QuizSettingsForm(FlaskForm):
    """The learner's quiz settings (rendered by hand in _settings_form.html)."""

    include_retired = BooleanField(_l("Include questions on retired tools"))
    back = HiddenField(validators=[AnyOf(["index", "due"])], default="index")


def answer_from_form(question: Question, form: MultiDict) -> object:
    """The posted answer in its JSON shape, read by the question's kind (NoAnswer when nothing
    was picked or typed; shape errors beyond that are left to check_answer)."""
    return kind_of(question).from_form(question, form)


def moved_order(form: MultiDict) -> list[str] | None:
    """For ordering questions without JavaScript: a 'move' button (`<index>:up|down`) swaps two
    items and the question is shown again. None when no move was asked for."""
    move = form.get("move")
    if not move:
        return None
    order = form.getlist("answer")
    index_text, _, direction = move.partition(":")
    if not index_text.isdigit():
        return order
    index = int(index_text)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= index < len(order) and 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order
