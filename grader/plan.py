"""What a lab needs read from an engine, as a *plan* a client runs with the docker CLI (issue 14).

The learner pastes `curl -fsSL SERVER/c/CODE | sh`; that static script fetches this plan, runs
only `docker version`, `docker ps -a`, `docker inspect`, `docker image inspect` and
`docker history` (with the `--format` templates written in the script itself) on the objects the
plan names, and uploads the output. `grader.sources` turns the upload back into a snapshot that
the ordinary checks grade. The plan is data, never a command.

Each check kind declares what it reads (`Check.reads(params)`, a list of reads); a kind that
returns None (exec checks, anything the five commands cannot show) makes the whole lab
"not checkable on your own computer", said plainly, instead of a wrong result.

A read is a tuple of words:
    ("version",)                       docker version (the engine's Server part)
    ("containers",)                    docker ps -a: id, names, image, state, labels of each
    ("container", NAME)                docker inspect NAME (fields the checks read; no env
                                       values), and its image
    ("all-containers",)                the same for every container (selectors by image/label)
    ("env", NAME, VAR, "plain"|"hash") the one variable VAR of container NAME and of its
                                       image; "hash": only sha256(salt + "VAR=value") leaves
    ("image", REF)                     docker image inspect REF (no env values)
    ("image-env", REF)                 the image's whole ENV (a check on the image's ENV)
    ("history", REF)                   docker history REF
"""
from __future__ import annotations

import json
import re
from typing import Any

from .checks import REGISTRY
from .model import Lab, Text

PLAN_VERSION = 1

# Names the script passes to docker as arguments, and variable names it puts into a template:
# anything else is refused here (and again by the script), so a plan can never smuggle an option
# or template code.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,254}")
SAFE_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
READ_KINDS = {"version": 0, "containers": 0, "container": 1, "all-containers": 0, "env": 3,
              "image": 1, "image-env": 1, "history": 1}

NOT_READABLE = Text(
    "이 실습은 내 컴퓨터에서 확인할 수 없습니다: 확인 `{check}` ({kind}) 은(는) "
    "`docker inspect` 같은 읽기 명령으로 알 수 없습니다{why_ko}. 샌드박스나 등록한 호스트에서 "
    "확인하세요.",
    "This lab can't be checked on your own computer: check `{check}` ({kind}) needs more than "
    "read-only commands such as `docker inspect` can show{why_en}. Use the sandbox or a "
    "registered host.")

# Why a kind is not in the plan, for the kinds that are not (said on the lab page, in the API's
# 409 and in docs/labs.md); a kind not listed gets the general sentence alone.
WHY_NOT = {
    "exec": ("(컨테이너 안에서 명령을 실행해야 합니다)",
             " (it runs a command inside the container)"),
    "container_logs": ("(컨테이너 로그는 읽지 않습니다: 로그에는 비밀번호 같은 무엇이든 "
                       "들어 있을 수 있습니다)",
                       " (the script does not read container logs: a log can hold anything, "
                       "a password too)"),
    "images_dangling": ("(이미지 목록, 곧 `docker images` 가 필요합니다)",
                        " (it needs the image list, `docker images`)"),
    "volume_exists": ("(볼륨은 읽지 않습니다)", " (the script does not read volumes)"),
    "network_exists": ("(네트워크는 읽지 않습니다)", " (the script does not read networks)"),
}


class NotReadable(Exception):
    """The lab has a check the own-machine client cannot serve; `message` says which."""

    def __init__(self, check: str, kind: str) -> None:
        super().__init__(f"check {check} ({kind}) cannot be read by the own-machine client")
        why_ko, why_en = WHY_NOT.get(kind, ("", ""))
        self.text = NOT_READABLE.format(check=check, kind=kind, why_ko=" " + why_ko if why_ko
                                        else "", why_en=why_en)

    def message(self, lang: str = "ko") -> str:
        return self.text.get(lang)


def _valid(read: tuple[Any, ...]) -> bool:
    kind, args = read[0], read[1:]
    if READ_KINDS.get(kind) != len(args):
        return False
    if kind == "env":
        name, var, mode = args
        return bool(SAFE_NAME.fullmatch(name) and SAFE_VAR.fullmatch(var)
                    and mode in ("plain", "hash"))
    return all(SAFE_NAME.fullmatch(arg) for arg in args)


def reads_for(lab: Lab) -> list[tuple[str, ...]]:
    """Every read the lab's checks need, each once, in a stable order; NotReadable if a check's
    kind cannot be served (or names an object the script could not pass safely)."""
    reads: list[tuple[str, ...]] = []
    for spec in lab.checks:
        wanted = REGISTRY[spec.kind].reads(spec.params)
        if wanted is None or not all(_valid(tuple(read)) for read in wanted):
            raise NotReadable(spec.id, spec.kind)
        for read in wanted:
            if tuple(read) not in reads:
                reads.append(tuple(read))
    return reads


def checkable(lab: Lab) -> NotReadable | None:
    """None when the lab can be checked on the learner's own computer, else why not."""
    try:
        reads_for(lab)
    except NotReadable as why:
        return why
    return None


def plan_for(lab: Lab, salt: str) -> dict[str, Any]:
    """The plan for `lab`; `salt` (per code) keys the hashes of secret values."""
    return {"version": PLAN_VERSION, "lab": lab.id, "salt": salt, "reads": reads_for(lab)}


def plan_text(plan: dict[str, Any]) -> str:
    """The plan as JSON with a fixed layout: the version on the first line and one read per line,
    so a POSIX shell can follow it without a JSON parser (any JSON client reads it as usual)."""
    head = [f'{{"version": {int(plan["version"])},',
            f' "lab": {json.dumps(plan["lab"])},',
            f' "salt": {json.dumps(plan["salt"])},',
            ' "reads": [']
    lines = [" " + json.dumps(list(read)) + ("," if index < len(plan["reads"]) - 1 else "")
             for index, read in enumerate(plan["reads"])]
    return "\n".join(head + lines + [" ]}"]) + "\n"
