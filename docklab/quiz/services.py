"""What the quiz views and the API call: runs, answers, the due queue, mastery.

Other areas may call `mark_section_due(user_id, section_title)` (a failed lab check brings its
note section's questions back) and `progress_summary(user_id)` (JSON-able progress).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import library
from ..content import Question, Section, check_answer
from ..content.model import AnswerResult
from ..extensions import db
from ..models import utcnow
from . import scheduling
from .models import PRACTICE, TEST, QuizAnswer, QuizRun, QuizSettings, ReviewCard

MIXED_SIZE = 10
DUE_SIZE = 20
ANONYMOUS_RUN_DAYS = 2


# --- content -----------------------------------------------------------------------------------
def bank():
    return library.current().bank


def notes():
    return library.current().notes


def question(question_id: str) -> Question | None:
    return bank().get(question_id)


def section(ref: str | None) -> Section | None:
    return notes().find(ref) if ref else None


def sections_with_counts() -> list[tuple[Section, int]]:
    return bank().section_counts()


def section_question_ids(ref: str) -> list[str]:
    return [q.id for q in bank().by_section(ref)]


# --- the learner's settings --------------------------------------------------------------------
def includes_retired(user_id: int | None) -> bool:
    """Whether questions on retired tools enter this learner's queue (off by default and for
    visitors who are not logged in)."""
    if user_id is None:
        return False
    row = db.session.get(QuizSettings, user_id)
    return bool(row and row.include_retired)


def set_includes_retired(user_id: int, include: bool) -> None:
    row = db.session.get(QuizSettings, user_id)
    if row is None:
        row = QuizSettings(user_id=user_id)
        db.session.add(row)
    row.include_retired = bool(include)
    db.session.commit()


def _wanted(q: Question, include_retired: bool) -> bool:
    return include_retired or not q.retired


# --- runs --------------------------------------------------------------------------------------
def start_run(user_id: int | None, kind: str, mode: str, ids: list[str],
              section_anchor: str | None = None, retry_of: int | None = None) -> QuizRun:
    """A new sitting over `ids`, in that order (the start_* helpers below choose the ids)."""
    if user_id is None:
        # Anonymous sittings are only reachable from the session that made them: prune old ones.
        cutoff = utcnow() - timedelta(days=ANONYMOUS_RUN_DAYS)
        db.session.execute(delete(QuizRun).where(QuizRun.user_id.is_(None),
                                                 QuizRun.started_at < cutoff))
    run = QuizRun(user_id=user_id, kind=kind, mode=mode if mode in (PRACTICE, TEST) else PRACTICE,
                  section_anchor=section_anchor, retry_of_id=retry_of, question_ids=list(ids),
                  given=[None] * len(ids), results=[None] * len(ids), position=0,
                  correct_count=0)
    db.session.add(run)
    db.session.commit()
    return run


def start_section_run(user_id: int | None, anchor: str, mode: str) -> QuizRun | None:
    found = section(anchor)
    ids = section_question_ids(found.anchor) if found else []
    if not ids:
        return None
    return start_run(user_id, "section", mode, ids, section_anchor=found.anchor)


def start_mixed_run(user_id: int | None, mode: str, size: int = MIXED_SIZE) -> QuizRun:
    """A sample across every section, questions the learner has not got right first."""
    include_retired = includes_retired(user_id)
    all_ids = [q.id for q in bank() if _wanted(q, include_retired)]
    known = set()
    if user_id is not None:
        known = {qid for qid, correct in latest_results(user_id).items() if correct}
    rng = secrets.SystemRandom()
    fresh = [qid for qid in all_ids if qid not in known]
    rest = [qid for qid in all_ids if qid in known]
    rng.shuffle(fresh)
    rng.shuffle(rest)
    return start_run(user_id, "mixed", mode, (fresh + rest)[:size])


def start_due_run(user_id: int, mode: str = PRACTICE) -> QuizRun | None:
    ids = [q.id for _card, q in due_queue(user_id)][:DUE_SIZE]
    return start_run(user_id, "due", mode, ids) if ids else None


def start_retry_run(run: QuizRun) -> QuizRun | None:
    missed = missed_ids(run)
    if not missed:
        return None
    return start_run(run.user_id, "retry", run.mode, missed, section_anchor=run.section_anchor,
                    retry_of=run.id)


def missed_ids(run: QuizRun) -> list[str]:
    return [qid for qid, result in zip(run.question_ids, run.results, strict=True)
            if result is False and qid in bank()]


def current_question(run: QuizRun) -> Question | None:
    """The next unanswered question, skipping any that left the content since the run began."""
    while run.position < run.total and question(run.question_ids[run.position]) is None:
        _record_in_run(run, None, None)
    if run.position >= run.total:
        return None
    return question(run.question_ids[run.position])


def _record_in_run(run: QuizRun, given, correct: bool | None) -> None:
    index = run.position
    given_list, results = list(run.given), list(run.results)
    given_list[index], results[index] = given, correct
    run.given, run.results = given_list, results  # reassign: JSON columns track assignment
    run.position = index + 1
    run.correct_count = sum(1 for result in results if result)
    if run.position >= run.total:
        run.finished_at = utcnow()


def answer_in_run(run: QuizRun, q: Question, answer, lang: str, *,
                  retry: bool = True) -> AnswerResult:
    """Grade and record the answer to the run's current question (raises AnswerFormatError
    before anything is stored)."""
    result = check_answer(q, answer, lang)
    now = utcnow()
    _record_in_run(run, answer, result.correct)
    if run.user_id is not None:
        _store_answer(run.user_id, q.id, answer, result.correct, now, run.mode, "web", run.id)
    _commit_or_retry(lambda: answer_in_run(run, q, answer, lang, retry=False), retry)
    return result


# --- answers and scheduling --------------------------------------------------------------------
def _card_row(user_id: int, question_id: str, now: datetime) -> ReviewCard:
    # FOR UPDATE: two answers to one question at once (two tabs) each add their review to the
    # card in turn on PostgreSQL (SQLite drops the clause: its writers queue on the file lock).
    row = db.session.scalar(select(ReviewCard).where(ReviewCard.user_id == user_id,
                                                     ReviewCard.question_id == question_id)
                            .with_for_update())
    return row if row is not None else _new_card(user_id, question_id, now)


def _new_card(user_id: int, question_id: str, now: datetime) -> ReviewCard:
    row = ReviewCard(user_id=user_id, question_id=question_id,
                     card=scheduling.new_card_state(now), due=now, reviews=0, lapses=0)
    db.session.add(row)
    return row


def _store_answer(user_id: int, question_id: str, answer, correct: bool, when: datetime,
                  mode: str, source: str, run_id: int | None) -> QuizAnswer:
    stored = QuizAnswer(user_id=user_id, question_id=question_id, answer=answer,
                        correct=correct, answered_at=when, mode=mode, source=source,
                        run_id=run_id)
    db.session.add(stored)
    scheduling.review(_card_row(user_id, question_id, when), correct, when)
    return stored


def answer_question(user_id: int, q: Question, answer, lang: str = "ko",
                    source: str = "api", mode: str = PRACTICE, *,
                    retry: bool = True) -> AnswerResult:
    """Grade one answer outside a run (the JSON API), store it and reschedule the question."""
    result = check_answer(q, answer, lang)
    _store_answer(user_id, q.id, answer, result.correct, utcnow(), mode, source, None)
    _commit_or_retry(lambda: answer_question(user_id, q, answer, lang, source, mode,
                                             retry=False), retry)
    return result


def _commit_or_retry(again, retry: bool) -> None:
    """Two answers of one learner to one question at the same moment (two tabs, a script) may
    both create its review card; the loser rolls back and runs `again` once, now updating that
    card. A second IntegrityError is a real constraint problem: it is raised, not retried."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not retry:
            raise
        again()


def save_anonymous_answers(user_id: int, entries: list[dict]) -> int:
    """Move answers given before logging in into the account, in the order they were given."""
    saved = 0
    for entry in sorted(entries, key=lambda item: item.get("t", 0)):
        qid = entry.get("q")
        if not isinstance(qid, str) or question(qid) is None:
            continue
        when = datetime.fromtimestamp(int(entry.get("t", 0)), UTC)
        mode = entry.get("m") if entry.get("m") in (PRACTICE, TEST) else PRACTICE
        _store_answer(user_id, qid, entry.get("a"), bool(entry.get("c")), when, mode,
                      "anonymous", None)
        saved += 1
    db.session.commit()
    return saved


def mark_section_due(user_id: int, section_title: str) -> int:
    """Make every question of a note section (heading text or anchor) due now for this learner,
    e.g. when a lab check of that section failed. Returns how many questions were affected."""
    ids = section_question_ids(section_title)
    now = utcnow()
    # One query for the cards the learner has (a section holds a dozen questions or more).
    cards = {card.question_id: card for card in db.session.scalars(
        select(ReviewCard).where(ReviewCard.user_id == user_id,
                                 ReviewCard.question_id.in_(ids)))} if ids else {}
    for qid in ids:
        scheduling.make_due(cards.get(qid) or _new_card(user_id, qid, now), now)
    db.session.commit()
    return len(ids)


def queue_for_failed_lab(user_id: int, section_title: str, cap: int) -> list[dict]:
    """A failed lab check brings questions of its note section back for review, at most `cap`
    of them in the queue at once (counting those already due now): first the ones the learner
    missed last time, then others they have seen, then never-seen ones in the notes' order.
    Returns what was added, one {"q", "new", "due", "reviews"} per question, so the lab page
    can say so and `unqueue_after_pass` can undo it. Questions on retired tools stay out unless
    the learner included them (the queue would not show them)."""
    include_retired = includes_retired(user_id)
    ids = [q.id for q in bank().by_section(section_title) if _wanted(q, include_retired)]
    if not ids or cap <= 0:
        return []
    now = utcnow()
    cards = {card.question_id: card for card in db.session.scalars(
        select(ReviewCard).where(ReviewCard.user_id == user_id,
                                 ReviewCard.question_id.in_(ids)))}
    due_now = [qid for qid in ids if qid in cards and cards[qid].due <= now]
    room = cap - len(due_now)
    if room <= 0:
        return []
    latest = latest_results(user_id)
    seen = sorted((qid for qid in ids if qid in cards and qid not in due_now),
                  key=lambda qid: (latest.get(qid, False), cards[qid].due))
    unseen = [qid for qid in ids if qid not in cards]
    added = []
    for qid in (seen + unseen)[:room]:
        card = cards.get(qid)
        if card is None:
            _new_card(user_id, qid, now)
            added.append({"q": qid, "new": True, "due": None, "reviews": 0})
        else:
            added.append({"q": qid, "new": False, "due": card.due.isoformat(),
                          "reviews": card.reviews})
            scheduling.make_due(card, now)
    db.session.commit()
    return added


def unqueue_after_pass(user_id: int, added: list[dict]) -> list[str]:
    """Undo `queue_for_failed_lab` for questions not answered since: a never-seen question
    leaves the queue, a seen one goes back to when it was due. Returns the ids taken out."""
    ids = [entry["q"] for entry in added if isinstance(entry, dict) and "q" in entry]
    cards = {card.question_id: card for card in db.session.scalars(
        select(ReviewCard).where(ReviewCard.user_id == user_id,
                                 ReviewCard.question_id.in_(ids)))} if ids else {}
    removed = []
    for entry in added:
        card = cards.get(entry.get("q"))
        if card is None or card.reviews != entry.get("reviews", 0):
            continue  # gone, or answered since: the learner's answers decide now
        if entry.get("new"):
            db.session.delete(card)
        elif entry.get("due"):
            scheduling.set_due(card, datetime.fromisoformat(entry["due"]))
        removed.append(entry["q"])
    db.session.commit()
    return removed


def due_now_count(user_id: int, now: datetime | None = None) -> int:
    """Questions due at this moment (the queue's headline; later today is listed, not counted)."""
    moment = now or utcnow()
    return sum(1 for card, _question in due_queue(user_id, moment)
               if card.due <= moment)


def end_of_today(now: datetime | None = None) -> datetime:
    """Midnight after `now` in the site's time zone: 'due today' means due before it."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    local = (now or utcnow()).astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone) + timedelta(days=1)
    return midnight.astimezone(UTC)


def due_queue(user_id: int, now: datetime | None = None) -> list[tuple[ReviewCard, Question]]:
    """Questions due for review today, soonest first. Left out: questions no longer in the
    content, and questions on retired tools unless the learner included them."""
    until = end_of_today(now)
    include_retired = includes_retired(user_id)
    rows = db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id,
                                                       ReviewCard.due <= until)
                              .order_by(ReviewCard.due, ReviewCard.id)).all()
    return [(row, q) for row in rows
            if (q := question(row.question_id)) is not None and _wanted(q, include_retired)]


def card_for(user_id: int, question_id: str) -> ReviewCard | None:
    return db.session.scalar(select(ReviewCard).where(ReviewCard.user_id == user_id,
                                                      ReviewCard.question_id == question_id))


# --- progress ----------------------------------------------------------------------------------
def latest_results(user_id: int) -> dict[str, bool]:
    """Question id -> whether the learner's latest answer to it was right."""
    rows = db.session.execute(
        select(QuizAnswer.question_id, QuizAnswer.correct)
        .where(QuizAnswer.user_id == user_id)
        .order_by(QuizAnswer.answered_at, QuizAnswer.id)).all()
    return {qid: bool(correct) for qid, correct in rows}


@dataclass(frozen=True)
class SectionProgress:
    """Mastery of a section = share of its questions whose latest answer is right."""

    section: Section
    total: int
    answered: int
    known: int
    due: int
    stability_days: float | None  # median FSRS stability of the answered questions

    @property
    def mastery(self) -> int:
        return round(100 * self.known / self.total) if self.total else 0

    def as_dict(self) -> dict:
        return {"section": self.section.title, "anchor": self.section.anchor,
                "questions": self.total, "answered": self.answered, "known": self.known,
                "due_today": self.due, "mastery": self.mastery,
                "stability_days": self.stability_days}


def section_progress(user_id: int, now: datetime | None = None) -> list[SectionProgress]:
    latest = latest_results(user_id)
    until = end_of_today(now)
    include_retired = includes_retired(user_id)
    cards = {row.question_id: row for row in db.session.scalars(
        select(ReviewCard).where(ReviewCard.user_id == user_id))}
    progress = []
    for sec, _count in sections_with_counts():
        ids = section_question_ids(sec.anchor)
        if not ids:
            continue
        stabilities = sorted(cards[q].stability for q in ids
                             if q in cards and cards[q].stability is not None)
        median = stabilities[len(stabilities) // 2] if stabilities else None
        progress.append(SectionProgress(
            section=sec, total=len(ids), answered=sum(1 for q in ids if q in latest),
            known=sum(1 for q in ids if latest.get(q)),
            due=sum(1 for q in ids if q in cards and scheduling.is_due(cards[q], until)
                    and _wanted(question(q), include_retired)),
            stability_days=round(median, 1) if median is not None else None))
    return progress


def test_results(user_id: int, limit: int = 20) -> list[QuizRun]:
    return list(db.session.scalars(
        select(QuizRun).where(QuizRun.user_id == user_id, QuizRun.mode == TEST,
                              QuizRun.finished_at.is_not(None))
        .order_by(QuizRun.finished_at.desc()).limit(limit)))


def answer_count(user_id: int) -> int:
    return db.session.scalar(select(db.func.count()).select_from(QuizAnswer)
                             .where(QuizAnswer.user_id == user_id)) or 0


def progress_summary(user_id: int) -> dict:
    """Quiz progress as JSON-able data (for `/api/v1/me/progress` and the instructor board)."""
    sections = section_progress(user_id)
    total = sum(item.total for item in sections)
    known = sum(item.known for item in sections)
    return {
        "answers": answer_count(user_id),
        "due_today": len(due_queue(user_id)),
        "mastery": round(100 * known / total) if total else 0,
        "sections": [item.as_dict() for item in sections],
        "tests": [{"run_id": run.id, "section": run.section_anchor, "kind": run.kind,
                   "score": run.correct_count, "total": run.total,
                   "finished_at": run.finished_at.isoformat()}
                  for run in test_results(user_id)],
    }
