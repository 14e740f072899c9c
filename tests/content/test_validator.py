"""The validator: one broken file per rule, each problem as the exact `file:line: message`."""
from __future__ import annotations

from pathlib import Path

import pytest

from docklab.content import ContentError, Problem, load_bank, load_notes, public_dict, validate

FIXTURES = Path(__file__).parent / "fixtures"
NOTES = FIXTURES / "notes-mini.md"


def problems_in(*names: str, coverage: bool = False) -> list[str]:
    paths = [FIXTURES / name for name in names]
    return [str(p) for p in validate(paths, notes=NOTES, check_coverage=coverage)]


def at(name: str, line: int, message: str) -> str:
    return f"{FIXTURES / name}:{line}: {message}"


def test_problem_prints_as_file_line_message():
    assert str(Problem("quizzes/x.yaml", 7, "", "boom")) == "quizzes/x.yaml:7: boom"
    # one Problem for questions and labs: the field, when there is one, comes first
    assert str(Problem("quizzes/x.yaml", 7, "question 'q'", "boom")) == \
        "quizzes/x.yaml:7: question 'q': boom"


def test_valid_fixture_has_no_problems():
    assert problems_in("valid-mini.yaml") == []


def test_missing_required_field():
    assert problems_in("missing-field.yaml") == [
        at("missing-field.yaml", 1, "question 'no-prompt': required field 'prompt' is missing"),
    ]


def test_unknown_question_type():
    assert problems_in("unknown-type.yaml") == [
        at("unknown-type.yaml", 3,
           "question 'essay-question': field 'type' must be one of matching, multi, ordering, "
           "short, single, truefalse, not 'essay'"),
    ]


def test_duplicate_id_across_two_files():
    assert problems_in("duplicate-id-a.yaml", "duplicate-id-b.yaml") == [
        at("duplicate-id-b.yaml", 2,
           f"duplicate question id 'same-id' (first defined at "
           f"{FIXTURES / 'duplicate-id-a.yaml'}:1)"),
    ]


def test_correct_answer_not_among_choices():
    assert problems_in("answer-not-in-choices.yaml") == [
        at("answer-not-in-choices.yaml", 10,
           "question 'missing-choice': field 'answer' names choice 'e', which is not among the "
           "choices (a, b)"),
    ]


def test_single_choice_with_two_correct_answers():
    assert problems_in("single-two-correct.yaml") == [
        at("single-two-correct.yaml", 11,
           "question 'two-correct': a single-choice question needs exactly one correct answer "
           "in 'answer', got 2 (a, b)"),
    ]


def test_missing_english_explanation():
    assert problems_in("missing-explanation-en.yaml") == [
        at("missing-explanation-en.yaml", 8,
           "question 'no-english': required field 'explanation.en' is missing"),
    ]


def test_unknown_section_and_section_without_content():
    assert problems_in("unknown-section.yaml") == [
        at("unknown-section.yaml", 2,
           f"question 'wrong-section': field 'section' names '컨테이너즈', which is not a heading "
           f"in {NOTES} (did you mean '컨테이너'?)"),
        at("unknown-section.yaml", 10,
           f"question 'empty-section': field 'section' names '복습', a heading with no content "
           f"in {NOTES}"),
    ]


def test_yaml_syntax_error_is_one_problem_with_its_line():
    assert problems_in("yaml-syntax.yaml") == [
        at("yaml-syntax.yaml", 5,
           "YAML syntax error: while parsing a flow mapping (started at line 4): did not find "
           "expected ',' or '}'"),
    ]


def test_malformed_answer_shapes_are_all_reported_at_once():
    name = "bad-answer-shapes.yaml"
    assert problems_in(name) == [
        at(name, 7, "question 'tf-string': field 'answer' must be true or false, not text ('yes')"),
        at(name, 18, "question 'multi-not-list': field 'answer' must be a list of one or more "
                     "choice ids, not text ('a')"),
        at(name, 26, "question 'ordering-too-short': field 'items' needs at least 3 entries, "
                     "has 2"),
        at(name, 39, "question 'matching-no-right': required field 'pairs[1].right' is missing"),
        at(name, 50, "question 'short-unknown-option': accepted command 'docker ps --everything' "
                     "cannot be compared the way a shell user means it: unknown option "
                     "'--everything'"),
    ]


def test_schema_details_duplicate_key_bad_id_typo_and_range():
    name = "schema-details.yaml"
    assert problems_in(name) == [
        at(name, 9, "[0].answer: duplicate key (first at line 7)"),
        at(name, 1, "question 'Bad_Id': field 'id' must be kebab-case (a-z, 0-9 and '-'), "
                    "not 'Bad_Id'"),
        at(name, 8, "question 'Bad_Id': unknown field 'explanaton' (did you mean 'explanation'?)"),
        at(name, 4, "question 'Bad_Id': field 'difficulty' must be 1, 2 or 3, not a number (5)"),
        at(name, 1, "question 'Bad_Id': required field 'explanation' is missing"),
    ]


def test_top_level_must_be_a_list():
    assert problems_in("top-level-mapping.yaml") == [
        at("top-level-mapping.yaml", 1,
           "expected a list of questions at the top level, not a mapping"),
    ]


def test_missing_file_and_empty_file(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    found = [str(p) for p in validate([empty, missing], notes=NOTES, check_coverage=False)]
    assert found == [
        f"{missing}:1: file not found",
        f"{empty}:1: the file is empty; expected a list of questions",
    ]


def test_coverage_reported_against_the_notes_file():
    # duplicate-id-a.yaml only covers '컨테이너'; '이미지' has content, '실습'/'복습' are empty.
    assert problems_in("duplicate-id-a.yaml", coverage=True) == [
        f"{NOTES}:5: section '이미지' (#이미지) has content but no question",
    ]


def test_coverage_is_satisfied_by_the_full_mini_bank():
    assert problems_in("valid-mini.yaml", coverage=True) == []


def test_load_bank_raises_with_every_problem():
    with pytest.raises(ContentError) as caught:
        load_bank([FIXTURES / "bad-answer-shapes.yaml", FIXTURES / "unknown-type.yaml"],
                  notes=NOTES, check_coverage=False)
    assert len(caught.value.problems) == 6
    assert str(caught.value).startswith("6 problem(s) in quiz content:\n")
    assert at("unknown-type.yaml", 3, "question 'essay-question'") in str(caught.value)


def test_validate_accepts_a_directory_and_a_notes_object(tmp_path):
    (tmp_path / "q.yaml").write_text(
        (FIXTURES / "valid-mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert validate([tmp_path], notes=load_notes(NOTES)) == []


def test_tags_are_kebab_case_words_and_retired_marks_a_question(tmp_path):
    question = ("- id: {qid}\n  section: {section}\n  type: truefalse\n  difficulty: 1\n"
                "  tags: {tags}\n  prompt: {{ko: 질문, en: question}}\n"
                "  explanation: {{ko: 설명, en: explanation}}\n  answer: true\n")
    section = load_notes(NOTES).content_sections[0].title
    path = tmp_path / "tags.yaml"
    path.write_text(question.format(qid="old-tool", section=section, tags="[retired, cli]")
                    + question.format(qid="odd-tag", section=section, tags="[Retired Tool]"),
                    encoding="utf-8")
    problems = [str(p) for p in validate([path], notes=NOTES, check_coverage=False)]
    assert problems == [f"{path}:13: question 'odd-tag': field 'tags' must hold kebab-case "
                        "words (a-z, 0-9 and '-'), not 'Retired Tool'"]
    path.write_text(question.format(qid="old-tool", section=section, tags="[retired, cli]"),
                    encoding="utf-8")
    old_tool = load_bank([path], notes=NOTES, check_coverage=False)["old-tool"]
    assert old_tool.tags == ("retired", "cli") and old_tool.retired
    assert public_dict(old_tool, "en")["tags"] == ["retired", "cli"]


def test_matching_distractors_need_ids_and_texts_of_their_own_in_both_languages():
    name = "matching-distractors.yaml"
    assert problems_in(name) == [
        at(name, 15, "question 'distractor-reuses-right': field 'distractors[0].id' repeats the "
                     "right id 'r2' of 'pairs[1].right' (line 11); a distractor needs an id of "
                     "its own"),
        at(name, 16, "question 'distractor-reuses-right': field 'distractors[1].en' has the "
                     "same text as 'pairs[2].right' (line 13): learners could not tell them "
                     "apart"),
        at(name, 32, "question 'distractor-half-written': required field 'distractors[0].en' "
                     "is missing"),
        at(name, 34, "question 'distractor-half-written': field 'distractors[2].id' repeats id "
                     "'twice' (already used at line 33)"),
        at(name, 35, "question 'distractor-half-written': field 'distractors[3]' must be a "
                     "mapping with id, ko and en, not text ('Just a text')"),
        at(name, 50, "question 'distractors-empty': field 'distractors' needs at least 1 "
                     "entries, has 0"),
        at(name, 62, "question 'choice-with-distractors': unknown field 'distractors'"),
    ]
