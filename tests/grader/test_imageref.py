import pytest

from grader import imageref


@pytest.mark.parametrize(("a", "b"), [
    ("nginx", "nginx:latest"),
    ("nginx", "docker.io/library/nginx:latest"),
    ("library/nginx", "index.docker.io/library/nginx"),
    ("docker/whalesay", "docker.io/docker/whalesay:latest"),
    ("localhost:5000/app", "localhost:5000/app:latest"),
])
def test_same_image(a, b):
    assert imageref.same(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("mysql:5.6", "mysql:5.7"),
    ("whalesay", "docker/whalesay"),
    ("nginx", "nginx:1.25"),
    ("quay.io/nginx", "nginx"),
    ("localhost:5000/app", "app"),
])
def test_different_images(a, b):
    assert not imageref.same(a, b)


def test_parse_parts():
    ref = imageref.parse("registry.example.com:5000/team/app:1.2@sha256:" + "a" * 64)
    assert (ref.registry, ref.repository, ref.tag) == ("registry.example.com:5000", "team/app",
                                                       "1.2")
    assert ref.digest == "sha256:" + "a" * 64
    assert imageref.parse("app@sha256:" + "b" * 64).tag is None


def test_registry_with_port_and_ipv6():
    ref = imageref.parse("localhost:5000/app")
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "app", "latest")
    assert imageref.parse("[::1]:5000/app:v1").registry == "[::1]:5000"
    # A first part with capitals is a registry host, as Docker splits it.
    assert imageref.parse("Registry/app").registry == "Registry"
    assert imageref.normalize("mysql:5.6") == "docker.io/library/mysql:5.6"
    assert imageref.same("nginx:latest@sha256:" + "a" * 64, "nginx:latest@sha256:" + "a" * 64)


def test_familiar_form():
    assert imageref.familiar("docker.io/library/nginx") == "nginx:latest"
    assert imageref.familiar("docker.io/docker/whalesay:latest") == "docker/whalesay:latest"
    assert imageref.familiar("localhost:5000/app") == "localhost:5000/app:latest"


@pytest.mark.parametrize("bad", ["", "nginx:", "/nginx", "a//b", "Nginx", "nginx:-x",
                                 "nginx@sha256:zz", "my image", "nginx:" + "t" * 129,
                                 "-nginx", "bad_host:5000x/app"])
def test_invalid_references(bad):
    with pytest.raises(ValueError):
        imageref.parse(bad)
    assert not imageref.same(bad, "nginx")


def test_ids_are_recognised():
    assert imageref.looks_like_id("sha256:" + "c" * 64)
    assert imageref.looks_like_id("0123456789ab")
    assert not imageref.looks_like_id("nginx")
