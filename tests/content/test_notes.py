"""The notes as sections with anchors; what counts as a section with content."""
from __future__ import annotations

import unicodedata

from docklab.content import load_notes, parse_notes, slugify
from docklab.content.notes import DEFAULT_NOTES_PATH


def test_default_notes_path_is_in_the_repository():
    assert DEFAULT_NOTES_PATH.name == "docker-notes.ko.md"
    assert DEFAULT_NOTES_PATH.parent.name == "notes"


def test_slugs_keep_hangul_and_drop_punctuation():
    assert slugify("Docker는 무엇인가?") == "docker는-무엇인가"
    assert slugify("하이퍼바이저 (hypervisor)") == "하이퍼바이저-hypervisor"
    assert slugify("리눅스 컨테이너(LXC, Linux Container)") == "리눅스-컨테이너lxc-linux-container"


def test_real_notes_sections_and_empty_trailing_headings():
    notes = load_notes()
    titles = notes.titles()
    assert titles[:3] == ["Docker 이해", "Docker는 무엇인가?", "왜 도커를 써야 할까?"]
    empty = [s.title for s in notes.sections if not s.has_content]
    assert empty == ["Docker 이해", "VM 활용", "컨테이너 활용", "실습", "복습", "실습",
                     "오늘의 Docker (2026)"]
    assert len(notes.content_sections) == 28
    anchors = [s.anchor for s in notes.sections]
    assert len(anchors) == len(set(anchors))


def test_todays_docker_is_added_after_the_original_notes_which_stay_as_written():
    notes = load_notes()
    today = notes.find("오늘의 Docker (2026)")
    assert [s.title for s in notes.sections if s.parent == today.anchor] == [
        "Docker 설치하기", "볼륨과 바인드 마운트", "디스크 정리"]
    assert today.line > notes.find("복습").line  # after everything the author wrote
    # the author's lines are kept as written (the page hides local paths, see tests/web)
    assert "!(실습)[/Users/joseongeun/Desktop/docker1/mysql-1.png]" in notes.markdown
    assert notes.find("노트의 질문").body.startswith("Q. docker build 하면 어디에 올라가나?")


def test_duplicate_titles_get_numbered_anchors_and_find_prefers_content():
    notes = load_notes()
    machine = [s for s in notes.sections if s.title == "Docker Machine"]
    assert [(s.anchor, s.level, s.line) for s in machine] == [
        ("docker-machine", 2, 61), ("docker-machine-1", 3, 184)]
    assert notes.find("Docker Machine").anchor == "docker-machine"
    assert notes.find("docker-machine-1").parent == "vm-활용"
    practice = notes.find("실습")
    assert practice.level == 1 and practice.has_content
    assert "docker run --name myweb -d -P nginx" in practice.body
    assert [s.anchor for s in notes.sections if s.title == "실습"] == ["실습", "실습-1", "실습-2"]
    assert notes.find("없는 절") is None


def test_code_fences_are_not_headings_and_bodies_keep_markdown():
    notes = parse_notes("# A\n```\n# not a heading\n```\ntext\n## B\n")
    assert [s.title for s in notes.sections] == ["A", "B"]
    assert "# not a heading" in notes.sections[0].body
    assert not notes.sections[1].has_content


def test_decomposed_hangul_headings_are_found_composed():
    decomposed = unicodedata.normalize("NFD", "## 도커 이미지\n본문\n")
    notes = parse_notes(decomposed)
    assert notes.find("도커 이미지").anchor == "도커-이미지"
