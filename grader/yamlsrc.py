"""One YAML loader and one `Problem` for every content file: lab files (grader/loader.py),
question files and the notes' annotations (docklab/content).

Validators must say *where* a problem is. PyYAML's composed nodes carry marks; `load_file` turns
them into plain dicts and lists (`YamlMap`, `YamlSeq`) that remember, per key or item, the 1-based
line it was written on, so a validator can point at any value (`line_at`). What is wrong with the
YAML itself (syntax, duplicate keys, tags) comes back as `Problem`s naming file, line and field.
The web package imports this module (grader/ never imports docklab), so it lives here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader]
try:  # the C composer is much faster and gives the same marks
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Keys and list indexes from the top of a document down to one value: ("checks", 1, "kind").
FieldPath = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file; `str()` reads `file:line: field: message`, or
    `file:line: message` when it concerns no one field (a YAML syntax error, an empty file)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        prefix = f"{where}: {self.field}" if self.field else where
        return f"{prefix}: {self.message}"


def field_name(path: FieldPath) -> str:
    """`("checks", 1, "kind")` -> `checks[1].kind`; `(0, "answer")` -> `[0].answer`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlMap(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[Any, int]  # keys are YAML scalars: mostly text, sometimes numbers

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YamlSeq(list[Any]):
    """A list that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_at(data: object, path: FieldPath) -> int:
    """The line of the value at `path`: a key's own line, a list item's line; for a path that
    goes further than the document does, the line of the last part that exists."""
    line: int = getattr(data, "line", 1)
    node = data
    for part in path:
        if isinstance(node, YamlMap) and not isinstance(part, (list, dict)) and part in node:
            line, node = node.line_of(part), node[part]
        elif (isinstance(node, YamlSeq) and isinstance(part, int) and not isinstance(part, bool)
              and 0 <= part < len(node)):
            line, node = node.line_of(part), node[part]
        else:
            break
    return line


def plain(data: object) -> Any:
    """The same data as built-in dicts and lists (for values kept after validation)."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    return data


class _ScalarConstructor(yaml.SafeLoader):
    """Only used to turn scalar nodes into Python values with YAML 1.1 safe semantics."""

    def __init__(self) -> None:  # no stream: we never read through it
        yaml.constructor.SafeConstructor.__init__(self)


_SCALARS = _ScalarConstructor()


def load_text(text: str, file: str) -> tuple[object, list[Problem]]:
    """Parse one YAML document named `file` in messages. Returns (data, problems); data is None
    on a syntax error and for an empty document (no problem then: what an empty file means is
    the caller's to say)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        context = err.context
        if context and err.context_mark is not None and err.context_mark.line + 1 != line:
            # e.g. an unclosed '{' is only noticed lines later: say where it started
            context = f"{context} (started at line {err.context_mark.line + 1})"
        what = ": ".join(part for part in (context, err.problem) if part)
        return None, [Problem(file, line, "", f"YAML syntax error: {what}")]
    except yaml.YAMLError as err:  # e.g. a reader error without a mark
        return None, [Problem(file, 1, "", f"YAML error: {err}")]
    if node is None:
        return None, []
    problems: list[Problem] = []
    return _convert(node, (), file, problems), problems


def load_file(path: str | Path, file: str | None = None) -> tuple[object, list[Problem]]:
    """`load_text` of a file; `file` is how messages name it (default: the path as given)."""
    shown = str(path) if file is None else file
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return None, [Problem(shown, 1, "", f"file is not UTF-8 text ({err.reason})")]
    except OSError as err:
        return None, [Problem(shown, 1, "", f"cannot read: {err}")]
    return load_text(text, shown)


def _convert(node: yaml.Node, path: FieldPath, file: str, problems: list[Problem]) -> object:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = YamlMap()
        result.line, result.key_lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = _convert(key_node, path, file, problems)
            if isinstance(key, (YamlMap, YamlSeq)):
                problems.append(Problem(file, key_line, field_name(path),
                                        "a mapping key must be a plain value"))
                continue
            if key == "<<":  # merge keys hide where a value came from; keep content explicit
                problems.append(Problem(file, key_line, field_name(path),
                                        "YAML merge keys ('<<') are not supported"))
                continue
            if key in result:  # keep the first value, so one mistake gives one problem
                problems.append(Problem(file, key_line, field_name((*path, key)),
                                        f"duplicate key (first at line {result.key_lines[key]})"))
                continue
            result[key] = _convert(value_node, (*path, key), file, problems)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YamlSeq()
        seq.line, seq.item_lines = line, []
        for index, item in enumerate(node.value):
            seq.append(_convert(item, (*path, index), file, problems))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    try:
        return _SCALARS.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as err:
        message = (f"unsupported YAML tag `{node.tag}`"  # e.g. `!secret x`: content is plain data
                   if "constructor for the tag" in str(err.problem) else
                   f"not a valid {node.tag.rsplit(':', 1)[-1]} value: {err.problem}")
    except ValueError as err:  # e.g. `!!int abc`
        message = f"not a valid {node.tag.rsplit(':', 1)[-1]} value: {err}"
    problems.append(Problem(file, line, field_name(path), message))
    return None
