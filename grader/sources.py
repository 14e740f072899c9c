"""Where a snapshot's answers come from: the live Engine API (`grader.snapshot`, over a
connection), or the results of an own-machine plan that a client uploaded (here).

`UploadedEngine` answers the very Engine API calls `Snapshot` makes (`containers`,
`inspect_container`, `images`, `inspect_image`, `history`) from the upload, so every check runs
the same code on both. This module is the ONE place where the docker CLI's output is turned
into the API's shape:

- `docker ps -a`: `Names` is one comma-joined string (API: a list of `/name`), `Labels` a
  `k=v,k=v` string (API: a mapping; taken from inspect whenever the plan read it);
- `docker history --human=false`: `CreatedAt` is RFC 3339 text (API: `Created`, Unix seconds),
  `Size` is text, the ID is `ID`; and the CLI shows each tab of `CreatedBy` as a space;
- a secret environment value arrives as a salted hash (`grader.secrets`).

What the five read-only commands cannot give is said, not guessed: there is no image list
(`docker images` is not among them), so a missing image gets no "did you mean" suggestion
(the message then says `see docker images`); the status is the same.
"""
from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any, TypeVar

import docker

from . import imageref
from .hosts import HostError
from .model import Lab, Text
from .plan import PLAN_VERSION, reads_for
from .result import LabResult
from .secrets import PREFIX, HashedPair, HashedValue
from .snapshot import Snapshot

SOURCE_LABEL = Text("내 컴퓨터 (붙여 넣은 명령)", "own computer (pasted command)")


UPLOAD_FIELDS = ("version", "lab", "results")

_T = TypeVar("_T")


class UploadError(ValueError):
    """An upload that does not answer its plan; the message names the field."""


def _field(value: object, kind: type[_T], where: str) -> _T:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise UploadError(f"`{where}` must be {getattr(kind, '__name__', kind)}")
    return value


def parse_results(plan: dict[str, Any], upload: object) -> list[tuple[int, list[Any]]]:
    """(exit status, lines) per read of the plan, in its order, checked for shape."""
    if not isinstance(upload, dict):
        raise UploadError("the upload must be a JSON object")
    # Only what the engine showed: a verdict (`checks`, `status`, `score`...) is refused, not
    # ignored, so a client that still sends one learns that docklab grades the results itself.
    unknown = [f"`{name}`" for name in upload if name not in UPLOAD_FIELDS]
    if unknown:
        raise UploadError(f"{', '.join(unknown)} "
                          f"{'is not a field' if len(unknown) == 1 else 'are not fields'} of an "
                          f"upload (it has only {', '.join(UPLOAD_FIELDS)}): docklab grades the "
                          "results itself")
    if upload.get("version") != PLAN_VERSION:
        raise UploadError(f"`version` must be {PLAN_VERSION}")
    if "lab" in upload and upload["lab"] != plan["lab"]:
        raise UploadError(f"`lab` is {upload['lab']!r}, but this code is for {plan['lab']!r}")
    results = _field(upload.get("results"), list, "results")
    if len(results) != len(plan["reads"]):
        raise UploadError(f"`results` has {len(results)} entries; the plan has "
                          f"{len(plan['reads'])} reads")
    parsed = []
    for index, entry in enumerate(results):
        where = f"results[{index}]"
        _field(entry, dict, where)
        status = _field(entry.get("exit"), int, f"{where}.exit")
        lines = _field(entry.get("lines"), list, f"{where}.lines")
        parsed.append((status, lines))
    return parsed


def _labels_text(text: str) -> dict[str, Any]:
    """`docker ps`'s `a=1,b=2` (lossy when a value holds a comma: inspect is used when read)."""
    labels = {}
    for item in (text or "").split(","):
        if item:
            key, _, value = item.partition("=")
            labels[key] = value
    return labels


def _summary_from_ps(row: dict[str, Any]) -> dict[str, Any]:
    image = str(row.get("Image") or "")
    return {"Id": str(row.get("ID") or ""),
            "Names": ["/" + n for n in str(row.get("Names") or "").split(",") if n],
            "Image": image, "ImageID": image if imageref.looks_like_id(image) else "",
            "Labels": _labels_text(str(row.get("Labels") or "")),
            "State": str(row.get("State") or "")}


def _created(text: str) -> int:
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def _history_from_cli(row: dict[str, Any]) -> dict[str, Any]:
    try:
        size = int(row.get("Size") or 0)
    except (TypeError, ValueError):
        size = 0
    return {"Id": str(row.get("ID") or ""), "Created": _created(row.get("CreatedAt", "")),
            "CreatedBy": str(row.get("CreatedBy") or ""), "Size": size,
            "Comment": str(row.get("Comment") or ""), "Tags": None}


def _env_value(value: object, salt: str, var: str, where: str) -> str | HashedPair | None:
    """A plain `VAR=value` pair, a hashed one, or None (the variable is not set)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UploadError(f"`{where}` must be text or null")
    if value.startswith(PREFIX) and len(value) == len(PREFIX) + 64:
        return HashedPair(var, HashedValue(salt, var, value))
    if not value.startswith(f"{var}="):
        raise UploadError(f"`{where}` is not the variable {var}")
    return value


class UploadedEngine:
    """The Engine API calls a `Snapshot` makes, answered from an uploaded plan's results."""

    def __init__(self, plan: dict[str, Any], results: list[tuple[int, list[Any]]]) -> None:
        self.salt = str(plan.get("salt") or "")
        self.version: dict[str, Any] = {}
        self.listed: list[dict[str, Any]] | None = None
        self.by_name: dict[str, dict[str, Any] | None] = {}
        self.by_id: dict[str, dict[str, Any]] = {}
        self.images_by_id: dict[str, dict[str, Any]] = {}
        self.image_refs: dict[str, dict[str, Any] | None] = {}
        self.image_env: dict[str, list[Any]] = {}
        self.histories: dict[str, list[Any]] = {}
        self.env: dict[str, list[Any]] = {}  # container id -> pairs; image id -> pairs
        self.all_read = False
        for index, (read, (status, lines)) in enumerate(zip(plan["reads"], results,
                                                            strict=True)):
            self._take(tuple(read), status, lines, f"results[{index}]")

    # -- reading the upload --------------------------------------------------------------------
    def _objects(self, lines: list[Any], where: str) -> list[dict[str, Any]]:
        for number, line in enumerate(lines):
            _field(line, dict, f"{where}.lines[{number}]")
        return lines

    def _keep_container(self, info: dict[str, Any], where: str) -> dict[str, Any]:
        if not isinstance(info.get("Id"), str) or not isinstance(info.get("Name"), str):
            raise UploadError(f"`{where}` is not a container")
        self.by_id[info["Id"]] = info
        return info

    def _keep_image(self, info: dict[str, Any], where: str) -> dict[str, Any]:
        if not isinstance(info.get("Id"), str):
            raise UploadError(f"`{where}` is not an image")
        self.images_by_id[info["Id"]] = info
        return info

    def _take(self, read: tuple[Any, ...], status: int, lines: list[Any], where: str) -> None:
        kind, args = read[0], read[1:]
        if kind == "version":
            objects = self._objects(lines, where)
            self.version = objects[0] if objects else {}
        elif kind == "containers":
            self.listed = [_summary_from_ps(row) for row in self._objects(lines, where)]
        elif kind in ("container", "all-containers"):
            found = None
            for number, info in enumerate(self._objects(lines, where)):
                if "RepoTags" in info:
                    self._keep_image(info, f"{where}.lines[{number}]")
                else:
                    found = self._keep_container(info, f"{where}.lines[{number}]")
            if kind == "container":
                self.by_name[args[0]] = found if status == 0 else None
            else:
                self.all_read = True
        elif kind == "env":
            objects = self._objects(lines, where)
            if status != 0 or not objects:
                return
            answer, var = objects[0], args[1]
            for key, target in (("Container", answer.get("Id")),
                                ("FromImage", answer.get("Image"))):
                pair = _env_value(answer.get(key), self.salt, var, f"{where}.lines[0].{key}")
                if pair is not None and isinstance(target, str):
                    self.env.setdefault(target, []).append(pair)
        elif kind == "image":
            objects = self._objects(lines, where)
            self.image_refs[args[0]] = (self._keep_image(objects[0], f"{where}.lines[0]")
                                        if status == 0 and objects else None)
        elif kind == "image-env":
            if status == 0 and lines and isinstance(lines[0], list):
                self.image_env[args[0]] = [str(item) for item in lines[0]]
        elif kind == "history":
            self.histories[args[0]] = [_history_from_cli(row)
                                       for row in self._objects(lines, where)] \
                if status == 0 else []

    # -- the Engine API, as Snapshot calls it --------------------------------------------------
    def _unread(self, what: str) -> HostError:
        return HostError("protocol", f"the uploaded results do not include {what}")

    def containers(self, all: bool = True) -> list[dict[str, Any]]:  # noqa: A002 - the SDK's name
        if self.listed is None:
            raise self._unread("the container list")
        listed = copy.deepcopy(self.listed)
        for summary in listed:  # inspect's exact labels and image ID when the plan read them
            info = self.by_id.get(summary["Id"])
            if info is not None:
                summary["Labels"] = (info.get("Config") or {}).get("Labels") or {}
                summary["ImageID"] = info.get("Image", "")
        return listed

    def _with_env(self, info: dict[str, Any], key: str) -> dict[str, Any]:
        info = copy.deepcopy(info)
        info.setdefault("Config", {})
        if info["Config"] is None:
            info["Config"] = {}
        info["Config"]["Env"] = list(self.env.get(key, []))
        return info

    def inspect_container(self, name_or_id: str) -> dict[str, Any]:
        if name_or_id in self.by_id:
            return self._with_env(self.by_id[name_or_id], name_or_id)
        if name_or_id in self.by_name:
            found = self.by_name[name_or_id]
            if found is None:
                raise docker.errors.NotFound(f"No such container: {name_or_id}")
            return self._with_env(found, found["Id"])
        if self.all_read:  # every container was read: one not among them does not exist
            raise docker.errors.NotFound(f"No such container: {name_or_id}")
        raise self._unread(f"container {name_or_id}")

    def images(self) -> list[dict[str, Any]]:
        """No image list: `docker images` is not one of the client's commands. (A list of only
        the images the plan read would make "did you mean" suggest the wrong image.)"""
        return []

    def tags(self, image_id: str) -> list[str] | None:
        info = self.images_by_id.get(image_id)
        return None if info is None else list(info.get("RepoTags") or [])

    def inspect_image(self, reference: str) -> dict[str, Any]:
        if reference in self.images_by_id:
            info = self.images_by_id[reference]
        elif reference in self.image_refs:
            found = self.image_refs[reference]
            if found is None:
                raise docker.errors.NotFound(f"No such image: {reference}")
            info = found
        else:
            raise self._unread(f"image {reference}")
        info = self._with_env(info, info["Id"])
        for ref, env in self.image_env.items():  # the whole ENV, read for an image_config check
            if (self.image_refs.get(ref) or {}).get("Id") == info["Id"]:
                info["Config"]["Env"] = env
        return info

    def history(self, image_id: str) -> list[dict[str, Any]]:
        for ref, found in self.image_refs.items():
            if found is not None and found["Id"] == image_id and ref in self.histories:
                return self.histories[ref]
        raise self._unread(f"the history of {image_id}")


class UploadedConnection:
    """What `Snapshot` needs of a connection, for uploaded results."""

    def __init__(self, engine: UploadedEngine) -> None:
        self.api = engine
        self.api_calls = 0

    @property
    def version_info(self) -> dict[str, Any]:
        return self.api.version

    def classify(self, exc: BaseException) -> HostError:
        if isinstance(exc, HostError):
            return exc
        return HostError("protocol", f"uploaded results: {type(exc).__name__}: {exc}")


class UploadedSnapshot(Snapshot):
    """A `Snapshot` over uploaded results: the tags of an image come from the images the plan
    read (there is no image list to look them up in)."""

    def tags_of(self, image_id: str) -> list[str]:
        tags = self.api.tags(image_id)
        if tags is None:
            return super().tags_of(image_id)
        return [t for t in tags if t != "<none>:<none>"]

    def listed_image(self, reference: str) -> dict[str, Any] | None:
        """With no image list, an image the plan read by this reference (each accepted
        reference of `image_present: any_of` is read by its own inspect)."""
        found: dict[str, Any] | None = self.api.image_refs.get(reference)
        return found


def snapshot_from_upload(plan: dict[str, Any], upload: object) -> Snapshot:
    """A snapshot whose answers are the uploaded results (UploadError if they do not fit)."""
    engine = UploadedEngine(plan, parse_results(plan, upload))
    return UploadedSnapshot(UploadedConnection(engine))


def grade_upload(lab: Lab, plan: dict[str, Any], upload: object, lang: str = "ko") -> LabResult:
    """Grade `lab` on uploaded results with the same checks as a live engine."""
    from .runner import grade_snapshot

    if [list(read) for read in plan["reads"]] != [list(read) for read in reads_for(lab)]:
        raise UploadError("the plan is not this lab's plan")
    snapshot = snapshot_from_upload(plan, upload)
    result = grade_snapshot(lab, snapshot, lang)
    result.api_calls = len(plan["reads"])
    return result


def upload_json(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UploadError(f"the upload is not JSON: {exc}") from exc
