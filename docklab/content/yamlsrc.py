"""Load YAML while keeping the line of every mapping key and list item.

Validators need to say *where* a problem is. PyYAML's composed nodes carry marks; we turn them into
plain dicts and lists that remember, per key or item, the 1-based line it was written on.
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


class YamlMap(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[Any, int]  # keys are YAML scalars: mostly text, sometimes numbers

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YamlSeq(list[Any]):
    """A list that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


@dataclass(frozen=True)
class YamlIssue:
    line: int
    message: str


class _ScalarConstructor(yaml.SafeLoader):
    """Only used to turn scalar nodes into Python values with YAML 1.1 safe semantics."""

    def __init__(self) -> None:  # no stream: we never read through it
        yaml.constructor.SafeConstructor.__init__(self)


_SCALARS = _ScalarConstructor()


def load_text(text: str) -> tuple[object, list[YamlIssue]]:
    """Parse one YAML document. Returns (data, issues); data is None on a syntax error."""
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
        return None, [YamlIssue(line, f"YAML syntax error: {what}")]
    except yaml.YAMLError as err:  # e.g. several documents in one file
        return None, [YamlIssue(1, f"YAML error: {err}")]
    if node is None:
        return None, []
    issues: list[YamlIssue] = []
    return _convert(node, issues), issues


def load_file(path: str | Path) -> tuple[object, list[YamlIssue]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return None, [YamlIssue(1, f"file is not UTF-8 text ({err.reason})")]
    return load_text(text)


def _convert(node: yaml.Node, issues: list[YamlIssue]) -> object:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = YamlMap()
        result.line, result.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, issues)
            key_line = key_node.start_mark.line + 1
            if isinstance(key, (YamlMap, YamlSeq)):
                issues.append(YamlIssue(key_line, "a mapping key must be a plain value"))
                continue
            if key == "<<":  # merge keys hide where a value came from; keep content explicit
                issues.append(YamlIssue(key_line, "YAML merge keys ('<<') are not supported"))
                continue
            if key in result:
                issues.append(YamlIssue(
                    key_line,
                    f"duplicate key '{key}' (first at line {result.key_lines[key]})",
                ))
                continue
            result[key] = _convert(value_node, issues)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YamlSeq()
        seq.line, seq.item_lines = line, []
        for item in node.value:
            seq.append(_convert(item, issues))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    try:
        return _SCALARS.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as err:
        issues.append(YamlIssue(line, f"YAML value error: {err.problem}"))
        return None
