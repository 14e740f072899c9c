"""Image references compared the way Docker resolves them.

`nginx`, `nginx:latest`, `library/nginx` and `docker.io/library/nginx:latest` name one image;
`mysql:5.6` and `mysql:5.7` are different images even when they share an ID.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
DEFAULT_TAG = "latest"
_REGISTRY_ALIASES = {"index.docker.io": DEFAULT_REGISTRY, "registry-1.docker.io": DEFAULT_REGISTRY}
_IMAGE_ID = re.compile(r"^(sha256:)?[0-9a-f]{12,64}$")
# The grammar of distribution/reference (what `docker` itself accepts).
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")
_DOMAIN = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]+)?$")


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    def canonical(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    def familiar(self) -> str:
        """The short form people type: `nginx:latest`, `docker/whalesay:latest`."""
        repository = self.repository
        if self.registry == DEFAULT_REGISTRY:
            repository = repository.removeprefix("library/")
        else:
            repository = f"{self.registry}/{repository}"
        text = repository + (f":{self.tag}" if self.tag else "")
        return text + (f"@{self.digest}" if self.digest else "")


def looks_like_id(text: str) -> bool:
    return bool(_IMAGE_ID.match(text or ""))


def parse(reference: str) -> ImageRef:
    """Parse a reference; a missing tag means `latest` (unless a digest pins it)."""
    text = (reference or "").strip()
    if not text:
        raise ValueError("empty image reference")
    name, _, digest = text.partition("@")
    parts = name.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"
                           or first.lower() != first):
        registry, parts = parts[0], parts[1:]
    else:
        registry = DEFAULT_REGISTRY
    registry = _REGISTRY_ALIASES.get(registry, registry)
    last = parts[-1]
    tag = None
    if ":" in last:
        last, tag = last.rsplit(":", 1)
        parts[-1] = last
    if (not all(_COMPONENT.match(part) for part in parts) or not _DOMAIN.match(registry)
            or (tag is not None and not _TAG.match(tag))
            or (digest and not _DIGEST.match(digest)) or len("/".join(parts)) > 255):
        raise ValueError(f"not an image reference: {reference!r}")
    if registry == DEFAULT_REGISTRY and len(parts) == 1:
        parts = ["library", *parts]
    if tag is None and not digest:
        tag = DEFAULT_TAG
    return ImageRef(registry, "/".join(parts), tag, digest or None)


def normalize(reference: str) -> str:
    return parse(reference).canonical()


def familiar(reference: str) -> str:
    try:
        return parse(reference).familiar()
    except ValueError:
        return reference


def same(a: str, b: str) -> bool:
    """True when both references name the same repository and tag (or digest)."""
    try:
        return normalize(a) == normalize(b)
    except ValueError:
        return False


def same_repository(a: str, b: str) -> bool:
    try:
        left, right = parse(a), parse(b)
    except ValueError:
        return False
    return (left.registry, left.repository) == (right.registry, right.repository)
