"""Issue 16, "Remove the cues", for the question files of the later chapters (quizzes/10-19).

The same tighter targets as tests/content/test_cues_first_chapters.py holds quizzes/01-09 to, so
each half meets the issue's targets on its own and the union does too. A right answer that is
never the longest is a cue as well ("never pick the longest"), so the share stays above zero.
"""
from __future__ import annotations

from docklab.content import cues
from docklab.content.model import LANGUAGES
from docklab.content.notes import REPO_ROOT
from docklab.content.quizzes import load_bank

LATER_CHAPTERS = sorted((REPO_ROOT / "quizzes").glob("1[0-9]-*.yaml"))
MAX_LONGEST_RIGHT_SHARE = 0.30
MIN_LONGEST_RIGHT_SHARE = 0.10
MEDIAN_RATIO_RANGE = (0.85, 1.15)
TRUE_SHARE_RANGE = (0.40, 0.55)


def report() -> cues.CueReport:
    assert len(LATER_CHAPTERS) == 10
    return cues.measure(load_bank(LATER_CHAPTERS, check_coverage=False))


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


def test_no_choice_question_gives_its_answer_away_by_length():
    """No single question where the answer is far longer or far shorter than the rest."""
    for cue in report().choices:
        assert 0.6 <= cue.ratio <= 1.6, cue.describe()


def test_true_false_statements_are_not_mostly_true():
    figures = report()
    low, high = TRUE_SHARE_RANGE
    assert low <= figures.true_share <= high, (figures.true_count, len(figures.truefalse))


def test_every_matching_question_has_a_right_option_without_a_partner():
    figures = report()
    assert figures.matching
    assert [q.id for q in figures.matching_without_distractors] == []
