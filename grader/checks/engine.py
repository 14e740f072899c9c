"""Checks about the engine itself (answered by the /version call made when connecting)."""
from __future__ import annotations

import re
from typing import Any

from ..korean import josa
from ..snapshot import Snapshot
from .base import Check, Outcome, Param


def _api_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(text)))


def _version_read() -> list[tuple[str, ...]]:
    """Both engine kinds read only the engine's version."""
    return [("version",)]


class EngineReachable(Check):
    kind = "engine_reachable"

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        return _version_read()

    def run(self, snapshot: Snapshot) -> Outcome:
        info = snapshot.version_info
        version = info.get("Version")
        if not version:
            return Outcome.failed("엔진이 응답했지만 서버 버전을 알려주지 않았습니다.",
                                  "the engine answered but reported no server version.")
        where = f"{info.get('Os', '?')}/{info.get('Arch', '?')}"
        return Outcome.passed(
            f"엔진이 응답합니다: Docker {version} (API {info.get('ApiVersion')}, {where}).",
            f"the engine answers: Docker {version} (API {info.get('ApiVersion')}, {where}).")


class EngineMinApi(Check):
    kind = "engine_min_api"
    params = {"version": Param((str,), required=True)}
    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        return _version_read()

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        version = params.get("version")
        if isinstance(version, str) and not re.fullmatch(r"\d+\.\d+", version):
            return [("version", "expected an API version like 1.41")]
        return []

    def run(self, snapshot: Snapshot) -> Outcome:
        actual, wanted = snapshot.version_info.get("ApiVersion", "0"), self.p["version"]
        if _api_tuple(actual) >= _api_tuple(wanted):
            return Outcome.passed(f"엔진 API {actual} (최소 {wanted}).",
                                  f"engine API {actual} (at least {wanted}).")
        return Outcome.failed(f"엔진 API {josa(str(actual), '이/가')} 너무 낮습니다 (최소 "
                              f"{wanted}).",
                              f"engine API {actual} is older than {wanted}.")
