"""What a learner answered, in words a teacher reads: choice texts, "left → right" pairs, an
order as a numbered list; never ids or JSON. Markdown in those texts is kept for the pages
(rendered there with the quiz's safe renderer) and turned into plain text for CSV files."""
from __future__ import annotations

import html
import json
import re

from ..content import describe_answer, kind_of
from ..quiz.rendering import markdown_html

_TAG = re.compile(r"<[^>]+>")


def plain_text(markdown: str | None) -> str:
    """Markdown as the plain text a spreadsheet shows: `code` → code, **b** → b, one line."""
    if not markdown:
        return ""
    text = _TAG.sub(" ", str(markdown_html(markdown)))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def answer_lines(question, answer, lang: str) -> list[str]:
    """One line per part of the answer (Markdown); the raw value when the question left the
    content (then ids are all there is)."""
    if question is None:
        return [answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)]
    return describe_answer(question, answer, lang)


def answer_text(question, answer, lang: str) -> str:
    """The answer as one plain-text cell: an order numbered ("1. … 2. …"), other parts joined
    with "; "."""
    lines = [plain_text(line) for line in answer_lines(question, answer, lang)]
    if question is not None and kind_of(question).ordered_answer:
        return " ".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    return "; ".join(lines)
