"""Test-wiseness cues: what counts as 'the longest is right', the length ratio, the true share,
and matching without distractors, against issue 16's targets."""
from __future__ import annotations

from docklab.content import Option, Question, Text, cues
from docklab.content.kinds import (
    MatchingParts,
    MultipleChoiceParts,
    SingleChoiceParts,
    TrueFalseParts,
)


def choice(qid: str, right: list[str], wrong: list[str], kind: str = "single") -> Question:
    options = [Option(f"r{i}", Text(text, text)) for i, text in enumerate(right)] + \
        [Option(f"w{i}", Text(text, text)) for i, text in enumerate(wrong)]
    ids = tuple(f"r{i}" for i in range(len(right)))
    parts = SingleChoiceParts(tuple(options), True, ids[0]) if kind == "single" else \
        MultipleChoiceParts(tuple(options), True, ids)
    return Question(qid, "s", kind, 1, (), Text("q", "q"), Text("e", "e"), "q.yaml", 1,
                    parts=parts)


def truefalse(qid: str, answer: bool) -> Question:
    return Question(qid, "s", "truefalse", 1, (), Text("q", "q"), Text("e", "e"), "q.yaml", 1,
                    parts=TrueFalseParts(answer))


def matching(qid: str, distractors: int) -> Question:
    pairs = tuple((Option(f"l{i}", Text("l", "l")), Option(f"r{i}", Text(f"r{i}", f"r{i}")))
                  for i in range(3))
    extra = tuple(Option(f"d{i}", Text(f"d{i}", f"d{i}")) for i in range(distractors))
    return Question(qid, "s", "matching", 1, (), Text("q", "q"), Text("e", "e"), "q.yaml", 1,
                    parts=MatchingParts(pairs, extra))


def test_longest_is_right_only_when_strictly_longer_and_backticks_do_not_count():
    assert cues.choice_cue(choice("a", ["abcd"], ["abc", "ab"]), "ko").longest_is_right
    assert not cues.choice_cue(choice("b", ["abcd"], ["abcd", "ab"]), "ko").longest_is_right
    # `docker ps` is as long as docker ps; blanks around the text do not count either
    tie = cues.choice_cue(choice("c", ["`docker ps`"], ["docker ps ", "ps"]), "en")
    assert not tie.longest_is_right and tie.ratio == 9 / ((9 + 2) / 2)
    # multi: every right option must beat every wrong one
    assert cues.choice_cue(choice("d", ["aaaa", "bbbbb"], ["cc"], "multi"), "ko").longest_is_right
    assert not cues.choice_cue(choice("e", ["aaaa", "b"], ["cc"], "multi"),
                               "ko").longest_is_right
    assert cues.choice_cue(choice("f", ["a", "b"], [], "multi"), "ko") is None


def test_a_bank_within_the_targets_has_no_problems():
    bank = [choice("a", ["right"], ["wrong", "other"]), choice("b", ["ok"], ["a longer one"]),
            choice("c", ["longest one"], ["short", "tiny"]), truefalse("t", True),
            truefalse("f", False), matching("m", 1)]
    report = cues.measure(bank)
    figures = report.figures("en")
    assert (figures.choice_questions, figures.longest_right) == (3, 1)
    assert report.problems() == []
    assert report.true_share == 0.5
    assert "cues: matching without distractors 0/1 (target 0)" in report.lines()


def test_every_target_missed_is_a_problem():
    bank = [choice("a", ["long right"], ["no"]), choice("b", ["long right"], ["no"]),
            truefalse("t", True), truefalse("u", True), truefalse("f", False),
            matching("m", 0)]
    messages = [problem.message for problem in cues.measure(bank).problems()]
    assert len(messages) == 2 * 2 + 1 + 1
    assert messages[0].startswith("cues [ko]: the right answer is the longest option in 2 of 2")
    assert messages[1].startswith("cues [ko]: median length of right / wrong options is 5.00")
    assert messages[4].startswith("cues: 2 of 3 true/false statements are true (67%)")
    assert messages[5].startswith("question 'm': a matching question needs at least 1 ")
