"""How a stored check reads on a page: its title, message and hint in the reader's language.

Attempts store the grader's message and hint in both languages (`services.stored_check`);
attempts stored before that, and self-reported ones, have only the text of the language they
were graded in, which is shown as it is."""
from __future__ import annotations

import grader
import grader.model


def _pick(item: dict, plural: str, single: str, lang: str) -> str:
    texts = item.get(plural)
    if isinstance(texts, dict) and isinstance(texts.get(lang), str):
        return texts[lang]
    return item.get(single) or ""


def check_message(item: dict, lang: str) -> str:
    return _pick(item, "messages", "message", lang)


def check_hint(item: dict, lab: grader.Lab | None, lang: str) -> str:
    if not isinstance(item.get("hints"), dict) and lab is not None:
        spec = _spec(lab, item.get("id"))
        if spec is not None:  # an older attempt: the lab's hint reads in any language
            return spec.hint.get(lang)
    return _pick(item, "hints", "hint", lang)


PUBLIC_FIELDS = ("id", "status", "message", "hint", "points")


def public_check(item: dict, lang: str | None = None) -> dict:
    """A stored check in the API's `CheckResult` shape (the two-language texts are stored for
    the pages, not part of that shape), its message and hint in `lang` when given."""
    shown = {key: item.get(key) for key in PUBLIC_FIELDS}
    if lang is not None:
        shown["message"] = check_message(item, lang)
        shown["hint"] = _pick(item, "hints", "hint", lang)
    return shown


def check_title(item_or_id: dict | str, lab: grader.Lab | None, lang: str) -> str:
    """The check's human title ("`myweb` 컨테이너가 실행 중"), else its id."""
    check_id = item_or_id.get("id", "") if isinstance(item_or_id, dict) else item_or_id
    spec = _spec(lab, check_id) if lab is not None else None
    return spec.title.get(lang) if spec is not None and spec.title else str(check_id)


def _spec(lab: grader.Lab, check_id) -> grader.model.CheckSpec | None:
    return next((spec for spec in lab.checks if spec.id == check_id), None)
