"""Lab pages, `error` attempts (unreachable or silent hosts), the rate limit, CSRF/login and
others' attempts and hosts (pass/fail on the real engine is in test_labs_real.py)."""
from __future__ import annotations

import re
import time

import pytest

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from docklab.quiz import services as quiz
from tests.support.certs import make_tls_set
from tests.support.webapp import create_user, post_form
from tests.web.labs.labs_helpers import closed_port, silent_listener, use_local_engine, web_check


@pytest.fixture
def learner(app, client, auth, docker_engine):
    use_local_engine(app, docker_engine)
    user_id = create_user(app, "mina")
    auth.login("mina")
    return user_id


def attempts(app, user_id: int) -> list[LabAttempt]:
    with app.app_context():
        rows = db.session.scalars(db.select(LabAttempt).where(LabAttempt.user_id == user_id)
                                  .order_by(LabAttempt.id)).all()
        db.session.expunge_all()
        return rows


def test_lab_list_and_page_show_instructions_note_link_and_check_button(app, client, learner):
    listing = client.get("/labs").get_data(as_text=True)
    assert "nginx-port" in listing and "시작 전" in listing
    page = client.get("/labs/nginx-port").get_data(as_text=True)
    assert "docker run --name myweb -d -p 80:80 nginx" in page  # Markdown code block
    assert 'href="/notes#실습"' in page
    assert "채점하기" in page and 'name="csrf-token"' in page and "labs.js" in page
    assert 'aria-live="polite"' in page
    english = client.get("/labs/nginx-port?lang=en").get_data(as_text=True)
    assert "Publish nginx on port 80" in english and ">Check<" in english.replace(
        '<span class="spinner" aria-hidden="true"></span> ', "")


def _due(app, user_id: int) -> int:
    with app.app_context():
        return len(quiz.due_queue(user_id))


def test_an_error_attempt_neither_fails_nor_counts(app, client, learner, tmp_path):
    app.config["DOCKLAB_ALLOWED_HOSTS"] = "127.0.0.1/32"
    tls = make_tls_set(tmp_path / "tls")["paths"]
    files = {name: (open(tls[name], "rb"), f"{name}.pem") for name in ("ca", "cert", "key")}  # noqa: SIM115
    response = post_form(client, "/hosts", {"url": f"tcp://127.0.0.1:{closed_port()}",
                                            "name": "gone", "make_default": "y", **files},
                         action="/hosts/tls", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    due_before = _due(app, learner)
    response = web_check(client, "nginx-port")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert 'data-status="error"' in page and "거부" in page  # "refused", in Korean
    assert "실패한 시도가 아닙니다" in page  # said plainly: this does not count against you
    (attempt,) = attempts(app, learner)
    assert attempt.status == "error" and attempt.host_label.startswith("gone")
    assert _due(app, learner) == due_before  # an error is not a failure: nothing comes due
    listing = client.get("/labs").get_data(as_text=True)
    row = listing.split('data-lab="nginx-port"')[1].split("</li>")[0]
    assert "최고" in row and "–" in row  # no best result: the error does not count


def test_a_silent_host_is_cut_off_at_the_deadline(app, client, learner, tmp_path):
    app.config.update(DOCKLAB_ALLOWED_HOSTS="127.0.0.1/32", DOCKLAB_CHECK_DEADLINE=1)
    tls = make_tls_set(tmp_path / "tls")["paths"]
    with silent_listener() as port:
        files = {name: (open(tls[name], "rb"), f"{name}.pem") for name in ("ca", "cert", "key")}  # noqa: SIM115
        post_form(client, "/hosts", {"url": f"tcp://127.0.0.1:{port}", "name": "mute", **files},
                  action="/hosts/tls", content_type="multipart/form-data")
        started = time.monotonic()
        data = web_check(client, "engine-ready", as_json=True).get_json()
        elapsed = time.monotonic() - started
    assert data["status"] == "error" and "1초 안에" in data["html"]
    assert elapsed < 3


def test_checks_are_rate_limited_per_learner(app, client, learner):
    app.config["DOCKLAB_CHECK_LIMIT"] = 2
    assert web_check(client, "engine-ready", as_json=True).status_code == 200
    assert web_check(client, "engine-ready", as_json=True).status_code == 200
    limited = web_check(client, "engine-ready", as_json=True)
    assert limited.status_code == 429 and "너무 많이" in limited.get_json()["message"]
    page = client.get(web_check(client, "engine-ready").location).get_data(as_text=True)
    assert "너무 많이" in page  # without JavaScript: a message on the lab page
    assert len(attempts(app, learner)) == 2  # refused checks store nothing


def test_check_needs_csrf_and_login(app, client, learner):
    assert client.post("/labs/engine-ready/check", data={"host": ""}).status_code == 400
    post_form(client, "/account", {}, action="/logout")
    assert client.post("/labs/engine-ready/check").status_code in (302, 400)
    assert client.get("/labs/progress").status_code == 302
    assert client.get("/labs/no-such-lab").status_code == 404


def test_another_learners_attempts_and_hosts_are_404(app, client, auth, learner):
    answer = web_check(client, "engine-ready")
    mine = int(answer.location.split("attempt=")[1].split("#")[0])
    post_form(client, "/hosts", {"name": "laptop"}, action="/hosts/local")
    (host_id,) = _host_ids(app, learner)
    auth.logout()
    create_user(app, "joon")
    auth.login("joon")
    assert client.get(f"/labs/attempts/{mine}").status_code == 404
    assert client.get(f"/labs/engine-ready?attempt={mine}").status_code == 404
    for action in ("test", "default", "delete"):
        assert post_form(client, "/hosts", {}, action=f"/hosts/{host_id}/{action}") \
            .status_code == 404
    assert post_form(client, "/labs/engine-ready", {"host": str(host_id)},
                     action="/labs/engine-ready/check").status_code == 404
    assert "laptop" not in client.get("/hosts").get_data(as_text=True)
    assert f"/labs/attempts/{mine}" not in client.get("/labs/progress").get_data(as_text=True)
    assert _host_ids(app, learner) == [host_id]  # still there, untouched


def _host_ids(app, user_id: int) -> list[int]:
    from docklab.hosts.models import LearnerHost

    with app.app_context():
        return list(db.session.scalars(db.select(LearnerHost.id)
                                       .where(LearnerHost.user_id == user_id)))


def test_without_sandboxes_the_lab_page_says_why_and_offers_the_learners_own_host(app, client,
                                                                                 learner):
    app.config["DOCKLAB_SANDBOXES"] = False
    page = client.get("/labs/nginx-port").get_data(as_text=True)
    assert "이 서버는 샌드박스를 줄 수 없습니다" in page
    # the server's own reason (English, for the administrator) is folded away, not in the text
    assert re.search(r"<details[^>]*><summary>이유 \(관리자용\)</summary><code>[^<]*"
                     r"DOCKLAB_SANDBOXES=0", page)
    assert 'href="/hosts"' in page and "data-terminal" not in page
