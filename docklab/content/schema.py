"""Reading one question mapping from YAML, reporting every problem with its line and field."""
from __future__ import annotations

import difflib
import re

from grader.yamlsrc import YamlMap, YamlSeq

from .model import Option, Problem, Text

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MISSING = object()


def describe(value: object) -> str:
    """How a value looks, for 'must be X, not Y' messages."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')" if len(value) <= 40 else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class QuestionReader:
    """Collects problems for one question; every message names the question and the field."""

    def __init__(self, file: str, raw: YamlMap, index: int, problems: list[Problem]):
        self.file = file
        self.raw = raw
        self.problems = problems
        qid = raw.get("id")
        named = isinstance(qid, str) and qid
        self.label = f"question '{qid}'" if named else f"question #{index + 1}"
        self.count_before = len(problems)

    @property
    def ok(self) -> bool:
        return len(self.problems) == self.count_before

    def report(self, line: int, message: str) -> None:
        # The question is the field: `file:line: question 'id': <what is wrong, naming the key>`
        self.problems.append(Problem(self.file, line, self.label, message))

    # -- structure -------------------------------------------------------------------------
    def known_keys(self, mapping: YamlMap, allowed: list[str], prefix: str = "") -> None:
        for key in mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                suggestion = f" (did you mean '{prefix}{hint[0]}'?)" if hint else ""
                self.report(mapping.line_of(key),
                            f"unknown field '{prefix}{key}'{suggestion}")

    def get(self, mapping: YamlMap, key: str, prefix: str = "", *, required: bool = True,
            missing_line: int | None = None) -> object:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
        if required:
            line = mapping.line_of(key) if key in mapping else (missing_line or mapping.line)
            what = "is empty" if key in mapping else "is missing"
            self.report(line, f"required field '{prefix}{key}' {what}")
        return MISSING

    def mapping(self, parent: YamlMap, key: str, prefix: str = "", *, required: bool = True,
                missing_line: int | None = None) -> YamlMap | None:
        value = self.get(parent, key, prefix, required=required, missing_line=missing_line)
        if value is MISSING:
            return None
        if not isinstance(value, YamlMap):
            self.report(parent.line_of(key),
                        f"field '{prefix}{key}' must be a mapping, not {describe(value)}")
            return None
        return value

    def sequence(self, parent: YamlMap, key: str, prefix: str = "", *, min_items: int = 1,
                 required: bool = True) -> YamlSeq | None:
        value = self.get(parent, key, prefix, required=required)
        if value is MISSING:
            return None
        if not isinstance(value, YamlSeq):
            self.report(parent.line_of(key),
                        f"field '{prefix}{key}' must be a list, not {describe(value)}")
            return None
        if len(value) < min_items:
            self.report(parent.line_of(key),
                        f"field '{prefix}{key}' needs at least {min_items} entries, "
                        f"has {len(value)}")
            return None
        return value

    # -- values ----------------------------------------------------------------------------
    def string(self, parent: YamlMap, key: str, prefix: str = "", *, required: bool = True,
               missing_line: int | None = None) -> str | None:
        value = self.get(parent, key, prefix, required=required, missing_line=missing_line)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            self.report(parent.line_of(key),
                        f"field '{prefix}{key}' must be text, not {describe(value)}")
            return None
        if not value.strip():
            self.report(parent.line_of(key), f"required field '{prefix}{key}' is empty")
            return None
        return value.strip()

    def identifier(self, parent: YamlMap, key: str, prefix: str = "", *, required: bool = True,
                   missing_line: int | None = None) -> str | None:
        value = self.string(parent, key, prefix, required=required, missing_line=missing_line)
        if value is not None and not ID_PATTERN.match(value):
            self.report(parent.line_of(key),
                        f"field '{prefix}{key}' must be kebab-case (a-z, 0-9 and '-'), "
                        f"not '{value}'")
            return None
        return value

    def text(self, parent: YamlMap, key: str, prefix: str = "") -> Text | None:
        """A {ko, en} mapping; both required."""
        value = self.mapping(parent, key, prefix)
        if value is None:
            return None
        inner = f"{prefix}{key}."
        self.known_keys(value, ["ko", "en"], inner)
        line = parent.line_of(key)
        ko = self.string(value, "ko", inner, missing_line=line)
        en = self.string(value, "en", inner, missing_line=line)
        return Text(ko, en) if ko is not None and en is not None else None

    def options(self, parent: YamlMap, key: str, prefix: str = "", *, min_items: int = 2,
                required: bool = True) -> tuple[Option, ...] | None:
        """A list of {id, ko, en} with ids unique within the list."""
        seq = self.sequence(parent, key, prefix, min_items=min_items, required=required)
        if seq is None:
            return None
        options: list[Option] = []
        seen: dict[str, int] = {}
        complete = True
        for index, item in enumerate(seq):
            option = self.option(item, seq.line_of(index), f"{prefix}{key}[{index}]")
            if option is None:
                complete = False
                continue
            if option.id in seen:
                self.report(seq.line_of(index),
                            f"field '{prefix}{key}[{index}].id' repeats id '{option.id}' "
                            f"(already used at line {seen[option.id]})")
                complete = False
                continue
            seen[option.id] = seq.line_of(index)
            options.append(option)
        return tuple(options) if complete else None

    def option(self, item: object, line: int, path: str) -> Option | None:
        if not isinstance(item, YamlMap):
            self.report(line, f"field '{path}' must be a mapping with id, ko and en, "
                              f"not {describe(item)}")
            return None
        inner = f"{path}."
        self.known_keys(item, ["id", "ko", "en"], inner)
        option_id = self.identifier(item, "id", inner)
        ko = self.string(item, "ko", inner)
        en = self.string(item, "en", inner)
        if option_id is None or ko is None or en is None:
            return None
        return Option(option_id, Text(ko, en))
