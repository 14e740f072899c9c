"""check_answer per type: right, wrong, and malformed answers (the API's 400)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from docklab.content import (
    AnswerFormatError,
    check_answer,
    describe_answer,
    load_bank,
    public_dict,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def bank():
    return load_bank([FIXTURES / "valid-mini.yaml"], notes=FIXTURES / "notes-mini.md")


def test_single(bank):
    question = bank["mini-single"]
    right = check_answer(question, "a")
    assert (right.correct, right.correct_answer, right.expected) == (True, "실행 중인 이미지", "a")
    wrong = check_answer(question, "b", "en")
    assert (wrong.correct, wrong.correct_answer, wrong.normalized_answer) == \
        (False, "A running image", "b")


def test_multi_ignores_order_but_not_membership(bank):
    question = bank["mini-multi"]
    result = check_answer(question, ["copy", "run"])
    assert result.correct and result.normalized_answer == ["run", "copy"]
    assert result.correct_answer == ["RUN", "COPY"]
    assert not check_answer(question, ["run"]).correct
    assert not check_answer(question, ["run", "copy", "cmd"]).correct


def test_truefalse(bank):
    question = bank["mini-truefalse"]
    assert check_answer(question, True).correct
    result = check_answer(question, False)
    assert not result.correct and result.correct_answer == "참 (O)"
    assert check_answer(question, False, "en").correct_answer == "True"


def test_short_command_the_shell_way(bank):
    question = bank["mini-short-command"]
    for answer in ["docker ps -a", "docker ps --all", "  docker container ls -a ", "docker ps -a;"]:
        assert check_answer(question, answer).correct, answer
    for answer in ["docker ps", "docker ps -a | grep x", "docker ps -a -q", ""]:
        assert not check_answer(question, answer).correct, answer
    result = check_answer(question, "docker container ls --all")
    assert result.normalized_answer == "docker ps --all"
    assert result.correct_answer == "docker ps -a"


def test_short_text_with_synonyms_in_either_language(bank):
    question = bank["mini-short-text"]
    for answer in ["컨테이너", "Container", " CONTAINER ", "도커 컨테이너", "도커컨테이너"]:
        assert check_answer(question, answer).correct, answer
    assert not check_answer(question, "컨테이너들").correct
    assert check_answer(question, "x", "en").correct_answer == "container"
    assert check_answer(question, "x", "ko").correct_answer == "컨테이너"


def test_ordering(bank):
    question = bank["mini-ordering"]
    assert check_answer(question, ["base", "app", "rw"]).correct
    result = check_answer(question, ["app", "base", "rw"])
    assert not result.correct
    assert result.correct_answer == ["베이스 레이어", "앱 레이어", "쓰기 레이어"]


def test_matching_with_a_distractor(bank):
    question = bank["mini-matching"]
    assert [option.id for option in question.parts.distractors] == ["rm"]
    assert check_answer(question, {"e": "env", "d": "detach", "p": "publish"}).correct
    result = check_answer(question, {"e": "env", "d": "rm", "p": "publish"}, "en")
    assert not result.correct
    assert result.normalized_answer == {"e": "env", "d": "rm", "p": "publish"}
    assert result.correct_answer == ["-e → Environment variable", "-d → Background",
                                     "-p → Port binding"]
    # the distractor may be picked, even for every left item, and is never right
    assert not check_answer(question, {"e": "rm", "d": "rm", "p": "rm"}).correct


def test_a_chosen_distractor_is_shown_back_in_words(bank):
    question = bank["mini-matching"]
    given = {"e": "env", "d": "rm", "p": "publish"}
    assert describe_answer(question, given, "ko") == ["-e → 환경 변수", "-d → 자동 삭제",
                                                      "-p → 포트 연결"]
    assert describe_answer(question, given, "en")[1] == "-d → Auto-remove"


@pytest.mark.parametrize(("question_id", "answer", "reason"), [
    ("mini-single", ["a"], "the answer must be one choice id (a string), not a list"),
    ("mini-single", "z", "unknown choice id(s): z; expected one of a, b, c"),
    ("mini-multi", "run", "the answer must be a list of choice ids (strings), not text ('run')"),
    ("mini-multi", ["run", "run"], "the answer repeats a choice id"),
    ("mini-multi", ["run", "nope"], "unknown choice id(s): nope; expected one of run, copy, cmd"),
    ("mini-truefalse", "true", "the answer must be true or false, not text ('true')"),
    ("mini-truefalse", 1, "the answer must be true or false, not a number (1)"),
    ("mini-short-command", None, "the answer must be text, not empty (null)"),
    ("mini-short-text", "x" * 2001, "the answer is longer than 2000 characters"),
    ("mini-ordering", ["base", "app"], "the answer must list all 3 items, got 2"),
    ("mini-ordering", ["base", "app", "zz"],
     "unknown item id(s): zz; expected one of base, app, rw"),
    ("mini-ordering", {"base": 1},
     "the answer must be a list of item ids (strings), not a mapping"),
    ("mini-matching", ["e", "env"], "the answer must be a mapping of left id to right id "
                                    "(strings), not a list"),
    ("mini-matching", {"e": "env", "d": "detach"}, "the answer must match every left item; "
                                                   "missing: p"),
    ("mini-matching", {"e": "env", "d": "detach", "p": "nope"},
     "unknown right id(s): nope; expected one of env, detach, publish, rm"),
    ("mini-matching", {"x": "env", "e": "env", "d": "detach", "p": "publish"},
     "unknown left id(s): x; expected one of e, d, p"),
])
def test_malformed_answers_raise_with_a_reason(bank, question_id, answer, reason):
    with pytest.raises(AnswerFormatError) as caught:
        check_answer(bank[question_id], answer)
    assert caught.value.reason == reason
    assert caught.value.reason_ko and caught.value.as_dict()["en"] == reason


def test_public_dict_never_contains_the_answer_and_shuffles_items(bank):
    for question in bank:
        public = public_dict(question, "en")
        text = json.dumps(public, ensure_ascii=False)
        assert "answer" not in public and "accepted" not in public and "explanation" not in public
        assert question.explanation.en not in text
        assert public["prompt"] == question.prompt.en
    ordering = public_dict(bank["mini-ordering"], "ko")
    assert [item["id"] for item in ordering["items"]] != ["base", "app", "rw"]
    assert sorted(item["id"] for item in ordering["items"]) == ["app", "base", "rw"]
    assert ordering == public_dict(bank["mini-ordering"], "ko")  # deterministic
    matching = public_dict(bank["mini-matching"], "ko")
    assert [left["id"] for left in matching["left"]] == ["e", "d", "p"]
    assert sorted(r["id"] for r in matching["right"]) == ["detach", "env", "publish", "rm"]
    assert {"id": "rm", "text": "Auto-remove"} in public_dict(bank["mini-matching"], "en")["right"]
    short = public_dict(bank["mini-short-command"], "ko")
    assert short["match"] == "command" and "docker ps -a" not in json.dumps(short)
    with pytest.raises(ValueError, match="language"):
        public_dict(bank["mini-single"], "fr")


def test_results_are_json_serialisable(bank):
    answers = {"mini-single": "a", "mini-multi": ["run"], "mini-truefalse": False,
               "mini-short-command": "docker ps", "mini-short-text": "컨테이너",
               "mini-ordering": ["rw", "app", "base"],
               "mini-matching": {"e": "env", "d": "detach", "p": "publish"}}
    for question_id, answer in answers.items():
        json.dumps(check_answer(bank[question_id], answer).as_dict(), ensure_ascii=False)
