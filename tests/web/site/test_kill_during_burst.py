"""The app is killed (SIGKILL, every gunicorn process at once) in the middle of a burst of quiz
answers and started again on the same database: every answer the API acknowledged with a 200 is
still there, nothing more than what was in flight at the kill was added, and the service works.
Runs on SQLite and, with DOCKLAB_TEST_DATABASE=postgresql, on PostgreSQL."""
from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from docklab.extensions import db
from docklab.models import ApiToken, User
from docklab.quiz.models import QuizAnswer, ReviewCard
from tests.support.webapp import create_user, make_app
from tests.web.quiz.quiz_answers import one_of_each_type, right_answer, wrong_answer

REPO = Path(__file__).resolve().parents[3]
USERS = 20
THREADS = 16
KILL_AFTER_ACKS = 150
KILL_AFTER_SECONDS = 8.0  # a slow machine still kills mid-burst, with fewer answers acknowledged


@dataclass
class Attempt:
    user: int
    question: str
    started: float
    ended: float
    status: int | None  # the HTTP status, None when no response came (connection refused, reset)
    error: str = ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(database_url: str, port: int, instance: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, DOCKLAB_SECRET_KEY="shared-secret",
               DOCKLAB_INSTANCE_PATH=str(instance), DOCKLAB_LOCAL_ENGINE="0",
               DOCKLAB_LOGIN_LIMIT="100000")  # the only rate limit the token API could meet
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "3", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "app:app"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as reply:  # noqa: S310
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not become healthy in 30 s")


def stop(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=20)


def post_answer(url: str, token: str, question_id: str, answer) -> tuple[int | None, str]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{url}/api/v1/questions/{question_id}/answer", method="POST",
        data=json.dumps({"answer": answer}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:  # noqa: S310 - loopback
            body = json.loads(reply.read())
            assert "correct" in body
            return reply.status, ""
    except urllib.error.HTTPError as problem:
        return problem.code, problem.read().decode(errors="replace")[:200]
    except (OSError, http.client.HTTPException) as problem:  # refused, reset, no response
        return None, type(problem).__name__


def stored_counts(app) -> tuple[Counter, dict]:
    with app.app_context():
        rows = db.session.execute(select(QuizAnswer.user_id, QuizAnswer.question_id,
                                         func.count()).group_by(QuizAnswer.user_id,
                                                                QuizAnswer.question_id))
        counts = Counter({(user, question): n for user, question, n in rows})
        cards = {(card.user_id, card.question_id): card.reviews
                 for card in db.session.scalars(select(ReviewCard))}
        db.engine.dispose()
    return counts, cards


def test_every_acknowledged_answer_survives_a_kill_mid_burst(database_url, tmp_path):
    app = make_app(database_url)
    first = create_user(app, "burst-00")
    with app.app_context():
        # One scrypt hash for all (they only use their tokens): 20 hashes would cost seconds.
        users = [db.session.get(User, first)]
        users += [User(username=f"burst-{n:02d}", role=users[0].role,
                       password_hash=users[0].password_hash) for n in range(1, USERS)]
        db.session.add_all(users)
        plains = [ApiToken.issue(user, name="burst")[1] for user in users]
        db.session.commit()
        tokens = {user.id: plain for user, plain in zip(users, plains, strict=True)}
        db.engine.dispose()
    questions = list(one_of_each_type().values())  # every answer format, right and wrong
    answers = {q.id: (right_answer(q), wrong_answer(q)) for q in questions}
    jobs = itertools.cycle([(user, q.id, flip) for flip in (0, 1) for q in questions
                            for user in tokens])
    jobs_lock = threading.Lock()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(database_url, port, tmp_path / "instance")
    try:
        wait_healthy(url, process)
        attempts: list[Attempt] = []
        record_lock = threading.Lock()
        acknowledged = 0
        killed_at: list[float] = []
        finished = threading.Event()

        def fire() -> None:
            nonlocal acknowledged
            while not finished.is_set():
                with jobs_lock:
                    user, question_id, flip = next(jobs)
                started = time.monotonic()
                status, error = post_answer(url, tokens[user], question_id,
                                            answers[question_id][flip])
                with record_lock:
                    attempts.append(Attempt(user, question_id, started, time.monotonic(),
                                            status, error))
                    acknowledged += status == 200
                if killed_at and status is None:
                    time.sleep(0.01)  # the app is down: no need to spin on refused connections

        burst_start = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            for _ in range(THREADS):
                pool.submit(fire)
            while acknowledged < KILL_AFTER_ACKS and \
                    time.monotonic() - burst_start < KILL_AFTER_SECONDS:
                time.sleep(0.005)
            with record_lock:
                acked_before_kill = acknowledged
            os.killpg(process.pid, signal.SIGKILL)  # master and workers, no chance to clean up
            process.wait(timeout=10)
            killed_at.append(time.monotonic())
            time.sleep(0.5)  # the threads keep firing at the dead app
            finished.set()
        burst_seconds = killed_at[0] - burst_start

        # Started again on the same database (same port, as an operator's restart would).
        process = start_gunicorn(database_url, port, tmp_path / "instance")
        wait_healthy(url, process)
        kill = killed_at[0]
        refused = [a for a in attempts if a.status != 200]
        http_errors = [a for a in refused if a.status is not None]
        assert not http_errors, f"answers refused with an HTTP error: {http_errors[:3]}"
        acked = Counter((a.user, a.question) for a in attempts if a.status == 200)
        in_flight = Counter((a.user, a.question) for a in refused if a.started < kill)
        failed_after = [a for a in refused if a.started >= kill]
        total_acked = sum(acked.values())
        # The burst really overlapped the kill: answers acknowledged before it, some requests
        # cut off by it or refused after it, so the test cannot pass without a kill mid-burst.
        assert total_acked >= 20 and acked_before_kill >= 20
        assert failed_after, "no request was fired at the dead app"
        assert sum(in_flight.values()) + len(failed_after) > 0

        stored, cards = stored_counts(make_app(database_url))
        total_stored = sum(stored.values())
        lost = {pair: acked[pair] - stored[pair] for pair in acked if stored[pair] < acked[pair]}
        assert not lost, f"acknowledged answers missing after the restart: {lost}"
        for pair, count in stored.items():
            # More than acknowledged only by requests that were in flight when it was killed.
            assert count - acked[pair] <= in_flight[pair], (pair, count, acked[pair])
        assert total_acked <= total_stored <= total_acked + sum(in_flight.values())
        for pair in acked:
            assert 1 <= cards.get(pair, 0) <= stored[pair], (pair, cards.get(pair))
        print(f"\n[{database_url.split(':')[0]}] burst {burst_seconds:.2f} s, "
              f"{len(attempts)} requests: acknowledged {total_acked} "
              f"({acked_before_kill} when the kill was sent), stored {total_stored}, "
              f"in flight at the kill {sum(in_flight.values())} "
              f"(stored without acknowledgement {total_stored - total_acked}), "
              f"refused after the kill {len(failed_after)}, "
              f"review counts short of stored answers "
              f"{sum(stored[p] - cards.get(p, 0) for p in stored)}")

        # The restarted app works: new answers are acknowledged and stored.
        user = next(iter(tokens))
        for q in questions:
            assert post_answer(url, tokens[user], q.id, right_answer(q))[0] == 200
        after, _cards = stored_counts(make_app(database_url))
        assert sum(after.values()) == total_stored + len(questions)
        for q in questions:
            assert after[(user, q.id)] == stored[(user, q.id)] + 1
    finally:
        stop(process, signal.SIGTERM)

    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
