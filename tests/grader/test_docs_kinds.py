"""docs/labs.md's table of check kinds lists exactly the kinds the grader registers, so a new
check kind cannot ship undocumented and a removed one cannot linger in the docs."""
from __future__ import annotations

import re
from pathlib import Path

from grader.checks import REGISTRY

DOC = Path(__file__).resolve().parents[2] / "docs" / "labs.md"


def documented_kinds(text: str) -> set[str]:
    """First cells of the table rows that name a kind: | `kind` | params | meaning |"""
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M))


def test_the_docs_table_names_every_registered_kind_and_no_other():
    documented = documented_kinds(DOC.read_text(encoding="utf-8"))
    assert documented - set(REGISTRY) == set(), "documented but not a check kind"
    assert set(REGISTRY) - documented == set(), "a check kind missing from docs/labs.md"


def test_the_reader_would_see_a_missing_row():
    text = DOC.read_text(encoding="utf-8").replace("| `image_size_max` |", "| image size |")
    assert "image_size_max" not in documented_kinds(text)
