"""Checks about one selected container: exists, state, exit code, image, env, ports, ..."""
from __future__ import annotations

import re
from typing import Any

from .. import imageref
from ..korean import josa, josa_code
from ..secrets import HashedPair, HashedValue
from ..snapshot import Snapshot, summary_name
from .base import (
    REFS,
    REQUIRED_TEXT,
    TEXT,
    Check,
    Outcome,
    Param,
    listed,
    reference_list,
    reference_problems,
)
from .selection import ContainerCheck, image_matches

STATES = ("running", "exited", "created", "paused", "restarting", "removing", "dead")
ALL_ADDRESSES = "0.0.0.0"  # noqa: S104 - how Docker shows "every interface", not a bind
SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY")


def _state(info: dict[str, Any]) -> str:
    return str((info.get("State") or {}).get("Status", "?"))


def _state_words(info: dict[str, Any]) -> tuple[str, str]:
    state = _state(info)
    if state == "exited":
        code = info["State"].get("ExitCode")
        return f"`exited` (코드 {code})", f"`exited` (code {code})"
    return f"`{state}`", f"`{state}`"


class ContainerExists(ContainerCheck):
    kind = "container_exists"
    needs_inspect = False

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        state = info.get("State", "?")
        return Outcome.passed(f"컨테이너 {josa_code(name, '이/가')} 있습니다 (`{state}`).",
                              f"container `{name}` exists (`{state}`).")


class ContainerState(ContainerCheck):
    kind = "container_state"
    params = {**ContainerCheck.params, "state": Param((str,), required=True, choices=STATES)}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        wanted = self.p["state"]
        ko, en = _state_words(info)
        if _state(info) == wanted:
            return Outcome.passed(f"컨테이너 {josa_code(name, '은/는')} {ko} 상태입니다.",
                                  f"container `{name}` is {en}.")
        return Outcome.failed(
            f"컨테이너 {josa_code(name, '은/는')} 있지만 {ko} 상태입니다 (`{wanted}` 이어야 함).",
            f"container `{name}` exists but is {en}, not `{wanted}`.")


class ContainerExitCode(ContainerCheck):
    kind = "container_exit_code"
    params = {**ContainerCheck.params, "code": Param((int,))}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        wanted = self.p.get("code", 0)
        state = _state(info)
        if state not in ("exited", "dead"):
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '은/는')} 아직 종료되지 않았습니다 (`{state}`).",
                f"container `{name}` has not exited yet (it is `{state}`).")
        code = info["State"].get("ExitCode")
        if code == wanted:
            return Outcome.passed(f"컨테이너 {josa_code(name, '이/가')} 코드 "
                                  f"{josa(str(code), '으로/로')} "
                                  f"종료했습니다.",
                                  f"container `{name}` exited with code {code}.")
        return Outcome.failed(
            f"컨테이너 {josa_code(name, '이/가')} 코드 {josa(str(code), '으로/로')} "
            f"종료했습니다 ({wanted} 이어야 함).",
            f"container `{name}` exited with code {code}, expected {wanted}.")


class ContainerImage(ContainerCheck):
    """Runs `ref`, or any of `any_of` (e.g. the notes' `mysql:5.6` or today's `mysql:8.4`)."""

    kind = "container_image"
    params = {**ContainerCheck.params, "ref": TEXT, "any_of": REFS}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        return super().validate(params) + reference_problems(params, "ref", "any_of")

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        accepted = reference_list(self.p, "ref", "any_of")
        used = (info.get("Config") or {}).get("Image") or info.get("Image", "")
        if imageref.looks_like_id(used):
            tags = snapshot.tags_of(info["Image"])
            ok = any(imageref.same(tag, wanted) for tag in tags for wanted in accepted)
            shown = imageref.familiar(tags[0]) if tags else used.removeprefix("sha256:")[:12]
        else:
            ok = any(imageref.same(used, wanted) for wanted in accepted)
            shown = imageref.familiar(used)
        if ok:
            return Outcome.passed(f"컨테이너 {josa_code(name, '은/는')} `{shown}` 이미지로 "
                                  f"실행되었습니다.",
                                  f"container `{name}` runs image `{shown}`.")
        expected_ko, expected_en = listed(accepted)
        one_of = " one of" if len(accepted) > 1 else ""
        return Outcome.failed(
            f"컨테이너 {josa_code(name, '은/는')} `{shown}` 이미지로 실행되었습니다 "
            f"({expected_ko} 이어야 함).",
            f"container `{name}` runs image `{shown}`, expected{one_of} {expected_en}.")


def _env(pairs: list[str | HashedPair] | None) -> dict[str, str | HashedValue]:
    result: dict[str, str | HashedValue] = {}
    for pair in pairs or []:
        if isinstance(pair, HashedPair):  # a secret read on the learner's own computer
            result[pair.var] = pair.value  # compares equal to the right value, shows as ***
            continue
        key, _, value = pair.partition("=")
        result[key] = value
    return result


def is_secret(params: dict[str, Any]) -> bool:
    """`secret: true`, or a name that says so (PASSWORD, TOKEN, ...) unless `secret: false`."""
    if "secret" in params:
        return bool(params["secret"])
    return any(word in params["var"].upper() for word in SECRET_WORDS)


class ContainerEnv(ContainerCheck):
    """An environment variable: present, equal to a value, or matching a regex.

    `source: run` insists it was given at run time (`-e`), not inherited from the image's ENV.
    A secret's value (PASSWORD, TOKEN, ... or `secret: true`) is never shown.
    """

    kind = "container_env"
    params = {**ContainerCheck.params, "var": REQUIRED_TEXT, "value": Param((str, int, float)),
              "regex": Param((str,), regex=True), "secret": Param((bool,)),
              "source": Param((str,), choices=("any", "run")), "not": Param((bool,)),
              "empty": Param((bool,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        given = [key for key in ("value", "regex", "empty") if key in params]
        if len(given) > 1:
            problems.append((given[1], "give one of `value`, `regex`, `empty`"))
        if params.get("not") and params.get("source") == "run":
            problems.append(("source", "`source: run` does not go with `not: true`"))
        if "empty" in params and params["empty"] is not True:
            problems.append(("empty", "write `empty: true` (or leave it out)"))
        return problems

    def _secret(self) -> bool:
        return is_secret(self.p)

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        """Only the named variable leaves the learner's computer, and a secret one only as a
        salted hash (so a `regex` on a secret cannot be checked there)."""
        selector = params["container"]
        if set(selector) != {"name"} or (is_secret(params) and "regex" in params):
            return None
        mode = "hash" if is_secret(params) else "plain"
        return [*(super().reads(params) or []), ("env", selector["name"], params["var"], mode)]

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        var, secret = self.p["var"], self._secret()
        env = _env((info.get("Config") or {}).get("Env"))
        image = snapshot.inspect_image(info.get("Image", "")) or {}
        image_env = _env((image.get("Config") or {}).get("Env"))
        if self.p.get("not"):
            return self._not(env, var, name, secret)
        if var not in env:
            return Outcome.failed(
                f"컨테이너 `{name}` 에 환경 변수 {josa_code(var, '이/가')} "
                f"없습니다 (`docker run -e {var}=...`).",
                f"container `{name}` has no environment variable `{var}` "
                f"(`docker run -e {var}=...`).")
        actual = env[var]
        if self.p.get("source") == "run" and image_env.get(var) == actual:
            return Outcome.failed(
                f"{josa_code(var, '은/는')} 이미지의 ENV 에서 온 값입니다. "
                "`docker run -e` 로 지정하지 않았습니다.",
                f"`{var}` comes from the image's ENV, it was not given with `docker run -e`.")
        shown = "***" if secret else f"`{actual}`"
        if self.p.get("empty") and actual != "":
            return Outcome.failed(f"`{var}` 의 값이 {shown} 입니다 (비어 있어야 함).",
                                  f"`{var}` is {shown}, expected it empty.")
        if "value" in self.p and actual != str(self.p["value"]):
            if secret:
                return Outcome.failed(f"{josa_code(var, '은/는')} 설정되어 있지만 값이 다릅니다.",
                                      f"`{var}` is set but has a different value.")
            return Outcome.failed(
                f"`{var}` 의 값이 {shown} 입니다 (`{self.p['value']}` 이어야 함).",
                f"`{var}` is {shown}, expected `{self.p['value']}`.")
        # A hashed value never meets a regex: `reads` keeps such a check off the own-machine plan.
        if "regex" in self.p and not (isinstance(actual, str)
                                      and re.search(self.p["regex"], actual)):
            if secret:
                return Outcome.failed(f"{josa_code(var, '은/는')} 설정되어 있지만 값이 조건에 "
                                      f"맞지 않습니다.",
                                      f"`{var}` is set but its value does not match.")
            return Outcome.failed(
                f"`{var}` 의 값 {josa(str(shown), '이/가')} "
                f"{josa_code(self.p['regex'], '과/와')} 맞지 않습니다.",
                f"`{var}` is {shown}, which does not match `{self.p['regex']}`.")
        return Outcome.passed(f"컨테이너 `{name}` 의 {josa_code(var, '이/가')} 올바르게 "
                              f"설정되었습니다.",
                              f"container `{name}` has `{var}` set as expected.")

    def _not(self, env: dict[str, Any], var: str, name: str, secret: bool) -> Outcome:
        """`not: true`: unset (with no `value`/`regex`/`empty`), or set to something else."""
        if var not in env:
            return Outcome.passed(f"컨테이너 `{name}` 에 {josa_code(var, '이/가')} 없습니다.",
                                  f"container `{name}` has no `{var}`.")
        actual = env[var]
        shown = "***" if secret else f"`{actual}`"
        if "value" in self.p:
            hit, how = actual == str(self.p["value"]), f"`{self.p['value']}`"
            how_ko = how
        elif "regex" in self.p:
            hit, how = bool(re.search(self.p["regex"], actual)), f"`{self.p['regex']}`"
            how_ko = how
        elif self.p.get("empty"):
            hit, how, how_ko = actual == "", "empty", "빈 값"
        else:
            return Outcome.failed(
                f"컨테이너 `{name}` 에 {josa_code(var, '이/가')} 있습니다 (값 {shown}; 없어야 함).",
                f"container `{name}` has `{var}` (value {shown}); it must not.")
        if hit:
            return Outcome.failed(f"`{var}` 의 값이 {shown} 입니다 "
                                  f"({josa(how_ko, '이/가')} 아니어야 함).",
                                  f"`{var}` is {shown}; it must not be {how}.")
        return Outcome.passed(f"`{var}` 의 값이 {shown} 입니다 ({how_ko} 아님).",
                              f"`{var}` is {shown}, not {how}.")


def _port_key(port: object) -> str:
    text = str(port)
    return text if "/" in text else f"{text}/tcp"


def port_bindings(info: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Host bindings of one container port: live ones first, else what `docker run` asked for."""
    live = ((info.get("NetworkSettings") or {}).get("Ports") or {}).get(key)
    if live:
        return list(live)
    return ((info.get("HostConfig") or {}).get("PortBindings") or {}).get(key) or []


def _published(info: dict[str, Any]) -> str:
    ports = dict((info.get("HostConfig") or {}).get("PortBindings") or {})
    ports.update({k: v for k, v in ((info.get("NetworkSettings") or {}).get("Ports") or {}).items()
                  if v})
    pairs = [f"{b.get('HostPort') or '?'}->{key}" for key, bindings in sorted(ports.items())
             for b in bindings or []]
    return ", ".join(dict.fromkeys(pairs)) or "-"


class ContainerPort(ContainerCheck):
    """`port` (e.g. 80/tcp) bound to `host_port` (or to any host port), on `host_ip` if given;
    or `all_exposed: true`: started with -P and every exposed port bound."""

    kind = "container_port"
    params = {**ContainerCheck.params, "port": Param((str, int)), "host_port": Param((int, str)),
              "host_ip": TEXT, "all_exposed": Param((bool,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        if ("port" in params) == bool(params.get("all_exposed")):
            problems.append(("port", "give either `port` or `all_exposed: true`"))
        if isinstance(params.get("port"), str) and not re.fullmatch(r"\d+(/(tcp|udp|sctp))?",
                                                                     params["port"]):
            problems.append(("port", "expected PORT or PORT/PROTO, e.g. 80/tcp"))
        return problems

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        if self.p.get("all_exposed"):
            return self._all_exposed(info, name)
        key = _port_key(self.p["port"])
        bindings = port_bindings(info, key)
        if "host_ip" in self.p and bindings:
            wanted_ip = self.p["host_ip"]
            on_ip = [b for b in bindings if (b.get("HostIp") or ALL_ADDRESSES) == wanted_ip]
            if not on_ip:
                seen = ", ".join(dict.fromkeys(b.get("HostIp") or ALL_ADDRESSES
                                               for b in bindings))
                return Outcome.failed(
                    f"포트 {key} 가 호스트 주소 {seen} 에 연결되어 있습니다 "
                    f"({wanted_ip} 이어야 함).",
                    f"port {key} is bound on host address {seen}, not {wanted_ip}.")
            bindings = on_ip
        if not bindings:
            return Outcome.failed(
                f"포트 {key} 가 호스트 포트에 연결되지 않았습니다 "
                f"(연결된 포트: {_published(info)}).",
                f"port {key} is not published to any host port (published: {_published(info)}).")
        host_ports = list(dict.fromkeys(b.get("HostPort") or "?" for b in bindings))
        wanted = self.p.get("host_port")
        if wanted is not None and str(wanted) not in host_ports:
            seen = ", ".join(host_ports)
            return Outcome.failed(
                f"포트 {key} 가 호스트 포트 {seen} 에 연결되어 있습니다 ({wanted} 이어야 함).",
                f"port {key} is bound to host port {seen}, not {wanted}.")
        shown = wanted if wanted is not None else ", ".join(host_ports)
        return Outcome.passed(f"포트 {key} 가 호스트 포트 {shown} 에 연결되어 있습니다.",
                              f"port {key} is bound to host port {shown}.")

    def _all_exposed(self, info: dict[str, Any], name: str) -> Outcome:
        if not (info.get("HostConfig") or {}).get("PublishAllPorts"):
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '은/는')} `-P` 없이 실행되었습니다 "
                f"(연결된 포트: {_published(info)}).",
                f"container `{name}` was not started with `-P` (published: {_published(info)}).")
        exposed = sorted(((info.get("Config") or {}).get("ExposedPorts") or {}).keys())
        unbound = [key for key in exposed if not port_bindings(info, key)]
        if unbound:
            listed = ", ".join(unbound)
            return Outcome.failed(f"노출된 포트 {listed} 가 호스트 포트에 연결되지 않았습니다.",
                                  f"exposed port {listed} is not bound to a host port.")
        return Outcome.passed(f"노출된 모든 포트가 연결되어 있습니다: {_published(info)}",
                              f"all exposed ports are published: {_published(info)}")


class ContainerRestartPolicy(ContainerCheck):
    kind = "container_restart_policy"
    params = {**ContainerCheck.params,
              "policy": Param((str,), required=True,
                              choices=("no", "always", "unless-stopped", "on-failure")),
              "max_retries": Param((int,))}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        policy = ((info.get("HostConfig") or {}).get("RestartPolicy") or {})
        actual = policy.get("Name") or "no"
        wanted = self.p["policy"]
        retries = policy.get("MaximumRetryCount", 0)
        if actual != wanted:
            return Outcome.failed(
                f"컨테이너 `{name}` 의 재시작 정책은 `{actual}` 입니다 (`{wanted}` 이어야 함).",
                f"container `{name}` has restart "
                f"policy `{actual}`, not `{wanted}`.")
        if "max_retries" in self.p and retries != self.p["max_retries"]:
            return Outcome.failed(
                f"재시작 최대 횟수가 {retries} 입니다 ({self.p['max_retries']} 이어야 함).",
                f"maximum retry count is {retries}, not {self.p['max_retries']}.")
        return Outcome.passed(f"컨테이너 `{name}` 의 재시작 정책은 `{actual}` 입니다.",
                              f"container `{name}` has restart policy `{actual}`.")


class ContainerMounts(ContainerCheck):
    """A mount at `destination`, of `type`, from `source` (a volume name or a host path) or a
    source matching `source_regex`, read-only or not.

    Host paths are compared as the engine reports them, which is as they were written in
    `docker run -v`/`--mount`: the grader reads the engine, not the host's files, so it cannot
    follow a symlink (`/tmp/site` pointing at `/srv/site` is not `/srv/site`). The message says
    so; a lab that cannot know the learner's directory uses `source_regex` (e.g. `/site/?$`)."""

    kind = "container_mounts"
    params = {**ContainerCheck.params, "destination": REQUIRED_TEXT, "source": TEXT,
              "source_regex": Param((str,), regex=True),
              "type": Param((str,), choices=("bind", "volume", "tmpfs")),
              "read_only": Param((bool,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        if "source" in params and "source_regex" in params:
            problems.append(("source_regex", "give `source` or `source_regex`, not both"))
        return problems

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        destination = self.p["destination"]
        mount = next((m for m in info.get("Mounts") or [] if m.get("Destination") == destination),
                     None)
        if mount is None:
            seen = ", ".join(f"`{m.get('Destination')}`" for m in info.get("Mounts") or []) or "-"
            return Outcome.failed(
                f"컨테이너 `{name}` 의 `{destination}` 에 마운트가 없습니다 (마운트: {seen}).",
                f"container `{name}` has no mount at `{destination}` "
                f"(mounts: {seen}).")
        problems = []
        kind = mount.get("Type")
        if "type" in self.p and kind != self.p["type"]:
            problems.append((f"종류가 `{kind}` (`{self.p['type']}` 이어야 함)",
                             f"type is `{kind}`, not `{self.p['type']}`"))
        shown = mount.get("Name") or mount.get("Source") or "-"
        if "source" in self.p and self.p["source"] not in (mount.get("Source"), mount.get("Name")):
            literally = kind == "bind" and self.p["source"].startswith("/")
            problems.append((
                f"원본이 `{shown}` (`{self.p['source']}` 이어야 함"
                + ("; 경로는 `-v` 에 쓴 그대로 비교하며 심볼릭 링크는 따라가지 않습니다)"
                   if literally else ")"),
                f"source is `{shown}`, not `{self.p['source']}`"
                + (" (paths are compared as written in `-v`; symlinks are not followed)"
                   if literally else "")))
        if "source_regex" in self.p and not re.search(self.p["source_regex"], shown):
            problems.append((f"원본 {josa_code(shown, '이/가')} "
                             f"{josa_code(self.p['source_regex'], '과/와')} 맞지 "
                             f"않음",
                             f"source `{shown}` does not match `{self.p['source_regex']}`"))
        if "read_only" in self.p and (not mount.get("RW", True)) != self.p["read_only"]:
            now = ("읽기 전용", "read-only") if not mount.get("RW", True) else ("읽기-쓰기",
                                                                            "read-write")
            problems.append((f"읽기 전용 여부가 다름 (지금: {now[0]})",
                             f"read-only flag differs (it is {now[1]})"))
        if problems:
            return Outcome.failed(f"`{destination}` 마운트: " + "; ".join(p[0] for p in problems),
                                  f"mount at `{destination}`: " + "; ".join(p[1] for p in problems))
        return Outcome.passed(f"`{destination}` 에 마운트가 있습니다 ({kind}: `{shown}`).",
                              f"`{destination}` is mounted as expected ({kind}: `{shown}`).")


class ContainerNetworks(ContainerCheck):
    """On `network` (with `aliases` there, when given); `not: true`: NOT on that network."""

    kind = "container_networks"
    params = {**ContainerCheck.params, "network": REQUIRED_TEXT, "not": Param((bool,)),
              "aliases": Param((list,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        aliases = params.get("aliases")
        if isinstance(aliases, list) and (not aliases or not all(
                isinstance(a, str) and a for a in aliases)):
            problems.append(("aliases", "expected a list of names"))
        if params.get("not") and "aliases" in params:
            problems.append(("aliases", "`aliases` does not go with `not: true`"))
        return problems

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        attached = (info.get("NetworkSettings") or {}).get("Networks") or {}
        networks = sorted(attached)
        wanted = self.p["network"]
        seen = ", ".join(f"`{n}`" for n in networks) or "-"
        if self.p.get("not"):
            if wanted in networks:
                return Outcome.failed(
                    f"컨테이너 {josa_code(name, '이/가')} 네트워크 `{wanted}` 에 연결되어 있습니다 "
                    f"(연결되지 않아야 함; 연결: {seen}).",
                    f"container `{name}` is on network `{wanted}`, and must not be "
                    f"(on: {seen}).")
            return Outcome.passed(
                f"컨테이너 {josa_code(name, '은/는')} 네트워크 `{wanted}` 에 없습니다 (연결: "
                f"{seen}).",
                f"container `{name}` is not on network `{wanted}` (on: {seen}).")
        if wanted not in networks:
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '은/는')} 네트워크 `{wanted}` 에 없습니다 (연결: "
                f"{seen}).",
                f"container `{name}` is not on network `{wanted}` (on: {seen}).")
        aliases = list((attached[wanted] or {}).get("Aliases") or [])
        lacking = [a for a in self.p.get("aliases", []) if a not in aliases]
        if lacking:
            shown = ", ".join(f"`{a}`" for a in aliases) or "-"
            need = ", ".join(f"`{a}`" for a in lacking)
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '은/는')} `{wanted}` 에서 별칭 {josa(need, '이/가')} "
                "없습니다 "
                f"(별칭: {shown}; `--network-alias`).",
                f"container `{name}` has no alias {need} on `{wanted}` (aliases: {shown}; "
                "`--network-alias`).")
        return Outcome.passed(
            f"컨테이너 {josa_code(name, '이/가')} 네트워크 `{wanted}` 에 연결되어 있습니다.",
            f"container `{name}` is on network `{wanted}`.")


class ContainerLabels(ContainerCheck):
    kind = "container_labels"
    params = {**ContainerCheck.params, "labels": Param((dict,), required=True)}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        labels = (info.get("Config") or {}).get("Labels") or {}
        for key, value in self.p["labels"].items():
            if key not in labels:
                return Outcome.failed(f"컨테이너 `{name}` 에 라벨 {josa_code(key, '이/가')} "
                                      "없습니다.",
                                      f"container `{name}` has no label `{key}`.")
            if value is not None and labels[key] != str(value):
                return Outcome.failed(
                    f"라벨 {josa_code(key, '이/가')} `{labels[key]}` 입니다 (`{value}` 이어야 함).",
                    f"label `{key}` is `{labels[key]}`, expected `{value}`.")
        return Outcome.passed(f"컨테이너 `{name}` 의 라벨이 맞습니다.",
                              f"container `{name}` has the expected labels.")


class ContainerCommand(ContainerCheck):
    kind = "container_command"
    params = {**ContainerCheck.params, "contains": REQUIRED_TEXT,
              "part": Param((str,), choices=("cmd", "entrypoint", "any"))}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        config = info.get("Config") or {}
        part = self.p.get("part", "any")
        if part == "cmd":
            words = config.get("Cmd") or []
        elif part == "entrypoint":
            words = config.get("Entrypoint") or []
        else:
            words = [info.get("Path") or "", *(info.get("Args") or [])]
        command = " ".join(words if isinstance(words, list) else [words]).strip()
        wanted = self.p["contains"]
        if wanted in command:
            return Outcome.passed(f"컨테이너 `{name}` 의 명령에 {josa_code(wanted, '이/가')} "
                                  "있습니다.",
                                  f"container `{name}` command contains `{wanted}`.")
        return Outcome.failed(f"컨테이너 `{name}` 의 명령 `{command}` 에 "
                              f"{josa_code(wanted, '이/가')} 없습니다.",
                              f"container `{name}` command `{command}` "
                              f"does not contain `{wanted}`.")


class ContainerDetached(ContainerCheck):
    """Started with -d: no stream attached (and, with `tty: false`, no TTY allocated)."""

    kind = "container_detached"
    params = {**ContainerCheck.params, "tty": Param((bool,))}

    def judge(self, snapshot: Snapshot, info: dict[str, Any], name: str) -> Outcome:
        config = info.get("Config") or {}
        attached = [s for s in ("AttachStdin", "AttachStdout", "AttachStderr") if config.get(s)]
        if attached:
            return Outcome.failed(
                f"컨테이너 {josa_code(name, '은/는')} `-d` 없이 (포그라운드로) 실행되었습니다.",
                f"container `{name}` was started in the foreground (no `-d`).")
        if self.p.get("tty") is False and config.get("Tty"):
            return Outcome.failed(f"컨테이너 `{name}` 에 TTY 가 할당되었습니다 (`-t`).",
                                  f"container `{name}` has a TTY allocated (`-t`).")
        return Outcome.passed(f"컨테이너 {josa_code(name, '은/는')} 백그라운드(-d)로 "
                              f"실행되었습니다.",
                              f"container `{name}` runs detached (-d).")


class ContainersCount(Check):
    """How many containers are in some states (e.g. none left `exited`/`created`)."""

    kind = "containers_count"
    # `image`: one reference or a list (only containers of those images are counted, so a lab
    # can look at what its own containers left and not at the learner's other projects).
    params = {"states": Param((list,), required=True), "image": Param((str, list)),
              "max": Param((int,)), "min": Param((int,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = []
        states = params.get("states")
        if isinstance(states, list):
            bad = [s for s in states if s not in STATES]
            if bad or not states:
                problems.append(("states", f"expected a list of {', '.join(STATES)}"))
        if "max" not in params and "min" not in params:
            problems.append(("max", "give `max` and/or `min`"))
        return problems + reference_problems(params, "image", required=False)

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        # matching by image needs each container's image ID, which only inspect shows
        return [("containers",), ("all-containers",)] if "image" in params else [("containers",)]

    def run(self, snapshot: Snapshot) -> Outcome:
        states = self.p["states"]
        images = reference_list(self.p, "image")
        found = [c for c in snapshot.containers() if c.get("State") in states
                 and (not images or any(image_matches(snapshot, c, i) for i in images))]
        names = ", ".join(f"`{summary_name(c)}` ({c.get('State')})" for c in found[:8])
        if len(found) > 8:
            names += ", …"
        state_words = "/".join(f"`{s}`" for s in states)
        count = len(found)
        if "max" in self.p and count > self.p["max"]:
            return Outcome.failed(
                f"{state_words} 상태의 컨테이너가 {count}개 있습니다 "
                f"(최대 {self.p['max']}개): {names}",
                f"containers in state {state_words}: {count} (at most {self.p['max']} "
                f"expected): {names}")
        if "min" in self.p and count < self.p["min"]:
            return Outcome.failed(
                f"{state_words} 상태의 컨테이너가 {count}개뿐입니다 (최소 {self.p['min']}개).",
                f"containers in state {state_words}: only {count} (at least "
                f"{self.p['min']} expected).")
        return Outcome.passed(f"{state_words} 상태의 컨테이너: {count}개",
                              f"containers {state_words}: {count}")

