"""Test-wiseness cues in a question bank: signs that let a learner score without knowing Docker.

Measured per question and in total, in each language (a cue in either language is a cue):

- choice questions (single, multi): are the right options strictly the longest ones (so
  "pick the longest" wins), and how long are
  the right options against the wrong ones (mean length of the right options divided by the mean
  length of the wrong ones; 1.0 means "no length cue");
- true/false: the share of statements that are true (a learner who always says "true" should not
  pass);
- matching: a question without ``distractors`` forces its last pair.

``measure(questions)`` returns a ``CueReport``; ``report.problems()`` lists what is over the
targets (as ``Problem`` so the validator prints them like any other), ``report.lines()`` is the
human summary that ``flask content validate`` prints.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from .kinds import (
    ChoiceParts,
    MatchingParts,
    MultipleChoiceParts,
    SingleChoiceParts,
    TrueFalseParts,
)
from .model import LANGUAGES, Problem, Question

# Targets from issue 16 ("Quizzes that assess understanding", section "Remove the cues"):
# before it, 40 of 56 choice questions had the right answer as the longest option (median 2.0x
# the wrong ones) and 70% of true/false statements were true, so "pick the longest, say true"
# scored about 95%.
MAX_LONGEST_RIGHT_SHARE = 0.35  # right answer strictly the longest in at most 35% of choice Qs
MIN_MEDIAN_LENGTH_RATIO = 0.8  # median over choice Qs of mean(right) / mean(wrong) length ...
MAX_MEDIAN_LENGTH_RATIO = 1.25  # ... lies between these two
MIN_TRUE_SHARE = 0.40  # true/false: between 40% and 60% of the statements are true
MAX_TRUE_SHARE = 0.60
MIN_MATCHING_DISTRACTORS = 1  # every matching question has a right-hand option with no partner

def option_length(text: str) -> int:
    """Visible length: characters without surrounding blanks and Markdown backticks."""
    return len(text.replace("`", "").strip())


@dataclass(frozen=True)
class ChoiceCue:
    """One choice question in one language."""

    question: Question
    lang: str
    longest_is_right: bool  # the right options are strictly the longest ones
    ratio: float  # mean length of the right options / mean length of the wrong ones

    def describe(self) -> str:
        flag = "longest=right" if self.longest_is_right else "longest=wrong/tie"
        return f"{self.question.id} [{self.lang}]: {flag}, right/wrong length {self.ratio:.2f}"


def choice_cue(question: Question, lang: str) -> ChoiceCue | None:
    parts = question.parts
    right_ids: set[str]
    if isinstance(parts, SingleChoiceParts):
        right_ids = {parts.answer}
    elif isinstance(parts, MultipleChoiceParts):
        right_ids = set(parts.answer)
    else:
        raise TypeError(f"question '{question.id}' has no choices (type {question.type})")
    right = [option_length(c.text.get(lang)) for c in parts.choices if c.id in right_ids]
    wrong = [option_length(c.text.get(lang)) for c in parts.choices if c.id not in right_ids]
    if not right or not wrong:
        return None  # every option is right: no length cue can exist
    # "picking the longest wins": every right option is strictly longer than every wrong one
    # (for a single-choice question: the answer is strictly the longest option)
    longest_is_right = min(right) > max(wrong)
    ratio = statistics.fmean(right) / max(statistics.fmean(wrong), 1)
    return ChoiceCue(question, lang, longest_is_right, ratio)


@dataclass(frozen=True)
class LanguageFigures:
    lang: str
    choice_questions: int
    longest_right: int
    median_ratio: float | None

    @property
    def longest_right_share(self) -> float | None:
        return self.longest_right / self.choice_questions if self.choice_questions else None


@dataclass
class CueReport:
    choices: list[ChoiceCue]
    truefalse: list[Question]
    matching: list[Question]

    def figures(self, lang: str) -> LanguageFigures:
        mine = [cue for cue in self.choices if cue.lang == lang]
        ratios = [cue.ratio for cue in mine]
        return LanguageFigures(lang, len(mine), sum(cue.longest_is_right for cue in mine),
                               statistics.median(ratios) if ratios else None)

    @property
    def true_count(self) -> int:
        return sum(1 for q in self.truefalse if q.parts.answer is True)

    @property
    def true_share(self) -> float | None:
        return self.true_count / len(self.truefalse) if self.truefalse else None

    @property
    def matching_without_distractors(self) -> list[Question]:
        return [q for q in self.matching
                if len(q.parts.distractors) < MIN_MATCHING_DISTRACTORS]

    # -- verdicts ---------------------------------------------------------------------------
    def problems(self, where: str = "quiz content") -> list[Problem]:
        """Everything over the targets; empty when the bank is within them."""
        found: list[Problem] = []
        for lang in LANGUAGES:
            figures = self.figures(lang)
            share = figures.longest_right_share
            if share is not None and share > MAX_LONGEST_RIGHT_SHARE:
                found.append(Problem(where, 1, "", (
                    f"cues [{lang}]: the right answer is the longest option in "
                    f"{figures.longest_right} of {figures.choice_questions} choice questions "
                    f"({share:.0%}); at most {MAX_LONGEST_RIGHT_SHARE:.0%} allowed (issue 16): "
                    "make the wrong options as long and specific as the right one")))
            ratio = figures.median_ratio
            if ratio is not None and not MIN_MEDIAN_LENGTH_RATIO <= ratio <= \
                    MAX_MEDIAN_LENGTH_RATIO:
                found.append(Problem(where, 1, "", (
                    f"cues [{lang}]: median length of right / wrong options is {ratio:.2f}; "
                    f"it must lie between {MIN_MEDIAN_LENGTH_RATIO} and "
                    f"{MAX_MEDIAN_LENGTH_RATIO} (issue 16)")))
        share = self.true_share
        if share is not None and not MIN_TRUE_SHARE <= share <= MAX_TRUE_SHARE:
            found.append(Problem(where, 1, "", (
                f"cues: {self.true_count} of {len(self.truefalse)} true/false statements are "
                f"true ({share:.0%}); keep it between {MIN_TRUE_SHARE:.0%} and "
                f"{MAX_TRUE_SHARE:.0%} (issue 16)")))
        for question in self.matching_without_distractors:
            found.append(Problem(question.file, question.line, "", (
                f"question '{question.id}': a matching question needs at least "
                f"{MIN_MATCHING_DISTRACTORS} right-hand option without a partner "
                "('distractors:'), or its last pair is forced (issue 16)")))
        return found

    # -- what the validator prints -----------------------------------------------------------
    def lines(self, *, per_question: bool = True) -> list[str]:
        out: list[str] = []
        if per_question:
            by_question: dict[str, list[ChoiceCue]] = {}
            for cue in self.choices:
                by_question.setdefault(cue.question.id, []).append(cue)
            for cues in by_question.values():
                question = cues[0].question
                parts = ", ".join(
                    f"{cue.lang} {cue.ratio:.2f}{' longest' if cue.longest_is_right else ''}"
                    for cue in cues)
                out.append(f"  {question.file}:{question.line}: {question.id} ({question.type}) "
                           f"right/wrong length: {parts}")
            for question in self.matching:
                out.append(f"  {question.file}:{question.line}: {question.id} (matching) "
                           f"{len(question.parts.distractors)} distractor(s)")
        for lang in LANGUAGES:
            figures = self.figures(lang)
            share = figures.longest_right_share
            ratio = figures.median_ratio
            out.append(
                f"cues [{lang}]: right answer longest in {figures.longest_right}/"
                f"{figures.choice_questions} choice questions"
                + (f" ({share:.0%}, target <= {MAX_LONGEST_RIGHT_SHARE:.0%})"
                   if share is not None else "")
                + (f"; median right/wrong length {ratio:.2f} (target "
                   f"{MIN_MEDIAN_LENGTH_RATIO}-{MAX_MEDIAN_LENGTH_RATIO})"
                   if ratio is not None else ""))
        if self.truefalse:
            out.append(f"cues: true/false {self.true_count}/{len(self.truefalse)} true "
                       f"({self.true_share:.0%}, target {MIN_TRUE_SHARE:.0%}-"
                       f"{MAX_TRUE_SHARE:.0%})")
        if self.matching:
            missing = len(self.matching_without_distractors)
            out.append(f"cues: matching without distractors {missing}/{len(self.matching)} "
                       "(target 0)")
        return out


def measure(questions: Iterable[Question]) -> CueReport:
    report = CueReport([], [], [])
    for question in questions:
        if isinstance(question.parts, ChoiceParts):
            for lang in LANGUAGES:
                cue = choice_cue(question, lang)
                if cue is not None:
                    report.choices.append(cue)
        elif isinstance(question.parts, TrueFalseParts):
            report.truefalse.append(question)
        elif isinstance(question.parts, MatchingParts):
            report.matching.append(question)
    return report
