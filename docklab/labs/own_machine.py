"""Checking a lab on the learner's own computer with one pasted command (issue 14).

`issue(user_id, lab, lang, server)` makes a single-use code for one learner and one lab and the
line to paste (`curl -fsSL SERVER/c/CODE | sh`). The static script (own-machine.sh, served at
/c/CODE with the code as a variable) fetches `plan(code)` and posts its results to
`accept_upload(code, body)`, which grades them with the ordinary checks (`grader.sources`) and
stores the attempt as self-reported: docklab never saw that engine itself.

Only a hash of each code is stored, so the table never holds a usable code.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String, update
from sqlalchemy.orm import Mapped, mapped_column

import grader
from grader import plan as plans
from grader import sources

from .. import settings
from ..dbtypes import UTCDateTime
from ..errors import DocklabError
from ..extensions import db
from ..i18n import N_
from ..models import utcnow
from . import catalog, services
from .models import SELF_REPORTED, LabAttempt
from .services import RateLimited

SCRIPT = Path(__file__).with_name("own-machine.sh")
CODE_FORMAT = re.compile(r"[0-9a-f]{32}")
# Characters a server URL may have to be put into the script between single quotes.
SAFE_URL = re.compile(r"https?://[A-Za-z0-9.\-_:\[\]/]+")
SOURCE_LABEL = sources.SOURCE_LABEL


class OwnMachineCode(db.Model):
    __tablename__ = "own_machine_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2), default="ko")
    salt: Mapped[str] = mapped_column(String(32))  # keys the hashes of secret values
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("lab_attempts.id", ondelete="SET NULL"))


class Refused(DocklabError):
    """Why a code or an upload is refused; `code` is the reason word the script and API clients
    read, with its HTTP status."""

    STATUSES = {"unknown_code": 404, "code_used": 410, "code_expired": 410, "not_your_code": 403,
                "not_checkable": 409, "too_large": 413, "bad_upload": 400, "rate_limited": 429}
    MESSAGES = {
        "unknown_code": N_("Unknown code. Copy the command again from the lab page."),
        "code_used": N_("This code was already used (a code works once). Get a new command on "
                        "the lab page."),
        "code_expired": N_("This code has expired. Get a new command on the lab page."),
        "not_your_code": N_("This code belongs to another learner."),
        # The grader says why (grader.plan.NotReadable, in both languages).
        "not_checkable": N_("%(why)s"),
        "too_large": N_("The upload is too large (%(size)s bytes, at most %(limit)s)."),
        "bad_upload": N_("The upload does not answer the plan: %(detail)s"),
        "rate_limited": RateLimited.MESSAGES["rate_limited"],
    }

    @property
    def reason(self) -> str:
        """The reason word (the API's `error`)."""
        return self.code

    @property
    def ko(self) -> str:
        return self.message("ko")

    @property
    def en(self) -> str:
        return self.message("en")


def code_ttl() -> float:
    return settings.current().own_machine_code_ttl


def max_upload_bytes() -> int:
    return settings.current().own_machine_max_upload_bytes


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def script_text() -> str:
    return SCRIPT.read_text()


def script_for(code: str, server: str) -> str:
    """The static script with the server and the code set on top (nothing else differs)."""
    return (f"#!/bin/sh\n# docklab: the full script is at {server}/own-machine/script.sh\n"
            f"DOCKLAB_SERVER='{server}'\nDOCKLAB_CODE='{code}'\n" + script_text())


def command_for(code: str, server: str) -> str:
    return f"curl -fsSL {server}/c/{code} | sh"


@dataclass
class Issued:
    code: str
    command: str
    expires_at: datetime
    server: str

    def to_dict(self) -> dict:
        api = f"{self.server}/api/v1/own-machine/{self.code}"
        return {"command": self.command, "expires_at": self.expires_at.isoformat(),
                "code": self.code, "plan_url": f"{api}/plan", "upload_url": f"{api}/upload",
                "script_url": f"{self.server}/own-machine/script.sh"}


def issue(user_id: int, lab: grader.Lab, lang: str, server: str) -> Issued:
    """A fresh code for this learner and lab; `plans.NotReadable` if the lab cannot be checked
    on one's own computer (then no code is made)."""
    why = plans.checkable(lab)
    if why is not None:
        raise why
    server = server.rstrip("/")
    if not SAFE_URL.fullmatch(server):
        raise ValueError(f"server URL {server!r} cannot be put into a shell command")
    code = secrets.token_hex(16)
    row = OwnMachineCode(code_hash=_hash(code), user_id=user_id, lab_id=lab.id,
                         lang="en" if lang == "en" else "ko", salt=secrets.token_hex(16),
                         expires_at=utcnow() + timedelta(seconds=code_ttl()))
    db.session.add(row)
    db.session.commit()
    return Issued(code, command_for(code, server), row.expires_at, server)


def _usable(code: str, user_id: int | None) -> tuple[OwnMachineCode, grader.Lab]:
    row = db.session.scalar(db.select(OwnMachineCode).where(
        OwnMachineCode.code_hash == _hash(code))) if CODE_FORMAT.fullmatch(code) else None
    if row is None:
        raise Refused("unknown_code")
    if user_id is not None and user_id != row.user_id:
        raise Refused("not_your_code")
    if row.used_at is not None:
        raise Refused("code_used")
    if row.expires_at <= utcnow():
        raise Refused("code_expired")
    lab = catalog.lab(row.lab_id)
    if lab is None:
        raise Refused("code_expired")
    return row, lab


def plan(code: str, user_id: int | None = None) -> tuple[OwnMachineCode, str]:
    """(the code's row, the plan's JSON text) for a usable code; Refused otherwise."""
    row, lab = _usable(code, user_id)
    try:
        return row, plans.plan_text(plans.plan_for(lab, row.salt))
    except plans.NotReadable as why:
        raise Refused("not_checkable", why=why) from why


def accept_upload(code: str, body: bytes, user_id: int | None = None
                  ) -> tuple[OwnMachineCode, LabAttempt, grader.LabResult]:
    """Grade uploaded results and store them as a self-reported attempt; the code is spent only
    when an attempt is stored (a refused upload can be fixed and sent again)."""
    row, lab = _usable(code, user_id)
    limit = max_upload_bytes()
    if len(body) > limit:
        raise Refused("too_large", size=len(body), limit=limit)
    try:
        result = sources.grade_upload(lab, plans.plan_for(lab, row.salt),
                                      sources.upload_json(body), row.lang)
    except plans.NotReadable as why:
        raise Refused("not_checkable", why=why) from why
    except sources.UploadError as problem:
        raise Refused("bad_upload", detail=str(problem)) from problem
    # Spend the code exactly once, even when two uploads race.
    spent = db.session.execute(update(OwnMachineCode).where(
        OwnMachineCode.id == row.id, OwnMachineCode.used_at.is_(None)).values(used_at=utcnow()))
    if spent.rowcount != 1:
        db.session.rollback()
        raise Refused("code_used")
    attempt = services.store_self_reported(row.user_id, lab, result,
                                           SOURCE_LABEL.get(row.lang), row.lang)
    db.session.execute(update(OwnMachineCode).where(OwnMachineCode.id == row.id)
                       .values(attempt_id=attempt.id))
    db.session.commit()
    return row, attempt, result


MARKS = {"pass": "✔", "fail": "✘", "error": "⚠", "skip": "·"}


def terminal_summary(result: grader.LabResult, attempt: LabAttempt, lang: str,
                     link: str) -> str:
    """What the learner's terminal shows after an upload."""
    en = lang == "en"
    head = (f"docklab: {result.lab} — {result.status} {result.score}/{result.max_score}"
            + (" (self-reported: checked on your own computer)" if en
               else " (자기 보고: 내 컴퓨터에서 확인함)"))
    lines = [head]
    for check in result.checks:
        lines.append(f"  {MARKS.get(check.status, '?')} {check.id}: {check.message}")
        if check.status in ("fail", "error") and check.hint:
            lines.append(f"      {'hint' if en else '힌트'}: {check.hint}")
    lines.append(("  see: " if en else "  결과: ") + link)
    return "\n".join(lines) + "\n"


__all__ = ["SELF_REPORTED", "Issued", "OwnMachineCode", "Refused", "accept_upload", "issue",
           "plan", "script_for", "script_text", "terminal_summary"]
