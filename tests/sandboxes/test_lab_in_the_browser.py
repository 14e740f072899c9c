"""Issue 13, done when: in a real Chromium, a learner opens the nginx-port lab, their sandbox (a
real rootless engine) starts by itself, they type `docker run -d --name myweb -p 80:80 nginx`
into the xterm.js terminal (nginx pulled through the course registry, a real docker-registry),
press Check and pass; the published port opens through docklab; a second learner's Check on the
same lab fails, because nothing is shared."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import requests

from tests.sandboxes.conftest import _driver, _session_driver, sandbox_app_for
from tests.support.browser import LiveServer
from tests.support.webapp import PASSWORD, create_user
from tests.web.terminal.terminal_helpers import SCREEN_TEXT


@pytest.fixture(scope="module")
def class_driver(course_registry):
    yield from _session_driver(_driver("e", course_registry.port, 2))


@pytest.fixture
def classroom(database_url, tmp_path, class_driver, course_registry):
    app = sandbox_app_for(database_url, tmp_path, class_driver, course_registry, (1, 2))
    create_user(app, "learner1")
    create_user(app, "learner2")
    with LiveServer(app) as server:
        yield server


def log_in(page, server, name: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def open_lab_with_sandbox(page, server) -> None:
    page.goto(f"{server.url}/labs/nginx-port")
    page.wait_for_selector("[data-sandbox][data-state=ready]", timeout=60_000)
    page.wait_for_selector("[data-terminal][data-state=connected]", timeout=30_000)


def check(page) -> str:
    page.click("form[data-check-form] button[type=submit]")
    page.wait_for_selector("#check-result .result:not(.result-pending)", timeout=30_000)
    return page.get_attribute("#check-result .result", "data-status")


def test_type_docker_run_in_the_terminal_and_pass_while_another_learner_does_not(
        browser, classroom):
    server = classroom
    first = browser.new_context(viewport={"width": 1280, "height": 900})
    page = first.new_page()
    log_in(page, server, "learner1")
    started = time.monotonic()
    open_lab_with_sandbox(page, server)
    ready_after = time.monotonic() - started
    page.click("[data-terminal-screen]")
    page.keyboard.type("docker run -d --name myweb -p 80:80 nginx")
    page.keyboard.press("Enter")
    try:
        # The new container's id (wrapped by a narrow terminal), then the prompt again.
        page.wait_for_function(f"() => /\\n[0-9a-f][0-9a-f\\n]{{64,}}\\n[^\\n]*# /"
                               f".test(({SCREEN_TEXT})())", timeout=90_000)
    except Exception:
        raise AssertionError(page.evaluate(SCREEN_TEXT)) from None
    assert check(page) == "passed", page.inner_text("#check-result")
    # The port the learner published opens through docklab (their session only).
    cookies = {c["name"]: c["value"] for c in first.cookies()}
    answer = requests.get(f"{server.url}/sandbox/port/80/", cookies=cookies, timeout=10)
    assert answer.status_code == 200 and "nginx" in answer.text.lower()
    anonymous = requests.get(f"{server.url}/sandbox/port/80/", timeout=10,
                             allow_redirects=False)
    assert anonymous.status_code in (302, 401)
    page.screenshot(path=str(Path(os.environ.get("DOCKLAB_ARTIFACTS", "/tmp")) /
                             "lab-sandbox-desktop.png"))
    first.close()

    second = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    other = second.new_page()
    log_in(other, server, "learner2")
    open_lab_with_sandbox(other, server)
    assert check(other) == "failed"  # learner1's myweb is not in learner2's sandbox
    assert re.search(r"myweb", other.inner_text("#check-result"))
    other.screenshot(path=str(Path(os.environ.get("DOCKLAB_ARTIFACTS", "/tmp")) /
                              "lab-sandbox-phone.png"), full_page=True)
    second.close()
    assert ready_after < 60, ready_after
