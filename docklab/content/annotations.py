"""What the notes page adds to the author's notes, without changing the notes file.

The notes (``notes/docker-notes.ko.md``) stay exactly as their author wrote them. Next to them,
``notes/docker-notes.ko.2026.yaml`` holds boxes the page shows after a given line of a section:
"2026" corrections where the notes are dated or wrong, and the answers to the notes' own
``Q.`` lines::

    callouts:
      - section: 도커 실행하기            # heading text or anchor, as questions use it
        after: hello-world 컨테이너가 없으면 컨테이너를 다운 받아 온다.   # one whole line
        kind: correction               # correction (a "2026" box) | answer
        ko: 받아 오는 것은 이미지입니다 ...
        en: What is downloaded is the image ...

Rendering (``section_blocks``) also hides the author's local file paths: a screenshot line such
as ``!(실습)[/Users/name/Desktop/x.png]`` is shown as "screenshot: x.png", since the image was
never part of the notes and the path says nothing to a reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from grader.yamlsrc import YamlMap, YamlSeq, load_file

from .model import Problem, Text
from .notes import Notes, Section

KINDS = ("correction", "answer")

# `!(alt)[path]` (the notes' own spelling) and Markdown's `![alt](path)`, on a line of their own
_SCREENSHOT = re.compile(r"^\s*!(?:\((?P<alt1>[^)]*)\)\[(?P<path1>[^\]]+)\]|"
                         r"\[(?P<alt2>[^\]]*)\]\((?P<path2>[^)]+)\))\s*$")
_LOCAL_PATH = re.compile(r"^(?:/Users/|/home/|/root/|~/|file:|[A-Za-z]:[\\/])")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Callout:
    anchor: str  # the section it belongs to
    after: str  # the line (stripped) it follows
    kind: str  # correction | answer
    text: Text


@dataclass(frozen=True)
class Block:
    """One piece of a rendered section: Markdown of the notes, or a callout."""

    kind: str  # "markdown", "correction" or "answer"
    text: str


def annotations_path(notes_path: Path) -> Path:
    return notes_path.with_suffix(".2026.yaml")


def load_annotations(path: Path, notes: Notes) -> tuple[list[Callout], list[Problem]]:
    """Callouts from ``path`` checked against ``notes``; a missing file means none."""
    if not path.exists():
        return [], []
    shown = str(path)
    data, problems = load_file(path, shown)
    if data is None:
        return [], problems
    if not isinstance(data, YamlMap) or not isinstance(data.get("callouts"), YamlSeq):
        problems.append(Problem(shown, getattr(data, "line", 1), "",
                                "expected a mapping with a list under 'callouts'"))
        return [], problems
    callouts: list[Callout] = []
    entries = data["callouts"]
    for index, entry in enumerate(entries):
        line = entries.line_of(index)
        callout = _read_callout(entry, line, notes, shown, problems)
        if callout is not None:
            callouts.append(callout)
    return callouts, problems


def _read_callout(entry: object, line: int, notes: Notes, shown: str,
                  problems: list[Problem]) -> Callout | None:
    def report(message: str, at: int = line) -> None:
        problems.append(Problem(shown, at, "", f"callout #{line}: {message}"))

    if not isinstance(entry, YamlMap):
        report("must be a mapping with section, after, ko and en")
        return None
    unknown = sorted(set(entry) - {"section", "after", "kind", "ko", "en"})
    if unknown:
        report(f"unknown field(s): {', '.join(map(str, unknown))}")
        return None
    values = {key: entry.get(key) for key in ("section", "after", "ko", "en")}
    texts: dict[str, str] = {key: value for key, value in values.items()
                             if isinstance(value, str) and value.strip()}
    missing = [key for key in values if key not in texts]
    if missing:
        report(f"needs text in {', '.join(missing)}")
        return None
    kind = entry.get("kind", "correction")
    if kind not in KINDS:
        report(f"field 'kind' must be one of {', '.join(KINDS)}, not {kind!r}",
               entry.line_of("kind"))
        return None
    section = notes.find(texts["section"])
    if section is None:
        report(f"section '{texts['section']}' is not a heading of the notes",
               entry.line_of("section"))
        return None
    after = texts["after"].strip()
    if _line_index(section, after) is None:
        report(f"section '{section.title}' has no line '{after}' outside code blocks",
               entry.line_of("after"))
        return None
    return Callout(section.anchor, after, kind, Text(texts["ko"].strip(), texts["en"].strip()))


def _line_index(section: Section, after: str) -> int | None:
    """Index of the body line equal to ``after`` (stripped), never inside a fenced block: a box
    there would cut the code in two."""
    in_fence = False
    for index, line in enumerate(section.body.splitlines()):
        stripped = line.strip()
        if _FENCE.match(line) and stripped.count("```") + stripped.count("~~~") == 1:
            in_fence = not in_fence
            continue
        if not in_fence and stripped == after:
            return index
    return None


def _screenshot_line(line: str, lang: str) -> str:
    match = _SCREENSHOT.match(line)
    if match is None:
        return line
    path = match["path1"] or match["path2"]
    if not _LOCAL_PATH.match(path):
        return line
    name = PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    alt = (match["alt1"] or match["alt2"] or "").strip()
    label = f"{alt}: {name}" if alt else name
    if lang == "en":
        text = f"*(screenshot {label}, kept on the author's computer)*"
    else:
        text = f"*(스크린샷 {label}, 작성자의 컴퓨터에만 있음)*"
    return f"\n{text}\n"  # a paragraph of its own, not run into the author's next line


def section_blocks(section: Section, callouts: list[Callout], lang: str = "ko") -> list[Block]:
    """The section body as Markdown blocks with its callouts placed after their lines, and
    screenshot lines that point into the author's computer reduced to the file name."""
    lines = [_screenshot_line(line, lang) for line in section.body.splitlines()]
    after: dict[int, list[Callout]] = {}
    for callout in callouts:
        if callout.anchor == section.anchor:
            index = _line_index(section, callout.after)
            if index is not None:
                after.setdefault(index, []).append(callout)
    blocks: list[Block] = []
    start = 0
    for index in sorted(after):
        chunk = "\n".join(lines[start:index + 1]).strip("\n")
        if chunk.strip():
            blocks.append(Block("markdown", chunk))
        blocks.extend(Block(c.kind, c.text.get(lang)) for c in after[index])
        start = index + 1
    rest = "\n".join(lines[start:]).strip("\n")
    if rest.strip():
        blocks.append(Block("markdown", rest))
    return blocks
