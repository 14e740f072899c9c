"""Spaced repetition with FSRS (the `fsrs` package, the scheduler modern Anki uses).

A quiz answer is not a self-rating, so it maps to two FSRS ratings: right -> Good,
wrong -> Again. With one 10-minute (re)learning step, a missed question comes back within
minutes, while a question answered right graduates straight to review and comes back in days,
further apart each time it is answered right again.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from .models import ReviewCard

STEP = timedelta(minutes=10)
SCHEDULER = Scheduler(learning_steps=(STEP,), relearning_steps=(STEP,))


def new_card_state(now: datetime) -> dict:
    # card_id is FSRS's own bookkeeping; a constant avoids its 1 ms sleep per new Card.
    return Card(card_id=1, due=now).to_dict()


def review(row: ReviewCard, correct: bool, now: datetime) -> None:
    """Apply one answer to the learner's card for this question."""
    card = Card.from_dict(row.card) if row.card else Card(card_id=1, due=now)
    rating = Rating.Good if correct else Rating.Again
    was_known = card.state == State.Review
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now.astimezone(UTC))
    row.card = card.to_dict()
    row.due = card.due
    row.stability = card.stability
    row.reviews = (row.reviews or 0) + 1
    if was_known and not correct:
        row.lapses = (row.lapses or 0) + 1
    row.last_review = now


def make_due(row: ReviewCard, now: datetime) -> None:
    """Bring a card forward to now (a lab of its section failed): memory state unchanged."""
    set_due(row, now)


def set_due(row: ReviewCard, when: datetime) -> None:
    """Move a card's due time (forward for a failed lab, back when that lab passes)."""
    card = Card.from_dict(row.card) if row.card else Card(card_id=1, due=when)
    card.due = when
    row.card = card.to_dict()
    row.due = when


def is_due(row: ReviewCard, until: datetime) -> bool:
    return row.due <= until
