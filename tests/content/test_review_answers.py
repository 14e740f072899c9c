"""The answer matcher against the content review (section 3): the 14 kinds of correct answers it
used to reject, and the wrong answers it used to accept, each graded on the real question."""
from __future__ import annotations

import pytest

from docklab.content import check_answer, load_bank


@pytest.fixture(scope="module")
def bank():
    return load_bank()


# (kind of answer from the review, question id, a correct answer the matcher must accept)
CORRECT_ANSWERS = [
    ("/bin/bash for bash", "container-exec-command", "docker exec -it mydb /bin/bash"),
    ("/bin/bash, long management form", "container-exec-command",
     "docker container exec -it mydb /bin/bash"),
    ("leading sudo", "run-docker-info", "sudo docker info"),
    ("leading sudo", "dockerfile-ps-all", "sudo docker ps -a"),
    ("sudo inside a substitution", "lab-remove-all-containers",
     "sudo docker rm $(sudo docker ps -aq)"),
    ("buildx build", "dockerfile-build-command", "docker buildx build -t docker-whale ."),
    ("./ for .", "dockerfile-build-command", "docker build -t docker-whale ./"),
    ("-f Dockerfile is the default", "dockerfile-build-command",
     "docker build -t docker-whale -f Dockerfile ."),
    ("--platform on Apple Silicon", "lab-mysql-run-command",
     "docker run --platform linux/amd64 -e MYSQL_ROOT_PASSWORD='Passw0rd' --name mydb -d "
     "mysql:5.6"),
    ("history -H is on by default", "layers-history-command",
     "docker history -H docker/whalesay"),
    ("ssh port 22 is the default", "machine-product-context",
     "docker context create remote --docker host=ssh://user@server:22"),
    ("-p 0.0.0.0:80:80", "lab-nginx-port-command",
     "docker run --name myweb -d -p 0.0.0.0:80:80 nginx"),
    ("기반 이미지", "base-image-term", "기반 이미지"),
    ("Korean copula", "base-image-term", "베이스 이미지입니다"),
    ("Korean copula after Latin letters", "lxc-runtime-name", "runc입니다"),
    ("Korean copula after Latin letters", "engine-daemon-binary", "dockerd입니다"),
    ("Korean copula", "docker-what-technology", "리눅스 컨테이너입니다"),
    ("Korean polite ending", "base-image-term", "베이스 이미지예요"),
    ("term (abbreviation)", "hypervisor-other-name", "Virtual Machine Monitor (VMM)"),
    ("term (abbreviation), Korean", "hypervisor-other-name", "가상 머신 모니터(VMM)"),
    ("term (translation)", "base-image-term", "베이스 이미지(base image)"),
    ("the notes' wording in English", "hypervisor-other-name",
     "virtualization machine monitor"),
    ("ko/en symmetry", "docker-what-technology", "Linux container technology"),
    ("plural", "base-image-term", "base images"),
    ("article", "base-image-term", "the base image"),
]

# (why it is wrong, question id, a wrong answer the matcher must reject)
WRONG_ANSWERS = [
    ("quoted substitution is ONE argument", "lab-remove-all-containers",
     'docker rm "$(docker ps -aq)"'),
    ("backquotes inside double quotes too", "lab-remove-all-containers",
     'docker rm "`docker ps -aq`"'),
    ("the prompt asks for two words", "docker-what-technology", "컨테이너"),
    ("the prompt asks for two words", "docker-what-technology", "container"),
    ("only one part is right", "hypervisor-other-name", "virtual machine monitor (VM)"),
    ("only one part is right", "base-image-term", "베이스 이미지(container)"),
    ("a different shell", "container-exec-command", "docker exec -it mydb /bin/sh"),
    ("sudo does not excuse a wrong command", "dockerfile-ps-all", "sudo docker ps"),
    ("a different Dockerfile", "dockerfile-build-command",
     "docker build -t docker-whale -f Dockerfile.dev ."),
    ("another ssh port", "machine-product-context",
     "docker context create remote --docker host=ssh://user@server:2222"),
    ("one address only", "lab-nginx-port-command",
     "docker run --name myweb -d -p 127.0.0.1:80:80 nginx"),
    ("a different word with an ending", "base-image-term", "컨테이너입니다"),
]


@pytest.mark.parametrize(("kind", "question_id", "answer"), CORRECT_ANSWERS,
                         ids=[f"{q}: {a}" for _k, q, a in CORRECT_ANSWERS])
def test_review_correct_answers_are_accepted(bank, kind, question_id, answer):
    for lang in ("ko", "en"):
        assert check_answer(bank[question_id], answer, lang).correct, kind


@pytest.mark.parametrize(("why", "question_id", "answer"), WRONG_ANSWERS,
                         ids=[f"{q}: {a}" for _w, q, a in WRONG_ANSWERS])
def test_review_wrong_answers_are_rejected(bank, why, question_id, answer):
    assert not check_answer(bank[question_id], answer, "ko").correct, why


def test_the_fourteen_kinds_are_all_here():
    kinds = {kind.split(",")[0].removesuffix(" after Latin letters") for kind, _q, _a in
             CORRECT_ANSWERS}
    assert len(kinds) >= 14, sorted(kinds)


def test_unquoted_substitution_is_still_right(bank):
    question = bank["lab-remove-all-containers"]
    assert check_answer(question, "docker rm $(docker ps -aq)").correct
    assert check_answer(question, "docker rm `docker ps -a -q`").correct
