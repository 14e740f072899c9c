"""`flask content validate` and the app's refusal to start on broken built-in content."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docklab.config import REPO_ROOT
from docklab.content import ContentError
from tests.support.webapp import make_app


def test_validator_passes_on_the_built_in_content(runner):
    result = runner.invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert "problem" not in result.output


def _break_first_single_answer(path: Path) -> int:
    """Point the first single-choice answer at a choice that does not exist; returns its line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    in_single = False
    for index, line in enumerate(lines):
        if line.startswith("- id:"):
            in_single = False
        if line.strip() == "type: single":
            in_single = True
        if in_single and re.match(r"^  answer: \S+\s*$", line):
            lines[index] = "  answer: no-such-choice\n"
            path.write_text("".join(lines), encoding="utf-8")
            return index + 1
    raise AssertionError(f"no single-choice question in {path}")


def test_validator_names_file_and_line_of_a_broken_file(runner, tmp_path):
    source = sorted((REPO_ROOT / "quizzes").glob("*.yaml"))[0]
    broken = tmp_path / source.name
    shutil.copy(source, broken)
    line = _break_first_single_answer(broken)
    result = runner.invoke(args=["content", "validate", str(broken)])
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(broken))}:{line}: .*'no-such-choice'", result.output, re.M)


def test_validator_reports_yaml_and_schema_errors_each_with_a_line(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "- id: only-prompt\n"
        "  section: Docker는 무엇인가?\n"
        "  type: truefalse\n"
        "  difficulty: 1\n"
        "  prompt: {ko: 질문, en: question}\n"
        "  answer: true\n", encoding="utf-8")
    result = runner.invoke(args=["content", "validate", str(broken)])
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(broken))}:\d+: .*explanation", result.output, re.M)


def test_lab_file_with_an_unknown_note_section_is_reported(runner, tmp_path):
    labs = tmp_path / "labs"
    labs.mkdir()
    lab = labs / "ghost.yaml"
    lab.write_text("id: ghost\nsection: 없는 절\nchecks: []\n", encoding="utf-8")
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    assert f"{lab}:2: field 'section' names '없는 절'" in result.output


def test_labs_of_a_configured_content_are_judged_by_its_own_notes(tmp_path, database_url):
    """A lab section that is a heading of the content's notes (not of the built-in notes) is
    fine; one that is in neither, or missing, is reported."""
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "quizzes", content / "quizzes")
    (content / "notes").mkdir()
    notes = (REPO_ROOT / "notes" / "docker-notes.ko.md").read_text(encoding="utf-8")
    (content / "notes" / "docker-notes.ko.md").write_text(notes + "\n## 우리 반 3주차\n",
                                                          encoding="utf-8")
    app = make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    labs = tmp_path / "more" / "labs"
    labs.mkdir(parents=True)
    lab = labs / "week3.yaml"
    source = (REPO_ROOT / "tests" / "grader" / "fixtures" / "valid.yaml").read_text()
    lab.write_text(source.replace("id: valid", "id: week3")
                   .replace("section: 실습", "section: 우리 반 3주차"), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 0, result.output
    lab.write_text(lab.read_text().replace("section: 우리 반 3주차", "section: 4주차"))
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    assert f"{lab}:2: field 'section' names '4주차'" in result.output
    lab.write_text(lab.read_text().replace("section: 4주차\n", ""))
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    assert f"{lab}:1: field 'section' is missing" in result.output


def _broken_content_dir(tmp_path: Path) -> tuple[Path, Path, int]:
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "quizzes", content / "quizzes")
    (content / "notes").mkdir()
    shutil.copy(REPO_ROOT / "notes" / "docker-notes.ko.md", content / "notes")
    broken = sorted((content / "quizzes").glob("*.yaml"))[0]
    return content, broken, _break_first_single_answer(broken)


def test_app_refuses_to_start_with_broken_built_in_content(tmp_path, database_url, runner):
    content, broken, line = _broken_content_dir(tmp_path)
    with pytest.raises(ContentError) as refused:
        make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    message = str(refused.value)
    assert re.search(rf"^{re.escape(str(broken))}:{line}: .*'no-such-choice'", message, re.M)
    # The validator prints the very same lines for those files.
    cli = runner.invoke(args=["content", "validate", "--coverage", str(content / "quizzes")])
    assert cli.exit_code == 1
    printed = [line for line in cli.output.splitlines() if re.match(r"^/.+:\d+: ", line)]
    assert printed and all(line in message for line in printed)


def test_app_starts_again_once_the_content_is_fixed(tmp_path, database_url):
    content, broken, _line = _broken_content_dir(tmp_path)
    with pytest.raises(ContentError):
        make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    shutil.copy(REPO_ROOT / "quizzes" / broken.name, broken)
    app = make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    assert len(app.extensions["docklab.content"].bank) > 0


def test_setup_reports_the_loaded_content(runner):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert re.search(r"content: \d+ questions in \d+ note sections", result.output)
