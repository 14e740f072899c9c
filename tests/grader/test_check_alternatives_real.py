"""Accepted alternatives on a real engine: the notes' old images beside today's ones (`any_of`,
lists of bases), a count scoped to some images, and a history read above the base image."""
from __future__ import annotations

import io

import docker
from grader import HostSpec, grade

from .helpers import check, lab

MYSQLS = ["mysql:8.4", "mysql:5.6", "mariadb:11.4"]


def _grade(engine, *checks, lang="en"):
    return grade(lab(*checks), HostSpec(engine.base_url), lang=lang)


def _by_id(result) -> dict[str, tuple[str, str]]:
    return {c.id: (c.status, c.message) for c in result.checks}


def _build(client, dockerfile: str, tag: str):
    image, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True,
                                   forcerm=True)
    return image


def test_any_of_images_and_containers(docker_engine, clean_containers, make_container):
    make_container("mariadb:11.4", name="db", environment={"MARIADB_ROOT_PASSWORD": "x"})
    make_container("nginx:latest", name="web")
    result = _grade(
        docker_engine,
        check("one-of", "image_present", any_of=["docker/whalesay:old", "mysql:8.4"]),
        check("none-of", "image_present", any_of=["mysql:5.5", "i17-never:1"]),
        check("gone", "image_present", any_of=["i17-never:1", "i17-never:2"], absent=True),
        check("not-gone", "image_present", any_of=["i17-never:1", "nginx"], absent=True),
        check("db", "container_image", container={"name": "db"}, any_of=MYSQLS),
        check("web", "container_image", container={"name": "web"}, any_of=MYSQLS),
    )
    seen = _by_id(result)
    assert [s for s, _ in seen.values()] == ["pass", "fail", "pass", "fail", "pass", "fail"], \
        result.to_dict()
    assert seen["one-of"][1].startswith("image `mysql:8.4` is present (")
    # Another tag of an accepted repository is named, as for a single `ref`.
    assert seen["none-of"][1] in (
        f"none of the images `mysql:5.5` or `i17-never:1` is present; did you mean `{tag}`?"
        for tag in ("mysql:5.6", "mysql:8.4"))
    assert seen["gone"][1] == "images `i17-never:1` and `i17-never:2` are all gone."
    assert seen["not-gone"][1].startswith("image `nginx:latest` is still present (")
    assert seen["db"][1] == "container `db` runs image `mariadb:11.4`."
    assert seen["web"][1] == ("container `web` runs image `nginx:latest`, expected one of "
                              "`mysql:8.4`, `mysql:5.6` or `mariadb:11.4`.")
    korean = _by_id(_grade(docker_engine, check("web", "container_image",
                                                container={"name": "web"}, any_of=MYSQLS),
                           lang="ko"))
    assert "(`mysql:8.4`, `mysql:5.6` 또는 `mariadb:11.4` 이어야 함)" in korean["web"][1]


def test_count_scoped_to_the_labs_images(docker_engine, clean_containers, make_container):
    """The learner's other projects are not the lab's business: only the listed images count."""
    make_container("hello-world:latest", name="greeting", state="exited")
    make_container("local/busybox:latest", name="my-project", state="exited")
    images = ["hello-world:latest", "nginx:latest"]
    result = _grade(
        docker_engine,
        check("labs", "containers_count", states=["exited"], max=0, image=images),
        check("nginx-only", "containers_count", states=["exited"], max=0,
              image=["nginx:latest"]),
        check("everything", "containers_count", states=["exited"], min=2),
    )
    seen = _by_id(result)
    assert [s for s, _ in seen.values()] == ["fail", "pass", "pass"], result.to_dict()
    assert "`greeting` (exited)" in seen["labs"][1] and "my-project" not in seen["labs"][1]


def test_based_on_any_of_several_bases_and_history_above_the_base(docker_engine, lab_images):
    client = docker_engine.client
    # A base that already has an `apt-get update` step of its own (as debian-based images may).
    base = "i17-base:latest"
    _build(client, "FROM local/busybox:latest\nRUN echo apt-get -y update > /base-step\n", base)
    _build(client, f"FROM {base}\nRUN echo apt-get -y update > /a\n"
           "RUN echo install fortunes > /b\n", "i17-two-runs:latest")
    _build(client, "FROM local/busybox:latest\nRUN echo elsewhere > /f\n", "i17-elsewhere:latest")
    client.images.get(base).tag("i17-tagged", "latest")
    regex = r"apt-get -y update"
    try:
        result = _grade(
            docker_engine,
            check("on-one", "image_based_on", ref="i17-two-runs", base=["i17-missing:1", base]),
            check("on-none", "image_based_on", ref="i17-elsewhere",
                  base=["i17-missing:1", base, "hello-world"]),
            check("tagged", "image_based_on", ref="i17-tagged", base=["hello-world", base]),
            # Its own steps only: the base's `apt-get -y update` RUN is neither matched nor shown.
            check("own", "image_history", ref="i17-two-runs", instruction="RUN",
                  regex=regex + r".*install", above=[base]),
            check("above", "image_history", ref="i17-two-runs", instruction="RUN",
                  regex=r"base-step", above=[base]),
            check("whole", "image_history", ref="i17-two-runs", instruction="RUN",
                  regex=r"base-step"),
        )
    finally:
        for tag in ("i17-two-runs:latest", "i17-elsewhere:latest", "i17-tagged:latest", base):
            try:
                client.images.remove(tag, force=True)
            except docker.errors.APIError:
                pass
    seen = _by_id(result)
    assert [s for s, _ in seen.values()] == ["pass", "fail", "fail", "fail", "fail", "pass"], \
        result.to_dict()
    assert seen["on-one"][1].startswith(f"`i17-two-runs:latest` adds 2 layers on top of `{base}`")
    # Several bases are present and none is the one: the message names them and what was seen.
    assert seen["on-none"][1].startswith(f"`i17-elsewhere:latest` is not built on `{base}` or "
                                         "`hello-world:latest` (its oldest step: ")
    assert seen["tagged"][1] == (f"`i17-tagged:latest` is the same image as `{base}` "
                                 "(no layer of its own: only tagged?).")
    assert "base-step" not in seen["own"][1]
    assert "(seen: `echo apt-get -y update > /a`; `echo install fortunes > /b`)" in seen["own"][1]
