"""The sandboxes' registry offers the images the built-in labs tell learners to pull, in
particular the 2026 substitutes (debian:bookworm-slim for docker/whalesay, mysql:8.4 and
MariaDB LTS beside mysql:5.6). No engine needed: the catalog is compared with the lab files."""
from __future__ import annotations

import re

from docklab.sandboxes.images import lab_images
from grader import imageref, load_labs


def _first_reference(value) -> str | None:
    """Of `REF` or `[REF, ...]` the one the lab text tells a 2026 learner to use (the first)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, str) else None


def images_learners_pull() -> set[str]:
    """Per lab: the images its checks name (today's choice of each accepted list) and the bases
    its solution's Dockerfile starts FROM, less the images the lab has learners build."""
    wanted: set[str] = set()
    built: set[str] = set()
    for lab in load_labs().values():
        built |= {imageref.familiar(case.build_tag)
                  for case in (lab.solution, *lab.anti_solutions) if case.build_tag}
        for line in (lab.solution.dockerfile or "").splitlines():  # mistakes pull nothing new
            found = re.match(r"^FROM\s+(\S+)", line.strip(), re.I)
            if found:
                wanted.add(imageref.familiar(found.group(1)))
        for spec in lab.checks:
            params = spec.params
            if params.get("absent"):
                continue
            for key in ("ref", "any_of", "base"):
                reference = _first_reference(params.get(key))
                if reference:
                    wanted.add(imageref.familiar(reference))
    return wanted - built


def test_the_registry_offers_the_images_the_labs_use():
    offered = {imageref.familiar(spec.ref) for spec in lab_images()}
    wanted = images_learners_pull()
    assert {"debian:bookworm-slim", "mysql:8.4"} <= wanted  # the substitutes are what labs use
    assert wanted - offered == set()
    assert "busybox:latest" in wanted  # labs 100-160
    # The notes' images stay offered too (a learner may type the notes' command).
    assert {"docker/whalesay:latest", "mysql:5.6", "mariadb:11.4"} <= offered
