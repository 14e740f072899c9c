"""One content store, one validator: a lab file gets the same verdict, in the same words, from
`flask content validate`, `python -m grader validate` and the app's start; a question file's
problems name file, line and field the way a lab file's do (one YAML loader, one Problem)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docklab import library
from docklab.config import REPO_ROOT
from docklab.content import ContentError, validate
from docklab.labs import catalog
from grader.cli import main as grader_main
from tests.support.webapp import make_app

VALID_LAB = REPO_ROOT / "tests" / "grader" / "fixtures" / "valid.yaml"
ANCHOR = "docker는-무엇인가"  # the anchor of the notes' heading "Docker는 무엇인가?"


def _lab(labs: Path, lab_id: str, section: str, *, points: str = "1") -> Path:
    labs.mkdir(parents=True, exist_ok=True)
    text = VALID_LAB.read_text(encoding="utf-8")
    assert "section: 실습\n" in text and "id: valid\n" in text
    text = text.replace("id: valid\n", f"id: {lab_id}\n").replace("section: 실습\n",
                                                                   f"section: {section}\n")
    if points != "1":
        text = text.replace("  - id: exists\n", f"  - id: exists\n    points: {points}\n", 1)
    path = labs / f"{lab_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("/")]


def _grader_validate(capsys, *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = grader_main(["validate", "--content", str(REPO_ROOT), *args])
    return code, _problem_lines(capsys.readouterr().out)


def _content_with(tmp_path: Path, *labs: tuple[str, str]) -> Path:
    """A copy of the built-in quizzes and notes with the given (id, section) labs."""
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "quizzes", content / "quizzes")
    shutil.copytree(REPO_ROOT / "notes", content / "notes")
    for lab_id, section in labs:
        _lab(content / "labs", lab_id, section)
    return content


def test_a_lab_section_given_as_an_anchor_is_one_verdict_everywhere(runner, capsys, tmp_path,
                                                                    database_url):
    lab = _lab(tmp_path / "labs", "anchored", ANCHOR)
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 0, result.output
    assert _grader_validate(capsys, str(lab)) == (0, [])
    # The app starts with it, and the lab page links the section the anchor names.
    app = make_app(database_url, DOCKLAB_CONTENT_DIR=str(_content_with(tmp_path, ("anchored",
                                                                                  ANCHOR))))
    with app.test_request_context():
        served = catalog.lab("anchored")
        assert served is not None and served.section == ANCHOR
        assert catalog.note_section(served).title == "Docker는 무엇인가?"
        assert catalog.note_link(served).endswith(f"#{ANCHOR}")


def test_an_unknown_section_is_one_problem_in_the_same_words_everywhere(
        runner, capsys, tmp_path, database_url):
    lab = _lab(tmp_path / "labs", "lost", f"{ANCHOR}-없음")
    expected = f"{lab}:2: section: no heading `{ANCHOR}-없음` in docker-notes.ko.md"
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    printed = _problem_lines(result.output)
    assert len(printed) == 1 and printed[0].startswith(expected), result.output
    assert _grader_validate(capsys, str(lab)) == (1, printed)
    # The app refuses to start with it, saying the same of its own copy.
    content = _content_with(tmp_path, ("lost", f"{ANCHOR}-없음"))
    with pytest.raises(ContentError) as refused:
        make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    copy = content / "labs" / "lost.yaml"
    assert [str(p) for p in refused.value.problems] == [printed[0].replace(str(lab), str(copy))]


def test_a_bad_lab_file_gives_the_same_messages_from_flask_and_the_grader(runner, capsys,
                                                                         tmp_path):
    lab = _lab(tmp_path / "labs", "bad-points", "실습", points="many")
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    printed = _problem_lines(result.output)
    line = lab.read_text(encoding="utf-8").splitlines().index("    points: many") + 1
    assert printed == [f"{lab}:{line}: checks[0].points: expected a whole number"]
    assert _grader_validate(capsys, str(lab)) == (1, printed)


def test_a_bad_question_file_names_file_line_and_field(runner, tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(
        "- id: too-hard\n"
        "  section: Docker는 무엇인가?\n"
        "  type: truefalse\n"
        "  difficulty: 5\n"
        "  tags: [x]\n"
        "  prompt: {ko: 참일까요, en: True?}\n"
        "  answer: true\n"
        "  explanation: {ko: 설명, en: Explanation}\n"
        "  tags: [y]\n", encoding="utf-8")
    result = runner.invoke(args=["content", "validate", str(path)])
    assert result.exit_code == 1
    expected = [f"{path}:9: [0].tags: duplicate key (first at line 5)",
                f"{path}:4: question 'too-hard': field 'difficulty' must be 1, 2 or 3, "
                "not a number (5)"]
    assert _problem_lines(result.output) == expected
    problems = validate([path], check_coverage=False)
    assert [(p.file, p.line, p.field) for p in problems] == [
        (str(path), 9, "[0].tags"), (str(path), 4, "question 'too-hard'")]
    assert [str(p) for p in problems] == expected


def test_a_duplicate_key_reads_the_same_in_a_lab_and_in_a_question(runner, tmp_path):
    """The one YAML loader: the same mistake, the same words, in either kind of file."""
    lab = _lab(tmp_path / "labs", "twice", "실습")
    text = lab.read_text(encoding="utf-8")
    lab.write_text(text.replace("id: twice\n", "id: twice\nid: twice\n", 1), encoding="utf-8")
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    assert f"{lab}:2: id: duplicate key (first at line 1)" in _problem_lines(result.output)


def test_the_store_holds_notes_questions_and_labs(app):
    loaded = library.of(app)
    assert len(loaded.bank) > 0 and loaded.notes.path.name == "docker-notes.ko.md"
    assert "mysql-env" in loaded.labs and loaded.lab("mysql-env") is loaded.labs["mysql-env"]
    with app.app_context():
        assert library.current() is loaded
        assert catalog.all_labs() is loaded.labs


def test_setup_reads_and_checks_the_content_again(tmp_path, database_url):
    content = _content_with(tmp_path, ("anchored", ANCHOR))
    app = make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    runner = app.test_cli_runner()
    done = runner.invoke(args=["setup"])
    assert done.exit_code == 0, done.output
    assert "note sections, 1 lab(s) (docker-notes.ko.md) ok" in done.output
    _lab(content / "labs", "anchored", ANCHOR, points="many")
    broken = runner.invoke(args=["setup"])
    assert broken.exit_code != 0 and isinstance(broken.exception, ContentError)
    assert "anchored.yaml:11: checks[0].points: expected a whole number" in str(broken.exception)
