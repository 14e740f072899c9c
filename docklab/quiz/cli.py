"""`flask --app app content validate [PATH...]`: check quiz and lab files, print every problem
as `file:line: field: message` and the quizzes' test-wiseness cue report, exit 1 on any problem
(cues over issue 16's targets included). Lab files are checked by the grader's loader against the
configured content's notes, as the app does at start and as `python -m grader validate` does."""
from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import AppGroup

import grader

from .. import settings
from ..content import Problem, cues, load_notes, read_questions
from ..content.annotations import annotations_path, load_annotations
from ..library import content_paths

content_cli = AppGroup("content", help="Check the quiz and lab content.")

_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:", re.MULTILINE)


def is_lab_file(path: Path) -> bool:
    """Labs live in labs/ and are one mapping; quiz files are a list of questions. Decided from
    the text, so a file too broken to parse still reaches the right validator."""
    if path.parent.name == "labs":
        return True
    if path.parent.name == "quizzes":
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(_TOP_LEVEL_KEY.search(text)) and not re.search(r"^- ", text, re.MULTILINE)


def _yaml_files(path: Path) -> list[Path]:
    return sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]


@content_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--coverage/--no-coverage", default=None,
              help="Require a question for every note section (default: only when no PATH "
                   "is given, i.e. for the whole built-in content).")
@click.option("--cues/--no-cues", "judge_cues", default=None,
              help="Fail when the quizzes' test-wiseness cues are over issue 16's targets "
                   "(longest option right, right/wrong length ratio, share of true statements, "
                   "matching without distractors). The targets are shares of a whole bank, so "
                   "by default only when no PATH is given; the report is printed either way.")
def validate_command(paths: tuple[Path, ...], coverage: bool | None,
                     judge_cues: bool | None) -> None:
    """Check quiz files (schema, unique ids, answers among the choices, explanations, note
    sections, coverage, test-wiseness cues) and lab files. Without PATH: the built-in quizzes/
    and labs/."""
    directory = settings.current().content_dir
    quizzes_dir, notes_path = content_paths(directory)
    targets = list(paths) or [quizzes_dir, directory / "labs"]
    quiz_files: list[Path] = []
    lab_files: list[Path] = []
    problems: list[Problem] = []
    for target in targets:
        if not target.exists():
            if paths:  # the default labs/ dir may not exist yet
                problems.append(Problem(str(target), 1, "", "file not found"))
            continue
        for file in _yaml_files(target):
            (lab_files if is_lab_file(file) else quiz_files).append(file)
    try:
        notes = load_notes(notes_path)
    except (OSError, UnicodeDecodeError) as error:
        notes = None
        problems.append(Problem(str(notes_path), 1, "", f"cannot read the notes: {error}"))
    cue_lines: list[str] = []
    if quiz_files or not paths:
        questions, found = read_questions(
            quiz_files or [quizzes_dir], notes=notes or notes_path,
            check_coverage=coverage if coverage is not None else not paths)
        problems.extend(found)
        report = cues.measure(questions)
        cue_lines = report.lines()
        if judge_cues if judge_cues is not None else not paths:
            shown = quizzes_dir if not paths else ", ".join(str(p) for p in paths)
            problems.extend(report.problems(str(shown)))
    if lab_files:  # sections: this content's notes, or free when it has none
        problems.extend(grader.validate_paths(lab_files, sections=notes))
    if notes is not None and not paths:  # the notes page's 2026 boxes
        problems.extend(load_annotations(annotations_path(notes_path), notes)[1])
    if cue_lines:
        click.echo("test-wiseness cues (issue 16), per question and in total:")
        for line in cue_lines:
            click.echo(line)
    for problem in problems:
        click.echo(str(problem))
    checked = len(quiz_files) + len(lab_files)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} file(s)", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {len(quiz_files)} quiz file(s), {len(lab_files)} lab file(s)", err=True)
