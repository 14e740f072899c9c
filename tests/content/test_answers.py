"""Answer normalisation: commands the way a shell user means them, Korean text after NFC."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docklab.content.answers import (
    commands_equal,
    normalize_command,
    normalize_image_ref,
    normalize_text,
    parse_command,
    texts_equal,
)

SAME_COMMANDS = [
    ("docker run -e MYSQL_ROOT_PASSWORD='Passw0rd' --name mydb -d mysql:5.6",
     "docker run -d --name=mydb --env MYSQL_ROOT_PASSWORD=Passw0rd mysql:5.6"),
    ("docker run -e MYSQL_ROOT_PASSWORD='Passw0rd' --name mydb -d mysql:5.6",
     'docker   run  -e "MYSQL_ROOT_PASSWORD=Passw0rd"   --name mydb -d mysql:5.6  '),
    ("docker run -e MYSQL_ROOT_PASSWORD=Passw0rd --name mydb -d mysql:5.6",
     "docker container run --detach -eMYSQL_ROOT_PASSWORD=Passw0rd --name=mydb mysql:5.6"),
    ("docker ps -a", "docker ps --all"),
    ("docker ps -a", "docker container ls -a"),
    ("docker ps -a", "docker container list --all"),
    ("docker ps -aq", "docker ps -a -q"),
    ("docker ps -aq", "docker ps --quiet --all"),
    ("docker ps -aq", "docker ps -qa"),
    ("docker images", "docker image ls"),
    ("docker run --name myweb -d -p 80:80 nginx", "docker run -dp 80:80 --name myweb nginx"),
    ("docker run --name myweb -d -p 80:80 nginx",
     "docker run --publish=80:80 -d --name myweb nginx"),
    ("docker run --name myweb -d -p 80:80 nginx",
     "docker run --name myweb -d -p 80:80/tcp nginx:latest"),
    ("docker run --name myweb -d -p 80:80 nginx",
     "docker run --name myweb -d -p 80:80 docker.io/library/nginx:latest"),
    ("docker run --name myweb -d -P nginx", "docker run --publish-all --detach --name=myweb nginx"),
    ("docker run --name myweb -d -P nginx", "docker run -dP --name myweb nginx"),
    ("docker run --name myweb -d -P nginx", "docker run --detach=true -P --name myweb nginx"),
    ("docker run -d nginx", "docker run --rm=false -d nginx"),
    ("docker rm $(docker ps -aq)", "docker rm $(docker ps -a -q)"),
    ("docker rm $(docker ps -aq)", "docker rm `docker ps --all --quiet`"),
    ("docker rm $(docker ps -aq)", "docker container rm $(docker container ls -qa)"),
    ("docker exec -it mydb bash", "docker exec -ti mydb bash"),
    ("docker exec -it mydb bash", "docker container exec --interactive --tty mydb bash"),
    ("docker build -t docker-whale .", "docker build --tag=docker-whale:latest ."),
    ("docker build -t docker-whale .", "docker image build . -t docker-whale"),
    ("docker history docker/whalesay", "docker image history docker/whalesay:latest"),
    ("docker info", "docker system info"),
    ("docker info", "$ docker info"),
    ("docker info", "`docker info`"),
    ("docker ps -a", "docker ps -a;"),
    ("docker-machine create --driver virtualbox default",
     "docker-machine create -d virtualbox default"),
    ("eval $(docker-machine env default)", 'eval "$(docker-machine env default)"'),
    ("docker context create remote --docker host=ssh://user@server",
     "docker context create remote --docker 'host=ssh://user@server'"),
    ("docker run -d \\\n  --name web nginx", "docker run -d --name web nginx"),
    ("docker ps -a", "sudo docker ps -a"),  # outside the docker group (review section 3)
]

DIFFERENT_COMMANDS = [
    ("docker run nginx -d", "docker run -d nginx"),  # after the image: the container's command
    ("docker exec mydb -it bash", "docker exec -it mydb bash"),
    ("docker run -it ubuntu bash", "docker run -it ubuntu sh"),
    ("docker ps", "docker ps -a"),
    ("docker ps -l", "docker ps -a"),
    ("docker ps -al", "docker ps -aq"),
    ("docker run -p 80:80 nginx", "docker run -p 8080:80 nginx"),
    ("docker run -p 80:80 nginx", "docker run -P nginx"),
    ("docker run -d mysql:5.6", "docker run -d mysql:5.7"),
    ("docker run -d mysql:5.6", "docker run -d mysql"),
    ("docker run -e MYSQL_ROOT_PASSWORD=Passw0rd mysql:5.6",
     "docker run -e MYSQL_ROOT_PASSWORD=passw0rd mysql:5.6"),
    ("docker run --rm -d nginx", "docker run -d nginx"),
    ("docker rm $(docker ps -aq)", "docker rm -f $(docker ps -aq)"),
    ("docker rm $(docker ps -aq)", "docker rm $(docker ps -al)"),
    ("docker ps -a", "docker ps -a && rm -rf /"),  # never a "contains" match
    ("docker ps -a", "sudo -u other docker ps -a"),  # sudo with options: literal
    ("docker ps -a", "Docker ps -a"),
    ("docker images nginx", "docker images nginx:latest"),  # a repository filter, not an image
    ("docker run --foo -d nginx", "docker run -d --foo nginx"),  # unknown option: literal
    ("docker ps -a", ""),
]


@pytest.mark.parametrize(("given_answer", "expected"), SAME_COMMANDS)
def test_commands_a_shell_user_means_the_same(given_answer, expected):
    assert commands_equal(given_answer, expected)
    assert commands_equal(expected, given_answer)


@pytest.mark.parametrize(("given_answer", "expected"), DIFFERENT_COMMANDS)
def test_commands_that_differ(given_answer, expected):
    assert not commands_equal(given_answer, expected)


def test_canonical_form_is_readable():
    notes_command = "docker run -e MYSQL_ROOT_PASSWORD='Passw0rd' --name mydb -d mysql:5.6"
    assert normalize_command(notes_command) == \
        "docker run --detach --env=MYSQL_ROOT_PASSWORD=Passw0rd --name=mydb mysql:5.6"
    assert normalize_command("docker rm $(docker ps -aq)") == \
        "docker rm $(docker ps --all --quiet)"


def test_issues_explain_why_a_command_is_compared_literally():
    assert parse_command("docker run --foo nginx").issues == ["unknown option '--foo'"]
    assert parse_command("docker run -d -e").issues == ["option '-e' needs a value"]
    assert parse_command("docker frobnicate").issues == [
        "docklab does not know the command 'frobnicate'"]
    unbalanced = parse_command("docker run -e 'X=1 nginx")
    assert unbalanced.issues == ["cannot be read as a shell command: No closing quotation"]
    assert parse_command("docker run -d nginx").issues == []


@pytest.mark.parametrize(("ref", "canonical"), [
    ("nginx", "nginx:latest"),
    ("nginx:latest", "nginx:latest"),
    ("docker.io/library/nginx:latest", "nginx:latest"),
    ("library/nginx", "nginx:latest"),
    ("docker/whalesay", "docker/whalesay:latest"),
    ("localhost:5000/app", "localhost:5000/app:latest"),
    ("localhost:5000/app:1.0", "localhost:5000/app:1.0"),
    ("mysql:5.6", "mysql:5.6"),
    ("nginx@sha256:abc", "nginx@sha256:abc"),
])
def test_image_references_compare_the_way_docker_resolves_them(ref, canonical):
    assert normalize_image_ref(ref) == canonical


SAME_TEXT = [
    ("베이스 이미지", "베이스이미지"),
    ("베이스 이미지", "  베이스   이미지 "),
    ("베이스 이미지", "베이스 이미지."),
    ("베이스 이미지", '"베이스 이미지"'),
    ("Base Image", "base image"),
    ("virtual machine monitor", "Virtual   Machine\tMonitor"),
    ("컨테이너", "컨테이너\u3000"),  # ideographic space from a Korean IME
    ("runc", "`runc`"),
]
DIFFERENT_TEXT = [
    ("컨테이너", "컨테이너들"),
    ("컨테이너", "도커 컨테이너"),
    ("base image", "baseimage"),  # spaces only fold away next to Hangul
    ("dockerd", "docker"),
    ("runc", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME_TEXT)
def test_texts_equal_after_folding(a, b):
    assert texts_equal(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_TEXT)
def test_texts_that_differ(a, b):
    assert not texts_equal(a, b)


def test_decomposed_hangul_equals_composed():
    composed = "컨테이너"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed and len(decomposed) > len(composed)
    assert texts_equal(decomposed, composed)
    assert normalize_text(decomposed) == composed
    assert commands_equal(f"docker run --name {decomposed} nginx",
                          f"docker run --name {composed} nginx")


# --- properties -------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normalisation_is_idempotent_on_any_text(text):
    once = normalize_command(text)
    assert normalize_command(once) == once
    folded = normalize_text(text)
    assert normalize_text(folded) == folded


SHELL_ALPHABET = st.sampled_from(list("docker run -pPe=:'\"$()`|&;\\ abc12"))


@settings(max_examples=300, deadline=None)
@given(st.lists(SHELL_ALPHABET, max_size=60).map("".join))
def test_idempotent_on_shell_like_noise(text):
    once = normalize_command(text)
    assert normalize_command(once) == once


VALUE = st.text(alphabet="abcXYZ019_.:/=-", min_size=1, max_size=12).filter(
    lambda v: not v.startswith("-"))
# (short, long, takes a value)
RUN_OPTIONS = [("-d", "--detach", False), ("-i", "--interactive", False), ("-t", "--tty", False),
               ("-P", "--publish-all", False), (None, "--rm", False), ("-e", "--env", True),
               ("-p", "--publish", True), (None, "--name", True), ("-w", "--workdir", True)]


@st.composite
def run_commands(draw):
    """Two spellings of one `docker run`: a canonical one and a shuffled, re-spelled one."""
    chosen = draw(st.lists(st.sampled_from(RUN_OPTIONS), unique=True, min_size=1))
    options = [(spec, draw(VALUE) if spec[2] else None) for spec in chosen]
    image = draw(st.sampled_from(["nginx", "mysql:5.6", "docker/whalesay", "busybox:1.36"]))
    command = draw(st.lists(st.sampled_from(["sh", "-c", "echo", "hi", "-d"]), max_size=3))

    canonical = ["docker", "run"]
    for (_short, long, _takes_value), value in options:
        canonical += [long] + ([value] if value is not None else [])
    canonical += [image, *command]

    shuffled = draw(st.permutations(options))
    words: list[str] = []
    for (short, long, _takes_value), value in shuffled:
        name = draw(st.sampled_from([n for n in (short, long) if n]))
        if value is None:
            words.append(name)
            continue
        quoted = draw(st.sampled_from([value, f"'{value}'", f'"{value}"']))
        if name.startswith("--") and draw(st.booleans()):
            words.append(f"{name}={quoted}")
        else:
            words += [name, quoted]
    tokens = ["docker", "run", *words, image, *command]
    gaps = draw(st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=len(tokens),
                         max_size=len(tokens)))
    respelled = "".join(gap + token for gap, token in zip(gaps, tokens, strict=True))
    return " ".join(canonical), respelled + draw(st.sampled_from(["", " ", "  "]))


@settings(max_examples=300, deadline=None)
@given(run_commands())
def test_insensitive_to_spacing_quoting_spelling_and_option_order(pair):
    canonical, respelled = pair
    assert normalize_command(respelled) == normalize_command(canonical)
    assert parse_command(respelled).issues == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["-a", "-q", "-s"]), min_size=2, max_size=3, unique=True))
def test_combined_short_flags_equal_separate_ones(flags):
    combined = "-" + "".join(flag[1] for flag in flags)
    assert commands_equal(f"docker ps {combined}", "docker ps " + " ".join(reversed(flags)))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["-d", "-P", "--rm", "-it"]), st.sampled_from(["nginx", "mysql:5.6"]))
def test_an_option_after_the_image_is_never_the_same_option(flag, image):
    assert not commands_equal(f"docker run {image} {flag}", f"docker run {flag} {image}")
