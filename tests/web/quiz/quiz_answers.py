"""Right and wrong answers for any question of the real bank, as JSON and as form fields."""
from __future__ import annotations

import re

from docklab import library
from docklab.config import REPO_ROOT
from docklab.content import Question, load_bank

TYPES = ("single", "multi", "truefalse", "short", "ordering", "matching")


def real_bank():
    return library.load(REPO_ROOT).bank


def one_of_each_type(bank=None) -> dict[str, Question]:
    bank = bank or real_bank()
    found: dict[str, Question] = {}
    for question in bank:
        found.setdefault(question.type, question)
    assert set(found) == set(TYPES), f"the bank lacks types: {set(TYPES) - set(found)}"
    return found


def right_answer(q: Question):
    if q.type == "single":
        return q.parts.answer
    if q.type == "multi":
        return list(q.parts.answer)
    if q.type == "truefalse":
        return q.parts.answer
    if q.type == "short":
        return q.parts.accepted[0]
    if q.type == "ordering":
        return [item.id for item in q.parts.items]
    return {left.id: right.id for left, right in q.parts.pairs}


def wrong_answer(q: Question):
    if q.type == "single":
        return next(c.id for c in q.parts.choices if c.id != q.parts.answer)
    if q.type == "multi":
        return [next(c.id for c in q.parts.choices if c.id not in q.parts.answer)]
    if q.type == "truefalse":
        return not q.parts.answer
    if q.type == "short":
        return "definitely not the answer"
    if q.type == "ordering":
        return list(reversed(right_answer(q)))
    rights = [right.id for _, right in q.parts.pairs]
    return {left.id: rights[(i + 1) % len(rights)] for i, (left, _) in enumerate(q.parts.pairs)}


def form_fields(q: Question, answer) -> dict:
    """What the server-rendered answer form posts for `answer` (see quiz/forms.py)."""
    if q.type == "truefalse":
        return {"answer": "true" if answer else "false"}
    if q.type == "matching":
        return {f"match-{left}": right for left, right in answer.items()}
    return {"answer": answer}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


__all__ = ["TYPES", "csrf_from", "form_fields", "load_bank", "one_of_each_type", "real_bank",
           "right_answer", "wrong_answer"]
