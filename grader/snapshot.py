"""One read of a learner's host, shared by every check of a grading run.

Each kind of API call is made at most once per object (memoised), so the number of calls grows with
the containers and images the labs name, never with the number of checks. Only GET requests,
and never `size=true` (it makes the engine walk every filesystem).
"""
from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import requests

import docker

from . import imageref
from .hosts import EngineConnection, HostError

EXEC_OUTPUT_LIMIT = 64 * 1024
LOG_BYTES_LIMIT = 64 * 1024  # container_logs reads at most this much of the tail
LOG_TAIL_MAX = 1000  # and never asks for more lines than this
# A docklab sandbox's own terminal container carries this label: it is the learner's tool, not
# part of their work, so no check sees it.
TOOL_LABEL = "io.docklab.workstation"


_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


class Connection(Protocol):
    """What a snapshot reads through: a live `hosts.EngineConnection`, or uploaded results
    (`sources.UploadedConnection`)."""

    api: Any  # a docker.APIClient (the SDK is untyped), or a sources.UploadedEngine

    @property
    def version_info(self) -> dict[str, Any]: ...

    def classify(self, exc: BaseException) -> HostError: ...


class Snapshot:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.api = connection.api
        self._containers: list[dict[str, Any]] | None = None
        self._images: list[dict[str, Any]] | None = None
        self._inspected: dict[str, dict[str, Any] | None] = {}
        self._image_inspected: dict[str, dict[str, Any] | None] = {}
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._by_name: dict[str, dict[str, Any] | None] = {}
        self._image_by_ref: dict[str, dict[str, Any] | None] = {}
        self._volumes: dict[str, dict[str, Any] | None] = {}
        self._networks: dict[str, dict[str, Any] | None] = {}
        self._logs: dict[tuple[str, int], str] = {}
        self.failure: HostError | None = None  # once the host fails, later reads fail fast

    @property
    def version_info(self) -> dict[str, Any]:
        return self.connection.version_info

    def _call(self, function: Callable[_Params, _Result], *args: _Params.args,
              **kwargs: _Params.kwargs) -> _Result:
        if self.failure is not None:
            raise self.failure
        try:
            return function(*args, **kwargs)
        except docker.errors.NotFound:
            raise
        except Exception as exc:  # noqa: BLE001 - any host failure becomes a reasoned error
            self.failure = self.connection.classify(exc)
            raise self.failure from exc

    def _live(self) -> EngineConnection:
        # Logs and exec are read only from a live engine: the own-machine plan has no such
        # reads (`Check.reads` is None for them), so an uploaded snapshot never gets here.
        return cast(EngineConnection, self.connection)

    # -- containers ------------------------------------------------------------------------
    def containers(self) -> list[dict[str, Any]]:
        """Every container (the list endpoint, newest first), fetched once."""
        if self._containers is None:
            listed = self._call(self.api.containers, all=True)
            if not isinstance(listed, list):
                self.failure = HostError("protocol", "the container list is not a list")
                raise self.failure
            # Rows without an Id cannot be inspected or named reliably: ignore them.
            self._containers = [c for c in listed if isinstance(c, dict) and c.get("Id")
                                and not _is_tool(c)]
        return self._containers

    def container_by_name(self, name: str) -> dict[str, Any] | None:
        """A container by its exact name, inspected directly: the common case needs no listing of
        the whole host (the list is read only to suggest a name when this one is missing)."""
        if name not in self._by_name:
            try:
                info = self._call(self.api.inspect_container, name)
            except docker.errors.NotFound:
                info = None
            # The engine also resolves ID prefixes; only the exact name counts here.
            if not isinstance(info, dict) or info.get("Name") != f"/{name}" or not info.get("Id") \
                    or _is_tool(info.get("Config") or {}):
                info = None
            else:
                self._inspected[info["Id"]] = info
            self._by_name[name] = info
        return self._by_name[name]

    def container_names(self) -> list[str]:
        return [summary_name(c) for c in self.containers()]

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        if container_id not in self._inspected:
            try:
                self._inspected[container_id] = self._call(self.api.inspect_container,
                                                           container_id)
            except docker.errors.NotFound:  # removed between the list and now
                self._inspected[container_id] = None
        return self._inspected[container_id]

    # -- images ----------------------------------------------------------------------------
    def images(self) -> list[dict[str, Any]]:
        if self._images is None:
            self._images = self._call(self.api.images)
        return self._images

    def all_tags(self) -> list[str]:
        return [tag for image in self.images() for tag in (image.get("RepoTags") or [])
                if tag != "<none>:<none>"]

    def find_image(self, reference: str) -> dict[str, Any] | None:
        """The image a reference names. Inspected directly (the engine resolves `nginx` to
        `docker.io/library/nginx:latest` itself); the list is read only when that fails."""
        if reference not in self._image_by_ref:
            found = None
            try:
                info = self._call(self.api.inspect_image, reference)
            except docker.errors.NotFound:
                info = None
            if isinstance(info, dict) and info.get("Id") and (
                    any(imageref.same(tag, reference) for tag in info.get("RepoTags") or [])
                    or (imageref.looks_like_id(reference) and info["Id"].removeprefix(
                        "sha256:").startswith(reference.removeprefix("sha256:")))):
                self._image_inspected[info["Id"]] = info
                found = info
            self._image_by_ref[reference] = found if found is not None else self.listed_image(
                reference)
        return self._image_by_ref[reference]

    def listed_image(self, reference: str) -> dict[str, Any] | None:
        """The image-list entry a reference names, compared the way Docker resolves names."""
        for image in self.images():
            if imageref.looks_like_id(reference) and image["Id"].removeprefix(
                    "sha256:").startswith(reference.removeprefix("sha256:")):
                return image
            if any(imageref.same(tag, reference) for tag in image.get("RepoTags") or []):
                return image
        return None

    def tags_of(self, image_id: str) -> list[str]:
        inspected = self._image_inspected.get(image_id)
        if inspected:
            return [t for t in inspected.get("RepoTags") or [] if t != "<none>:<none>"]
        for image in self.images():
            if image["Id"] == image_id:
                return [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
        return []

    def inspect_image(self, image_id: str) -> dict[str, Any] | None:
        if image_id not in self._image_inspected:
            try:
                self._image_inspected[image_id] = self._call(self.api.inspect_image, image_id)
            except docker.errors.NotFound:
                self._image_inspected[image_id] = None
        return self._image_inspected[image_id]

    def history(self, image_id: str) -> list[dict[str, Any]]:
        if image_id not in self._history:
            try:
                self._history[image_id] = self._call(self.api.history, image_id)
            except docker.errors.NotFound:
                self._history[image_id] = []
        return self._history[image_id]

    def dangling_images(self) -> list[dict[str, Any]]:
        """Untagged top-level images (what `docker images -f dangling=true` lists), from the one
        image list: no extra call."""
        return [image for image in self.images()
                if not [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]]

    # -- volumes and networks (one inspect each, by exact name) ---------------------------
    def volume(self, name: str) -> dict[str, Any] | None:
        """`GET /volumes/{name}`: the named volume, or None when there is none."""
        if name not in self._volumes:
            try:
                info = self._call(self.api.inspect_volume, name)
            except docker.errors.NotFound:
                info = None
            self._volumes[name] = info if isinstance(info, dict) and info.get(
                "Name") == name else None
        return self._volumes[name]

    def network(self, name: str) -> dict[str, Any] | None:
        """`GET /networks/{name}`: the network of exactly that name (the engine also resolves
        ID prefixes; those do not count), or None."""
        if name not in self._networks:
            try:
                info = self._call(self.api.inspect_network, name)
            except docker.errors.NotFound:
                info = None
            self._networks[name] = info if isinstance(info, dict) and info.get(
                "Name") == name else None
        return self._networks[name]

    # -- logs (read-only, bounded) ---------------------------------------------------------
    def container_logs(self, container_id: str, tail: int = 200) -> str:
        """The last `tail` lines of a container's stdout and stderr (`GET .../logs`), at most
        LOG_BYTES_LIMIT bytes of them, read within the read timeout and the run's deadline."""
        tail = max(1, min(int(tail), LOG_TAIL_MAX))
        key = (container_id, tail)
        if key not in self._logs:
            self._logs[key] = self._call(self._read_logs, container_id, tail)
        return self._logs[key]

    def _read_logs(self, container_id: str, tail: int) -> str:
        info = self.inspect(container_id) or {}
        response = self.api._get(self.api._url("/containers/{0}/logs", container_id),
                                 params={"stdout": 1, "stderr": 1, "tail": tail,
                                         "follow": 0, "timestamps": 0}, stream=True)
        self.api._raise_for_status(response)
        live = self._live()
        seconds = live.deadline.clamp(live.spec.read_timeout)
        raw, timed_out = _read_bounded(response, LOG_BYTES_LIMIT, seconds)
        if timed_out:  # a tail is sent at once; one that trickles is a slow host, not a verdict
            if live.deadline.remaining() <= 0:
                raise live.over_deadline()
            raise HostError("timeout", f"the log of {container_id[:12]} was still arriving "
                                       f"after {seconds:g} s")
        if (info.get("Config") or {}).get("Tty"):
            return raw.decode(errors="replace")  # a TTY's log is one raw stream
        return _demultiplex(raw).decode(errors="replace")

    # -- exec (opt-in, not read-only) ------------------------------------------------------
    def exec_run(self, container_id: str, command: str | list[str]) -> tuple[int | None, str]:
        """Run a command in a container; output capped, whole run bounded by the read timeout.

        Not the SDK's `exec_start`: it upgrades (hijacks) the connection and then reads with no
        timeout, so a host that never closes the stream would hang the grader.
        """
        created = self._call(self.api.exec_create, container_id, command, stdout=True,
                             stderr=True)
        output = self._call(self._exec_output, created["Id"])
        code = self._call(self.api.exec_inspect, created["Id"]).get("ExitCode")
        return code, output

    def _exec_output(self, exec_id: str) -> str:
        response = self.api._post_json(self.api._url("/exec/{0}/start", exec_id),
                                       data={"Tty": False, "Detach": False}, stream=True)
        self.api._raise_for_status(response)
        raw, _ = _read_bounded(response, EXEC_OUTPUT_LIMIT, self._live().spec.read_timeout)
        return _demultiplex(raw).decode(errors="replace")


def _read_bounded(response: requests.Response, limit: int, seconds: float) -> tuple[bytes, bool]:
    """A streamed body, at most `limit` bytes and `seconds` of reading (the run's deadline
    also cuts the socket), then the response is closed. True when time ran out first."""
    ends = time.monotonic() + seconds
    raw, timed_out = b"", False
    try:
        for chunk in response.iter_content(4096):
            raw += chunk
            if len(raw) > limit:
                break
            if time.monotonic() > ends:
                timed_out = True
                break
        else:
            timed_out = time.monotonic() > ends  # a socket the deadline cut ends like EOF
    finally:
        response.close()
    return raw[:limit], timed_out


def _demultiplex(raw: bytes) -> bytes:
    """Join the payloads of Docker's multiplexed stream (8-byte header: stream, 0,0,0, size)."""
    out, at = b"", 0
    while at + 8 <= len(raw) and raw[at] in (0, 1, 2) and raw[at + 1:at + 4] == b"\0\0\0":
        size = struct.unpack(">I", raw[at + 4:at + 8])[0]
        out += raw[at + 8:at + 8 + size]
        at += 8 + size
    return out if at else raw


def _is_tool(container: dict[str, Any]) -> bool:
    labels = container.get("Labels")
    return isinstance(labels, dict) and TOOL_LABEL in labels


def summary_name(summary: dict[str, Any]) -> str:
    """The container's own name. Legacy `--link` adds aliases such as `/web/db` to `Names`, in no
    guaranteed order (seen: ['/aweb/db', '/zdb']), so take the one without an inner slash."""
    names = [str(n).lstrip("/") for n in summary.get("Names") or []]
    return next((n for n in names if "/" not in n), names[0] if names else "?")
