"""`flask content validate` and the app's refusal to start on broken built-in content."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docklab import library
from docklab.config import REPO_ROOT
from docklab.content import ContentError
from tests.support.webapp import make_app


def test_validator_passes_on_the_built_in_content(runner):
    result = runner.invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert "problem" not in result.output
    # the whole bank is judged against issue 16's cue targets, and it is within them
    out = result.output
    for lang in ("ko", "en"):
        found = re.search(rf"^cues \[{lang}\]: right answer longest in (\d+)/(\d+) choice "
                          r"questions .*; median right/wrong length ([\d.]+) ", out, re.M)
        assert found, out
        longest, total, ratio = int(found[1]), int(found[2]), float(found[3])
        assert total >= 80 and longest / total <= 0.35 and 0.8 <= ratio <= 1.25, found[0]
    found = re.search(r"^cues: true/false (\d+)/(\d+) true", out, re.M)
    assert found and 0.4 <= int(found[1]) / int(found[2]) <= 0.6, out
    found = re.search(r"^cues: matching without distractors (\d+)/(\d+)", out, re.M)
    assert found and found[1] == "0" and int(found[2]) >= 10, out


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
    assert f"{lab}:2: section: no heading `없는 절` in docker-notes.ko.md" in result.output


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
    assert f"{lab}:2: section: no heading `4주차` in docker-notes.ko.md" in result.output
    lab.write_text(lab.read_text().replace("section: 4주차\n", ""))
    result = runner.invoke(args=["content", "validate", str(lab)])
    assert result.exit_code == 1
    assert f"{lab}:1: section: required field is missing (a heading of the notes)" \
        in result.output


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
    assert len(library.of(app).bank) > 0


def test_setup_reports_the_loaded_content(runner):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert re.search(r"content: \d+ questions in \d+ note sections", result.output)


SECTION = "Docker는 무엇인가?"


def _single(qid: str, right: str, wrong: list[str]) -> str:
    choices = "".join(f"    - {{id: {chr(98 + i)}, ko: '{text}', en: '{text}'}}\n"
                      for i, text in enumerate(wrong))
    return (f"- id: {qid}\n  section: {SECTION}\n  type: single\n  difficulty: 1\n  tags: [x]\n"
            "  prompt: {ko: 고르세요, en: Pick one}\n  choices:\n"
            f"    - {{id: a, ko: '{right}', en: '{right}'}}\n{choices}  answer: a\n"
            "  explanation: {ko: 설명, en: Explanation}\n")


def _truefalse(qid: str, answer: bool) -> str:
    return (f"- id: {qid}\n  section: {SECTION}\n  type: truefalse\n  difficulty: 1\n"
            "  tags: [x]\n  prompt: {ko: 참일까요, en: True?}\n"
            f"  answer: {str(answer).lower()}\n  explanation: {{ko: 설명, en: Explanation}}\n")


def _matching(qid: str, distractor: bool) -> str:
    pairs = "".join(f"    - left: {{id: l{i}, ko: 왼{i}, en: L{i}}}\n"
                    f"      right: {{id: r{i}, ko: 오{i}, en: R{i}}}\n" for i in range(3))
    extra = "  distractors:\n    - {id: r9, ko: 오9, en: R9}\n" if distractor else ""
    return (f"- id: {qid}\n  section: {SECTION}\n  type: matching\n  difficulty: 1\n"
            f"  tags: [x]\n  prompt: {{ko: 짝지으세요, en: Match}}\n  pairs:\n{pairs}{extra}"
            "  explanation: {ko: 설명, en: Explanation}\n")


def _bank(tmp_path: Path, *questions: str) -> Path:
    directory = tmp_path / "bank"
    directory.mkdir(parents=True)
    (directory / "q.yaml").write_text("".join(questions), encoding="utf-8")
    return directory


def test_validator_fails_a_bank_full_of_cues_with_the_figures(runner, tmp_path):
    """'Pick the longest, say true' would pass this bank: the validator says so and fails."""
    bank = _bank(tmp_path,
                 _single("long-1", "the right one, long and detailed", ["short", "tiny"]),
                 _single("long-2", "also right and also much longer", ["no", "nope"]),
                 _single("fair", "yes", ["a wrong option just as long", "no"]),
                 _truefalse("tf-1", True), _truefalse("tf-2", True), _truefalse("tf-3", False),
                 _matching("forced", distractor=False))
    result = runner.invoke(args=["content", "validate", "--cues", str(bank)])
    assert result.exit_code == 1, result.output
    out = result.output
    # per question ...
    assert re.search(r"q\.yaml:1: long-1 \(single\) right/wrong length: ko 7\.11 longest, "
                     r"en 7\.11 longest$", out, re.M), out
    assert re.search(r"q\.yaml:\d+: fair \(single\) right/wrong length: ko 0\.21, en 0\.21$",
                     out, re.M), out
    assert re.search(r"q\.yaml:\d+: forced \(matching\) 0 distractor\(s\)$", out, re.M)
    # ... in total ...
    assert "cues [ko]: right answer longest in 2/3 choice questions (67%, target <= 35%); " \
           "median right/wrong length 7.11 (target 0.8-1.25)" in out
    assert "cues: true/false 2/3 true (67%, target 40%-60%)" in out
    assert "cues: matching without distractors 1/1 (target 0)" in out
    # ... and each target missed is a problem
    for lang in ("ko", "en"):
        assert f"{bank}:1: cues [{lang}]: the right answer is the longest option in 2 of 3 " \
               "choice questions (67%)" in out
        assert f"{bank}:1: cues [{lang}]: median length of right / wrong options is 7.11" in out
    assert f"{bank}:1: cues: 2 of 3 true/false statements are true (67%)" in out
    assert re.search(r"q\.yaml:\d+: question 'forced': a matching question needs at least 1 "
                     r"right-hand option without a partner", out)
    assert "6 problem(s) in 1 file(s)" in out


def test_validator_passes_a_bank_within_the_targets_and_judges_paths_only_on_request(
        runner, tmp_path):
    fair = _bank(tmp_path,
                 _single("fair-1", "the right option", ["a wrong option here", "other option"]),
                 _single("fair-2", "right", ["wrong", "wrong too"]),
                 _truefalse("tf-1", True), _truefalse("tf-2", False),
                 _matching("with-extra", distractor=True))
    result = runner.invoke(args=["content", "validate", "--cues", str(fair)])
    assert result.exit_code == 0, result.output
    assert "cues [en]: right answer longest in 0/2 choice questions (0%" in result.output
    assert "with-extra (matching) 1 distractor(s)" in result.output
    # a file or directory given on its own is not a whole bank: reported, judged on --cues only
    cued = _bank(tmp_path / "cued", _truefalse("tf-1", True))
    result = runner.invoke(args=["content", "validate", str(cued)])
    assert result.exit_code == 0, result.output
    assert "cues: true/false 1/1 true (100%, target 40%-60%)" in result.output
    result = runner.invoke(args=["content", "validate", "--cues", str(cued)])
    assert result.exit_code == 1 and "1 of 1 true/false statements are true" in result.output
