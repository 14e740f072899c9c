"""The shapes of the API: request models (validated, strict: `"3"` is not a number) and response
models (they describe what the views send; the contract tests check every answer against them).

A model's docstring and its fields' descriptions are the API's user documentation: they become
the `description`s of /api/v1/openapi.json.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

MAX_CLASS_NAME = 120
MAX_COMMAND = 4000


class Answer(BaseModel):
    """A response body: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


class Request(BaseModel):
    """A request body: strict types; fields it does not know are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return text


NotBlank = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


# --- errors -------------------------------------------------------------------------------------
class Error(Answer):
    """Every error answer of the API has this one shape, whatever went wrong. Answers that are
    also text (the own-machine upload with `Accept: text/plain`) give the two sentences as
    `docklab: ...` lines instead."""

    error: str = Field(description=(
        "Stable machine-readable code, e.g. unauthorized, forbidden, not_found, bad_request "
        "(the body does not fit its schema: details.field names the field), bad_answer, gone, "
        "rate_limited, busy, already_running, not_checkable, request_entity_too_large, the "
        "policy's reason for a refused host (loopback, not_allowed, plain_tcp, ...), why a host "
        "cannot be registered (pem, key_type, too_many_hosts, ...) or used (timeout, "
        "tls_verify, ssh_auth, deadline, ...)."))
    message: str = Field(description="message_ko or message_en: the requested language "
                                     "(?lang=, else Accept-Language, else Korean).")
    message_ko: str = Field(description="What went wrong and what to do, in Korean.")
    message_en: str = Field(description="The same in English.")
    details: dict[str, Any] = Field(description=(
        "Machine-readable extras, {} when there are none: field and problems (a body that "
        "does not fit), retry_after (seconds; also the Retry-After header), own_machine (the "
        "URL to use instead of a retired one)."))


# --- me, quizzes --------------------------------------------------------------------------------
class Me(Answer):
    username: str
    role: Literal["student", "instructor", "admin"]


class QuizSection(Answer):
    section: str
    anchor: str
    level: int
    questions: int


class QuizList(Answer):
    language: Literal["ko", "en"]
    total: int
    sections: list[QuizSection]
    due_today: int


class Option(Answer):
    id: str
    text: str


class Question(Answer):
    """A question without its answer."""

    id: str
    type: Literal["single", "multi", "truefalse", "short", "ordering", "matching"]
    section: str
    anchor: str | None
    difficulty: int
    tags: list[str]
    prompt: str
    choices: list[Option] = Field(None, description="single and multi")
    match: Literal["command", "text"] = Field(None, description="short")
    items: list[Option] = Field(None, description="ordering (shuffled)")
    left: list[Option] = Field(None, description="matching")
    right: list[Option] = Field(None, description="matching (shuffled, with distractors)")


class AnswerRequest(Request):
    answer: Any = Field(description=(
        "single: a choice id; multi: list of choice ids; truefalse: boolean; short: text; "
        "ordering: list of every item id in order; matching: object left id -> right id."))
    mode: Literal["practice", "test"] = Field("practice", description=(
        "practice: the answer comes back graded, with the correct answer. test: stored as a "
        "test answer; the response says nothing about right or wrong."))


class AnswerReceipt(Answer):
    """The answer to a test-mode answer: stored, not graded in the response."""

    mode: Literal["test"]
    recorded: Literal[True]
    section: str | None
    anchor: str | None


class AnswerResult(Answer):
    mode: Literal["practice"]
    correct: bool
    explanation: str
    correct_answer: str | list[str] = Field(
        description="Display form in the requested language.")
    expected: Any = Field(description="The correct answer in the shape an answer is sent in.")
    section: str | None
    anchor: str | None
    next_review: datetime | None


# --- labs ---------------------------------------------------------------------------------------
class CheckResult(Answer):
    id: str
    status: Literal["pass", "fail", "error", "skip"]
    message: str
    hint: str | None
    points: int


class Attempt(Answer):
    attempt_id: int
    lab: str
    status: Literal["passed", "failed", "error", "pending"] = Field(
        description="pending: still being checked (a slow host); poll until it is not.")
    score: int
    max_score: int
    duration_ms: int | None
    api_calls: int | None
    checks: list[CheckResult]
    source: Literal["server", "self_reported"]
    self_reported: bool = Field(description=(
        "Graded in the learner's terminal (`grader check --submit`), not checked by the "
        "server; a class counts it as passed only if its instructor allows it."))
    host: str
    host_id: int | None
    created_at: datetime


class LabProgress(Answer):
    lab: str
    title: str
    section: str
    max_score: int
    attempts: int
    passed: bool
    self_reported: bool = Field(
        description="The best attempt was self-reported (not checked by the server)")
    best: Attempt | None = Field(description="Best passed/failed attempt (errors never count)")
    latest: Attempt | None


class LabListItem(LabProgress):
    note: str | None = Field(description="/notes#anchor of the lab's note section")


class LabList(Answer):
    labs: list[LabListItem]


class CheckRequest(Request):
    host_id: int | None = Field(None, description=(
        "One of your hosts; default: your default host, else the local engine."))
    target: Literal["sandbox", "host"] | None = Field(None, description=(
        "sandbox: grade your sandbox (the default when you have one running and name no "
        "host_id); host: your default host or the local engine."))


class CheckResponse(Answer):
    lab: str
    status: Literal["passed", "failed", "error"]
    score: int
    max_score: int
    duration_ms: int
    api_calls: int
    checks: list[CheckResult]
    attempt_id: int
    source: Literal["server"]
    host: str
    host_id: int | None


class SectionProgress(Answer):
    section: str
    anchor: str
    questions: int
    answered: int
    known: int
    due_today: int
    mastery: int
    stability_days: float | None


class TestResult(Answer):
    run_id: int
    section: str | None
    kind: str
    score: int
    total: int
    finished_at: datetime


class QuizProgress(Answer):
    answers: int
    due_today: int
    mastery: int
    sections: list[SectionProgress]
    tests: list[TestResult]


class Progress(Answer):
    quizzes: QuizProgress | None
    labs: list[LabProgress]
    labs_passed: int
    labs_self_reported: int = Field(
        description="Passed labs whose best attempt was self-reported")
    labs_total: int


# --- hosts --------------------------------------------------------------------------------------
class Host(Answer):
    id: int
    name: str
    kind: Literal["local", "tls", "ssh", "tcp", "unix"]
    url: str
    default: bool
    ssh_public_key: str | None
    ssh_host_fingerprint: str | None
    created_at: datetime


class HostList(Answer):
    hosts: list[Host]
    ssh_public_key: str


class HostRequest(Request):
    """kind is inferred from the URL when empty. PEM files as text, or base64 in the *_base64
    fields."""

    url: str | None = None
    name: str | None = None
    kind: Literal["", "local", "tls", "ssh", "tcp", "unix"] | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca_base64: str | None = None
    tls_cert_base64: str | None = None
    tls_key_base64: str | None = None
    default: Any = Field(None, description="Make it the default host (any truthy value).")


class HostTest(Answer):
    """The host answered: its engine's version summary. A host that cannot be used is an error
    answer (422 refused by the policy or not registrable, 502 or 504 unreachable)."""

    ok: Literal[True]
    engine: dict[str, Any] = Field(description="The engine's version summary.")


# --- classes ------------------------------------------------------------------------------------
class ClassSummary(Answer):
    """join_code and students only for instructors and admins"""

    id: int
    name: str
    join_code: str = Field(None)
    students: int = Field(None)


class ClassList(Answer):
    classes: list[ClassSummary]


def _class_name(name: str) -> str:
    if len(name.strip()) > MAX_CLASS_NAME:
        raise PydanticCustomError("string_too_long", "String should have at most {max_length} "
                                  "characters", {"max_length": MAX_CLASS_NAME})
    return name


class ClassRequest(Request):
    name: Annotated[NotBlank, AfterValidator(_class_name)] = Field(
        json_schema_extra={"maxLength": MAX_CLASS_NAME})


class ClassCreated(Answer):
    id: int
    join_code: str
    name: str


class JoinRequest(Request):
    code: NotBlank


class Joined(Answer):
    id: int
    name: str
    joined: bool = Field(description="false when already a member")


class BoardClass(Answer):
    id: int
    name: str
    self_reports_count: bool = Field(description=(
        "Whether self-reported passes count as passed in this class (off: their cells are in "
        "state self_reported)"))


class BilingualTitle(Answer):
    ko: str
    en: str


class BoardItem(Answer):
    key: str
    kind: str
    ref: str
    title: BilingualTitle
    due_at: datetime | None
    counts: dict[str, int] = Field(description=(
        "Learners per state; lab states: not_started, host_error, failing, self_reported (a "
        "self-reported pass the class does not count), passed"))
    self_reported: int = Field(description=(
        "Labs: learners whose pass rests on self-reports alone (counted as passed only when the "
        "class counts self-reports); sections: 0"))
    mean_mastery: int | None


class BoardCell(BaseModel):
    state: str
    self_reported: bool = Field(None, description="Labs: the pass shown rests on self-reports "
                                                  "alone")
    self_reports: int = Field(None, description="Labs: self-reported attempts")


class BoardStudent(Answer):
    id: int
    username: str
    labs_passed: int
    labs_self_reported: int = Field(description="Labs whose pass rests on self-reports alone")
    mean_mastery: int
    cells: dict[str, BoardCell]


class Board(Answer):
    class_: BoardClass = Field(alias="class")
    items: list[BoardItem]
    students: list[BoardStudent]


class BoardQuery(BaseModel):
    q: str = Field(None, description="Filter students by name")
    item: str = Field(None, description="Item key the state filter applies to")
    state: str = Field(None, description="State filter for item")
    sort: str = Field(None, description="name, an item key, ...")
    dir: Literal["asc", "desc"] = Field(None)


# --- sandbox ------------------------------------------------------------------------------------
class Sandbox(Answer):
    state: Literal["none", "stopped", "queued", "starting", "ready", "paused"] = Field(
        description=("stopped: on disk, not running (its work is kept); queued: waiting for a "
                     "free place; paused: over its disk budget until reset."))
    message: str = Field(None)
    position: int | None = Field(None, description="Place in the queue (1 = next).")
    estimate_seconds: int | None = Field(None, description="Rough wait until a place is free.")
    address: str | None = Field(None, description=(
        "The loopback address its published ports bind on (open them through "
        "/sandbox/port/PORT/)."))
    memory_bytes: int | None = None
    processes: int | None = None
    disk_bytes: int | None = None


class ExecRequest(Request):
    command: NotBlank = Field(max_length=MAX_COMMAND)


class ExecResult(Answer):
    exit_code: int | None
    output: str = Field(description="stdout and stderr together, at most 64 KB.")


# --- own machine --------------------------------------------------------------------------------
class OwnMachineCommand(BaseModel):
    command: str = Field(description="The line to paste into a terminal.", examples=[
        "curl -fsSL https://docklab.example/c/0123456789abcdef0123456789abcdef | sh"])
    expires_at: datetime
    code: str
    plan_url: str
    upload_url: str
    script_url: str = Field(description="The script in full, to read before running it.")


class OwnMachinePlan(BaseModel):
    version: int = Field(description=(
        "Plan format version (1). A client must refuse a version it does not know."))
    lab: str
    salt: str = Field(description='Keys the hashes of secret values: sha256(salt + "VAR=value").')
    reads: list[Annotated[list[str], Field(min_length=1)]]


class UploadResult(BaseModel):
    exit: int
    lines: list[Any]


class OwnMachineUpload(BaseModel):
    """What the engine showed, never a verdict: a field other than these (e.g. `checks`,
    `status`, `score`) is refused with 400 bad_upload naming it; the server grades the results
    itself."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    lab: str = Field(None, description="Optional; must be the code's lab.")
    results: list[UploadResult]
