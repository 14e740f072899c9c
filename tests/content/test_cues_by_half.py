"""Issue 16, "Remove the cues", for each half of the question files: the first chapters
(quizzes/01-09, mostly rewritten questions) and the later ones (quizzes/10-19, mostly new).

The validator holds the whole bank to the issue's targets; each half is held to tighter ones, so
each meets the targets on its own and the union does too. Tighter on both sides: a right answer
that is never the longest is a cue as well ("never pick the longest"), so the share stays above
zero.
"""
from __future__ import annotations

import pytest

from docklab.content import cues
from docklab.content.model import LANGUAGES
from docklab.content.notes import REPO_ROOT
from docklab.content.quizzes import load_bank

HALVES = {"first": ("0[1-9]-*.yaml", 9), "later": ("1[0-9]-*.yaml", 10)}
MAX_LONGEST_RIGHT_SHARE = 0.30
MIN_LONGEST_RIGHT_SHARE = 0.10
MEDIAN_RATIO_RANGE = (0.85, 1.15)
QUESTION_RATIO_RANGE = (0.6, 1.6)
TRUE_SHARE_RANGE = (0.40, 0.55)


@pytest.fixture(params=sorted(HALVES), scope="module")
def report(request) -> cues.CueReport:
    pattern, count = HALVES[request.param]
    files = sorted((REPO_ROOT / "quizzes").glob(pattern))
    assert len(files) == count
    return cues.measure(load_bank(files, check_coverage=False))


def test_the_right_answer_is_the_longest_option_in_few_but_some_choice_questions(report):
    for lang in LANGUAGES:
        share = report.figures(lang).longest_right_share
        assert MIN_LONGEST_RIGHT_SHARE <= share <= MAX_LONGEST_RIGHT_SHARE, (lang, share)


def test_right_and_wrong_options_are_about_as_long(report):
    low, high = MEDIAN_RATIO_RANGE
    for lang in LANGUAGES:
        ratio = report.figures(lang).median_ratio
        assert low <= ratio <= high, (lang, ratio)


def test_no_choice_question_gives_its_answer_away_by_length(report):
    """No single question where the answer is far longer or far shorter than the rest."""
    low, high = QUESTION_RATIO_RANGE
    for cue in report.choices:
        assert low <= cue.ratio <= high, cue.describe()


def test_true_false_statements_are_not_mostly_true(report):
    low, high = TRUE_SHARE_RANGE
    assert low <= report.true_share <= high, (report.true_count, len(report.truefalse))


def test_every_matching_question_has_a_right_option_without_a_partner(report):
    assert report.matching  # both halves do have matching questions
    assert [q.id for q in report.matching_without_distractors] == []
