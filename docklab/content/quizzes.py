"""Quiz content: load the question files, validate them against the notes, check answers.

Public API::

    load_bank(paths=None, notes=None) -> QuestionBank      # raises ContentError(problems)
    validate(paths=None, notes=None) -> list[Problem]       # every problem; never raises
    check_answer(question, answer, lang="ko") -> AnswerResult  # raises AnswerFormatError

``paths`` are files or directories (``*.yaml``/``*.yml`` inside); default: ``<repo>/quizzes``.
``notes`` is a ``Notes``, a path, or None for ``<repo>/notes/docker-notes.ko.md``. With
``check_coverage`` (default), every note section with content must have at least one question;
pass ``check_coverage=False`` when validating a few files on their own.
"""
from __future__ import annotations

import difflib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from grader.yamlsrc import YamlMap, YamlSeq, load_file

from .kinds import KINDS, kind_of
from .model import AnswerResult, ContentError, Problem, Question, Text
from .notes import REPO_ROOT, Notes, Section, load_notes
from .schema import ID_PATTERN, MISSING, QuestionReader, describe

DEFAULT_QUIZZES_DIR = REPO_ROOT / "quizzes"
COMMON_FIELDS = ("id", "section", "type", "difficulty", "tags", "prompt", "explanation")


class QuestionBank:
    """All questions, in file order, with their note sections resolved."""

    def __init__(self, questions: list[Question], notes: Notes | None):
        self.questions = list(questions)
        self.notes = notes
        self._by_id = {question.id: question for question in self.questions}

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def __getitem__(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def by_section(self, ref: str) -> list[Question]:
        """Questions of one note section, given its heading text or anchor."""
        anchor = ref
        if self.notes is not None:
            section = self.notes.find(ref)
            anchor = section.anchor if section else ref
        return [q for q in self.questions if q.anchor == anchor or q.section == ref]

    def section_counts(self) -> list[tuple[Section, int]]:
        """Each note section that has content, in notes order, with its question count."""
        if self.notes is None:
            return []
        counts = Counter(question.anchor for question in self.questions)
        return [(section, counts[section.anchor]) for section in self.notes.content_sections]

    def type_counts(self) -> dict[str, int]:
        counts = Counter(question.type for question in self.questions)
        return {name: counts[name] for name in KINDS}


def check_answer(question: Question, answer: object, lang: str = "ko") -> AnswerResult:
    """Grade one answer (see kinds.py for the JSON shape per type)."""
    return kind_of(question).check(question, answer, lang if lang in ("ko", "en") else "ko")


def load_bank(paths: Iterable[str | Path] | None = None, notes: Notes | str | Path | None = None,
              *, check_coverage: bool = True) -> QuestionBank:
    questions, notes_obj, problems = _load(paths, notes, check_coverage)
    if problems:
        raise ContentError(problems)
    return QuestionBank(questions, notes_obj)


def validate(paths: Iterable[str | Path] | None = None, notes: Notes | str | Path | None = None,
             *, check_coverage: bool = True) -> list[Problem]:
    return _load(paths, notes, check_coverage)[2]


def read_questions(paths: Iterable[str | Path] | None = None,
                   notes: Notes | str | Path | None = None, *,
                   check_coverage: bool = True) -> tuple[list[Question], list[Problem]]:
    """Like ``validate``, and the questions that were read whole (for bank-wide checks)."""
    questions, _notes, problems = _load(paths, notes, check_coverage)
    return questions, problems


# ---------------------------------------------------------------------------------------------
# Files or folders of questions: one path, several, or None for the repository's own quizzes.
_Paths = Iterable[str | Path] | str | os.PathLike[str] | None


def _display_path(path: Path) -> str:
    """Default files are shown relative to the working directory when they are inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _question_files(paths: _Paths, problems: list[Problem]) -> list[tuple[Path, str]]:
    shown: Callable[[Path], str]
    if paths is None:
        paths = [DEFAULT_QUIZZES_DIR]
        shown = _display_path
    else:
        paths = [Path(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
        shown = str
    files: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                problems.append(Problem(shown(path), 1, "", "no question files (*.yaml) here"))
            files.extend((file, shown(file)) for file in found)
        elif path.is_file():
            files.append((path, shown(path)))
        else:
            problems.append(Problem(shown(path), 1, "", "file not found"))
    return files


def _resolve_notes(notes: Notes | str | Path | None, problems: list[Problem]) -> Notes | None:
    if isinstance(notes, Notes):
        return notes
    try:
        return load_notes(notes)
    except (OSError, UnicodeDecodeError) as err:
        where = str(notes) if notes is not None else _display_path(REPO_ROOT / "notes")
        problems.append(Problem(where, 1, "", f"cannot read the notes: {err}"))
        return None


def _load(paths: _Paths, notes: Notes | str | Path | None,
          check_coverage: bool) -> tuple[list[Question], Notes | None, list[Problem]]:
    problems: list[Problem] = []
    files = _question_files(paths, problems)
    notes_obj = _resolve_notes(notes, problems)
    # the notes are named as the caller gave them; the default relative to the working directory
    notes_shown = None
    if notes_obj is not None:
        notes_shown = _display_path(notes_obj.path) if notes is None else str(notes_obj.path)
    questions: list[Question] = []
    first_seen: dict[str, Question] = {}
    for path, shown in files:
        for question in _read_file(path, shown, notes_obj, notes_shown, problems):
            earlier = first_seen.get(question.id)
            if earlier is not None:
                problems.append(Problem(
                    shown, question.line, "",
                    f"duplicate question id '{question.id}' "
                    f"(first defined at {earlier.file}:{earlier.line})"))
                continue
            first_seen[question.id] = question
            questions.append(question)
    if check_coverage and notes_obj is not None and notes_shown is not None and not any(
            p.message.startswith("cannot read") for p in problems):
        covered = {question.anchor for question in questions}
        for section in notes_obj.content_sections:
            if section.anchor not in covered:
                problems.append(Problem(
                    notes_shown, section.line, "",
                    f"section '{section.title}' (#{section.anchor}) has content but no question"))
    return questions, notes_obj, problems


def _read_file(path: Path, shown: str, notes: Notes | None, notes_shown: str | None,
               problems: list[Problem]) -> list[Question]:
    data, found = load_file(path, shown)
    problems.extend(found)
    if data is None:
        if not found:
            problems.append(Problem(shown, 1, "",
                                    "the file is empty; expected a list of questions"))
        return []
    if not isinstance(data, YamlSeq):
        line = getattr(data, "line", 1)
        problems.append(Problem(shown, line, "", "expected a list of questions at the top level, "
                                                 f"not {describe(data)}"))
        return []
    questions: list[Question] = []
    for index, raw in enumerate(data):
        if not isinstance(raw, YamlMap):
            problems.append(Problem(shown, data.line_of(index), "",
                                    f"question #{index + 1} must be a mapping, not "
                                    f"{describe(raw)}"))
            continue
        question = _read_question(shown, raw, index, notes, notes_shown, problems)
        if question is not None:
            questions.append(question)
    return questions


def _read_question(file: str, raw: YamlMap, index: int, notes: Notes | None,
                   notes_shown: str | None, problems: list[Problem]) -> Question | None:
    reader = QuestionReader(file, raw, index, problems)
    qid = reader.identifier(raw, "id")
    type_name = reader.string(raw, "type")
    kind = None
    if type_name is not None:
        kind = KINDS.get(type_name)
        if kind is None:
            reader.report(raw.line_of("type"),
                          f"field 'type' must be one of {', '.join(sorted(KINDS))}, "
                          f"not '{type_name}'")
    allowed = list(COMMON_FIELDS) + (list(kind.fields) if kind else
                                     sorted({f for k in KINDS.values() for f in k.fields}))
    reader.known_keys(raw, allowed)

    section_ref = reader.string(raw, "section")
    section = _find_section(reader, raw, section_ref, notes, notes_shown) if section_ref else None
    difficulty = reader.get(raw, "difficulty")
    valid_difficulty = type(difficulty) is int and difficulty in (1, 2, 3)
    if difficulty is not MISSING and not valid_difficulty:
        reader.report(raw.line_of("difficulty"),
                      f"field 'difficulty' must be 1, 2 or 3, not {describe(difficulty)}")
    tags = _tags(reader, raw)
    prompt = reader.text(raw, "prompt")
    explanation = reader.text(raw, "explanation")
    parts = kind.parse(reader, raw) if kind else None
    # (a missing section or a bad difficulty was reported, so reader.ok is False for them too)
    if not reader.ok or qid is None or kind is None or parts is None or section_ref is None \
            or not isinstance(difficulty, int):
        return None
    return Question(
        id=qid, section=section_ref, type=kind.name, difficulty=difficulty, tags=tags,
        prompt=prompt or Text("", ""), explanation=explanation or Text("", ""), file=file,
        line=raw.line, anchor=section.anchor if section else None,
        section_title=section.title if section else None, parts=parts)


def _tags(reader: QuestionReader, raw: YamlMap) -> tuple[str, ...]:
    value = reader.get(raw, "tags")
    if value is MISSING:
        return ()
    if not isinstance(value, YamlSeq) or not all(isinstance(tag, str) and tag for tag in value):
        reader.report(raw.line_of("tags"),
                      f"field 'tags' must be a list of texts, not {describe(value)}")
        return ()
    odd = [tag for tag in value if not ID_PATTERN.match(tag)]
    if odd:
        reader.report(raw.line_of("tags"),
                      f"field 'tags' must hold kebab-case words (a-z, 0-9 and '-'), not "
                      f"{', '.join(repr(tag) for tag in odd)}")
        return ()
    return tuple(value)


def _find_section(reader: QuestionReader, raw: YamlMap, ref: str, notes: Notes | None,
                  where: str | None) -> Section | None:
    if notes is None:
        return None
    section = notes.find(ref)
    if section is None:
        candidates = notes.titles() + [s.anchor for s in notes.sections]
        close = difflib.get_close_matches(ref, candidates, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        reader.report(raw.line_of("section"),
                      f"field 'section' names '{ref}', which is not a heading in {where}{hint}")
        return None
    if not section.has_content:
        reader.report(raw.line_of("section"),
                      f"field 'section' names '{ref}', a heading with no content in {where}")
        return None
    return section
