"""The notes page's additions (notes/docker-notes.ko.2026.yaml): 2026 boxes placed after a line of
the author's notes, answers to the notes' own questions, local screenshot paths hidden."""
from __future__ import annotations

from docklab.content import load_notes, parse_notes
from docklab.content.annotations import (
    annotations_path,
    load_annotations,
    section_blocks,
)

NOTES = parse_notes(
    "## 실습\n"
    "``` docker run -d mysql:5.6 ```\n"
    "한번 뜨고 죽으면 안되고 데몬모드여야 하기 때문에 -d\n"
    "!(실습)[/Users/someone/Desktop/docker1/mysql-1.png]\n"
    "docker rm $(docker ps -al)\n"
    "```\n"
    "inside a fence\n"
    "```\n"
    "## 노트의 질문\n"
    "Q. docker build 하면 어디에 올라가나?\n")


def _write(tmp_path, text):
    path = tmp_path / "notes.2026.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_annotations_all_find_their_lines():
    notes = load_notes()
    callouts, problems = load_annotations(annotations_path(notes.path), notes)
    assert problems == []
    assert len([c for c in callouts if c.kind == "correction"]) >= 15
    answers = [c for c in callouts if c.kind == "answer"]
    assert [c.after for c in answers] == ["Q. docker build 하면 어디에 올라가나?", "Q. eb와 docker"]
    assert {c.anchor for c in answers} == {notes.find("노트의 질문").anchor}


def test_box_follows_its_line_and_local_paths_become_file_names(tmp_path):
    path = _write(tmp_path, "callouts:\n"
                            "  - section: 실습\n"
                            "    after: 한번 뜨고 죽으면 안되고 데몬모드여야 하기 때문에 -d\n"
                            "    ko: '`-d`는 떼어 낼 뿐'\n"
                            "    en: '`-d` only detaches'\n")
    callouts, problems = load_annotations(path, NOTES)
    assert problems == []
    blocks = section_blocks(NOTES.find("실습"), callouts, "en")
    assert [b.kind for b in blocks] == ["markdown", "correction", "markdown"]
    assert blocks[0].text.endswith("데몬모드여야 하기 때문에 -d")
    assert blocks[1].text == "`-d` only detaches"
    assert "/Users/" not in blocks[2].text
    assert "*(screenshot 실습: mysql-1.png, kept on the author's computer)*" in blocks[2].text
    korean = section_blocks(NOTES.find("실습"), callouts, "ko")
    assert "*(스크린샷 실습: mysql-1.png, 작성자의 컴퓨터에만 있음)*" in korean[2].text
    assert korean[1].text == "`-d`는 떼어 낼 뿐"


def test_bad_callouts_are_reported_with_their_line(tmp_path):
    path = _write(tmp_path, "callouts:\n"
                            "  - section: 없는 절\n"
                            "    after: x\n"
                            "    ko: 가\n"
                            "    en: a\n"
                            "  - section: 실습\n"
                            "    after: inside a fence\n"
                            "    ko: 가\n"
                            "    en: a\n"
                            "  - section: 실습\n"
                            "    after: docker rm $(docker ps -al)\n"
                            "    kind: footnote\n"
                            "    ko: 가\n"
                            "    en: a\n"
                            "  - section: 실습\n"
                            "    after: docker rm $(docker ps -al)\n"
                            "    ko: 가\n")
    callouts, problems = load_annotations(path, NOTES)
    assert callouts == []
    assert [(p.line, p.message) for p in problems] == [
        (2, "callout #2: section '없는 절' is not a heading of the notes"),
        (7, "callout #6: section '실습' has no line 'inside a fence' outside code blocks"),
        (12, "callout #10: field 'kind' must be one of correction, answer, not 'footnote'"),
        (15, "callout #15: needs text in en"),
    ]


def test_no_annotations_file_means_no_boxes(tmp_path):
    assert load_annotations(tmp_path / "missing.yaml", NOTES) == ([], [])
    blocks = section_blocks(NOTES.find("노트의 질문"), [], "ko")
    assert [(b.kind, b.text) for b in blocks] == [
        ("markdown", "Q. docker build 하면 어디에 올라가나?")]
