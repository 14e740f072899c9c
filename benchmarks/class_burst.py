"""Class-sized burst: a whole class checks its labs and answers quizzes at once.

Starts K independent Docker engines (learners' hosts: each its own dockerd, socket, bridge and
loopback address, with the lab images and containers in mixed states: some labs done, some not,
plus crashed and never-started leftovers), N learners with API tokens whose default host is one
of those engines, and a few learners whose host is slow (a fake engine that never answers) or dead
(a socket nobody listens on). docklab runs under gunicorn (4 workers by default) on SQLite, then on
a private PostgreSQL server. Every learner, on its own thread, checks L labs and answers Q
questions in a shuffled order through the token API, pausing a random 0..2x`--think` seconds
before each action (a person reads a question before answering; `--think 0` fires back to back,
which measures the server's saturation, not a class).

Per database, after an unmeasured warm-up, two bursts on the same server: the healthy learners
alone, then everyone (slow and dead hosts included). Reports throughput, p50/p95/p99 latency of
checks (healthy hosts) and answers, the slow and dead hosts' check times, HTTP errors, verdicts
that differ from the engine's real state, lost writes (stored attempts and answers against the
acknowledged requests), and two ratios against baselines measured in the same run: the burst's p95
against one learner alone on the idle server, and the healthy learners' p95 with the bad hosts
against without them (isolation).

Targets (2 cores, 4 workers): p95 check latency under 1 s for healthy hosts, 0 errors, 0 lost.

    sudo .venv/bin/python benchmarks/class_burst.py                       # 200 learners, both DBs
    sudo .venv/bin/python benchmarks/class_burst.py --learners 50 --database sqlite
    sudo .venv/bin/python benchmarks/class_burst.py --think 0             # saturation
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.docker_engine import start_private_engine  # noqa: E402
from tests.support.hostile_engine import HostileEngine  # noqa: E402
from tests.support.images import copy_images, ensure_lab_images  # noqa: E402
from tests.web.quiz.quiz_answers import real_bank, right_answer, wrong_answer  # noqa: E402

LABS = ("mysql-env", "nginx-port", "hello-world")
IMAGES = ("mysql:5.6", "nginx:latest", "hello-world:latest")
SECRET = "class-burst-secret-key-0123456789abcdef"


# --- learner hosts ---------------------------------------------------------------------------
def prepare_engine(index: int, client) -> dict[str, str]:
    """Put the engine in a mixed state; returns the verdict each lab must get on it."""
    expected = {}
    if index % 2 == 0:
        client.containers.run("mysql:5.6", name="mydb", detach=True,
                              environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
        expected["mysql-env"] = "passed"
    else:  # no password: MySQL exits at once
        client.containers.run("mysql:5.6", name="mydb", detach=True)
        expected["mysql-env"] = "failed"
    host_port = 80 if index % 3 != 2 else 8080
    client.containers.run("nginx:latest", name="myweb", detach=True, ports={"80/tcp": host_port})
    expected["nginx-port"] = "passed" if host_port == 80 else "failed"
    if index % 4 != 3:
        client.containers.run("hello-world:latest", detach=True)
        expected["hello-world"] = "passed"
    else:
        expected["hello-world"] = "failed"
    for n in range(12):  # leftovers: crashed (mysql without a password) and never started
        if n % 2:
            client.containers.run("mysql:5.6", name=f"old{n}", detach=True)
        else:
            client.containers.create("nginx:latest", name=f"draft{n}")
    time.sleep(1.0)  # let mysql without a password exit
    return expected


def start_engines(count: int) -> tuple[list, list[dict[str, str]]]:
    daemons, expectations = [], []
    first = None
    for index in range(count):
        daemon = start_private_engine()
        daemons.append(daemon)
        client = daemon.client(timeout=120)
        if first is None:
            first = client
            ensure_lab_images(client)
        else:
            copy_images(first, client, IMAGES)
        expectations.append(prepare_engine(index, client))
    return daemons, expectations


# --- databases -------------------------------------------------------------------------------
class Database:
    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind, self.server = kind, None
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir}/docklab.sqlite3"
        else:
            from tests.support.postgres import PrivatePostgres

            self.server = PrivatePostgres().start()
            self.server.execute("CREATE DATABASE docklab")
            self.url = self.server.url("docklab")

    def close(self) -> None:
        if self.server:
            self.server.stop()


def server_env(database: Database, workdir: Path) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=database.url, DOCKLAB_SECRET_KEY=SECRET,
                DOCKLAB_INSTANCE_PATH=str(workdir / "instance"), DOCKLAB_LOCAL_ENGINE="0",
                DOCKLAB_ALLOWED_HOSTS="unix://*", DOCKLAB_CHECK_LIMIT="100000")


@dataclass
class Learner:
    index: int
    token: str
    host: str  # "healthy", "slow" or "dead"
    expected: dict[str, str] = field(default_factory=dict)


def make_learners(database: Database, workdir: Path, count: int, daemons, expectations,
                  slow_url: str, dead_url: str, slow: int, dead: int) -> list[Learner]:
    """`flask setup` as an operator runs it, then accounts, tokens and hosts in one transaction."""
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "setup"],
                   cwd=REPO, env=server_env(database, workdir), check=True,
                   stdout=subprocess.DEVNULL)
    os.environ.update({"DOCKLAB_ALLOWED_HOSTS": "unix://*", "DOCKLAB_SECRET_KEY": SECRET})
    from docklab import create_app
    from docklab.extensions import db
    from docklab.hosts import services as hosts
    from docklab.models import ApiToken, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "SECRET_KEY": SECRET})
    learners = []
    with app.app_context():
        template = User(username="burst-0000", role="student")
        template.set_password("burst-password-9")  # one scrypt hash, copied: tokens are used
        users = [template] + [User(username=f"burst-{n:04d}", role="student",
                                   password_hash=template.password_hash)
                              for n in range(1, count)]
        db.session.add_all(users)
        db.session.flush()
        for n, user in enumerate(users):
            if n < slow:
                kind, url, expected = "slow", slow_url, dict.fromkeys(LABS, "error")
            elif n < slow + dead:
                kind, url, expected = "dead", dead_url, dict.fromkeys(LABS, "error")
            else:
                engine = n % len(daemons)
                kind, url, expected = "healthy", daemons[engine].socket_url, expectations[engine]
            hosts.register(user.id, "unix", "burst host", url, make_default=True)
            learners.append(Learner(n, ApiToken.issue(user, "burst")[1], kind, expected))
        db.session.commit()
        db.engine.dispose()
    return learners


# --- the server ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(database: Database, workdir: Path, workers: int, threads: int):
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads",
         str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "60", "app:app"],
        cwd=REPO, env=server_env(database, workdir), stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"), start_new_session=True)  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return process, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start: " + (workdir / "gunicorn.log").read_text()[-2000:])


# --- the load --------------------------------------------------------------------------------
@dataclass
class Sample:
    learner: int
    kind: str  # "check" or "answer"
    host: str
    seconds: float
    http: int  # 0: no response
    verdict: str = ""
    expected: str = ""
    ended: float = 0.0  # perf_counter when the answer arrived
    detail: str = ""  # for a verdict that is not the expected one: what the checks said


class Client:
    """One learner's keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.headers = port, {"Authorization": f"Bearer {token}",
                                         "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)

    def post(self, path: str, body: dict | None) -> tuple[int, dict]:
        return self.send("POST", path, body)

    def send(self, method: str, path: str, body: dict | None) -> tuple[int, dict]:
        data = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, data, self.headers)
                response = self.connection.getresponse()
                self.last_headers = response.headers
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def actions_for(learner: Learner, labs: int, questions: int, bank, rng) -> list[tuple]:
    chosen = rng.sample(bank, questions)
    actions = [("check", lab, None) for lab in LABS[:labs]]
    actions += [("answer", q.id, right_answer(q) if rng.random() < 0.7 else wrong_answer(q))
                for q in chosen]
    rng.shuffle(actions)
    return actions


def check(client: Client, lab: str) -> tuple[int, dict]:
    """A check as a well-behaved client makes it: a busy server's 503 is tried again after its
    Retry-After, and a slow host's 202 is polled until the attempt is no longer pending."""
    status, body = client.post(f"/api/v1/labs/{lab}/check", {})
    while status == 503:
        time.sleep(float(client.last_headers.get("Retry-After", "1")))
        status, body = client.post(f"/api/v1/labs/{lab}/check", {})
    if status == 202:
        poll = client.last_headers["Location"]
        while status in (200, 202) and body.get("status") == "pending":
            time.sleep(0.5)
            status, body = client.send("GET", poll, None)
    return status, body


def run_learner(port: int, learner: Learner, actions, think: float, start: threading.Event,
                samples: list[Sample], rng) -> None:
    client = Client(port, learner.token)
    start.wait()
    for kind, target, answer in actions:
        if think:
            time.sleep(rng.uniform(0, 2 * think))
        began, detail = time.perf_counter(), ""
        try:
            if kind == "check":
                status, body = check(client, target)
                verdict = body.get("status", "")
                if verdict != learner.expected.get(target):
                    detail = "; ".join(f"{c.get('id')}: {c.get('message')}"
                                       for c in body.get("checks", [])
                                       if c.get("status") != "passed")[:300]
            else:
                status, body = client.post(f"/api/v1/questions/{target}/answer",
                                           {"answer": answer})
                verdict = str(body.get("correct", ""))
        except OSError as problem:
            status, verdict = 0, type(problem).__name__
        ended = time.perf_counter()
        samples.append(Sample(learner.index, kind, learner.host, ended - began, status, verdict,
                              learner.expected.get(target, "") if kind == "check" else "", ended,
                              detail))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def idle_baseline(port: int, learner: Learner, bank, rounds: int = 10) -> dict[str, float]:
    """One healthy learner alone on the same server, before the burst."""
    client, checks, answers = Client(port, learner.token), [], []
    for n in range(rounds):
        began = time.perf_counter()
        client.post(f"/api/v1/labs/{LABS[n % len(LABS)]}/check", {})
        checks.append(time.perf_counter() - began)
        q = bank[n]
        began = time.perf_counter()
        client.post(f"/api/v1/questions/{q.id}/answer", {"answer": right_answer(q)})
        answers.append(time.perf_counter() - began)
    return {"check": statistics.median(checks), "answer": statistics.median(answers),
            "checks": rounds, "answers": rounds}


def stored_counts(database: Database) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    with engine.connect() as connection:
        attempts = connection.execute(text("SELECT count(*) FROM lab_attempts")).scalar_one()
        answers = connection.execute(text("SELECT count(*) FROM quiz_answers")).scalar_one()
    engine.dispose()
    return attempts, answers


# --- one run ---------------------------------------------------------------------------------
def burst(port: int, database: Database, learners: list[Learner], bank, args) -> dict:
    """Every learner on its own thread, released together; returns samples and counts."""
    before = stored_counts(database)
    rng = random.Random(args.seed)
    samples: list[Sample] = []
    start = threading.Event()
    threads = [threading.Thread(target=run_learner, daemon=True, args=(
        port, learner, actions_for(learner, args.labs, args.questions, bank,
                                   random.Random(rng.random())),
        args.think, start, samples, random.Random(rng.random()))) for learner in learners]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # every learner connected and waiting
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {"samples": samples, "began": began, "wall": wall, "before": before,
            "after": stored_counts(database)}


def run(kind: str, args, daemons, expectations, slow_url: str, dead_url: str) -> dict:
    """On one database and server: the idle baseline, a burst of the healthy learners only, then
    the burst of everyone (slow and dead hosts included)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"dl-burst-{kind}-"))
    database = Database(kind, workdir)
    process = None
    try:
        learners = make_learners(database, workdir, args.learners, daemons, expectations,
                                 slow_url, dead_url, args.slow_hosts, args.dead_hosts)
        process, port = start_gunicorn(database, workdir, args.workers, args.threads)
        bank = list(real_bank())
        baseline_learner = next(learner for learner in learners if learner.host == "healthy")
        idle_baseline(port, baseline_learner, bank, rounds=3)  # warm every worker's imports
        baseline = idle_baseline(port, baseline_learner, bank)
        # Unmeasured: one check and one answer per healthy learner, so that neither measured
        # burst pays for first connections, pools and negotiated API versions.
        warm = argparse.Namespace(**{**vars(args), "labs": 1, "questions": 1, "think": 0})
        burst(port, database, [x for x in learners if x.host == "healthy"], bank, warm)
        clean = None
        if args.slow_hosts or args.dead_hosts:
            clean = burst(port, database, [x for x in learners if x.host == "healthy"], bank, args)
        everyone = burst(port, database, learners, bank, args)
    finally:
        if process:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        database.close()
    result = summarize(kind, args, everyone, baseline)
    if clean:
        alone = summarize(kind, args, clean, baseline)
        result["clean"] = alone
        result["check_p95_vs_clean"] = round(result["check_p95_ms"] / alone["check_p95_ms"], 2)
    return result


def summarize(kind, args, measured: dict, baseline: dict) -> dict:
    samples, began, wall = measured["samples"], measured["began"], measured["wall"]
    before, after = measured["before"], measured["after"]

    def latencies(sample_kind: str, host: str | None = None) -> list[float]:
        return [s.seconds for s in samples
                if s.kind == sample_kind and (host is None or s.host == host)]

    acknowledged_checks = sum(1 for s in samples if s.kind == "check" and s.http == 200)
    acknowledged_answers = sum(1 for s in samples if s.kind == "answer" and s.http == 200)
    stored_checks, stored_answers = after[0] - before[0], after[1] - before[1]
    healthy = latencies("check", "healthy")
    healthy_samples = [s for s in samples if s.host == "healthy"]
    answers = latencies("answer")
    result = {
        "database": kind, "learners": len({s.learner for s in samples}), "workers": args.workers,
        "threads": args.threads, "think": args.think, "requests": len(samples),
        "wall_s": round(wall, 2),
        # The slow hosts' learners finish last (each check waits for its timeout): throughput is
        # what the healthy learners got done while the burst lasted for them.
        "throughput_rps": round(len(healthy_samples) / (max(s.ended for s in healthy_samples)
                                                        - began), 1),
        "check_p50_ms": round(percentile(healthy, 50) * 1000),
        "check_p95_ms": round(percentile(healthy, 95) * 1000),
        "check_p99_ms": round(percentile(healthy, 99) * 1000),
        "answer_p50_ms": round(percentile(answers, 50) * 1000),
        "answer_p95_ms": round(percentile(answers, 95) * 1000),
        "answer_p99_ms": round(percentile(answers, 99) * 1000),
        "idle_check_ms": round(baseline["check"] * 1000, 1),
        "idle_answer_ms": round(baseline["answer"] * 1000, 1),
        "slow_host_check_max_s": round(max(latencies("check", "slow"), default=0), 2),
        "dead_host_check_max_s": round(max(latencies("check", "dead"), default=0), 2),
        "http_errors": sum(1 for s in samples if s.http != 200),
        "wrong_verdicts": sum(1 for s in samples if s.kind == "check" and s.http == 200
                              and s.verdict != s.expected),
        "wrong_verdict_kinds": dict(Counter(f"{s.expected}->{s.verdict}" for s in samples
                                            if s.kind == "check" and s.http == 200
                                            and s.verdict != s.expected)),
        "first_wrong": next((f"{s.host} {s.verdict}: {s.detail}" for s in samples
                             if s.kind == "check" and s.http == 200
                             and s.verdict != s.expected), ""),
        "checks_acknowledged": acknowledged_checks, "checks_stored": stored_checks,
        "answers_acknowledged": acknowledged_answers, "answers_stored": stored_answers,
        "lost_writes": max(0, acknowledged_checks - stored_checks)
        + max(0, acknowledged_answers - stored_answers),
    }
    result["check_p95_vs_idle"] = round(result["check_p95_ms"] / result["idle_check_ms"], 1)
    result["answer_p95_vs_idle"] = round(result["answer_p95_ms"] / result["idle_answer_ms"], 1)
    return result


def report(result: dict) -> None:
    r = result
    print(f"\n== {r['database']}: {r['learners']} learners, gunicorn {r['workers']} workers x "
          f"{r['threads']} threads, think {r['think']} s ==")
    print(f"requests {r['requests']} in {r['wall_s']} s; healthy learners' throughput "
          f"{r['throughput_rps']} req/s")
    print(f"checks  (healthy hosts) p50 {r['check_p50_ms']} ms  p95 {r['check_p95_ms']} ms  "
          f"p99 {r['check_p99_ms']} ms   idle {r['idle_check_ms']} ms  "
          f"(p95 = {r['check_p95_vs_idle']}x idle)")
    print(f"answers                 p50 {r['answer_p50_ms']} ms  p95 {r['answer_p95_ms']} ms  "
          f"p99 {r['answer_p99_ms']} ms   idle {r['idle_answer_ms']} ms  "
          f"(p95 = {r['answer_p95_vs_idle']}x idle)")
    print(f"slow host checks took at most {r['slow_host_check_max_s']} s, dead host "
          f"{r['dead_host_check_max_s']} s (both end as `error`)")
    print(f"HTTP errors {r['http_errors']}, wrong verdicts {r['wrong_verdicts']}, "
          f"checks {r['checks_acknowledged']} acknowledged / {r['checks_stored']} stored, "
          f"answers {r['answers_acknowledged']} / {r['answers_stored']}, "
          f"lost writes {r['lost_writes']}")
    if r["wrong_verdicts"]:
        print(f"wrong verdicts (expected->got): {r['wrong_verdict_kinds']}; "
              f"first: {r['first_wrong']}")
    if "clean" in r:
        print(f"isolation: the healthy learners' p95 check was {r['clean']['check_p95_ms']} ms "
              f"in a burst without the slow and dead hosts, {r['check_p95_ms']} ms with them "
              f"({r['check_p95_vs_clean']}x)")
    target = r["check_p95_ms"] < 1000 and r["http_errors"] == 0 and r["lost_writes"] == 0 \
        and r["wrong_verdicts"] == 0
    print("target (p95 check < 1 s, 0 errors, 0 wrong, 0 lost): " + ("met" if target else "MISSED"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--engines", type=int, default=4, help="learner Docker engines (K)")
    parser.add_argument("--labs", type=int, default=3, choices=range(1, len(LABS) + 1))
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause between a learner's actions, seconds (uniform 0..2x); "
                             "0 = every learner fires back to back (saturation)")
    parser.add_argument("--slow-hosts", type=int, default=5)
    parser.add_argument("--dead-hosts", type=int, default=5)
    parser.add_argument("--database", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error("starts private dockerd and PostgreSQL servers: run as root")

    daemons, expectations = start_engines(args.engines)
    results = []
    try:
        with HostileEngine("hang") as slow:
            dead_url = f"unix://{tempfile.mkdtemp(prefix='dl-dead-')}/docker.sock"  # no listener
            for kind in [k.strip() for k in args.database.split(",") if k.strip()]:
                result = run(kind, args, daemons, expectations, slow.url, dead_url)
                report(result)
                results.append(result)
    finally:
        for daemon in daemons:
            daemon.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["http_errors"] == 0 and r["lost_writes"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
