"""The real quiz bank: valid, covering every note section, and right about today's Docker."""
from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from docklab.content import QUESTION_TYPES, check_answer, load_bank, public_dict, validate


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_real_content_validates_and_reports_counts(bank, capsys):
    assert validate() == []
    with capsys.disabled():
        print(f"\nquiz bank: {len(bank)} questions; by type: {bank.type_counts()}")
        for section, count in bank.section_counts():
            print(f"  {count:3d}  {section.title}  (#{section.anchor})")


def test_counts_meet_the_issue(bank):
    assert len(bank) >= 160
    per_section = bank.section_counts()
    assert len(per_section) == 28
    thin = [(section.title, count) for section, count in per_section if count < 3]
    assert thin == []
    by_type = bank.type_counts()
    assert set(by_type) == set(QUESTION_TYPES)
    assert min(by_type.values()) >= 5, by_type


def test_sections_from_first_to_vagrant_are_covered(bank):
    anchors = {q.anchor for q in bank}
    for title in ["Docker는 무엇인가?", "하이퍼바이저 (hypervisor)", "Immutable Infrastructure",
                  "리눅스 컨테이너(LXC, Linux Container)", "도커 실행하기", "베이스 이미지",
                  "Dockerfile", "도커 이미지 크기를 줄이는 방법", "실습", "Vagrant"]:
        assert bank.notes.find(title).anchor in anchors, title
    # both "Docker Machine" sections: the product overview and the one under "VM 활용"
    assert {"docker-machine", "docker-machine-1"} <= anchors


def _expected(question):
    return {"single": lambda: question.parts.answer, "multi": lambda: list(question.parts.answer),
            "truefalse": lambda: question.parts.answer,
            "ordering": lambda: [item.id for item in question.parts.items],
            "matching": lambda: {left.id: right.id for left, right in question.parts.pairs},
            "short": lambda: question.parts.accepted[0]}[question.type]()


def _wrong(question):
    if question.type == "single":
        return next(c.id for c in question.parts.choices if c.id != question.parts.answer)
    if question.type == "multi":
        return [c.id for c in question.parts.choices if c.id not in question.parts.answer]
    if question.type == "truefalse":
        return not question.parts.answer
    if question.type == "ordering":
        return [item.id for item in reversed(question.parts.items)]
    if question.type == "matching":
        lefts = [left.id for left, _ in question.parts.pairs]
        rights = [right.id for _, right in question.parts.pairs]
        return dict(zip(lefts, rights[1:] + rights[:1], strict=True))
    return "모르겠어요"


def test_every_question_grades_its_own_answer_right_and_a_wrong_one_wrong(bank):
    for question in bank:
        for lang in ("ko", "en"):
            assert check_answer(question, _expected(question), lang).correct, question.id
            assert not check_answer(question, _wrong(question), lang).correct, question.id
        for accepted in question.parts.accepted if question.type == "short" else ():
            assert check_answer(question, accepted).correct, (question.id, accepted)


def test_texts_are_nfc_and_explanations_teach(bank):
    for question in bank:
        for text in (question.prompt.ko, question.prompt.en, question.explanation.ko,
                     question.explanation.en):
            assert unicodedata.is_normalized("NFC", text), question.id
        assert len(question.explanation.ko) >= 80, question.id
        assert len(question.explanation.en) >= 120, question.id
        assert any("\uac00" <= ch <= "\ud7a3" for ch in question.prompt.ko), question.id


def test_matching_and_ordering_are_nontrivial(bank):
    for question in bank:
        if question.type == "ordering":
            public = public_dict(question, "ko")
            assert [i["id"] for i in public["items"]] != [i.id for i in question.parts.items]
        if question.type == "matching":
            assert len(question.parts.pairs) >= 3


def test_matching_distractors_are_offered_among_the_rights_and_never_right(bank):
    positions = []
    for question in bank:
        if question.type != "matching" or not question.parts.distractors:
            continue
        shown = [right["id"] for right in public_dict(question, "ko")["right"]]
        extra = [option.id for option in question.parts.distractors]
        assert sorted(shown) == sorted([r.id for _, r in question.parts.pairs] + extra), question.id
        positions += [shown.index(option_id) >= len(question.parts.pairs) for option_id in extra]
        left = question.parts.pairs[0][0].id
        for option_id in extra:
            answer = {**_expected(question), left: option_id}
            assert not check_answer(question, answer).correct, (question.id, option_id)
    # shuffled in with the pairs' right sides, not always put after them
    assert positions and not all(positions)


# Where the notes are dated or loose, the explanation must say so (and say what is true today).
CORRECTIONS = {
    "lxc-docker-today": ["libcontainer", "runc", "containerd"],
    "dockerfile-apt-best-practice": ["같은 RUN", "same RUN", "/var/lib/apt/lists"],
    "dockerfile-stale-update-layer": ["cache"],
    "machine-product-retired": ["docker context", "Docker Desktop"],
    "client-kitematic": ["Docker Desktop", "archived"],
    "cloud-what": ["2018", "Docker Hub"],
    "client-mac-vm": ["Linux VM", "리눅스 VM"],
    "run-socket-and-tcp": ["/var/run/docker.sock", "TLS", "2376"],
    "success-orchestrators": ["Swarm", "CNCF", "Google"],
    "lab-remove-all-containers": ["docker ps -aq", "docker container prune"],
    "lab-ps-al-wrong": ["-l", "docker container prune"],
    "notes-q-build-where": ["docker push", "docker images"],
    "notes-q-eb-docker": ["Dockerfile", "docker-compose.yml"],
    "run-hello-world-downloads-image": ["이미지", "image"],
    "image-no-kernel": ["overlay2", "kernel"],
}


@pytest.mark.parametrize(("question_id", "facts"), sorted(CORRECTIONS.items()))
def test_dated_notes_are_corrected_in_the_explanation(bank, question_id, facts):
    question = bank[question_id]
    both = question.explanation.ko + "\n" + question.explanation.en
    missing = [fact for fact in facts if fact not in both]
    assert missing == [], question_id


# Issue 16: what every Docker course teaches, at least 3 questions each (found by their tags).
TODAYS_TOPICS = {
    "container lifecycle and restart policies": {"lifecycle", "restart-policy"},
    "docker logs": {"logs"},
    "volumes and bind mounts": {"volumes", "bind-mount"},
    "CMD vs ENTRYPOINT, exec vs shell form": {"cmd", "entrypoint"},
    "run -it and --rm": {"interactive", "rm"},
    "tags, pinning and docker login": {"tags", "digest", "login"},
    "docker inspect and docker port": {"inspect"},
    "disk hygiene": {"disk"},
    "installing Docker today": {"install"},
}


@pytest.mark.parametrize("topic", sorted(TODAYS_TOPICS))
def test_todays_docker_topics_have_three_questions_or_more(bank, topic):
    found = [q.id for q in bank if TODAYS_TOPICS[topic] & set(q.tags)]
    assert len(found) >= 3, (topic, found)


def test_new_questions_ask_to_predict_debug_or_choose_more_than_to_recall(bank):
    new = [q for q in bank if q.file.split("/")[-1][:2] >= "12"]
    applying = [q for q in new if {"predict", "debug", "choose", "troubleshooting"} & set(q.tags)
                or q.type == "ordering"]
    assert len(new) >= 35
    assert len(applying) > len(new) / 2, (len(applying), len(new))


def test_the_notes_own_questions_have_their_own_section(bank):
    assert {q.id for q in bank.by_section("노트의 질문")} == {
        "notes-q-build-where", "notes-q-build-remote-engine", "notes-q-eb-docker", "notes-q-eb-cli"}
    assert all(q.anchor == "vagrant" for q in bank.by_section("Vagrant"))


def test_six_types_each_used_several_times_across_sections(bank):
    sections_per_type = Counter()
    for kind in QUESTION_TYPES:
        sections_per_type[kind] = len({q.anchor for q in bank if q.type == kind})
    assert min(sections_per_type.values()) >= 5, sections_per_type


def test_questions_know_their_note_section_even_for_repeated_headings(bank):
    machine_vm = bank["vm-machine-create"]
    assert (machine_vm.section, machine_vm.anchor, machine_vm.section_title) == \
        ("docker-machine-1", "docker-machine-1", "Docker Machine")
    assert bank["machine-product-what"].anchor == "docker-machine"
    assert len(bank.by_section("docker-machine-1")) == 4
    assert len(bank.by_section("Docker Machine")) == 3
    assert len(bank.by_section("실습")) == 23
    assert public_dict(bank["lab-mysql-run-command"], "ko")["anchor"] == "실습"
