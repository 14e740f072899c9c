"""Mutated question files only ever produce problems, never exceptions; no Flask in content."""
from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docklab.content import Problem, load_notes, validate

FIXTURES = Path(__file__).parent / "fixtures"
VALID = (FIXTURES / "valid-mini.yaml").read_text(encoding="utf-8")
NOTES = load_notes(FIXTURES / "notes-mini.md")
CONTENT_PACKAGE = Path(__file__).resolve().parents[2] / "docklab" / "content"


@st.composite
def mutated_yaml(draw):
    text = VALID
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        size = draw(st.integers(min_value=1, max_value=30))
        snippet = draw(st.sampled_from(
            [":", "-", " ", "\n", "[", "]", "{", "}", "'", '"', "#", "null", "1", "true",
             "  - x", "\n- id: x\n", "answer: [", "type: ordering", "pairs: 3", "&a", "*a",
             "!!binary", "ko:", "en: {", "accepted: []", "match: command", "<<: {}", "\t"]))
        if action == "delete":
            text = text[:position] + text[position + size:]
        elif action == "insert":
            text = text[:position] + snippet + text[position:]
        else:
            text = text[:position] + snippet + text[position + len(snippet):]
    return text


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_yaml())
def test_mutated_files_give_problems_not_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "q.yaml"
    path.write_text(text, encoding="utf-8")
    problems = validate([path], notes=NOTES, check_coverage=False)
    assert all(isinstance(problem, Problem) and problem.line >= 1 for problem in problems)
    assert all(problem.file == str(path) for problem in problems)


def test_content_modules_do_not_import_flask():
    for module in CONTENT_PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] == "flask" for name in names), module.name
