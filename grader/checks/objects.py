"""Checks about named volumes and user-defined networks: present (or gone), driver, who uses them.

One inspect per object (`GET /volumes/{name}`, `GET /networks/{name}`); which containers mount a
volume comes from the container list the snapshot reads anyway."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..korean import josa, josa_code
from ..snapshot import Snapshot, summary_name
from .base import REQUIRED_TEXT, TEXT, Check, Outcome, Param


def _names(values: Iterable[object]) -> str:
    return ", ".join(f"`{v}`" for v in values) or "-"


def _name_list(params: dict[str, Any], field: str) -> list[tuple[str, str]]:
    value = params.get(field)
    if isinstance(value, list) and (not value or not all(isinstance(v, str) and v
                                                         for v in value)):
        return [(field, "expected a list of container names")]
    return []


class _ObjectCheck(Check):
    """Shared by volume_exists and network_exists: `absent: true` asks that it is gone."""

    noun = ("", "")  # Korean, English
    listing = ""  # the command that lists these objects

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        if params.get("absent") and set(params) - {"name", "absent"}:
            return [("absent", "`absent: true` goes with `name` only")]
        return []

    def read(self, snapshot: Snapshot, name: str) -> dict[str, Any] | None:  # pragma: no cover
        raise NotImplementedError

    def run(self, snapshot: Snapshot) -> Outcome:
        name = self.p["name"]
        info = self.read(snapshot, name)
        ko, en = self.noun
        if self.p.get("absent"):
            if info is None:
                return Outcome.passed(f"{ko} {josa_code(name, '이/가')} "
                                      f"없습니다.", f"{en} `{name}` is gone.")
            return Outcome.failed(
                f"{ko} {josa_code(name, '이/가')} 아직 있습니다 (드라이버 `{info.get('Driver')}`).",
                f"{en} `{name}` still exists (driver `{info.get('Driver')}`).")
        if info is None:
            return Outcome.failed(
                f"{ko} {josa_code(name, '이/가')} 없습니다 ({josa_code(self.listing, '으로/로')} "
                "확인하세요).",
                f"there is no {en} `{name}` (see `{self.listing}`).")
        driver = info.get("Driver") or "?"
        if "driver" in self.p and driver != self.p["driver"]:
            return Outcome.failed(
                f"{ko} `{name}` 의 드라이버가 `{driver}` 입니다 (`{self.p['driver']}` 이어야 함).",
                f"{en} `{name}` has driver `{driver}`, not `{self.p['driver']}`.")
        return self.judge(snapshot, info, name, driver)

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str,
              driver: str) -> Outcome:  # pragma: no cover
        raise NotImplementedError


class VolumeExists(_ObjectCheck):
    """A named volume exists (`driver`), mounted by every container in `used_by`; or, with
    `absent: true`, it is gone."""

    kind = "volume_exists"
    params = {"name": REQUIRED_TEXT, "driver": TEXT, "used_by": Param((list,)),
              "absent": Param((bool,))}
    noun = ("볼륨", "volume")
    listing = "docker volume ls"

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        return super().validate(params) + _name_list(params, "used_by")

    def read(self, snapshot: Snapshot, name: str) -> dict[str, Any] | None:
        return snapshot.volume(name)

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str, driver: str) -> Outcome:
        users = {summary_name(c): [m.get("Destination") for m in c.get("Mounts") or []
                                   if m.get("Type") == "volume" and m.get("Name") == name]
                 for c in snapshot.containers()}
        users = {container: where for container, where in users.items() if where}
        lacking = [c for c in self.p.get("used_by", []) if c not in users]
        seen = _names(f"{c}:{users[c][0]}" for c in sorted(users))
        if lacking:
            return Outcome.failed(
                f"볼륨 {josa_code(name, '을/를')} {josa(_names(lacking), '이/가')} "
                "마운트하지 않았습니다 "
                f"(마운트한 컨테이너: {seen}; `-v {name}:/경로`).",
                f"volume `{name}` is not mounted by {_names(lacking)} (mounted by: {seen}; "
                f"`-v {name}:/path`).")
        return Outcome.passed(
            f"볼륨 {josa_code(name, '이/가')} 있습니다 (드라이버 `{driver}`, 마운트: {seen}).",
            f"volume `{name}` exists (driver `{driver}`, mounted by: {seen}).")


class NetworkExists(_ObjectCheck):
    """A network exists (`driver`), with every container in `containers` attached (running
    containers: the engine lists a network's endpoints only while they run); or, with
    `absent: true`, it is gone."""

    kind = "network_exists"
    params = {"name": REQUIRED_TEXT, "driver": TEXT, "containers": Param((list,)),
              "absent": Param((bool,))}
    noun = ("네트워크", "network")
    listing = "docker network ls"

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params) + _name_list(params, "containers")
        if params.get("name") in ("bridge", "host", "none") and not params.get("absent"):
            problems.append(("name", "`bridge`, `host` and `none` always exist; name a "
                                     "user-defined network"))
        return problems

    def read(self, snapshot: Snapshot, name: str) -> dict[str, Any] | None:
        return snapshot.network(name)

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str, driver: str) -> Outcome:
        attached = sorted(str(e.get("Name", "?")) for e in (info.get("Containers") or {}).values()
                          if isinstance(e, dict))
        lacking = [c for c in self.p.get("containers", []) if c not in attached]
        if lacking:
            return Outcome.failed(
                f"네트워크 `{name}` 에 {josa(_names(lacking), '이/가')} 연결되어 "
                "있지 않습니다 "
                f"(연결된 실행 중 컨테이너: {_names(attached)}; `--network {name}`).",
                f"{_names(lacking)} not attached to network `{name}` (running containers on it: "
                f"{_names(attached)}; `--network {name}`).")
        return Outcome.passed(
            f"네트워크 {josa_code(name, '이/가')} 있습니다 (드라이버 `{driver}`, 연결: "
            f"{_names(attached)}).",
            f"network `{name}` exists (driver `{driver}`, attached: {_names(attached)}).")
