"""What a container printed: the last lines of its log (read-only: the Engine API logs endpoint)."""
from __future__ import annotations

import re
from typing import Any

from ..korean import josa
from ..snapshot import LOG_TAIL_MAX, Snapshot
from .base import Outcome, Param
from .selection import ContainerCheck

DEFAULT_TAIL = 100


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "-"
    last = lines[-1].strip()
    return last if len(last) <= 80 else last[:79] + "…"


class ContainerLogs(ContainerCheck):
    """The last `tail` lines (default 100, at most 1000; 64 KiB) of stdout+stderr contain a text
    or match a regex; `not: true`: they don't (e.g. no `error`)."""

    kind = "container_logs"
    params = {**ContainerCheck.params, "contains": Param((str,)),
              "regex": Param((str,), regex=True), "tail": Param((int,)), "not": Param((bool,))}

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        """Not on the learner's own computer: `docker logs` is not one of the client's read-only
        commands, and a log can hold anything (a password printed at start-up), all of which
        would leave the machine to be searched here."""
        return None

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        if ("contains" in params) == ("regex" in params):
            problems.append(("contains", "give `contains` or `regex`"))
        tail = params.get("tail")
        if isinstance(tail, int) and not 1 <= tail <= LOG_TAIL_MAX:
            problems.append(("tail", f"expected 1 to {LOG_TAIL_MAX} lines"))
        return problems

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        tail = self.p.get("tail", DEFAULT_TAIL)
        text = snapshot.container_logs(info["Id"], tail)
        if "contains" in self.p:
            found, wanted = self.p["contains"] in text, f"`{self.p['contains']}`"
        else:
            found, wanted = bool(re.search(self.p["regex"], text, re.MULTILINE)), \
                f"`{self.p['regex']}`"
        lines = len(text.splitlines())
        seen_ko = f"마지막 {lines}줄, 마지막 줄: `{_last_line(text)}`"
        seen_en = f"last {lines} lines, the last: `{_last_line(text)}`"
        if self.p.get("not"):
            if found:
                hit = next((ln.strip() for ln in text.splitlines()
                            if (self.p.get("contains") or "\0") in ln
                            or ("regex" in self.p and re.search(self.p["regex"], ln))), "")
                shown = hit if len(hit) <= 80 else hit[:79] + "…"
                return Outcome.failed(
                    f"컨테이너 `{name}` 의 로그에 {josa(str(wanted), '이/가')} 있습니다: "
                    f"`{shown}`.",
                    f"the log of container `{name}` has {wanted}: `{shown}`.")
            return Outcome.passed(
                f"컨테이너 `{name}` 의 로그에 {josa(str(wanted), '이/가')} 없습니다 ({seen_ko}).",
                f"the log of container `{name}` has no {wanted} ({seen_en}).")
        if found:
            return Outcome.passed(f"컨테이너 `{name}` 의 로그에 {josa(str(wanted), '이/가')} "
                                  f"있습니다.",
                                  f"the log of container `{name}` has {wanted}.")
        if not text.strip():
            return Outcome.failed(
                f"컨테이너 `{name}` 의 로그가 비어 있습니다 "
                f"({josa(str(wanted), '이/가')} 있어야 함; "
                f"`docker logs {name}`).",
                f"the log of container `{name}` is empty, expected {wanted} "
                f"(`docker logs {name}`).")
        return Outcome.failed(
            f"컨테이너 `{name}` 의 로그에 {josa(str(wanted), '이/가')} 없습니다 ({seen_ko}).",
            f"the log of container `{name}` lacks {wanted} ({seen_en}).")
