"""Issue 16, "Remove the cues", for the question files of the first chapters (quizzes/01-09).

The validator holds the whole bank to the issue's targets; these files are held to tighter ones
so that the later files (10-19, mostly new questions) have room and the union still meets them.
Tighter on both sides: a right answer that is never the longest is a cue too ("never pick the
longest"), so the share must also stay above zero.
"""
from __future__ import annotations

from docklab.content import cues
from docklab.content.model import LANGUAGES
from docklab.content.notes import REPO_ROOT
from docklab.content.quizzes import load_bank

FIRST_CHAPTERS = sorted((REPO_ROOT / "quizzes").glob("0[1-9]-*.yaml"))
MAX_LONGEST_RIGHT_SHARE = 0.30
MIN_LONGEST_RIGHT_SHARE = 0.10
MEDIAN_RATIO_RANGE = (0.85, 1.15)
TRUE_SHARE_RANGE = (0.40, 0.55)


def report() -> cues.CueReport:
    assert len(FIRST_CHAPTERS) == 9
    return cues.measure(load_bank(FIRST_CHAPTERS, check_coverage=False))


def test_the_right_answer_is_the_longest_option_in_few_but_some_choice_questions():
    figures = report()
    for lang in LANGUAGES:
        share = figures.figures(lang).longest_right_share
        assert MIN_LONGEST_RIGHT_SHARE <= share <= MAX_LONGEST_RIGHT_SHARE, (lang, share)


def test_right_and_wrong_options_are_about_as_long():
    figures = report()
    low, high = MEDIAN_RATIO_RANGE
    for lang in LANGUAGES:
        ratio = figures.figures(lang).median_ratio
        assert low <= ratio <= high, (lang, ratio)


def test_true_false_statements_are_not_mostly_true():
    figures = report()
    low, high = TRUE_SHARE_RANGE
    assert low <= figures.true_share <= high, (figures.true_count, len(figures.truefalse))


def test_every_matching_question_has_a_right_option_without_a_partner():
    figures = report()
    assert figures.matching  # the first chapters do have matching questions
    assert [q.id for q in figures.matching_without_distractors] == []
