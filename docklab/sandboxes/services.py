"""Learners' sandboxes as the pages and the API use them.

Other areas call:
- `request(user_id)`: start or resume the learner's sandbox (queued when the server is full);
- `status(user_id)`: state, queue position and estimate, address, what it uses;
- `wipe(user_id)`, `exec_command(user_id, command)`, `touch(user_id)`;
- `connection_for(user_id)`: the grader's view of a ready sandbox (a `hosts.Connection`);
- `reap()`: stop idle sandboxes, pause the ones over their disk budget, let the queue in, and
  clean up after a crash. `flask sandboxes reap` runs it; so does every status read, at most once
  a minute per process.

Starting runs on a small pool of its own (a cold start takes ~0.3 s, a first workstation pull a
few seconds): a request never waits for it, it answers `starting` and the page polls. A new or
reset sandbox starts from the seed (`ensure_seed`: its engine already holds the workstation image,
so nothing is pulled), copied in ahead of time for the next free slots and a slot just reset
(`_warm_soon`); without a usable seed it pulls the image as before.
"""
from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import docker
from grader.hosts import HostSpec, connect
from grader.snapshot import TOOL_LABEL

from .. import settings
from ..errors import DocklabError
from ..extensions import db
from ..hosts import outbound
from ..hosts import services as hosts
from ..i18n import N_
from ..models import utcnow
from .driver import Limits, SandboxError
from .images import registry_digest
from .local import LocalRootlessDriver
from .models import PAUSED, QUEUED, READY, RUNNING_STATES, STARTING, STOPPED, Sandbox
from .terminal import TerminalTarget

WORKSTATION_IMAGE = "docklab/workstation:1"
WORKSTATION = "docklab-workstation"
EXEC_OUTPUT_LIMIT = 64 * 1024
# A start that has not finished after this long died with its process: it is stopped again.
START_GIVE_UP = timedelta(seconds=120)

_starts = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docklab-sandbox-start")
# Copying the seed into a sandbox takes ~1 s on a quiet machine and several under load, so it is
# done ahead, off the learner's wait: for the next free slots (a new learner gets the lowest) and
# for a slot just reset. One thread: it never competes with starts for more than one core.
WARM_SPARES = 2
_warming = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docklab-sandbox-warm")
_warm_queued = threading.BoundedSemaphore(3)
_last_reap = [0.0]
_reaping = threading.Lock()


class Unavailable(DocklabError):
    """This server runs no sandboxes (turned off, or the machine cannot); `reason` is the
    administrator's explanation (English, from the driver)."""

    status = 409
    code = "sandboxes_unavailable"
    MESSAGES = {"sandboxes_unavailable": N_("Sandboxes cannot run on this server: %(reason)s")}

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)
        self.reason = reason


class NoSandbox(DocklabError, LookupError):
    """The learner has no sandbox yet (`not_found`), or it is not running where it has to be
    (`sandbox_not_ready`)."""

    status = 404
    code = "not_found"
    STATUSES = {"sandbox_not_ready": 409}
    MESSAGES = {"not_found": N_("You have no sandbox yet."),
                "sandbox_not_ready": N_("Your sandbox is not running. Start it first.")}


# --- settings and the driver ------------------------------------------------------------------
def driver(app: Flask | None = None) -> LocalRootlessDriver:
    app = app or current_app._get_current_object()
    found = app.extensions.get("docklab_sandbox_driver")
    if found is None:
        site = settings.current(app)
        found = LocalRootlessDriver(
            prefix=site.sandbox_prefix,
            address_base=site.sandbox_address_base,
            registry_port=int(site.registry_addr.rsplit(":", 1)[1]),
            limits=Limits(memory_mb=site.sandbox_memory_mb, pids=site.sandbox_pids,
                          cpu_shares=site.sandbox_cpu_shares, disk_mb=site.sandbox_disk_mb))
        app.extensions["docklab_sandbox_driver"] = found
    return found


def unavailable() -> str | None:
    if not settings.current().sandboxes:
        return "sandboxes are turned off on this server (DOCKLAB_SANDBOXES=0)"
    return driver().unavailable()


def _capacity() -> int:
    return settings.current().sandbox_max


def _idle() -> timedelta:
    return timedelta(minutes=settings.current().sandbox_idle_minutes)


# --- reading --------------------------------------------------------------------------------
def sandbox_of(user_id: int) -> Sandbox | None:
    return db.session.scalar(select(Sandbox).where(Sandbox.user_id == user_id))


def _running_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Sandbox)
                             .where(Sandbox.state.in_(RUNNING_STATES))) or 0


def _queue_position(sandbox: Sandbox) -> int:
    ahead = db.session.scalar(select(func.count()).select_from(Sandbox).where(
        Sandbox.state == QUEUED, Sandbox.requested_at < sandbox.requested_at)) or 0
    return ahead + 1


def _estimate_seconds(position: int) -> int:
    """When the position-th running sandbox will have been idle long enough to stop."""
    used = db.session.scalars(select(Sandbox.last_used_at).where(Sandbox.state == READY)
                              .order_by(Sandbox.last_used_at).limit(position)).all()
    if len(used) < position:
        return 30  # sandboxes are starting or stopping: a moment
    free_at = used[-1] + _idle()
    return max(30, int((free_at - utcnow()).total_seconds()))


@dataclass
class Status:
    state: str
    message: str = ""
    position: int | None = None
    estimate_seconds: int | None = None
    address: str | None = None
    memory_bytes: int | None = None
    processes: int | None = None
    disk_bytes: int | None = None

    def to_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items()}


def status(user_id: int, usage: bool = False) -> Status:
    _maybe_reap()
    sandbox = sandbox_of(user_id)
    if sandbox is None:
        return Status("none")
    if sandbox.state == QUEUED and _admit(sandbox):
        sandbox = sandbox_of(user_id)
    found = Status(sandbox.state, sandbox.message)
    if sandbox.state == QUEUED:
        found.position = _queue_position(sandbox)
        found.estimate_seconds = _estimate_seconds(found.position)
    if sandbox.state in RUNNING_STATES:
        found.address = driver().address(sandbox.slot)
    if usage and sandbox.state in RUNNING_STATES:
        measured = driver().usage(sandbox.slot)
        found.memory_bytes, found.processes = measured.memory_bytes, measured.processes
        found.disk_bytes = measured.disk_bytes
    return found


# --- starting -------------------------------------------------------------------------------
def request(user_id: int) -> Status:
    """Start or resume the learner's sandbox; `queued` when the server is at capacity."""
    reason = unavailable()
    if reason:
        raise Unavailable(reason)
    sandbox = sandbox_of(user_id) or _create(user_id)
    sandbox.last_used_at = utcnow()
    if sandbox.state in (STOPPED, QUEUED):
        if sandbox.state == STOPPED:
            sandbox.state, sandbox.requested_at, sandbox.message = QUEUED, utcnow(), ""
        db.session.commit()
        _admit(sandbox)
    else:
        db.session.commit()
    return status(user_id)


def _create(user_id: int) -> Sandbox:
    """A row with the lowest free slot (a race for the same slot is retried)."""
    for _ in range(20):
        used = set(db.session.scalars(select(Sandbox.slot)))
        slot = next(n for n in range(1, len(used) + 2) if n not in used)
        sandbox = Sandbox(user_id=user_id, slot=slot, state=STOPPED)
        db.session.add(sandbox)
        try:
            db.session.commit()
            return sandbox
        except IntegrityError:
            db.session.rollback()
            existing = sandbox_of(user_id)
            if existing is not None:
                return existing
    raise SandboxError("no free sandbox slot could be claimed")


def _admit(sandbox: Sandbox) -> bool:
    """Start a queued sandbox if it is first in line and there is room."""
    if _queue_position(sandbox) > 1 or _running_count() >= _capacity():
        return False
    sandbox.state, sandbox.started_at, sandbox.message = STARTING, utcnow(), ""
    db.session.commit()
    app = current_app._get_current_object()
    _starts.submit(_start_job, app, sandbox.id)
    return True


def _start_job(app: Flask, sandbox_id: int) -> None:
    with app.app_context():
        sandbox = db.session.get(Sandbox, sandbox_id)
        if sandbox is None or sandbox.state != STARTING:
            return
        slot = sandbox.slot
        db.session.commit()
        db.session.close()  # no transaction while the engine starts
        try:
            run = driver(app)
            seed = _seed_for_start(run, slot, app)
            endpoint = run.start(slot, seed=seed)
            _ensure_workstation(endpoint.socket_url, endpoint.work_dir)
        except Exception as problem:  # noqa: BLE001 - shown to the learner, never a 500
            app.logger.warning("sandbox %s did not start: %s", slot, problem)
            driver(app).stop(slot)
            _set_state(sandbox_id, STOPPED, f"{type(problem).__name__}: {problem}"[:500])
            return
        _set_state(sandbox_id, READY, "")
        _warm_soon(app)  # the next learner's slot


def _set_state(sandbox_id: int, state: str, message: str) -> None:
    sandbox = db.session.get(Sandbox, sandbox_id)
    if sandbox is not None:
        sandbox.state, sandbox.message = state, message
        sandbox.last_used_at = utcnow()
        db.session.commit()


def _ensure_workstation(socket_url: str, work_dir: str = "") -> None:
    """The learner's terminal runs in this container of their own engine, with that engine's
    socket mounted: every `docker` command they type reaches their sandbox and nothing else.
    `work_dir` (the sandbox's folder for the learner's files) is mounted at the same path and is
    where the shell starts, so a bind mount typed as `-v "$PWD"/site:...` works."""
    client = docker.APIClient(base_url=socket_url, version="1.41", timeout=120)
    try:
        try:
            info = client.inspect_container(WORKSTATION)
            if not info["State"]["Running"]:
                client.start(WORKSTATION)
            return
        except docker.errors.NotFound:
            pass
        try:
            client.inspect_image(WORKSTATION_IMAGE)
        except docker.errors.NotFound:
            _pull_workstation(client)
        socket_path = socket_url.removeprefix("unix://")
        binds = [f"{socket_path}:/var/run/docker.sock"]
        if work_dir:
            binds.append(f"{work_dir}:{work_dir}")
        host_config = client.create_host_config(binds=binds,
                                                restart_policy={"Name": "unless-stopped"})
        client.create_container(
            WORKSTATION_IMAGE, name=WORKSTATION, command=["sleep", "infinity"],
            hostname="docklab", labels={TOOL_LABEL: "1"}, working_dir=work_dir or "/root",
            environment={"LANG": "C.UTF-8", "TERM": "xterm-256color"}, host_config=host_config,
            tty=True, stdin_open=True)
        client.start(WORKSTATION)
    finally:
        client.close()


def _pull_workstation(client: docker.APIClient, tries: int = 2) -> None:
    """Pull the workstation image through the course registry (the engine's mirror).

    A failed pull comes back either as an HTTP error or inside the progress stream (HTTP 200),
    so the stream is read to its end. A busy registry can miss the engine's mirror timeout once
    (the engine then falls back to Docker Hub, unreachable here): one more try follows."""
    problem = ""
    for _ in range(tries):
        problem = ""
        try:
            for event in client.pull(WORKSTATION_IMAGE, stream=True, decode=True):
                problem = event.get("error") or problem
        except docker.errors.APIError as exc:
            problem = str(exc.explanation or exc)
        if not problem:
            return
    raise RuntimeError(f"the terminal image {WORKSTATION_IMAGE} could not be pulled from the "
                       f"course registry: {problem}")


# --- the seed: the workstation image, pulled once per version ------------------------------------
def _workstation_digest(run: LocalRootlessDriver) -> str | None:
    """What a pull of the workstation image would get from the course registry now (the host's
    loopback, where the sandboxes' mirror is), or None when the registry cannot say."""
    name, tag = WORKSTATION_IMAGE.rsplit(":", 1)
    try:
        return registry_digest(f"http://127.0.0.1:{run.registry_port}", name, tag)
    except (OSError, ValueError, http.client.HTTPException):
        return None


def ensure_seed(run: LocalRootlessDriver, force: bool = False) -> str | None:
    """The key of a seed holding the registry's current workstation image (made when missing,
    broken or out of date: about as long as one pull); None when the registry does not have the
    image or does not answer (starts then pull, and say why when that fails).

    The key is the image's reference and digest, so a new version (a new tag, or the same tag
    pushed again by `flask labs prepare-images`) makes a new seed."""
    digest = _workstation_digest(run)
    if digest is None:
        return None
    wanted = f"{WORKSTATION_IMAGE}@{digest}"
    if not force and run.seed_key() == wanted:
        return wanted

    def fill(endpoint) -> str:
        client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=120)
        try:
            _pull_workstation(client)
            pulled = client.inspect_image(WORKSTATION_IMAGE).get("RepoDigests") or []
        finally:
            client.close()
        digests = [ref.split("@", 1)[1] for ref in pulled if "@" in ref]
        return f"{WORKSTATION_IMAGE}@{digests[0] if digests else digest}"

    return run.make_seed(fill, wanted=None if force else wanted)


def _warm_soon(app: Flask, slots: tuple[int, ...] = ()) -> None:
    """Prepare from the seed, in the background, `slots` and the next free ones."""
    if _warm_queued.acquire(blocking=False):
        _warming.submit(_warm_job, app, slots)


def _warm_job(app: Flask, slots: tuple[int, ...]) -> None:
    try:
        with app.app_context():
            if unavailable():
                return
            run = driver(app)
            used = set(db.session.scalars(select(Sandbox.slot)))
            db.session.close()
            spare = [n for n in range(1, len(used) + WARM_SPARES + 1) if n not in used]
            seed = ensure_seed(run)
            if seed is None:
                return
            for slot in (*slots, *spare[:WARM_SPARES]):
                run.prepare(slot, seed)
    except Exception:  # noqa: BLE001 - logged; a start copies the seed itself then
        app.logger.exception("preparing sandboxes from the seed failed")
    finally:
        _warm_queued.release()


def _seed_for_start(run: LocalRootlessDriver, slot: int, app: Flask) -> str | None:
    """The seed a fresh sandbox starts from, or None (a resume, or no seed can be had: the start
    then pulls as before)."""
    if not run.fresh(slot):
        return None
    try:
        return ensure_seed(run)
    except Exception as problem:  # noqa: BLE001 - the start goes on without a seed
        app.logger.warning("no sandbox seed, the workstation is pulled: %s", problem)
        return None


# --- using ----------------------------------------------------------------------------------
def touch(user_id: int) -> None:
    sandbox = sandbox_of(user_id)
    if sandbox is not None:
        sandbox.last_used_at = utcnow()
        db.session.commit()


def connection_for(user_id: int) -> hosts.Connection | None:
    """The grader's view of the learner's sandbox, or None when they have none running."""
    sandbox = sandbox_of(user_id)
    if sandbox is None or sandbox.state != READY:
        return None
    sandbox.last_used_at = utcnow()
    db.session.commit()
    endpoint = driver().endpoint(sandbox.slot)
    return hosts.Connection(HostSpec(url=endpoint.socket_url, **hosts.limits()),
                            "sandbox", None)


def terminal_target(user_id: int) -> TerminalTarget | None:
    """Where the learner's terminal attaches: the workstation of their ready sandbox."""
    sandbox = sandbox_of(user_id)
    if sandbox is None or sandbox.state != READY:
        return None
    sandbox.last_used_at = utcnow()
    db.session.commit()
    return TerminalTarget(driver().endpoint(sandbox.slot).socket_url, WORKSTATION)


def exec_command(user_id: int, command: str) -> tuple[int | None, str]:
    """Run one shell command in the learner's workstation, as its terminal would."""
    connection = connection_for(user_id)
    if connection is None:
        raise NoSandbox("sandbox_not_ready")
    timeout = settings.current().sandbox_exec_timeout
    spec = HostSpec(url=connection.spec.url, connect_timeout=5, read_timeout=timeout,
                    total_timeout=timeout)
    hosts.release_session()

    def work(deadline):
        with connect(spec, deadline=deadline) as engine:
            created = engine.api.exec_create(WORKSTATION, ["sh", "-c", command],
                                             environment={"LANG": "C.UTF-8"})
            output = engine.api.exec_start(created["Id"])
            code = engine.api.exec_inspect(created["Id"]).get("ExitCode")
            return code, output[:EXEC_OUTPUT_LIMIT].decode("utf-8", errors="replace")

    return outbound.for_app().call(user_id, work, timeout, timeout)


def wipe(user_id: int) -> None:
    """Reset: stop the sandbox and delete everything in it; the next start is a fresh one."""
    sandbox = sandbox_of(user_id)
    if sandbox is None:
        raise NoSandbox()
    slot = sandbox.slot
    sandbox.state, sandbox.message = STOPPED, ""
    db.session.commit()
    driver().wipe(slot)
    _warm_soon(current_app._get_current_object(), (slot,))  # their next start: seeded, at once


# --- housekeeping ---------------------------------------------------------------------------
def _maybe_reap() -> None:
    """At most once a minute per process, on the start pool: a request never waits for it
    (stopping engines and measuring disks take seconds)."""
    if time.monotonic() - _last_reap[0] >= 60 and _reaping.acquire(blocking=False):
        _last_reap[0] = time.monotonic()
        _starts.submit(_reap_job, current_app._get_current_object())


def _reap_job(app: Flask) -> None:
    try:
        with app.app_context():
            reap()
    except Exception:  # noqa: BLE001 - logged; the next minute tries again
        app.logger.exception("reaping sandboxes failed")
    finally:
        _reaping.release()


def reap() -> dict[str, int]:
    """Stop idle sandboxes, pause those over their disk budget, repair states a crash left
    behind, stop engines nobody owns, and let the queue in."""
    run = driver()
    now = utcnow()
    done = {"idle_stopped": 0, "paused": 0, "repaired": 0, "orphans_stopped": 0, "admitted": 0}
    rows = list(db.session.scalars(select(Sandbox)))
    for row in rows:
        if row.state == READY and now - row.last_used_at > _idle():
            run.stop(row.slot)
            row.state, row.message = STOPPED, ""
            done["idle_stopped"] += 1
        elif row.state == READY and not run.running(row.slot):
            row.state, row.message = STOPPED, "the sandbox's engine had stopped"
            done["repaired"] += 1
        elif row.state == STARTING and now - (row.started_at or now) > START_GIVE_UP:
            run.stop(row.slot)
            row.state, row.message = STOPPED, "the start did not finish"
            done["repaired"] += 1
        elif row.state == READY and run.usage(row.slot).disk_bytes > run.limits.disk_mb << 20:
            run.stop(row.slot)
            row.state = PAUSED
            row.message = (f"over its disk budget of {run.limits.disk_mb} MB: remove images or "
                           f"containers after a reset, or ask your instructor")
            done["paused"] += 1
    db.session.commit()
    for slot in run.running_slots():
        # Read the slot's state afresh (a new transaction, after the commit above): a learner's
        # start may have begun since `rows` was read, and its engine is not an orphan.
        state = db.session.scalar(select(Sandbox.state).where(Sandbox.slot == slot))
        db.session.commit()
        if state is None or state == STOPPED:
            run.stop(slot)
            done["orphans_stopped"] += 1
    for row in db.session.scalars(select(Sandbox).where(Sandbox.state == QUEUED)
                                  .order_by(Sandbox.requested_at)):
        if not _admit(row):
            break
        done["admitted"] += 1
    _warm_soon(current_app._get_current_object())
    return done


def stop(user_id: int) -> None:
    """An admin's stop: the sandbox keeps its data, the learner can start it again."""
    sandbox = sandbox_of(user_id)
    if sandbox is None:
        raise NoSandbox()
    driver().stop(sandbox.slot)
    sandbox.state, sandbox.message = STOPPED, "stopped by an administrator"
    db.session.commit()


def all_sandboxes() -> list[Sandbox]:
    return list(db.session.scalars(select(Sandbox).order_by(Sandbox.slot)))
