"""What an anonymous visitor did, kept in their (signed, cookie) session until they log in.

`anon_answers` is carried across log-in by auth.start_session; it stays small: the latest
MAX_ANSWERS answers, long typed answers cut short.
"""
from __future__ import annotations

import time

from flask import session

ANSWERS_KEY = "anon_answers"
RUNS_KEY = "anon_runs"
MAX_ANSWERS = 30
MAX_RUNS = 5
MAX_TEXT = 200


def remember_answer(question_id: str, answer, correct: bool, mode: str) -> None:
    if isinstance(answer, str) and len(answer) > MAX_TEXT:
        answer = answer[:MAX_TEXT]
    entries = list(session.get(ANSWERS_KEY, []))
    entries.append({"q": question_id, "a": answer, "c": bool(correct), "t": int(time.time()),
                    "m": mode})
    session[ANSWERS_KEY] = entries[-MAX_ANSWERS:]


def pending_answers() -> list[dict]:
    entries = session.get(ANSWERS_KEY)
    return [entry for entry in entries if isinstance(entry, dict)] \
        if isinstance(entries, list) else []


def forget_answers() -> None:
    session.pop(ANSWERS_KEY, None)


def own_run(run_id: int) -> None:
    runs = [rid for rid in session.get(RUNS_KEY, []) if rid != run_id]
    session[RUNS_KEY] = (runs + [run_id])[-MAX_RUNS:]


def owns_run(run_id: int) -> bool:
    return run_id in session.get(RUNS_KEY, [])
