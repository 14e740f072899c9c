"""Run a command inside a container (opt-in per lab with `exec_checks: true`; not read-only)."""
from __future__ import annotations

import re
from typing import Any

from ..korean import josa, josa_code
from ..snapshot import Snapshot
from .base import Outcome, Param
from .selection import ContainerCheck


class Exec(ContainerCheck):
    kind = "exec"
    read_only = False

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        return None  # it runs a command in the container: never part of a read-only plan
    params = {**ContainerCheck.params, "command": Param((str, list), required=True),
              "exit_code": Param((int,)), "output_contains": Param((str,)),
              "output_regex": Param((str,), regex=True)}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        if (info.get("State") or {}).get("Status") != "running":
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '이/가')} 실행 중이 아니어서 명령을 실행할 수 "
                f"없습니다.",
                f"container `{name}` is not running, so the command cannot run.")
        command = self.p["command"]
        code, output = snapshot.exec_run(info["Id"], command)
        shown = command if isinstance(command, str) else " ".join(command)
        wanted = self.p.get("exit_code", 0)
        seen = _first_line(output)
        if code != wanted:
            return Outcome.failed(
                f"{josa_code(shown, '이/가')} 코드 {josa(str(code), '으로/로')} 끝났습니다 "
                f"({wanted} 이어야 함; 출력: {seen}).",
                f"`{shown}` exited with code {code}, expected {wanted} (output: {seen}).")
        if "output_contains" in self.p and self.p["output_contains"] not in output:
            return Outcome.failed(
                f"`{shown}` 의 출력에 {josa_code(self.p['output_contains'], '이/가')} "
                f"없습니다 (출력: {seen}).",
                f"output of `{shown}` lacks `{self.p['output_contains']}` (output: {seen}).")
        if "output_regex" in self.p and not re.search(self.p["output_regex"], output):
            return Outcome.failed(
                f"`{shown}` 의 출력이 {josa_code(self.p['output_regex'], '과/와')} "
                f"맞지 않습니다 (출력: {seen}).",
                f"output of `{shown}` does not match `{self.p['output_regex']}` "
                f"(output: {seen}).")
        return Outcome.passed(f"{josa_code(shown, '이/가')} 기대대로 실행되었습니다.",
                              f"`{shown}` ran as expected.")


def _first_line(output: str) -> str:
    """What the command printed, for a failure message: its first non-empty line, or `-`."""
    line = next((ln.strip() for ln in output.splitlines() if ln.strip()), "")
    if not line:
        return "-"
    return f"`{line if len(line) <= 80 else line[:79] + '…'}`"
