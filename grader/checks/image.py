"""Checks about an image named by reference: present, built on a base, history, size, config."""
from __future__ import annotations

import difflib
import re

from .. import imageref
from ..korean import josa, josa_code
from .base import REQUIRED_TEXT, TEXT, Check, Outcome, Param

CONFIG_FIELDS = {"cmd": "Cmd", "entrypoint": "Entrypoint", "env": "Env",
                 "exposed_ports": "ExposedPorts", "labels": "Labels", "workdir": "WorkingDir",
                 "user": "User"}


def _missing_image(snapshot, reference: str) -> Outcome:
    shown = imageref.familiar(reference)
    tags = snapshot.all_tags()
    # Another tag of the same repository is the likeliest meaning; else a near-identical name.
    close = [imageref.familiar(t) for t in tags if imageref.same_repository(t, reference)] or \
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
    _reference_fields = ("ref",)

    @classmethod
    def validate(cls, params):
        problems = []
        for name in cls._reference_fields:
            if isinstance(params.get(name), str):
                try:
                    imageref.parse(params[name])
                except ValueError as exc:
                    problems.append((name, str(exc)))
        return problems

    @property
    def shown(self) -> str:
        return imageref.familiar(self.p["ref"])

    def run(self, snapshot) -> Outcome:
        entry = snapshot.find_image(self.p["ref"])
        if entry is None:
            return _missing_image(snapshot, self.p["ref"])
        return self.judge(snapshot, entry)

    def judge(self, snapshot, entry: dict) -> Outcome:  # pragma: no cover
        raise NotImplementedError

    def layers(self, snapshot, image_id: str) -> list[str]:
        info = snapshot.inspect_image(image_id) or {}
        return list((info.get("RootFS") or {}).get("Layers") or [])


class ImagePresent(ImageCheck):
    kind = "image_present"

    def judge(self, snapshot, entry):
        short = entry["Id"].removeprefix("sha256:")[:12]
        return Outcome.passed(f"이미지 {josa_code(self.shown, '이/가')} 있습니다 ({short}).",
                              f"image `{self.shown}` is present ({short}).")


def _history_extends(snapshot, image_id: str, base_id: str) -> bool:
    """The base's build steps are the oldest steps of the image (newest-first lists).

    Layers alone cannot tell: images that only add ENV/EXPOSE/CMD share their base's layers,
    so anything built on that base would look built on them too."""
    def steps(history):
        return [(h.get("Created"), h.get("CreatedBy")) for h in history]

    mine, theirs = steps(snapshot.history(image_id)), steps(snapshot.history(base_id))
    return len(mine) > len(theirs) and mine[len(mine) - len(theirs):] == theirs


class ImageBasedOn(ImageCheck):
    """Built on top of `base`: its layer chain starts with all of the base's layers, plus more."""

    kind = "image_based_on"
    params = {"ref": REQUIRED_TEXT, "base": REQUIRED_TEXT}
    _reference_fields = ("ref", "base")

    def judge(self, snapshot, entry):
        base = imageref.familiar(self.p["base"])
        base_entry = snapshot.find_image(self.p["base"])
        if base_entry is None:
            return Outcome.failed(f"기반 이미지 {josa_code(base, '이/가')} 없어 비교할 수 "
                                  f"없습니다.",
                                  f"base image `{base}` is not present, "
                                  "so nothing to compare with.")
        if base_entry["Id"] == entry["Id"]:
            return Outcome.failed(
                f"{josa_code(self.shown, '은/는')} `{base}` 와 같은 "
                "이미지입니다 (자기 레이어가 없음: 태그만 붙였나요?).",
                f"`{self.shown}` is the same image as `{base}` "
                "(no layer of its own: only tagged?).")
        mine, theirs = self.layers(snapshot, entry["Id"]), self.layers(snapshot, base_entry["Id"])
        if (len(mine) >= len(theirs) and mine[:len(theirs)] == theirs
                and _history_extends(snapshot, entry["Id"], base_entry["Id"])):
            extra = len(mine) - len(theirs)
            return Outcome.passed(
                f"{josa_code(self.shown, '은/는')} `{base}` 위에 레이어 {extra}개를 더했습니다.",
                f"`{self.shown}` adds {extra} layers on top of `{base}`.")
        return Outcome.failed(
            f"{josa_code(self.shown, '은/는')} `{base}` 를 기반으로 만들어지지 않았습니다 (FROM "
            f"확인).",
            f"`{self.shown}` is not built on `{base}` (check FROM).")


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


def _own_steps(history: list[dict], wanted_kind: str | None) -> list[tuple[str, str]]:
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
              "looks_like": TEXT,
              "instruction": Param((str,), choices=("RUN", "CMD", "ENTRYPOINT", "ENV", "COPY",
                                                    "ADD", "EXPOSE", "LABEL", "WORKDIR", "USER"))}

    def judge(self, snapshot, entry):
        wanted_kind = self.p.get("instruction")
        steps = [parse_history_entry(h.get("CreatedBy", "")) for h in snapshot.history(entry["Id"])]
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
        own = _own_steps(snapshot.history(entry["Id"]), wanted_kind)
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

    def judge(self, snapshot, entry):
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
    _reference_fields = ("ref", "above")

    def judge(self, snapshot, entry):
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

    def judge(self, snapshot, entry):
        size = (entry.get("Size") or 0) / 1_000_000
        if size <= self.p["mb"]:
            return Outcome.passed(
                f"`{self.shown}` 의 크기는 {size:.1f} MB 입니다 (최대 {self.p['mb']}).",
                f"`{self.shown}` is {size:.1f} MB (at most {self.p['mb']}).")
        return Outcome.failed(
            f"`{self.shown}` 의 크기가 {size:.1f} MB 입니다 (최대 {self.p['mb']} MB).",
            f"`{self.shown}` is {size:.1f} MB, more than {self.p['mb']} MB.")


def config_items(config: dict, field: str) -> list[str]:
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


class ImageConfig(ImageCheck):
    """A config field (cmd/entrypoint/env/exposed_ports/labels/workdir/user) contains, equals or
    matches a value; env and labels are compared as `KEY=VALUE` items."""

    kind = "image_config"
    params = {"ref": REQUIRED_TEXT, "field": Param((str,), required=True,
                                                   choices=tuple(CONFIG_FIELDS)),
              "contains": TEXT, "equals": TEXT, "regex": Param((str,), regex=True)}

    @classmethod
    def validate(cls, params):
        problems = super().validate(params)
        given = [key for key in ("contains", "equals", "regex") if key in params]
        if len(given) != 1:
            problems.append(("contains", "give exactly one of `contains`, `equals`, `regex`"))
        return problems

    def judge(self, snapshot, entry):
        field = self.p["field"]
        config = (snapshot.inspect_image(entry["Id"]) or {}).get("Config") or {}
        items = config_items(config, field)
        if "contains" in self.p:
            ok, how = any(self.p["contains"] in item for item in items), self.p["contains"]
        elif "equals" in self.p:
            ok, how = self.p["equals"] in items, self.p["equals"]
        else:
            ok, how = any(re.search(self.p["regex"], item) for item in items), self.p["regex"]
        seen = ", ".join(f"`{_short(i, 50)}`" for i in items) or "-"
        name = field.upper().replace("_", " ")
        if ok:
            return Outcome.passed(f"`{self.shown}` 의 {name}: {seen}",
                                  f"`{self.shown}` {name}: {seen}")
        return Outcome.failed(
            f"`{self.shown}` 의 {josa(str(name), '이/가')} {seen} 입니다 "
            f"({josa_code(how, '이/가')} 있어야 "
            f"함).",
            f"`{self.shown}` {name} is {seen}, expected `{how}`.")



