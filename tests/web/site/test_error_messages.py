"""Every domain error of the web package says what went wrong through one path: a code, its English
sentence as a catalog msgid, the Korean in the area's catalog. No code ships English-only, and the
sentences are the ones learners read before the move to catalogs, in a request, in a worker thread
and with no app at all."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from docklab import crypto, i18n
from docklab.errors import DocklabError
from docklab.hosts import outbound
from docklab.hosts.policy import HostRefused
from docklab.hosts.services import NoHost, RegistrationError
from docklab.labs import own_machine, runner
from docklab.labs.services import RateLimited, UnknownHost
from docklab.sandboxes.services import NoSandbox, Unavailable
from grader.hosts import HostError

PARAMETER = re.compile(r"%\((\w+)\)s")


def every_subclass(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *every_subclass(sub)]
    return found


def korean_catalog() -> dict[str, str]:
    """msgid -> Korean msgstr over every area's catalog (untranslated and fuzzy ones left out)."""
    merged: dict[str, str] = {}
    for directory in i18n.translation_directories():
        po = Path(directory, "ko", "LC_MESSAGES", "messages.po")
        if not po.exists():
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string \
                    and not message.fuzzy:
                merged[message.id] = message.string
    return merged


def test_every_code_of_every_error_has_a_korean_sentence(app):
    """`app` imports every area, so every DocklabError subclass is defined by now."""
    korean = korean_catalog()
    classes = every_subclass(DocklabError)
    assert {HostRefused, RegistrationError, NoHost, outbound.Busy, outbound.AlreadyRunning,
            RateLimited, UnknownHost, runner.NotChecked, own_machine.Refused, NoSandbox,
            Unavailable, crypto.SecretUnreadable} <= set(classes)
    problems = []
    for cls in classes:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not cls.MESSAGES and cls.__subclasses__():
            continue  # a shared base (DetailError): its subclasses carry the sentences
        if not cls.MESSAGES:
            problems.append(f"{name}: no MESSAGES (a sentence per code, marked with i18n.N_)")
        if cls.code != DocklabError.code and cls.code not in cls.MESSAGES:
            problems.append(f"{name}: its default code {cls.code!r} has no sentence")
        problems += [f"{name}: a status for {code!r}, which has no sentence"
                     for code in set(cls.STATUSES) - set(cls.MESSAGES)]
        for code, english in cls.MESSAGES.items():
            translated = korean.get(english)
            if translated is None:
                problems.append(f"{name} {code!r}: no Korean translation of {english!r}")
            elif set(PARAMETER.findall(translated)) != set(PARAMETER.findall(english)):
                problems.append(f"{name} {code!r}: the Korean names other parameters than "
                                f"{english!r}")
    assert problems == []


# One example per area: the sentences exactly as they were written inline before.
BEFORE = [
    (HostRefused("loopback", "127.0.0.1"),
     "루프백 주소(127.0.0.0/8, ::1)는 관리자가 허용하지 않는 한 등록할 수 없습니다: 127.0.0.1",
     "Loopback addresses (127.0.0.0/8, ::1) are refused unless an admin allows them: 127.0.0.1"),
    (RegistrationError("too_many_hosts", "5"),
     "호스트는 5개까지 등록할 수 있습니다. 쓰지 않는 호스트를 지우세요.",
     "You can register up to 5 hosts. Delete one you no longer use."),
    (outbound.Busy(),
     "서버가 다른 학습자의 호스트를 확인하느라 바쁩니다. 몇 초 뒤 다시 시도하세요.",
     "The server is busy checking other learners' hosts. Try again in a few seconds."),
    (RateLimited(60),
     "짧은 시간에 채점을 너무 많이 했습니다. 늦어도 60초 뒤에는 다시 채점할 수 있습니다.",
     "Too many checks in a short time. You can check again in 60 s at the latest."),
    (runner.NotChecked("interrupted"),
     "서버가 다시 시작되어 채점이 끝나지 않았습니다. 다시 채점하세요.",
     "The check was interrupted by a server restart. Check again."),
    (own_machine.Refused("code_used"),
     "이 코드는 이미 쓰였습니다 (코드는 한 번만 쓸 수 있습니다). "
     "실습 페이지에서 새 명령을 받으세요.",
     "This code was already used (a code works once). Get a new command on the lab page."),
    (crypto.SecretUnreadable(),
     "저장된 호스트 키를 풀 수 없습니다 (서버의 비밀 키가 바뀌었습니다). 호스트를 다시 등록하세요.",
     "The stored host keys cannot be decrypted (the server's secret key changed). "
     "Register the host again."),
    (NoSandbox("sandbox_not_ready"),
     "샌드박스가 실행 중이 아닙니다. 먼저 시작하세요.",
     "Your sandbox is not running. Start it first."),
]


@pytest.mark.parametrize(("error", "korean", "english"), BEFORE,
                         ids=[type(error).__name__ for error, _ko, _en in BEFORE])
def test_a_message_reads_as_before_in_both_languages(app, error, korean, english):
    with app.test_request_context("/?lang=en"):  # the page's own language does not leak in
        assert (error.message("ko"), error.message("en")) == (korean, english)
    # No app context at all (a script, a test): the same catalogs, read directly.
    assert (error.message("ko"), error.message("en")) == (korean, english)


def test_a_message_reads_the_same_on_a_thread_with_or_without_the_app(app):
    """Checks run on the outbound pool's threads; what they store must not depend on whether
    the thread pushed an app context."""
    error = runner.NotChecked("grader_failed", detail="KeyError: 'x'")
    seen = {}

    def with_app():
        with app.app_context():
            seen["app"] = runner.both_languages(error)

    def bare():
        seen["bare"] = runner.both_languages(error)

    for work in (with_app, bare):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    assert seen["app"] == seen["bare"]
    assert seen["app"].ko == "채점 중 내부 오류가 났습니다: KeyError: 'x'"
    assert seen["app"].en == "The grader failed internally: KeyError: 'x'"


def test_a_bilingual_detail_is_read_in_the_same_language(app):
    """The SSH host-key failure names the grader's own reason, in the reader's language."""
    problem = RegistrationError("ssh_host_key", HostError("timeout", "10.0.0.5:22"))
    with app.app_context():
        assert problem.message("ko") == ("SSH 호스트 키를 가져오지 못했습니다: "
                                         "호스트가 제한 시간 안에 응답하지 않았습니다: 10.0.0.5:22")
        assert problem.message("en") == ("Could not fetch the SSH host key: "
                                         "The host did not answer within the time limit: "
                                         "10.0.0.5:22")


def test_a_detail_with_percent_signs_and_braces_is_shown_as_given():
    """Only the catalog's sentence is a format string, never what it names (an IPv6 zone id is
    written with %25, a remote error may hold braces)."""
    url = "tcp://[fd00::2%25eth0]:2376 {x}"
    assert HostRefused("bad_url", url).message("en") == f"The host address is not valid: {url}"


def test_codes_and_statuses_are_what_api_clients_read():
    assert (HostRefused("plain_tcp").code, HostRefused("plain_tcp").status) == ("plain_tcp", 422)
    assert (outbound.Busy().status, outbound.Busy().details) == (503, {"retry_after": 5})
    assert outbound.AlreadyRunning().status == 429
    assert (RateLimited(30).status, RateLimited(30).details) == (429, {"retry_after": 30})
    assert (UnknownHost(7).code, UnknownHost(7).status) == ("not_found", 404)
    assert [own_machine.Refused(code).status for code in
            ("unknown_code", "code_used", "code_expired", "not_your_code")] == [404, 410, 410, 403]
    refused = own_machine.Refused("too_large", size=9000, limit=4096)
    assert (refused.reason, refused.status) == ("too_large", 413)
    assert refused.en == "The upload is too large (9000 bytes, at most 4096)."
    assert refused.ko == "올린 결과가 너무 큽니다 (9000 바이트, 최대 4096)."
    assert (NoSandbox().code, NoSandbox().status) == ("not_found", 404)
    assert NoSandbox("sandbox_not_ready").status == 409
    assert (Unavailable("off").code, Unavailable("off").status) == ("sandboxes_unavailable", 409)


def test_one_language_helper_for_pages_and_one_for_the_api(app):
    with app.test_request_context("/labs?lang=en"):
        assert i18n.current_lang() == "en"
    with app.test_request_context("/labs"):
        assert i18n.current_lang() == "ko"
    with app.test_request_context("/api/v1/labs", headers={"Accept-Language": "en-US,en"}):
        assert i18n.request_lang() == "en"
    with app.test_request_context("/api/v1/labs?lang=ko",
                                  headers={"Accept-Language": "en-US,en"}):
        assert i18n.request_lang() == "ko"
    with app.test_request_context("/api/v1/labs", headers={"Accept-Language": "fr"}):
        assert i18n.request_lang() == "ko"
