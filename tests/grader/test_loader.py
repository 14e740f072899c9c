"""Lab files: every rule has one broken fixture, and its problem names file, line and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import LabFileError, load_labs, validate_paths
from grader.checks import REGISTRY
from grader.cli import notes_for_labs
from grader.notes import load_notes

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
# The built-in labs' sections are the built-in notes' (passed in: the loader finds no notes).
NOTES = load_notes(REPO / "notes" / "docker-notes.ko.md")

EXPECTED = {
    "unknown-field": ["3: titel: unknown field; did you mean `title`?",
                      "1: title: required field is missing"],
    "unknown-kind": ["18: checks[1].kind: unknown check kind `container_stat`; "
                     "did you mean `container_state`?"],
    "unknown-needs": ["19: checks[1].needs[0]: unknown check id `exist`; did you mean `exists`?"],
    "later-needs": ["12: checks[0].needs[0]: must name an earlier check"],
    "duplicate-check-id": ["17: checks[1].id: duplicate check id `exists`",
                           "35: anti_solutions[1].fails: unknown check id `running`",
                           "38: anti_solutions[2].fails: unknown check id `running`"],
    "missing-en": ["23: checks[1].hint.en: missing English text"],
    "unknown-param": ["22: checks[1].params.stat: unknown parameter; did you mean `state`?",
                      "20: checks[1].params.state: required parameter is missing"],
    "bad-param-value": ["22: checks[1].params.state: must be one of running, exited, created, "
                        "paused, restarting, removing, dead, not 'sleeping'"],
    "bad-points": ["12: checks[0].points: expected a whole number"],
    "bad-selector": ["13: checks[0].params.container.nmae: unknown parameter; "
                     "did you mean `name`?"],
    "few-anti-solutions": ["29: anti_solutions: give at least 3 anti-solutions (found 2)"],
    "anti-fails-unknown": ["32: anti_solutions[0].fails: unknown check id `exist`; "
                           "did you mean `exists`?"],
    "bad-yaml": ["6: YAML syntax error: while parsing a flow sequence (started at line 5): "
                 "did not find expected ',' or ']'"],
    "exec-without-flag": ["18: checks[1].kind: `exec` runs commands in containers; "
                          "the lab must say `exec_checks: true`"],
    "wrong-section": ["2: section: no heading `실습하기` in docker-notes.ko.md; "
                      "did you mean `실습`?"],
    "id-mismatch": ["1: id: must match the file name `id-mismatch`"],
    "bad-regex": ["22: checks[1].params.regex: not a valid regular expression: missing ), "
                  "unterminated subpattern at position 8"],
    "unknown-tag": ["22: checks[1].params.state: unsupported YAML tag `!secret`"],
    "duplicate-key": ["19: checks[1].kind: duplicate key (first at line 18)"],
    "bad-image-ref": ["22: checks[1].params.ref: not an image reference: 'MySQL:5.6'"],
    "build-tag-missing": ["26: solution.build_tag: `dockerfile` and `build_tag` go together"],
    "says-missing-ko": ["33: anti_solutions[0].says.ko: missing Korean text"],
    "not-docker-command": ["28: solution.commands[0]: expected a `docker ...` command"],
    "empty": ["1: the file is empty"],
    "not-a-mapping": ["1: expected a mapping"],
    "bad-setup": [
        "34: anti_solutions[0].setup[1].fil: unknown field; did you mean `file`?",
        "34: anti_solutions[0].setup[1]: give `dir: PATH` or `file: PATH` (one of them)",
        "11: setup[1].file: expected a relative path inside the work directory (no `/` at the "
        "start, no `..`)",
        "13: setup[2].dir: expected a relative path inside the work directory (no `/` at the "
        "start, no `..`)",
        "14: setup[3]: give `dir: PATH` or `file: PATH` (one of them)",
        "17: setup[4].content: `content` goes with `file`, not `dir`",
        "18: setup[5].path: unknown field",
        "18: setup[5]: give `dir: PATH` or `file: PATH` (one of them)"],
    "bad-new-params": [
        "13: checks[0].params.container.absent: `absent: true` does not go with `match`",
        "17: checks[1].params.equals: a list is compared with `cmd` or `entrypoint` only",
        "21: checks[2].params.contains: give exactly one of `contains`, `equals`, `regex`, "
        "`empty: true`",
        "25: checks[3].params.name: `bridge`, `host` and `none` always exist; name a "
        "user-defined network",
        "29: checks[4].params.absent: `absent: true` goes with `name` only",
        "33: checks[5].params.contains: give `contains` or `regex`",
        "33: checks[5].params.tail: expected 1 to 1000 lines",
        "37: checks[6].params.source_regex: give `source` or `source_regex`, not both"],
    "bad-fails-list": ["32: anti_solutions[0].fails: name at least one check id",
                       "35: anti_solutions[1].fails[1]: unknown check id `runing`; "
                       "did you mean `running`?",
                       "38: anti_solutions[2].fails[1]: expected a check id (text)"],
    "missing-section": ["1: section: required field is missing (a heading of the notes)"],
    # Several problems in one file are all reported at once.
    "many-problems": ["3: titel: unknown field; did you mean `title`?",
                      "1: title: required field is missing",
                      "18: checks[1].kind: unknown check kind `container_stat`; "
                      "did you mean `container_state`?",
                      "32: anti_solutions[0].fails: unknown check id `exist`; "
                      "did you mean `exists`?"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_reports_file_line_field(name):
    path = FIXTURES / f"{name}.yaml"
    problems = validate_paths([path], sections=NOTES)
    assert [str(p) for p in problems] == [f"{path}:{line}" for line in EXPECTED[name]]
    assert all(p.file == str(path) and p.line >= 1 for p in problems)


def test_every_broken_fixture_is_covered():
    names = {p.stem for p in FIXTURES.glob("*.yaml")} - {"valid"}
    assert names == set(EXPECTED)


def test_setup_is_the_labs_unless_a_case_gives_its_own(tmp_path):
    text = (FIXTURES / "bad-setup.yaml").read_text()
    text = text.replace("id: bad-setup", "id: good-setup")
    start, end = text.index("  - file: ../outside.txt"), text.index("checks:")
    text = text[:start] + "  - file: site/index.html\n    content: hello\n" + text[end:]
    text = text.replace("setup: [{file: site}, {fil: x}]", "setup: [{dir: other}]")
    (tmp_path / "good-setup.yaml").write_text(text)
    lab = load_labs(tmp_path)["good-setup"]
    assert [(i.path, i.content) for i in lab.setup] == [("site", None),
                                                       ("site/index.html", "hello")]
    assert lab.setup_for(lab.solution) == lab.setup
    assert [i.path for i in lab.setup_for(lab.anti_solutions[0])] == ["other"]
    assert lab.setup_for(lab.anti_solutions[1]) == ()  # `setup: []`: nothing
    assert lab.setup_for(lab.anti_solutions[2]) == lab.setup


def test_valid_fixture_loads():
    assert validate_paths([FIXTURES / "valid.yaml"], sections=NOTES) == []


def test_load_labs_raises_with_every_problem(tmp_path):
    for name in ("valid", "unknown-kind", "bad-points"):
        (tmp_path / f"{name}.yaml").write_text((FIXTURES / f"{name}.yaml").read_text())
    with pytest.raises(LabFileError) as caught:
        load_labs(tmp_path)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["checks[0].points", "checks[1].kind"]
    assert "bad-points.yaml:12: checks[0].points: expected a whole number" in str(caught.value)


def test_repository_labs_are_valid_and_complete():
    labs = load_labs()
    assert set(labs) >= {"engine-ready", "hello-world", "whalesay-pull", "mysql-env",
                         "nginx-port", "nginx-publish-all", "fortune-image", "cleanup"}
    for lab in labs.values():
        assert lab.title("ko") != lab.title("en")
        assert "docker" in lab.instructions("ko") and "docker" in lab.instructions("en")
        assert len(lab.anti_solutions) >= 3
        assert {f for a in lab.anti_solutions for f in a.fails} <= {c.id for c in lab.checks}
        assert all(check.kind in REGISTRY for check in lab.checks)
        assert lab.max_score == sum(c.points for c in lab.checks) > 0


def test_sections_are_headings_of_the_notes():
    labs = load_labs(sections=NOTES)
    assert labs["engine-ready"].section == labs["hello-world"].section == "도커 실행하기"
    assert labs["whalesay-pull"].section == labs["fortune-image"].section == "Dockerfile"
    assert {labs[i].section for i in ("mysql-env", "nginx-port", "nginx-publish-all",
                                      "cleanup")} == {"실습"}


def test_an_anti_solution_may_fail_several_checks(tmp_path):
    text = (FIXTURES / "valid.yaml").read_text().replace("id: valid", "id: two-fails")
    first = text.index("    fails: ")
    end = text.index("\n", first)
    text = text[:first] + "    fails: [exists, running]" + text[end:]
    (tmp_path / "two-fails.yaml").write_text(text)
    lab = load_labs(tmp_path)["two-fails"]
    assert lab.anti_solutions[0].fails == ("exists", "running")
    assert all(len(a.fails) == 1 for a in lab.anti_solutions[1:])  # `fails: ID` is a list of one


def _external_content(root: Path, section_line: str | None, notes: str | None) -> Path:
    """CONTENT/labs/valid.yaml with the given `section:` line (None: no line), and
    CONTENT/notes/docker-notes.ko.md when `notes` is given."""
    text = (FIXTURES / "valid.yaml").read_text()
    text = text.replace("section: 실습\n", "" if section_line is None else section_line + "\n")
    (root / "labs").mkdir(parents=True)
    (root / "labs" / "valid.yaml").write_text(text)
    if notes is not None:
        (root / "notes").mkdir()
        (root / "notes" / "docker-notes.ko.md").write_text(notes)
    return root / "labs"


@pytest.mark.parametrize("section_line", [None, "section: null", "section: Week 3 (our own)"])
def test_external_labs_without_notes_may_declare_any_section_or_none(tmp_path, section_line):
    labs_dir = _external_content(tmp_path, section_line, notes=None)
    assert notes_for_labs(labs_dir) is None  # that content has no notes
    lab = load_labs(labs_dir, sections=notes_for_labs(labs_dir))["valid"]
    assert lab.section == (None if section_line in (None, "section: null")
                           else "Week 3 (our own)")
    # The built-in notes are not the judge of another content's sections.
    assert validate_paths([labs_dir], sections=None) == []


def test_external_labs_with_notes_are_checked_against_those_notes(tmp_path):
    labs_dir = _external_content(tmp_path, "section: 실습", notes="# Week 1\n## Volumes\n")
    with pytest.raises(LabFileError) as caught:
        load_labs(labs_dir, sections=notes_for_labs(labs_dir))
    assert "2: section: no heading `실습` in docker-notes.ko.md" in str(caught.value)
    fixed = labs_dir / "valid.yaml"
    fixed.write_text(fixed.read_text().replace("section: 실습", "section: Volumes"))
    assert load_labs(labs_dir, sections=notes_for_labs(labs_dir))["valid"].section == "Volumes"
    fixed.write_text(fixed.read_text().replace("section: Volumes\n", ""))
    with pytest.raises(LabFileError, match="section: required field is missing"):
        load_labs(labs_dir, sections=notes_for_labs(labs_dir))
