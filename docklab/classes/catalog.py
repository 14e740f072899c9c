"""What a class can be assigned: the labs (from grader/) and the quiz sections (from the quiz
content), reduced to what the class pages need. The one place that knows the other areas'
shapes."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from ..i18n import current_lang
from ..labs.catalog import all_labs
from ..library import current as current_content


@dataclass(frozen=True)
class Item:
    """A board column: a lab or a quiz section."""

    kind: str  # "lab" or "section"
    ref: str  # lab id or section anchor
    title_ko: str
    title_en: str

    @cached_property  # read for every cell of the board
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def title(self) -> str:
        return self.title_en if current_lang() == "en" else self.title_ko


@dataclass(frozen=True)
class LabInfo:
    item: Item
    section: str | None
    checks: tuple[str, ...]  # check ids in the lab's order (the funnel's steps)


@dataclass(frozen=True)
class SectionInfo:
    item: Item
    question_ids: tuple[str, ...]
    chapter: str = ""  # title of the top-level heading it sits under (the board groups by it)
    label: str = ""  # the title, or "parent › title" where another section has the same title


_lab_cache: dict[int, tuple[object, tuple[LabInfo, ...]]] = {}


def _all_labs() -> tuple[LabInfo, ...]:
    """The labs the app serves (loaded and validated once by the labs area), in file order."""
    loaded = all_labs()
    cached = _lab_cache.get(id(loaded))
    if cached is not None and cached[0] is loaded:
        return cached[1]
    found = tuple(LabInfo(Item("lab", lab.id, lab.titles.ko, lab.titles.en), lab.section or None,
                          tuple(check.id for check in lab.checks)) for lab in loaded.values())
    _lab_cache[id(loaded)] = (loaded, found)
    return found


def labs() -> list[LabInfo]:
    return list(_all_labs())


def lab(lab_id: str) -> LabInfo | None:
    return next((info for info in _all_labs() if info.item.ref == lab_id), None)


def sections() -> list[SectionInfo]:
    """Note sections that have questions, in the notes' order."""
    return list(_sections_of(current_content().bank))


_section_cache: dict[int, tuple[object, tuple[SectionInfo, ...]]] = {}


def _sections_of(bank) -> tuple[SectionInfo, ...]:
    # Keyed by the bank object: content is loaded once per process and replaced when edited.
    cached = _section_cache.get(id(bank))
    if cached is not None and cached[0] is bank:
        return cached[1]
    found = []
    counted = [(section, count) for section, count in bank.section_counts() if count]
    by_anchor = {section.anchor: section for section in (bank.notes.sections if bank.notes
                                                         else [])}
    titles = Counter(section.title.strip() for section, _count in counted)
    for section, _count in counted:
        ids = tuple(question.id for question in bank.by_section(section.anchor))
        chapter = section
        while chapter.parent and chapter.parent in by_anchor:
            chapter = by_anchor[chapter.parent]
        parent = by_anchor.get(section.parent or "")
        label = section.title.strip()
        if titles[label] > 1 and parent is not None:
            label = f"{parent.title.strip()} › {label}"
        found.append(SectionInfo(Item("section", section.anchor, section.title, section.title),
                                 ids, chapter.title.strip(),
                                 label))
    _section_cache[id(bank)] = (bank, tuple(found))
    return tuple(found)


def section(anchor: str) -> SectionInfo | None:
    return next((info for info in _sections_of(current_content().bank)
                 if info.item.ref == anchor), None)


def question(question_id: str):
    return current_content().bank.get(question_id)
