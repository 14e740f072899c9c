"""Lab files (YAML) → `Lab` objects, with every problem reported at once as `file:line: field:
message`. The YAML and its lines come from grader/yamlsrc.py (the loader quiz content uses too),
so errors point at the exact key.

A lab's `section` is checked against the notes the caller passes (`sections=`): the loader never
looks for notes itself. The web app passes its content's notes; `python -m grader` finds the notes
of the content a labs directory belongs to (grader/cli.py)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from .checks import REGISTRY
from .checks.base import Check, Param
from .checks.selection import SELECTOR_KEYS, ContainerCheck
from .model import LANGS, AntiSolution, CheckSpec, Lab, SetupItem, Solution, Text
from .notes import Notes
from .yamlsrc import FieldPath, Problem, field_name, line_at, load_file, plain

REPO = Path(__file__).resolve().parent.parent
LABS_DIR = REPO / "labs"
LAB_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MIN_ANTI_SOLUTIONS = 3

# field -> (required, allowed types)
# `section` is checked separately: required (a section of the notes) when the content has notes,
# optional (any text, or null) for external labs whose content has none.
LAB_FIELDS = {"id": (True, str), "section": (False, (str, type(None))), "title": (True, dict),
              "instructions": (True, dict), "exec_checks": (False, bool), "checks": (True, list),
              "order": (False, int), "setup": (False, list),
              "solution": (True, dict), "anti_solutions": (True, list)}
CHECK_FIELDS = {"id": (True, str), "kind": (True, str), "points": (False, int),
                "title": (False, dict), "hint": (True, dict), "needs": (False, list),
                "params": (False, dict)}
SOLUTION_FIELDS = {"commands": (False, list), "dockerfile": (False, str),
                   "build_tag": (False, str), "setup": (False, list)}
SETUP_FIELDS = {"dir": (False, str), "file": (False, str), "content": (False, str)}
ANTI_FIELDS = {**SOLUTION_FIELDS, "description": (True, str), "fails": (True, (str, list)),
               "expect": (False, str), "host": (False, str), "says": (False, dict)}
TYPE_WORDS = {str: "text", int: "a whole number", bool: "true/false", list: "a list",
              dict: "a mapping", type(None): "null"}

_AnySolution = TypeVar("_AnySolution", bound=Solution)


class LabFileError(Exception):
    """One or more lab files are invalid; `.problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


class _File:
    """One file being validated: its data (with lines, from yamlsrc) and the problems."""

    def __init__(self, path: Path, data: object, problems: list[Problem]) -> None:
        self.path = path
        self.name = str(path)
        self.data = data
        self.problems = list(problems)
        # one problem per field: no cascades from the first one (the YAML's own included)
        self._reported = {problem.field for problem in problems}

    def line(self, path: FieldPath) -> int:
        return line_at(self.data, path)

    def problem(self, path: FieldPath, message: str) -> None:
        field = field_name(path)
        if field in self._reported:
            return
        self._reported.add(field)
        self.problems.append(Problem(self.name, self.line(path), field, message))

    def fields(self, data: object, path: FieldPath, schema: dict[str, Any]) -> bool:
        """Required/unknown/typed fields of one mapping; False when it is not a mapping."""
        if not isinstance(data, dict):
            self.problem(path, "expected a mapping")
            return False
        for key in data:
            if key not in schema:
                self.problem((*path, key), f"unknown field{_did_you_mean(key, schema)}")
        for key, (required, kind) in schema.items():
            if key not in data:
                if required:
                    self.problem((*path, key), "required field is missing")
                continue
            value = data[key]
            kinds = kind if isinstance(kind, tuple) else (kind,)
            if not isinstance(value, kinds) or (kind is int and isinstance(value, bool)):
                self.problem((*path, key),
                             "expected " + " or ".join(TYPE_WORDS[k] for k in kinds))
        return True

    def text(self, data: dict[str, Any], path: FieldPath) -> Text | None:
        value = data.get(path[-1])
        if not isinstance(value, dict):
            return None
        ok = True
        for key in value:
            if key not in LANGS:
                self.problem((*path, key),
                             f"unknown language (use ko and en){_did_you_mean(key, LANGS)}")
                ok = False
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                word = "Korean" if lang == "ko" else "English"
                self.problem((*path, lang), f"missing {word} text")
                ok = False
        return Text(value["ko"].strip(), value["en"].strip()) if ok else None


def _section(file: _File, section: object, sections: Notes | None) -> None:
    """With notes, `section` names one of their sections, by heading text or anchor: the same
    `Notes.find` that checks a question's section. Without notes it is free."""
    if sections is None:
        return
    if not isinstance(section, str):
        file.problem(("section",), "required field is missing (a heading of the notes)"
                     if section is None else "expected text")
    elif sections.find(section) is None:
        names = dict.fromkeys([*sections.titles(), *(s.anchor for s in sections.sections)])
        file.problem(("section",), f"no heading `{section}` in {sections.path.name}"
                                   f"{_did_you_mean(section, names)}")


def _check_params(file: _File, kind: type[Check], params: dict[str, Any],
                  path: FieldPath) -> None:
    ok = _typed(file, params, kind.params, path)
    selector = params.get("container")
    if issubclass(kind, ContainerCheck) and isinstance(selector, dict):
        ok = _typed(file, selector, SELECTOR_KEYS, (*path, "container")) and ok
    if ok:
        for field, message in kind.validate(params):
            file.problem((*path, *field.split(".")), message)


def _typed(file: _File, values: dict[str, Any], schema: dict[str, Param],
           path: FieldPath) -> bool:
    ok = True
    for key, value in values.items():
        if key not in schema:
            file.problem((*path, key), f"unknown parameter{_did_you_mean(key, schema)}")
            ok = False
        elif (problem := schema[key].problem(value)) is not None:
            file.problem((*path, key), problem)
            ok = False
    for key, param in schema.items():
        if param.required and key not in values:
            file.problem((*path, key), "required parameter is missing")
            ok = False
    return ok


def _checks(file: _File, data: dict[str, Any],
            exec_allowed: bool) -> tuple[list[CheckSpec], list[str]]:
    """The valid checks, and every id declared (so one bad check does not cascade)."""
    checks: list[CheckSpec] = []
    seen: list[str] = []
    raw = data.get("checks")
    if not isinstance(raw, list):
        return [], []
    if not raw:
        file.problem(("checks",), "a lab needs at least one check")
    for index, item in enumerate(raw):
        path = ("checks", index)
        if not file.fields(item, path, CHECK_FIELDS):
            continue
        check_id, kind_name = item.get("id"), item.get("kind")
        earlier = list(seen)
        if isinstance(check_id, str):
            if check_id in seen:
                file.problem((*path, "id"), f"duplicate check id `{check_id}`")
            seen.append(check_id)
        kind = REGISTRY.get(kind_name) if isinstance(kind_name, str) else None
        if isinstance(kind_name, str) and kind is None:
            file.problem((*path, "kind"),
                         f"unknown check kind `{kind_name}`{_did_you_mean(kind_name, REGISTRY)}")
        if kind is not None and not kind.read_only and not exec_allowed:
            file.problem((*path, "kind"), f"`{kind_name}` runs commands in containers; "
                                          "the lab must say `exec_checks: true`")
        params = plain(item.get("params", {}))  # checks see plain data (their lines: file.line)
        if kind is not None and isinstance(params, dict):
            _check_params(file, kind, params, (*path, "params"))
        needs = item.get("needs", [])
        for n, need in enumerate(needs if isinstance(needs, list) else []):
            if need not in earlier:
                later = any(isinstance(c, dict) and c.get("id") == need for c in raw)
                reason = ("must name an earlier check" if later else
                          f"unknown check id `{need}`{_did_you_mean(need, earlier)}")
                file.problem((*path, "needs", n), reason)
        points = item.get("points", 1)
        if isinstance(points, int) and points < 0:
            file.problem((*path, "points"), "points cannot be negative")
        hint = file.text(item, (*path, "hint"))
        title = file.text(item, (*path, "title")) if "title" in item else None
        if hint and kind and isinstance(check_id, str) and isinstance(params, dict):
            checks.append(CheckSpec(check_id, kind_name, points, hint, params,
                                    tuple(needs) if isinstance(needs, list) else (),
                                    file.line(path), title))
    return checks, seen


def _setup(file: _File, raw: object, path: FieldPath) -> tuple[SetupItem, ...] | None:
    """`setup:` items: `{dir: a/b}` or `{file: a/b.txt, content: ...}`, relative paths that stay
    inside the work directory."""
    if not isinstance(raw, list):
        return None
    items: list[SetupItem] = []
    for index, item in enumerate(raw):
        where = (*path, index)
        if not file.fields(item, where, SETUP_FIELDS):
            continue
        kinds = [key for key in ("dir", "file") if key in item]
        if len(kinds) != 1:
            file.problem(where, "give `dir: PATH` or `file: PATH` (one of them)")
            continue
        name = item[kinds[0]]
        if not isinstance(name, str):
            continue
        parts = name.replace("\\", "/").split("/")
        if not name.strip() or name.startswith("/") or ".." in parts or "~" in name:
            file.problem((*where, kinds[0]),
                         "expected a relative path inside the work directory (no `/` at the "
                         "start, no `..`)")
            continue
        if "content" in item and kinds[0] == "dir":
            file.problem((*where, "content"), "`content` goes with `file`, not `dir`")
            continue
        content = item.get("content", "") if kinds[0] == "file" else None
        items.append(SetupItem(name.strip().rstrip("/"), content))
    return tuple(items)


def _solution(file: _File, item: Any, path: FieldPath, schema: dict[str, Any],
              cls: type[_AnySolution], **extra: Any) -> _AnySolution | None:
    if not file.fields(item, path, schema):
        return None
    setup = _setup(file, item.get("setup"), (*path, "setup")) if "setup" in item else None
    commands = item.get("commands", [])
    if isinstance(commands, list):
        for index, command in enumerate(commands):
            if not isinstance(command, str) or not command.strip().startswith("docker "):
                file.problem((*path, "commands", index), "expected a `docker ...` command")
    if not commands and "dockerfile" not in item and "host" not in item:
        file.problem(path, "give `commands` and/or a `dockerfile`")
    if ("dockerfile" in item) != ("build_tag" in item):
        file.problem((*path, "build_tag"), "`dockerfile` and `build_tag` go together")
    return cls(tuple(commands) if isinstance(commands, list) else (), item.get("dockerfile"),
               item.get("build_tag"), setup, **extra)


def _anti_solutions(file: _File, data: dict[str, Any], check_ids: set[str]) -> list[AntiSolution]:
    raw = data.get("anti_solutions")
    if not isinstance(raw, list):
        return []
    if len(raw) < MIN_ANTI_SOLUTIONS:
        file.problem(("anti_solutions",), f"give at least {MIN_ANTI_SOLUTIONS} anti-solutions "
                                          f"(found {len(raw)})")
    result: list[AntiSolution] = []
    for index, item in enumerate(raw):
        path = ("anti_solutions", index)
        if not isinstance(item, dict):
            file.problem(path, "expected a mapping")
            continue
        fails, expect = item.get("fails"), item.get("expect", "fail")
        # `fails: ID`, or `fails: [ID, ...]` when one mistake fails several checks (each must).
        failing = [fails] if isinstance(fails, str) else fails if isinstance(fails, list) else []
        if isinstance(fails, list) and not fails:
            file.problem((*path, "fails"), "name at least one check id")
        for n, check_id in enumerate(failing):
            where = (*path, "fails") if isinstance(fails, str) else (*path, "fails", n)
            if not isinstance(check_id, str):
                file.problem(where, "expected a check id (text)")
            elif check_id not in check_ids:
                file.problem(where,
                             f"unknown check id `{check_id}`{_did_you_mean(check_id, check_ids)}")
        if expect not in ("fail", "error"):
            file.problem((*path, "expect"), "must be `fail` or `error`")
        says = file.text(item, (*path, "says")) if "says" in item else None
        anti = _solution(file, item, path, ANTI_FIELDS, AntiSolution,
                         description=str(item.get("description", "")),
                         fails=tuple(str(f) for f in failing),
                         expect=str(expect), host=item.get("host"), says=says)
        if anti is not None:
            result.append(anti)
    return result


def load_lab_file(path: str | Path,
                  sections: Notes | None = None) -> tuple[Lab | None, list[Problem]]:
    """Parse and validate one lab file: (the lab or None, every problem found). With `sections`
    (the notes of the lab's content), `section` must name one of their sections, by heading text
    or anchor; without (content that has no notes) it may be any text, null or absent."""
    file_path = Path(path)
    data, yaml_problems = load_file(file_path)
    if data is None:
        return None, yaml_problems or [Problem(str(file_path), 1, "", "the file is empty")]
    file = _File(file_path, data, yaml_problems)
    if not file.fields(data, (), LAB_FIELDS):
        return None, file.problems
    assert isinstance(data, dict)  # (fields() said so)
    lab_id = data.get("id")
    if isinstance(lab_id, str):
        if not LAB_ID.match(lab_id):
            file.problem(("id",), "use lowercase letters, digits and dashes")
        elif lab_id != file.path.stem:
            file.problem(("id",), f"must match the file name `{file.path.stem}`")
    section = data.get("section")
    _section(file, section, sections)
    title = file.text(data, ("title",))
    instructions = file.text(data, ("instructions",))
    checks, check_ids = _checks(file, data, data.get("exec_checks") is True)
    solution = _solution(file, data.get("solution"), ("solution",), SOLUTION_FIELDS, Solution) \
        if "solution" in data else None
    anti = _anti_solutions(file, data, set(check_ids))
    setup = _setup(file, data.get("setup"), ("setup",)) or ()
    if file.problems:
        return None, file.problems
    # No problems: every required field was read (each None above came with a problem).
    assert title is not None and instructions is not None and solution is not None
    assert isinstance(lab_id, str)
    lab = Lab(id=lab_id, section=section.strip() if isinstance(section, str) else None,
              titles=title, instructions_text=instructions,
              checks=tuple(checks), solution=solution, anti_solutions=tuple(anti),
              exec_checks=data.get("exec_checks", False), source=file.name,
              order=data.get("order"), setup=setup)
    return lab, []


def lab_files(paths: Iterable[str | Path]) -> list[Path]:
    """The lab files among `paths`: each directory's *.yaml and *.yml, files as given."""
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
                     if path.is_dir() else [path])
    return files


def validate_paths(paths: Iterable[str | Path], sections: Notes | None = None) -> list[Problem]:
    """Every problem in the given lab files and directories (empty when all are valid);
    sections are checked against the notes `sections` (None: not at all)."""
    problems: list[Problem] = []
    for path in lab_files(paths):
        problems.extend(load_lab_file(path, sections)[1])
    return problems


def load_labs(directory: str | Path | None = None,
              sections: Notes | None = None) -> dict[str, Lab]:
    """All labs of a directory (default: the repository's `labs/`), by id, in learning order:
    by each lab's `order` (labs without one come after, in file order). Sections are checked
    against the notes `sections` (None: not at all)."""
    labs, problems = {}, []
    for path in lab_files([directory or LABS_DIR]):
        lab, found = load_lab_file(path, sections)
        problems.extend(found)
        if lab is not None:
            labs[lab.id] = lab
    if problems:
        raise LabFileError(problems)
    ranked = sorted(enumerate(labs.values()),
                    key=lambda item: (item[1].order is None, item[1].order or 0, item[0]))
    return {lab.id: lab for _, lab in ranked}
