"""Issue 12, findings 1 and 2 (red-team report 1 and 4): no learner's host can hold the site's
threads. Calls to learners' hosts run on a bounded pool under one deadline that cuts the
sockets; a full pool says "busy" at once; one learner has one call in flight."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from docklab.hosts import outbound
from grader.hosts import HostError
from tests.support.drip import DripEngine
from tests.support.webapp import bearer, create_user


# --- the pool's rules, on their own ---------------------------------------------------------
def test_a_full_pool_is_busy_at_once_and_one_learner_has_one_call_in_flight():
    pool = outbound.Outbound(workers=2, per_learner=1)
    release = threading.Event()
    first = pool.submit(1, lambda deadline: release.wait(5), seconds=10)
    with pytest.raises(outbound.AlreadyRunning):
        pool.submit(1, lambda deadline: None, seconds=10)
    second = pool.submit(2, lambda deadline: release.wait(5), seconds=10)
    started = time.monotonic()
    with pytest.raises(outbound.Busy):
        pool.submit(3, lambda deadline: None, seconds=10)
    assert time.monotonic() - started < 0.1  # refused, not queued
    release.set()
    first.wait(2), second.wait(2)
    time.sleep(0.05)
    assert pool.running == 0
    assert pool.submit(3, lambda deadline: "done", seconds=10).wait(2) == "done"


def test_the_deadline_counts_from_the_start_on_the_pool_not_from_the_submit():
    pool = outbound.Outbound(workers=1, per_learner=2)
    gate = threading.Event()
    blocker = pool.submit(1, lambda deadline: gate.wait(5), seconds=10)
    pool.workers = 2  # let a second one in behind it on the single thread
    pool._pool._max_workers = 1
    queued = pool.submit(1, lambda deadline: deadline.remaining(), seconds=3)
    time.sleep(1.0)
    gate.set()
    blocker.wait(2)
    assert queued.wait(2) > 2.8  # a second in the queue cost the host nothing


def test_call_cuts_the_work_off_when_the_request_stops_waiting():
    pool = outbound.Outbound(workers=2, per_learner=1)
    drip = DripEngine()
    try:
        from grader.hosts import HostSpec, engine_summary
        spec = HostSpec(drip.url, allow_plain_tcp=True, connect_timeout=2, read_timeout=2,
                        total_timeout=30)
        started = time.monotonic()
        with pytest.raises(HostError) as caught:
            pool.call(7, lambda deadline: engine_summary(spec, deadline), seconds=30, wait=1.0)
        assert time.monotonic() - started < 2.2
        assert caught.value.kind == "deadline"
        time.sleep(0.8)
        assert drip.open_connections == 0  # the socket was shut, the thread let go
        assert pool.running == 0
    finally:
        drip.stop()


# --- checks through the API -----------------------------------------------------------------
@pytest.fixture
def slow_host_app(app):
    app.config.update(DOCKLAB_ALLOWED_HOSTS="127.0.0.1/32", DOCKLAB_ALLOW_PLAIN_TCP=True,
                      DOCKLAB_CHECK_DEADLINE=2, DOCKLAB_REQUEST_WAIT=0.5,
                      DOCKLAB_CHECK_LIMIT=100, DOCKLAB_HOST_TIMEOUT=1.5)
    return app


def test_a_slow_hosts_check_answers_202_then_ends_as_an_error_at_the_deadline(slow_host_app,
                                                                               client):
    drip = DripEngine()
    try:
        headers = bearer(slow_host_app, create_user(slow_host_app, "slowpoke"))
        made = client.post("/api/v1/hosts", json={"url": drip.url, "kind": "tcp"},
                           headers=headers)
        assert made.status_code == 201, made.get_json()
        started = time.monotonic()
        pending = client.post("/api/v1/labs/engine-ready/check", headers=headers)
        assert time.monotonic() - started < 2.0  # the request did not wait for the host
        assert pending.status_code == 202
        body = pending.get_json()
        assert body["status"] == "pending"
        poll = pending.headers["Location"]
        assert poll == f"/api/v1/attempts/{body['attempt_id']}"
        again = client.post("/api/v1/labs/engine-ready/check", headers=headers)
        assert again.status_code == 429 and again.get_json()["error"] == "already_running"
        assert again.headers["Retry-After"]
        while (attempt := client.get(poll, headers=headers).get_json())["status"] \
                == "pending":
            assert time.monotonic() - started < 5
            time.sleep(0.2)
        assert attempt["status"] == "error"
        assert "2초 안에" in attempt["checks"][0]["message"]
        assert time.monotonic() - started < 4.5  # one deadline, from when grading started
        time.sleep(0.8)
        assert drip.open_connections == 0
    finally:
        drip.stop()


def test_an_innocent_learner_is_checked_quickly_while_slow_checks_fill_the_pool(
        slow_host_app, client, docker_engine):
    """The report's reproduction of finding 4: many slow checks in flight from several accounts
    must not slow a learner whose host is healthy."""
    slow_host_app.config.update(DOCKLAB_CHECK_DEADLINE=4, DOCKLAB_LOCAL_ENGINE=True,
                                DOCKLAB_LOCAL_ENGINE_URL=docker_engine.base_url)
    pool = outbound.for_app(slow_host_app)
    drip = DripEngine()
    try:
        attackers = []
        for index in range(pool.workers - 1):  # all but one slot
            headers = bearer(slow_host_app, create_user(slow_host_app, f"mallory{index}"))
            assert client.post("/api/v1/hosts", json={"url": drip.url, "kind": "tcp"},
                               headers=headers).status_code == 201
            attackers.append(headers)
        victim = bearer(slow_host_app, create_user(slow_host_app, "bob"))
        with ThreadPoolExecutor(len(attackers)) as burst:
            answers = list(burst.map(
                lambda h: slow_host_app.test_client().post("/api/v1/labs/hello-world/check",
                                                           headers=h).status_code, attackers))
        assert answers == [202] * len(attackers)
        started = time.monotonic()
        checked = client.post("/api/v1/labs/hello-world/check", headers=victim)
        took = time.monotonic() - started
        assert checked.status_code == 200 and checked.get_json()["status"] in ("passed",
                                                                              "failed")
        print(f"\ninnocent learner's check with slow checks in flight: {took * 1000:.0f} ms")
        assert took < 1.0, took
        # The pool is now full: a further check is refused at once, not queued.
        late = bearer(slow_host_app, create_user(slow_host_app, "late"))
        assert client.post("/api/v1/hosts", json={"url": drip.url, "kind": "tcp"},
                           headers=late).status_code == 201
        with ThreadPoolExecutor(1) as one:
            hold = one.submit(lambda: slow_host_app.test_client().post(
                "/api/v1/labs/hello-world/check", headers=late))
            time.sleep(0.2)
            refused = client.post("/api/v1/labs/hello-world/check", headers=victim)
            hold.result()
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert refused.get_json()["error"] == "busy"
    finally:
        drip.stop()


def test_test_connection_is_cut_at_the_request_wait(slow_host_app, client):
    drip = DripEngine()
    try:
        headers = bearer(slow_host_app, create_user(slow_host_app, "tester"))
        host = client.post("/api/v1/hosts", json={"url": drip.url, "kind": "tcp"},
                           headers=headers).get_json()
        started = time.monotonic()
        tested = client.post(f"/api/v1/hosts/{host['id']}/test", headers=headers)
        assert time.monotonic() - started < 1.6
        # a host that did not answer in time: 504, in the one error shape
        assert tested.status_code == 504 and tested.get_json()["error"] == "deadline"
        time.sleep(0.8)
        assert drip.open_connections == 0
    finally:
        drip.stop()
