"""Checks about an image named by reference: present, built on a base, history, size, config."""
from __future__ import annotations

import difflib
import re
from typing import Any, ClassVar

from .. import imageref
from ..korean import josa, josa_code
from ..snapshot import Snapshot
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

CONFIG_FIELDS = {"cmd": "Cmd", "entrypoint": "Entrypoint", "env": "Env",
                 "exposed_ports": "ExposedPorts", "labels": "Labels", "workdir": "WorkingDir",
                 "user": "User"}


def _missing_image(snapshot: Snapshot, reference: str) -> Outcome:
    shown = imageref.familiar(reference)
    tags = snapshot.all_tags()
    # Another tag of the same repository is the likeliest meaning; else a near-identical name.
    # Of several tags of that repository, the most alike (mysql:5.7 -> mysql:5.6, not 8.4).
    same = sorted(imageref.familiar(t) for t in tags if imageref.same_repository(t, reference))
    close = difflib.get_close_matches(shown, same, n=1, cutoff=0) or \
        difflib.get_close_matches(shown, [imageref.familiar(t) for t in tags], n=1, cutoff=0.8)
    if close:
        return Outcome.failed(f"이미지 {josa_code(shown, '이/가')} 없습니다. "
                              f"{josa_code(close[0], '을/를')} 말한 건가요?",
                              f"image `{shown}` is not present; did you mean `{close[0]}`?")
    return Outcome.failed(f"이미지 {josa_code(shown, '이/가')} 없습니다 (`docker images` 로 "
                          f"확인하세요).",
                          f"image `{shown}` is not present (see `docker images`).")


class ImageCheck(Check):
    params = {"ref": REQUIRED_TEXT}
    _reference_fields: ClassVar[tuple[str, ...]] = ("ref",)

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = []
        for name in cls._reference_fields:
            if isinstance(params.get(name), str):
                try:
                    imageref.parse(params[name])
                except ValueError as exc:
                    problems.append((name, str(exc)))
        return problems

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        return [("image", params["ref"])]

    @property
    def shown(self) -> str:
        return imageref.familiar(self.p["ref"])

    def run(self, snapshot: Snapshot) -> Outcome:
        entry = snapshot.find_image(self.p["ref"])
        if entry is None:
            return _missing_image(snapshot, self.p["ref"])
        return self.judge(snapshot, entry)

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:  # pragma: no cover
        raise NotImplementedError

    def layers(self, snapshot: Snapshot, image_id: str) -> list[str]:
        info = snapshot.inspect_image(image_id) or {}
        return list((info.get("RootFS") or {}).get("Layers") or [])


class ImagePresent(ImageCheck):
    """`ref` is present, or any of `any_of` (e.g. the notes' `docker/whalesay` or a substitute
    that a current engine can pull); `absent: true`: it is gone (`docker rmi`), all of them."""

    kind = "image_present"
    params = {"ref": TEXT, "any_of": REFS, "absent": Param((bool,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        return reference_problems(params, "ref", "any_of")

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        return [("image", reference) for reference in reference_list(params, "ref", "any_of")]

    @property
    def shown(self) -> str:
        return imageref.familiar(reference_list(self.p, "ref", "any_of")[0])

    @staticmethod
    def _find(snapshot: Snapshot, accepted: list[str], reference: str) -> dict[str, Any] | None:
        # Several references: one image list answers them all (an inspect each would cost a
        # call per reference, and most are absent on any one engine).
        if len(accepted) == 1:
            return snapshot.find_image(reference)
        return snapshot.listed_image(reference)

    def run(self, snapshot: Snapshot) -> Outcome:
        accepted = reference_list(self.p, "ref", "any_of")
        if self.p.get("absent"):
            return self._absent(snapshot, accepted)
        for reference in accepted:
            entry = self._find(snapshot, accepted, reference)
            if entry is not None:
                short = entry["Id"].removeprefix("sha256:")[:12]
                shown = imageref.familiar(reference)
                return Outcome.passed(f"이미지 {josa_code(shown, '이/가')} 있습니다 ({short}).",
                                      f"image `{shown}` is present ({short}).")
        if len(accepted) == 1:
            return _missing_image(snapshot, accepted[0])
        names_ko, names_en = listed(accepted)
        close = [imageref.familiar(tag) for tag in snapshot.all_tags()
                 if any(imageref.same_repository(tag, wanted) for wanted in accepted)]
        if close:  # another tag of an accepted repository: the likeliest meaning
            return Outcome.failed(
                f"이미지 {names_ko} 중 어느 것도 없습니다. "
                f"{josa_code(close[0], '을/를')} 말한 건가요?",
                f"none of the images {names_en} is present; did you mean `{close[0]}`?")
        return Outcome.failed(
            f"이미지 {names_ko} 중 어느 것도 없습니다 (`docker images` 로 확인하세요).",
            f"none of the images {names_en} is present (see `docker images`).")

    def _absent(self, snapshot: Snapshot, accepted: list[str]) -> Outcome:
        for reference in accepted:
            entry = self._find(snapshot, accepted, reference)
            if entry is not None:
                shown = imageref.familiar(reference)
                short = entry["Id"].removeprefix("sha256:")[:12]
                return Outcome.failed(
                    f"이미지 {josa_code(shown, '이/가')} 아직 있습니다 "
                    f"({short}; `docker rmi {shown}`).",
                    f"image `{shown}` is still present ({short}; `docker rmi {shown}`).")
        if len(accepted) == 1:
            return Outcome.passed(f"이미지 {josa_code(self.shown, '이/가')} 없습니다.",
                                  f"image `{self.shown}` is not present.")
        names_ko, names_en = listed(accepted, "그리고", "and")
        return Outcome.passed(f"이미지 {names_ko} 모두 없습니다.",
                              f"images {names_en} are all gone.")


def _steps(history: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(h.get("Created"), h.get("CreatedBy")) for h in history]


def own_history(snapshot: Snapshot, image_id: str, bases: list[str]) -> list[dict[str, Any]]:
    """The image's history (newest first) without the steps of the base it was built on: the
    longest history among `bases` that the image's history ends with. A learner asked about
    their Dockerfile is then never shown the base image's own RUN lines."""
    history = snapshot.history(image_id)
    inherited = 0
    for base in bases:
        found = snapshot.find_image(base)
        if found is None or found["Id"] == image_id:
            continue
        theirs = snapshot.history(found["Id"])
        if inherited < len(theirs) <= len(history) \
                and _steps(history[len(history) - len(theirs):]) == _steps(theirs):
            inherited = len(theirs)
    return history[:len(history) - inherited]


class ImagesDangling(Check):
    """How many dangling (untagged) images there are: `max` and/or `min`."""

    kind = "images_dangling"
    params = {"max": Param((int,)), "min": Param((int,))}

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        if "max" not in params and "min" not in params:
            return [("max", "give `max` and/or `min`")]
        return []

    def run(self, snapshot: Snapshot) -> Outcome:
        found = snapshot.dangling_images()
        count = len(found)
        shown = ", ".join(i["Id"].removeprefix("sha256:")[:12] for i in found[:6])
        shown = f": {shown}" + (", …" if count > 6 else "") if found else ""
        if "max" in self.p and count > self.p["max"]:
            return Outcome.failed(
                f"이름 없는(dangling) 이미지가 {count}개 있습니다 (최대 {self.p['max']}개; "
                f"`docker image prune`){shown}",
                f"{count} dangling image(s), at most {self.p['max']} expected "
                f"(`docker image prune`){shown}")
        if "min" in self.p and count < self.p["min"]:
            return Outcome.failed(
                f"이름 없는(dangling) 이미지가 {count}개입니다 (최소 {self.p['min']}개).",
                f"{count} dangling image(s), at least {self.p['min']} expected.")
        return Outcome.passed(f"이름 없는(dangling) 이미지: {count}개{shown}",
                              f"dangling images: {count}{shown}")


def _history_extends(snapshot: Snapshot, image_id: str, base_id: str) -> bool:
    """The base's build steps are the oldest steps of the image (newest-first lists).

    Layers alone cannot tell: images that only add ENV/EXPOSE/CMD share their base's layers,
    so anything built on that base would look built on them too."""
    def steps(history: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
        return [(h.get("Created"), h.get("CreatedBy")) for h in history]

    mine, theirs = steps(snapshot.history(image_id)), steps(snapshot.history(base_id))
    return len(mine) > len(theirs) and mine[len(mine) - len(theirs):] == theirs


def _extends(snapshot: Snapshot, mine: list[str], image_id: str, base_id: str) -> bool:
    theirs = list((snapshot.inspect_image(base_id) or {}).get("RootFS", {}).get("Layers") or [])
    return (len(mine) >= len(theirs) and mine[:len(theirs)] == theirs
            and _history_extends(snapshot, image_id, base_id))


EARLIER_BASES_MAX = 4  # older versions of a base looked at (2 calls each)


def _earlier_versions(snapshot: Snapshot, base_ref: str, current_id: str) -> list[dict[str, Any]]:
    """Images on the host that were once pulled as the base's repository and have since lost the
    tag (`docker pull` moved it): their RepoDigests still name the repository."""
    found = []
    for image in snapshot.images():
        if image["Id"] == current_id:
            continue
        names = [d.split("@", 1)[0] for d in image.get("RepoDigests") or [] if "@" in d]
        if any(imageref.same_repository(f"{name}:latest", base_ref) for name in names):
            found.append(image)
    return found[:EARLIER_BASES_MAX]


class ImageBasedOn(ImageCheck):
    """Built on top of `base`: its layer chain starts with all of the base's layers, plus more.

    The chain it was built on counts, not where the tag points today: when a `docker pull` moved
    the base's tag, an earlier version of that repository still on the host (named by its
    RepoDigests) is accepted too."""

    kind = "image_based_on"
    # `base` may list several accepted bases (the notes' `docker/whalesay:latest`, or the
    # `debian:bookworm-slim` a current engine can pull): built on any one of them passes.
    params = {"ref": REQUIRED_TEXT, "base": Param((str, list), required=True)}
    _reference_fields = ("ref",)

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        return super().validate(params) + reference_problems(params, "base")

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        bases = reference_list(params, "base")
        return [("image", params["ref"]), *[("image", base) for base in bases],
                ("history", params["ref"]), *[("history", base) for base in bases]]

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        bases = reference_list(self.p, "base")
        outcomes = []
        for base in bases:  # the first base it is built on answers (no reads for the rest)
            outcome = self._judge_base(snapshot, entry, base)
            if outcome.status == "pass":
                return outcome
            outcomes.append(outcome)
        if len(bases) == 1:
            return outcomes[0]
        present = [base for base in bases if snapshot.find_image(base) is not None]
        tagged = [o for o, base in zip(outcomes, bases, strict=True)
                  if base in present and (snapshot.find_image(base) or {}).get("Id") == entry["Id"]]
        if tagged:  # "only tagged?" says more than "not built on any of them"
            return tagged[0]
        if not present:
            return outcomes[0]
        if len(present) == 1:  # the only base to compare with says the most
            return outcomes[bases.index(present[0])]
        names_ko, names_en = listed(present)
        first = (snapshot.history(entry["Id"]) or [{}])[-1].get("CreatedBy") or "?"
        return Outcome.failed(
            f"{josa_code(self.shown, '은/는')} {names_ko} 중 어느 것 위에도 만들어지지 "
            f"않았습니다 (가장 오래된 단계: `{_short(first, 50)}`). FROM 을 확인하세요.",
            f"`{self.shown}` is not built on {names_en} (its oldest step: "
            f"`{_short(first, 50)}`). Check FROM.")

    def _judge_base(self, snapshot: Snapshot, entry: dict[str, Any], base_ref: str) -> Outcome:
        base = imageref.familiar(base_ref)
        base_entry = snapshot.find_image(base_ref)
        if base_entry is None:
            return Outcome.failed(f"기반 이미지 {josa_code(base, '이/가')} 없어 비교할 수 "
                                  f"없습니다.",
                                  f"base image `{base}` is not present, "
                                  "so nothing to compare with.")
        if base_entry["Id"] == entry["Id"]:
            return Outcome.failed(
                f"{josa_code(self.shown, '은/는')} {josa_code(base, '과/와')} 같은 "
                "이미지입니다 (자기 레이어가 없음: 태그만 붙였나요?).",
                f"`{self.shown}` is the same image as `{base}` "
                "(no layer of its own: only tagged?).")
        mine = self.layers(snapshot, entry["Id"])
        theirs = self.layers(snapshot, base_entry["Id"])
        if _extends(snapshot, mine, entry["Id"], base_entry["Id"]):
            extra = len(mine) - len(theirs)
            return Outcome.passed(
                f"{josa_code(self.shown, '은/는')} `{base}` 위에 레이어 {extra}개를 더했습니다.",
                f"`{self.shown}` adds {extra} layers on top of `{base}`.")
        for earlier in _earlier_versions(snapshot, base_ref, base_entry["Id"]):
            if _extends(snapshot, mine, entry["Id"], earlier["Id"]):
                short = earlier["Id"].removeprefix("sha256:")[:12]
                return Outcome.passed(
                    f"{josa_code(self.shown, '은/는')} 이전 버전의 `{base}` ({short}) 위에 "
                    "만들어졌습니다 "
                    "(그 뒤 `docker pull` 로 태그가 옮겨졌습니다).",
                    f"`{self.shown}` is built on an earlier `{base}` ({short}); the tag has "
                    "moved since (`docker pull`).")
        shared = 0
        while shared < min(len(mine), len(theirs)) and mine[shared] == theirs[shared]:
            shared += 1
        first = (snapshot.history(entry["Id"]) or [{}])[-1].get("CreatedBy") or "?"
        return Outcome.failed(
            f"{josa_code(self.shown, '은/는')} {josa_code(base, '을/를')} 기반으로 "
            "만들어지지 않았습니다: 레이어 "
            f"{len(mine)}개 중 `{base}` 의 레이어 {len(theirs)}개와 같은 것이 앞에서 "
            f"{shared}개입니다 (가장 오래된 단계: `{_short(first, 50)}`). FROM 을 확인하고, 빌드한 "
            f"뒤 {josa_code(base, '을/를')} 다시 받았다면 다시 빌드하세요.",
            f"`{self.shown}` is not built on `{base}`: of its {len(mine)} layers, {shared} "
            f"match the start of `{base}`'s {len(theirs)} (its oldest step: "
            f"`{_short(first, 50)}`). Check FROM; if `{base}` was pulled again after the build, "
            "build again.")


def parse_history_entry(created_by: str) -> tuple[str, str]:
    """(`RUN`/`CMD`/..., text) from a history line of the legacy builder or BuildKit."""
    text = (created_by or "").strip()
    if not text:
        return "", ""
    if "#(nop)" in text:
        rest = text.split("#(nop)", 1)[1].strip()
        word, _, body = rest.partition(" ")
        return word.upper(), body.strip()
    text = re.sub(r"^\|\d+(\s+\S+=\S*)*\s+", "", text)  # ARG values before a RUN
    text = text.removesuffix("# buildkit").strip()
    word, _, body = text.partition(" ")
    if word.isupper() and word.isalpha():
        if word == "RUN":
            return "RUN", body.removeprefix("/bin/sh -c ").strip()
        return word, body
    return "RUN", text.removeprefix("/bin/sh -c ").strip()


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _own_steps(history: list[dict[str, Any]], wanted_kind: str | None) -> list[tuple[str, str]]:
    """The image's own steps (newest first), without those of the tagged image it was built on."""
    steps = []
    for index, item in enumerate(history):
        if index > 0 and item.get("Tags"):
            break
        kind, body = parse_history_entry(item.get("CreatedBy", ""))
        if kind and (wanted_kind is None or kind == wanted_kind):
            steps.append((kind, body))
    return steps


class ImageHistory(ImageCheck):
    """One history entry (optionally of one instruction kind) matches a regex.

    `looks_like` is what learners are told to write (e.g. `apt-get -y update && apt-get install
    -y fortune`); it is shown instead of the regex, which is for machines."""

    kind = "image_history"
    params = {"ref": REQUIRED_TEXT, "regex": Param((str,), required=True, regex=True),
              "looks_like": TEXT, "above": Param((str, list)),
              "instruction": Param((str,), choices=("RUN", "CMD", "ENTRYPOINT", "ENV", "COPY",
                                                    "ADD", "EXPOSE", "LABEL", "WORKDIR", "USER"))}

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        bases = reference_list(params, "above")
        return [("image", params["ref"]), ("history", params["ref"]),
                *[("image", base) for base in bases], *[("history", base) for base in bases]]

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        return super().validate(params) + reference_problems(params, "above", required=False)

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        wanted_kind = self.p.get("instruction")
        # `above: BASE` (or a list of accepted bases): only the image's own steps count and are
        # shown, not those it inherited from its base.
        history = own_history(snapshot, entry["Id"], reference_list(self.p, "above"))
        steps = [parse_history_entry(h.get("CreatedBy", "")) for h in history]
        steps = [s for s in steps if s[0] and (wanted_kind is None or s[0] == wanted_kind)]
        pattern = re.compile(self.p["regex"])
        for kind, body in steps:
            if pattern.search(body):
                return Outcome.passed(
                    f"`{self.shown}` 의 {kind} {josa_code(_short(body), '이/가')} 조건에 맞습니다.",
                    f"`{self.shown}` has {kind} `{_short(body)}` as expected.")
        label = wanted_kind or "instruction"
        # history is newest first: show the image's own latest steps, oldest of them first, and
        # stop at the base image (the first older entry that carries a tag of its own), whose
        # steps the learner did not write
        # the same steps on a live engine and in an upload: `above` has already cut the base's
        # steps off; without it, stop at the first older entry with a tag of its own
        own = _own_steps(history, wanted_kind)
        seen = "; ".join(f"`{_short(body, 40)}`" for _, body in reversed(own[:4])) or "-"
        if "looks_like" in self.p:
            wanted = self.p["looks_like"]
            return Outcome.failed(
                f"`{self.shown}` 에 {josa_code(wanted, '과/와')} 같은 "
                f"{josa(str(label), '이/가')} 없습니다 "
                f"(본 것: {seen}).",
                f"`{self.shown}` has no {label} like `{wanted}` (seen: {seen}).")
        return Outcome.failed(
            f"`{self.shown}` 의 어떤 {label} 도 "
            f"{josa_code(self.p['regex'], '과/와')} 맞지 않습니다 (본 것: {seen}).",
            f"no {label} of `{self.shown}` matches `{self.p['regex']}` (seen: {seen}).")


class ImageLayersMax(ImageCheck):
    kind = "image_layers_max"
    params = {"ref": REQUIRED_TEXT, "max": Param((int,), required=True)}

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        count, limit = len(self.layers(snapshot, entry["Id"])), self.p["max"]
        if count <= limit:
            return Outcome.passed(f"`{self.shown}` 의 레이어는 {count}개입니다 (최대 {limit}).",
                                  f"`{self.shown}` has {count} layers (at most {limit}).")
        return Outcome.failed(f"`{self.shown}` 의 레이어가 {count}개입니다 (최대 {limit}개).",
                              f"`{self.shown}` has {count} layers, more than {limit}.")


class ImageRunMax(ImageCheck):
    """At most N RUN instructions (only those above `above`, a base image, when given)."""

    kind = "image_run_max"
    params = {"ref": REQUIRED_TEXT, "max": Param((int,), required=True), "above": TEXT}
    _reference_fields: ClassVar[tuple[str, ...]] = ("ref", "above")

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        reads: list[tuple[str, ...]] = [("image", params["ref"]), ("history", params["ref"])]
        if "above" in params:
            reads += [("image", params["above"]), ("history", params["above"])]
        return reads

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        history = snapshot.history(entry["Id"])
        if "above" in self.p:
            base = snapshot.find_image(self.p["above"])
            if base is not None:
                history = history[: max(0, len(history) - len(snapshot.history(base["Id"])))]
        runs = [h for h in history if parse_history_entry(h.get("CreatedBy", ""))[0] == "RUN"]
        count, limit = len(runs), self.p["max"]
        if count <= limit:
            return Outcome.passed(f"`{self.shown}` 의 RUN 은 {count}개입니다 (최대 {limit}).",
                                  f"`{self.shown}` has {count} RUN instructions (at most {limit}).")
        return Outcome.failed(
            f"`{self.shown}` 에 RUN 이 {count}개 있습니다 (최대 {limit}개; && 로 묶으세요).",
            f"`{self.shown}` has {count} RUN instructions, more than {limit} "
            "(chain them with &&).")


class ImageSizeMax(ImageCheck):
    kind = "image_size_max"
    params = {"ref": REQUIRED_TEXT, "mb": Param((int, float), required=True)}

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        size = (entry.get("Size") or 0) / 1_000_000
        if size <= self.p["mb"]:
            return Outcome.passed(
                f"`{self.shown}` 의 크기는 {size:.1f} MB 입니다 (최대 {self.p['mb']}).",
                f"`{self.shown}` is {size:.1f} MB (at most {self.p['mb']}).")
        return Outcome.failed(
            f"`{self.shown}` 의 크기가 {size:.1f} MB 입니다 (최대 {self.p['mb']} MB).",
            f"`{self.shown}` is {size:.1f} MB, more than {self.p['mb']} MB.")


def config_items(config: dict[str, Any], field: str) -> list[str]:
    """The field as text items. CMD/ENTRYPOINT become ONE item, their arguments joined by spaces
    (the old string form: `equals: "sh -c"`); `argv` keeps their argument boundaries."""
    value = config.get(CONFIG_FIELDS[field])
    if field in ("cmd", "entrypoint"):
        return [" ".join(value) if isinstance(value, list) else value] if value else []
    if field == "exposed_ports":
        return sorted((value or {}).keys())
    if field == "labels":
        return [f"{k}={v}" for k, v in sorted((value or {}).items())]
    if field == "env":
        return list(value or [])
    return [value] if value else []


def argv(config: dict[str, Any], field: str) -> list[str]:
    """CMD or ENTRYPOINT as the argument list the engine keeps (shell form: `/bin/sh -c ...`)."""
    value = config.get(CONFIG_FIELDS[field])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def _argv_text(words: list[str]) -> str:
    return "[" + ", ".join(f'"{w}"' for w in words) + "]" if words else "[]"


class ImageConfig(ImageCheck):
    """A config field (cmd/entrypoint/env/exposed_ports/labels/workdir/user) contains, equals or
    matches a value, or is empty; env and labels are compared as `KEY=VALUE` items.

    CMD/ENTRYPOINT: `equals: [a, b]` compares the argument list exactly; a text `equals`/
    `contains`/`regex` looks at the arguments joined by spaces. `not: true` turns the test
    around (`not: true` + `contains: x`: no item contains x)."""

    kind = "image_config"
    params = {"ref": REQUIRED_TEXT, "field": Param((str,), required=True,
                                                   choices=tuple(CONFIG_FIELDS)),
              "contains": TEXT, "equals": Param((str, list)), "regex": Param((str,), regex=True),
              "empty": Param((bool,)), "not": Param((bool,))}

    @classmethod
    def reads(cls, params: dict[str, Any]) -> list[tuple[str, ...]] | None:
        # the image's ENV leaves the machine only when the check is about the ENV itself
        return [*(super().reads(params) or []), *([("image-env", params["ref"])]
                                          if params["field"] == "env" else [])]

    @classmethod
    def validate(cls, params: dict[str, Any]) -> list[tuple[str, str]]:
        problems = super().validate(params)
        given = [key for key in ("contains", "equals", "regex", "empty") if key in params]
        if len(given) != 1:
            problems.append(("contains",
                             "give exactly one of `contains`, `equals`, `regex`, `empty: true`"))
        if "empty" in params and params["empty"] is not True:
            problems.append(("empty", "write `empty: true` (or leave it out)"))
        equals = params.get("equals")
        if isinstance(equals, list):
            if params.get("field") not in ("cmd", "entrypoint"):
                problems.append(("equals", "a list is compared with `cmd` or `entrypoint` only"))
            elif not all(isinstance(word, str) for word in equals):
                problems.append(("equals", "expected a list of texts (arguments)"))
        return problems

    def judge(self, snapshot: Snapshot, entry: dict[str, Any]) -> Outcome:
        field = self.p["field"]
        config = (snapshot.inspect_image(entry["Id"]) or {}).get("Config") or {}
        items = config_items(config, field)
        words = argv(config, field) if field in ("cmd", "entrypoint") else None
        # (ok, what was asked in English, Korean for "must", Korean for "must not")
        if "contains" in self.p:
            wanted = f"`{self.p['contains']}`"
            ok = any(self.p["contains"] in item for item in items)
            must = f"{josa(wanted, '이/가')} 있어야 함"
            must_not = f"{josa(wanted, '이/가')} 없어야 함"
            how = wanted
        elif "equals" in self.p:
            equals = self.p["equals"]
            wanted = _argv_text(equals) if isinstance(equals, list) else f"`{equals}`"
            ok = words == equals if isinstance(equals, list) else equals in items
            must = f"{josa(wanted, '이어야/여야')} 함"
            must_not = f"{josa(wanted, '이/가')} 아니어야 함"
            how = wanted
        elif "regex" in self.p:
            wanted = f"`{self.p['regex']}`"
            ok = any(re.search(self.p["regex"], item) for item in items)
            how, must, must_not = wanted, f"{wanted} 와 맞아야 함", f"{wanted} 와 맞지 않아야 함"
        else:
            ok, how, must, must_not = not items, "empty", "비어 있어야 함", "비어 있지 않아야 함"
        if words is not None and (isinstance(self.p.get("equals"), list) or "empty" in self.p):
            seen = _argv_text(words)  # an argument-list test shows the argument list
        else:
            seen = ", ".join(f"`{_short(i, 50)}`" for i in items) or "-"
        name = field.upper().replace("_", " ")
        if self.p.get("not"):
            if ok:
                return Outcome.failed(
                    f"`{self.shown}` 의 {josa(str(name), '이/가')} {seen} 입니다 ({must_not}).",
                    f"`{self.shown}` {name} is {seen}; expected not {how}.")
            return Outcome.passed(f"`{self.shown}` 의 {name}: {seen}",
                                  f"`{self.shown}` {name}: {seen} (not {how})")
        if ok:
            return Outcome.passed(f"`{self.shown}` 의 {name}: {seen}",
                                  f"`{self.shown}` {name}: {seen}")
        return Outcome.failed(
            f"`{self.shown}` 의 {josa(str(name), '이/가')} {seen} 입니다 ({must}).",
            f"`{self.shown}` {name} is {seen}, expected {how}.")
