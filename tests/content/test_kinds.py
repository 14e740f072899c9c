"""Each built-in question type owns its answer form, its words for an answer, its wrong picks
for the class statistics and its no-JavaScript ordering: the kind answers, nobody else."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from docklab.content import KINDS, NoAnswer, describe_answer, kind_of, load_bank, public_dict
from docklab.content.kinds import Ordering

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def bank():
    return load_bank([FIXTURES / "valid-mini.yaml"], notes=FIXTURES / "notes-mini.md")


@dataclass
class Row:
    answer: object
    correct: bool


@pytest.mark.parametrize(("question_id", "form", "answer"), [
    ("mini-single", {"answer": "b"}, "b"),
    ("mini-multi", [("answer", "run"), ("answer", "cmd")], ["run", "cmd"]),
    ("mini-truefalse", {"answer": "false"}, False),
    ("mini-truefalse", {"answer": "true"}, True),
    ("mini-short-command", {"answer": " docker ps "}, " docker ps "),
    ("mini-ordering", [("answer", "rw"), ("answer", "app"), ("answer", "base")],
     ["rw", "app", "base"]),
    ("mini-matching", {"match-e": "env", "match-d": "rm", "match-p": "publish", "x": "y"},
     {"e": "env", "d": "rm", "p": "publish"}),
])
def test_each_type_reads_its_answer_form(bank, question_id, form, answer):
    question = bank[question_id]
    assert kind_of(question).from_form(question, MultiDict(form)) == answer


@pytest.mark.parametrize(("question_id", "form", "ko", "en"), [
    ("mini-single", {"answer": "  "}, "먼저 답을 고르세요.", "Pick an answer first."),
    ("mini-truefalse", {}, "먼저 답을 고르세요.", "Pick an answer first."),
    ("mini-short-text", {"answer": ""}, "먼저 답을 입력하세요.", "Type your answer first."),
    ("mini-multi", {}, "먼저 답을 하나 이상 고르세요.", "Pick at least one answer first."),
    ("mini-ordering", {}, "먼저 답을 하나 이상 고르세요.", "Pick at least one answer first."),
    ("mini-matching", {"match-e": "env", "match-d": ""}, "먼저 모든 항목의 짝을 고르세요.",
     "Match every item first."),
])
def test_nothing_given_is_said_in_both_languages(bank, question_id, form, ko, en):
    question = bank[question_id]
    with pytest.raises(NoAnswer) as caught:
        kind_of(question).from_form(question, MultiDict(form))
    assert (caught.value.message.ko, caught.value.message.en) == (ko, en)


@pytest.mark.parametrize(("question_id", "given", "lang", "words"), [
    ("mini-single", "b", "ko", ["레지스트리"]),
    ("mini-single", "gone", "en", ["gone"]),  # a choice the content no longer has
    ("mini-multi", ["run", "cmd"], "en", ["RUN", "CMD"]),
    ("mini-truefalse", True, "ko", ["참 (O)"]),
    ("mini-truefalse", False, "en", ["False"]),
    ("mini-short-text", "컨테이너", "en", ["컨테이너"]),
    ("mini-ordering", ["rw", "app", "base"], "ko", ["쓰기 레이어", "앱 레이어", "베이스 레이어"]),
    ("mini-matching", {"e": "env", "d": "rm"}, "en", ["-e → Environment variable",
                                                       "-d → Auto-remove"]),
    ("mini-matching", ["e"], "en", ["['e']"]),  # not the matching shape: shown as it is
    ("mini-single", None, "ko", []),
])
def test_each_type_says_an_answer_in_words(bank, question_id, given, lang, words):
    assert describe_answer(bank[question_id], given, lang) == words


def test_each_type_names_its_wrong_picks(bank):
    def labels(question_id, *rows):
        question = bank[question_id]
        return kind_of(question).wrong_pick_labels(question, list(rows), "ko")

    assert labels("mini-single", Row("b", False), Row("a", True), Row("b", False),
                  Row(["b"], False)) == ["레지스트리", "레지스트리"]
    assert labels("mini-multi", Row(["run", "cmd"], False), Row(["cmd"], False)) == \
        ["CMD", "CMD"]
    assert labels("mini-truefalse", Row(False, False), Row(True, True)) == ["X (false)"]
    assert labels("mini-short-text", Row("  컨테이너   들 ", False), Row(" ", False),
                  Row("컨테이너", True)) == ["컨테이너 들"]
    assert labels("mini-ordering", Row(["app", "base", "rw"], False),
                  Row(["base", "app", "rw"], True)) == ['["app", "base", "rw"]']
    assert labels("mini-matching", Row({"e": "env", "d": "rm", "p": "detach"}, False)) == \
        ["-d → 자동 삭제", "-p → 백그라운드"]
    # the free-form types list only the most frequent; choices list every one
    assert [KINDS[name].wrong_picks_shown for name in KINDS if name in
            ("single", "multi", "truefalse", "short", "ordering", "matching")] == \
        [None, None, None, 5, 5, 5]


def test_only_ordering_keeps_the_learners_arrangement(bank):
    ordering = bank["mini-ordering"]
    public = public_dict(ordering, "ko")
    moved = kind_of(ordering).arranged(public, ["rw", "base", "app"])
    assert [item["id"] for item in moved["items"]] == ["rw", "base", "app"]
    assert public == public_dict(ordering, "ko")  # the shown question is not changed in place
    # an order that is not a permutation of the items is ignored
    assert kind_of(ordering).arranged(public, ["rw", "zz", "app"]) == public
    single = bank["mini-single"]
    assert kind_of(single).arranged(public_dict(single, "ko"), ["b"]) == \
        public_dict(single, "ko")
    assert isinstance(kind_of(ordering), Ordering) and Ordering.ordered_answer


def test_a_kind_reads_only_its_own_questions(bank):
    with pytest.raises(TypeError, match="question 'mini-single' is of type 'single', "
                                        "not 'ordering'"):
        KINDS["ordering"].describe(bank["mini-single"], ["a"], "ko")


PACKAGE = Path(__file__).resolve().parents[2] / "docklab"
BUILT_IN = "single|multi|truefalse|short|ordering|matching"
SWITCHES = re.compile(
    r"\b(question|q)\.type\s*(===?|!==?|\bin\b)"  # question.type == ..., q.type in (...)
    rf"|(===?|!==?|\bin\b)\s*\(?\s*[\"']({BUILT_IN})[\"']"  # ... == "single", in ("single", ..
    rf"|[\"']({BUILT_IN})[\"']\s*(===?|!==?)")  # "single" == ...


def test_nothing_outside_the_kinds_switches_on_a_question_type():
    """The kinds answer for their type: the pages, the API, the statistics and quiz.js ask the
    kind (or look at what its template drew), so a new type needs no branch anywhere."""
    own = {PACKAGE / "content" / "kinds.py"}
    found = []
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"),
                        *PACKAGE.rglob("*.js")]):
        if path in own or "node_modules" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SWITCHES.search(line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)
