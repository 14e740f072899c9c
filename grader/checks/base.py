"""The contract every check kind follows, and the parameter schema the loader enforces."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import imageref
from ..model import CheckStatus, Text
from ..snapshot import Snapshot

PASS, FAIL, ERROR, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.ERROR, CheckStatus.SKIP


@dataclass(frozen=True)
class Outcome:
    status: CheckStatus
    message: Text

    @classmethod
    def passed(cls, ko: str, en: str) -> Outcome:
        return cls(PASS, Text(ko, en))

    @classmethod
    def failed(cls, ko: str, en: str) -> Outcome:
        return cls(FAIL, Text(ko, en))


@dataclass(frozen=True)
class Param:
    """One parameter: its allowed Python types, whether it is required, allowed values."""

    types: tuple[type, ...]
    required: bool = False
    choices: tuple[Any, ...] = ()
    regex: bool = False  # must compile as a regular expression

    def problem(self, value: Any) -> str | None:
        if isinstance(value, bool) and bool not in self.types:
            return f"expected {self.describe()}, got a boolean"
        if not isinstance(value, self.types):
            return f"expected {self.describe()}, got {type(value).__name__}"
        if self.choices and value not in self.choices:
            return f"must be one of {', '.join(map(str, self.choices))}, not {value!r}"
        if self.regex:
            try:
                re.compile(str(value))
            except re.error as exc:
                return f"not a valid regular expression: {exc}"
        return None

    def describe(self) -> str:
        names = {str: "text", int: "a number", float: "a number", bool: "true/false",
                 list: "a list", dict: "a mapping"}
        return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in self.types))


TEXT = Param((str,))
REQUIRED_TEXT = Param((str,), required=True)
NUMBER = Param((int, float))
REFS = Param((list,))  # a list of image references, any of which will do (`any_of:`)


def reference_problems(params: dict[str, Any], one: str, many: str | None = None,
                       required: bool = True) -> list[tuple[str, str]]:
    """Problems with image references given as `one: REF` and/or `many: [REF, ...]`: exactly one
    of the two (when `many` is a key), each a valid reference. `one` may itself be a list when
    `many` is None (e.g. `base: [a, b]`)."""
    problems: list[tuple[str, str]] = []
    if many is not None and (one in params) == (many in params) and (required or one in params):
        problems.append((one, f"give `{one}` or `{many}`, not both" if one in params
                         else f"give `{one}` (one image) or `{many}` (a list of images)"))
    for key in (one, many):
        if not key:
            continue
        value = params.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not value:
            problems.append((key, "expected at least one image reference"))
        for item in items:
            if not isinstance(item, str):
                problems.append((key, f"expected image references (text), got {item!r}"))
                continue
            try:
                imageref.parse(item)
            except ValueError as exc:
                problems.append((key, str(exc)))
    return problems


def reference_list(params: dict[str, Any], *keys: str) -> list[str]:
    """The references under the first of `keys` present, always as a list."""
    for key in keys:
        if key in params:
            value = params[key]
            return list(value) if isinstance(value, list) else [value]
    return []


def listed(references: Iterable[str], word_ko: str = "또는",
           word_en: str = "or") -> tuple[str, str]:
    """`a`, `b` 또는 `c` / `a`, `b` or `c` (familiar names)."""
    names = [f"`{imageref.familiar(r)}`" for r in references]
    if len(names) == 1:
        return names[0], names[0]
    head = ", ".join(names[:-1])
    return f"{head} {word_ko} {names[-1]}", f"{head} {word_en} {names[-1]}"


REGISTRY: dict[str, type[Check]] = {}


class Check:
    """A check kind: `kind` is its name in lab files, `params` its schema.

    Defining a subclass with a `kind` registers it (a new kind is one class in one module);
    `validate` adds rules a flat schema cannot say; `run` reads the snapshot, never the host.
    """

    kind: ClassVar[str] = ""
    params: ClassVar[dict[str, Param]] = {}
    read_only: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__ and cls.kind:
            if cls.kind in REGISTRY:
                raise TypeError(f"check kind `{cls.kind}` is registered twice")
            REGISTRY[cls.kind] = cls

    def __init__(self, params: dict[str, Any]) -> None:
        self.p = params

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        """Extra (field, message) problems beyond types; empty when fine."""
        return []

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        """What `run` reads, as reads of an own-machine plan (`grader/plan.py`); None (the
        default) when the docker CLI's read-only commands cannot give it, so such a lab says it
        can't be checked on the learner's own computer rather than grade it wrongly."""
        return None

    def run(self, snapshot: Snapshot) -> Outcome:  # pragma: no cover - every kind overrides it
        raise NotImplementedError
