"""Which containers a check looks at: by exact name, or by image and/or labels."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .. import imageref
from ..korean import josa_code
from ..model import Text
from ..snapshot import Snapshot, summary_name
from .base import FAIL, PASS, Check, Outcome, Param

SELECTOR_KEYS = {
    "name": Param((str,)),
    "image": Param((str,)),
    "labels": Param((dict,)),
    "match": Param((str,), choices=("any", "exactly")),
    "count": Param((int,)),
    "absent": Param((bool,)),
}


def validate_selector(selector: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if not any(key in selector for key in ("name", "image", "labels")):
        problems.append(("container", "give `name`, or `image` and/or `labels`"))
    if selector.get("match") == "exactly" and "count" not in selector:
        problems.append(("container.count", "`match: exactly` needs `count`"))
    if "count" in selector and selector.get("match") != "exactly":
        problems.append(("container.count", "`count` is only used with `match: exactly`"))
    if "name" in selector and any(key in selector for key in ("image", "labels", "match")):
        problems.append(("container.name", "select by `name` alone (names are unique)"))
    if selector.get("absent") and "match" in selector:
        problems.append(("container.absent", "`absent: true` does not go with `match`"))
    image = selector.get("image")
    if isinstance(image, str):
        try:
            imageref.parse(image)
        except ValueError as exc:
            problems.append(("container.image", str(exc)))
    return problems


def criteria(selector: dict[str, Any]) -> Text:
    """`image `nginx:latest` and label `k=v`` (what an image/label selector asks for)."""
    parts_ko, parts_en = [], []
    if "image" in selector:
        image = imageref.familiar(selector["image"])
        parts_ko.append(f"이미지 `{image}`")
        parts_en.append(f"image `{image}`")
    if "labels" in selector:
        labels = ", ".join(_label_text(k, v) for k, v in selector["labels"].items())
        parts_ko.append(f"라벨 {labels}")
        parts_en.append(f"label {labels}")
    return Text(" · ".join(parts_ko), " and ".join(parts_en))


def describe(selector: dict[str, Any]) -> Text:
    """`container `mydb`` / `a container with image `nginx:latest``, in both languages."""
    if "name" in selector:
        return Text(f"컨테이너 `{selector['name']}`", f"container `{selector['name']}`")
    what = criteria(selector)
    return Text(f"{what.ko} 의 컨테이너", f"a container with {what.en}")


def _label_text(key: str, value: object) -> str:
    return f"`{key}`" if value is None else f"`{key}={value}`"


def image_matches(snapshot: Snapshot, summary: dict[str, Any], wanted: str) -> bool:
    used = summary.get("Image") or ""
    if imageref.looks_like_id(used):  # the tag moved away since; use the tags the ID still has
        return any(imageref.same(tag, wanted) for tag in snapshot.tags_of(summary["ImageID"]))
    return imageref.same(used, wanted)


def summary_of(info: dict[str, Any]) -> dict[str, Any]:
    """The container-list shape of an inspected container (what the selection reads)."""
    config = info.get("Config") or {}
    state = info.get("State") or {}
    return {"Id": info["Id"], "Names": [info.get("Name", "")], "Image": config.get("Image", ""),
            "ImageID": info.get("Image", ""), "Labels": config.get("Labels") or {},
            "State": state.get("Status", "?") if isinstance(state, dict) else str(state)}


def candidates(snapshot: Snapshot, selector: dict[str, Any]) -> list[dict[str, Any]]:
    if set(selector) <= {"name", "match", "count"} and "name" in selector:
        # Selected by name alone: one inspect, no listing of the whole host.
        info = snapshot.container_by_name(selector["name"])
        return [summary_of(info)] if info else []
    found = []
    for summary in snapshot.containers():
        if "name" in selector and summary_name(summary) != selector["name"]:
            continue
        if "image" in selector and not image_matches(snapshot, summary, selector["image"]):
            continue
        labels = summary.get("Labels") or {}
        if any(key not in labels or (value is not None and labels[key] != str(value))
               for key, value in (selector.get("labels") or {}).items()):
            continue
        found.append(summary)
    return found


def missing(snapshot: Snapshot, selector: dict[str, Any]) -> Outcome:
    """Nothing matched: say so, with the closest name when it looks like a typo."""
    if "name" in selector:
        name = selector["name"]
        close = difflib.get_close_matches(name, snapshot.container_names(), n=1, cutoff=0.6)
        if close:
            return Outcome.failed(
                f"`{name}` 이름의 컨테이너가 없습니다. {josa_code(close[0], '을/를')} 말한 건가요?",
                f"no container named `{name}`; did you mean `{close[0]}`?")
        return Outcome.failed(
            f"`{name}` 이름의 컨테이너가 없습니다 (`docker ps -a` 로 확인하세요).",
            f"no container named `{name}` (see `docker ps -a`).")
    what = describe(selector)
    return Outcome.failed(f"{what.ko}가 없습니다 (`docker ps -a` 로 확인하세요).",
                          f"there is no {what.en.removeprefix('a ')} (see `docker ps -a`).")


@dataclass
class Judged:
    name: str
    outcome: Outcome


class ContainerCheck(Check):
    """Base of checks about containers: select, then judge each candidate's inspect data."""

    params = {"container": Param((dict,), required=True)}
    needs_inspect = True

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        selector = params.get("container")
        return validate_selector(selector) if isinstance(selector, dict) else []

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        """The list (for `did you mean`) and the selected container: one by name, or all of
        them when selected by image or labels (the CLI cannot match image names our way)."""
        selector = params["container"]
        if set(selector) <= {"name", "match", "count"} and "name" in selector:
            return [("containers",), ("container", selector["name"])]
        return [("containers",), ("all-containers",)]

    def judge(self, snapshot: Snapshot, info: dict[str, Any],
              name: str) -> Outcome:  # pragma: no cover
        raise NotImplementedError

    def run(self, snapshot: Snapshot) -> Outcome:
        selector = self.p["container"]
        found = candidates(snapshot, selector)
        if selector.get("absent"):
            return self._absent(snapshot, selector, found)
        if not found:
            return missing(snapshot, selector)
        judged = []
        for summary in found:
            info = snapshot.inspect(summary["Id"]) if self.needs_inspect else summary
            if info is None:
                continue
            judged.append(Judged(summary_name(summary), self.judge(snapshot, info,
                                                                   summary_name(summary))))
        if not judged:
            return missing(snapshot, selector)
        passing = [j for j in judged if j.outcome.status == PASS]
        if selector.get("match") == "exactly":
            return self._exactly(selector, passing, judged)
        if passing:
            return passing[0].outcome
        first = judged[0].outcome
        if len(judged) > 1:
            return Outcome(FAIL, Text(
                f"{first.message.ko} (해당 컨테이너 {len(judged)}개 모두 불합격)",
                f"{first.message.en} (none of {len(judged)} matching "
                "containers passes)"))
        return first

    def _absent(self, snapshot: Snapshot, selector: dict[str, Any],
                found: list[dict[str, Any]]) -> Outcome:
        """`absent: true`: no selected container passes this check (with `container_exists`:
        no such container at all). Passing containers are named, with what was seen."""
        what = describe(selector)
        passing = []
        for summary in found:
            info = snapshot.inspect(summary["Id"]) if self.needs_inspect else summary
            if info is None:
                continue
            outcome = self.judge(snapshot, info, summary_name(summary))
            if outcome.status == PASS:
                passing.append((summary_name(summary), outcome))
        if not passing:
            if found:
                return Outcome.passed(
                    f"{what.ko} 중 조건에 맞는 것이 없습니다 ({len(found)}개 확인).",
                    f"no {what.en.removeprefix('a ')} meets the condition "
                    f"({len(found)} looked at).")
            return Outcome.passed(f"{what.ko}가 없습니다.",
                                  f"there is no {what.en.removeprefix('a ')}.")
        names = ", ".join(f"`{name}`" for name, _ in passing[:8])
        seen = passing[0][1].message
        return Outcome(FAIL, Text(
            f"{what.ko}가 없어야 하지만 있습니다: {names} — {seen.ko}",
            f"expected no {what.en.removeprefix('a ')}, but found: {names} — {seen.en}"))

    def _exactly(self, selector: dict[str, Any], passing: list[Judged],
                 judged: list[Judged]) -> Outcome:
        wanted = selector["count"]
        names = ", ".join(f"`{j.name}`" for j in passing) or "-"
        what = criteria(selector)  # `match: exactly` never goes with `name`
        if len(passing) == wanted:
            return Outcome.passed(
                f"{what.ko} 조건을 만족하는 컨테이너가 정확히 {wanted}개입니다: {names}",
                f"exactly {wanted} container(s) with {what.en} pass: {names}")
        first = judged[0].outcome.message
        return Outcome(FAIL, Text(
            f"{what.ko} 조건을 만족하는 컨테이너가 {len(passing)}개입니다 ({wanted}개여야 함): "
            f"{names}" + (f" — {first.ko}" if not passing else ""),
            f"{len(passing)} container(s) with {what.en} pass, expected exactly {wanted}: "
            f"{names}" + (f" — {first.en}" if not passing else "")))
