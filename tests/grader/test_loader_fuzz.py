"""Mutated lab files never crash the loader: every outcome is a lab or a list of problems that
name the file and a line inside it."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.loader import load_lab_file
from grader.notes import load_notes

REPO = Path(__file__).resolve().parents[2]
LABS = sorted((REPO / "labs").glob("*.yaml"))
NOTES = load_notes(REPO / "notes" / "docker-notes.ko.md")
NOISE = st.sampled_from(["", ":", "- ", "  ", "{", "]", "!tag ", "&a ", "*a", "'", '"', "\t",
                         "~", "null", "123", "[1, 2]", "{a: b}", "ko:", "kind: exec", "needs:",
                         "container: {name: 1}", "points: -1", "regex: '('", "\x00", "é"])


@st.composite
def mutated(draw):
    path = draw(st.sampled_from(LABS))
    lines = path.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "cut"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, draw(NOISE))
        elif action == "replace":
            lines[index] = lines[index].split(":")[0] + ": " + draw(NOISE)
        else:
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
    return path.name, "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutated_lab_files_give_problems_not_crashes(tmp_path, case):
    name, text = case
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    lab, problems = load_lab_file(path, sections=NOTES)
    assert (lab is None) == bool(problems)
    line_count = text.count("\n") + 1
    for problem in problems:
        assert problem.file == str(path)
        assert 1 <= problem.line <= line_count, problem
        assert str(problem).startswith(f"{path}:{problem.line}: ")
