"""Creating classes, joining them by code, invite link and API; assignments and hosts policy."""
from __future__ import annotations

import re

import pytest

from docklab.classes import services
from docklab.classes.models import Classroom
from docklab.extensions import db
from docklab.models import ApiToken, User
from tests.support.webapp import create_user, post_form


def bearer(app, name: str) -> dict:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == name))
        _token, plain = ApiToken.issue(user)
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def make_class(client, auth, name="도커 기초 1반") -> tuple[int, str]:
    auth.login("teach")
    response = post_form(client, "/instructor/", {"name": name})
    assert response.status_code == 302
    class_id = int(re.search(r"/instructor/classes/(\d+)", response.headers["Location"]).group(1))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'data-testid="join-code">([A-Z0-9]+)<', page).group(1)
    auth.logout()
    return class_id, code


def members(app, class_id: int) -> list[str]:
    with app.app_context():
        classroom = db.session.get(Classroom, class_id)
        return [user.username for user in services.roster(classroom)]


def test_students_join_with_a_code_typed_loosely(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    class_id, code = make_class(client, auth)
    assert len(code) == 8 and not set(code) & set("01OIL")
    auth.login("mina")
    loose = f" {code[:4].lower()}-{code[4:]} "
    response = post_form(client, "/classes/join", {"code": loose}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "도커 기초 1반에 참여했습니다" in page
    assert members(app, class_id) == ["mina"]
    again = post_form(client, "/classes/join", {"code": code}, follow_redirects=True)
    assert "이미 도커 기초 1반에 참여하고 있습니다" in again.get_data(as_text=True)
    assert members(app, class_id) == ["mina"]
    # joining lands on the to-do page: the new class's labs and quiz sections, none done yet
    assert "/quiz/section/" in page and 'href="/labs/' in page
    assert 'data-done="yes"' not in page and 'data-done="no"' in page


def test_wrong_codes_are_refused_then_rate_limited(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    make_class(client, auth)
    auth.login("mina")
    response = post_form(client, "/classes/join", {"code": "NOPE2345"})
    assert response.status_code == 200
    assert "이 코드의 수업이 없습니다" in response.get_data(as_text=True)
    assert 'value="NOPE2345"' in response.get_data(as_text=True)  # the typed code stays
    for _ in range(20):
        post_form(client, "/classes/join", {"code": "NOPE2345"})
    assert post_form(client, "/classes/join", {"code": "NOPE2345"}).status_code == 429


def test_the_join_page_and_the_api_count_the_same_wrong_codes(app, client, auth):
    """Both go through classes.services.join_with_code: wrong codes typed on the page and sent
    to the API share one limit, and a limited student cannot join even with the right code."""
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    class_id, code = make_class(client, auth)
    student = bearer(app, "mina")
    for _ in range(10):
        assert client.post("/api/v1/classes/join", json={"code": "NOPE2345"},
                           headers=student).status_code == 404
    auth.login("mina")
    for _ in range(10):
        assert post_form(client, "/classes/join", {"code": "NOPE2345"}).status_code == 200
    assert post_form(client, "/classes/join", {"code": code}).status_code == 429
    limited = client.post("/api/v1/classes/join", json={"code": code}, headers=student)
    assert limited.status_code == 429 and limited.get_json()["error"] == "rate_limited"
    assert members(app, class_id) == []


def test_invite_link_asks_then_joins(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    class_id, code = make_class(client, auth)
    assert client.get(f"/classes/join/{code}").status_code == 302  # log in first
    auth.login("mina")
    page = client.get(f"/classes/join/{code}").get_data(as_text=True)
    assert "도커 기초 1반" in page and members(app, class_id) == []  # a GET never joins
    response = post_form(client, f"/classes/join/{code}", {"code": code}, action="/classes/join")
    assert response.status_code == 302 and members(app, class_id) == ["mina"]
    assert client.get("/classes/join/ZZZZZZZZ").status_code == 404


def test_logging_in_from_an_invite_link_joins_the_class(app, client, auth):
    """The classes area adds its invite step to logging in (docklab.auth.hooks): the log-in page
    names the class the link invites to, and the log-in POST joins it."""
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    class_id, code = make_class(client, auth)
    invite = f"/classes/join/{code}"
    page = client.get(f"/login?next={invite}").get_data(as_text=True)
    assert 'data-testid="invite-reason"' in page and "도커 기초 1반" in page
    plain = client.get("/login?next=/labs").get_data(as_text=True)
    assert 'data-testid="invite-reason"' not in plain
    response = auth.login("mina", next_url=invite)
    assert response.status_code == 302 and response.headers["Location"].endswith("/classes/todo")
    assert members(app, class_id) == ["mina"]


def test_a_student_in_several_classes_and_leaving_one(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    first, code1 = make_class(client, auth, "A반")
    second, code2 = make_class(client, auth, "B반")
    auth.login("mina")
    post_form(client, "/classes/join", {"code": code1})
    post_form(client, "/classes/join", {"code": code2})
    assert members(app, first) == ["mina"] and members(app, second) == ["mina"]
    page = client.get("/classes/join").get_data(as_text=True)
    assert "A반" in page and "B반" in page
    post_form(client, "/classes/join", {}, action=f"/classes/{first}/leave")
    assert members(app, first) == [] and members(app, second) == ["mina"]
    assert post_form(client, "/classes/join", {},
                     action=f"/classes/{first}/leave").status_code == 404


def test_instructors_do_not_join(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "other", "instructor")
    class_id, code = make_class(client, auth)
    auth.login("other")
    page = post_form(client, "/classes/join", {"code": code}).get_data(as_text=True)
    assert "학생만 수업에 참여할 수 있습니다" in page
    assert members(app, class_id) == []


def test_rotating_the_code_closes_the_old_one(app, client, auth):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    class_id, old = make_class(client, auth)
    auth.login("teach")
    post_form(client, f"/instructor/classes/{class_id}/settings", {},
              action=f"/instructor/classes/{class_id}/code")
    with app.app_context():
        new = db.session.get(Classroom, class_id).join_code
    assert new != old
    auth.logout()
    auth.login("mina")
    assert "이 코드의 수업이 없습니다" in post_form(
        client, "/classes/join", {"code": old}).get_data(as_text=True)
    post_form(client, "/classes/join", {"code": new})
    assert members(app, class_id) == ["mina"]


def test_assignments_with_due_dates(app, client, auth):
    create_user(app, "teach", "instructor")
    class_id, _code = make_class(client, auth)
    auth.login("teach")
    with app.app_context():
        from docklab.classes import catalog

        lab_ids = [info.item.ref for info in catalog.labs()]
        anchors = [info.item.ref for info in catalog.sections()]
    url = f"/instructor/classes/{class_id}/settings"
    data = {"action": "assignments", "lab": [lab_ids[1], lab_ids[0]], "section": [anchors[2]],
            f"due-lab-{lab_ids[0]}": "2026-12-24", f"due-section-{anchors[2]}": "not-a-date"}
    page = post_form(client, url, data).get_data(as_text=True)
    assert "날짜가 아닙니다" in page and 'value="not-a-date"' in page  # typed values stay
    data[f"due-section-{anchors[2]}"] = ""
    assert post_form(client, url, data).status_code == 302
    with app.app_context():
        classroom = db.session.get(Classroom, class_id)
        labs = [(a.ref, a.due_at) for a in classroom.assigned("lab")]
        sections = [(a.ref, a.due_at) for a in classroom.assigned("section")]
    assert [ref for ref, _due in labs] == [lab_ids[1], lab_ids[0]]  # the instructor's order
    due = dict(labs)[lab_ids[0]]
    # the end of 24 December in Seoul (UTC+9) is 14:59:59 UTC
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2026, 12, 24, 14, 59)
    assert sections == [(anchors[2], None)]
    board = client.get(f"/instructor/classes/{class_id}").get_data(as_text=True)
    # by default the one section sits in its chapter's column; every section is one click away
    assert board.count('class="item-lab"') == 2 and board.count('class="item-chapter"') == 1
    board = client.get(f"/instructor/classes/{class_id}?view=all").get_data(as_text=True)
    assert board.count('class="item-lab"') == 2 and board.count('class="item-section"') == 1


def test_hosts_policy_is_validated_and_unions_over_classes(app, client, auth):
    create_user(app, "teach", "instructor")
    mina = create_user(app, "mina")
    first, code1 = make_class(client, auth, "A반")
    second, code2 = make_class(client, auth, "B반")
    auth.login("teach")
    url = f"/instructor/classes/{first}/settings"
    bad = post_form(client, url, {"action": "policy", "policy-networks": "10.0.0.0/8\nnot/a/net",
                                  "policy-hostnames": ""}).get_data(as_text=True)
    assert "not/a/net" in bad and "네트워크나 호스트 이름이 아닙니다" in bad
    for special in ("127.0.0.1", "169.254.10.0/24", "::1"):  # only an admin opens these
        page = post_form(client, url, {"action": "policy", "policy-networks": special,
                                       "policy-hostnames": ""}).get_data(as_text=True)
        assert "관리자만 허용할 수 있습니다" in page, special
    post_form(client, url, {"action": "policy", "policy-networks": "10.0.0.0/8, 192.168.56.7",
                            "policy-hostnames": "Lab-1.School.example\n*.pc.school.example"})
    post_form(client, f"/instructor/classes/{second}/settings",
              {"action": "policy", "policy-networks": "10.0.0.0/8\n172.16.0.0/12",
               "policy-hostnames": ""})
    auth.logout()
    auth.login("mina")
    post_form(client, "/classes/join", {"code": code1})
    with app.app_context():
        assert services.allowed_networks_for(mina) == ["10.0.0.0/8", "192.168.56.7/32"]
    post_form(client, "/classes/join", {"code": code2})
    with app.app_context():
        assert services.allowed_networks_for(mina) == ["10.0.0.0/8", "192.168.56.7/32",
                                                       "172.16.0.0/12"]
        assert services.allowed_hostnames_for(mina) == ["lab-1.school.example",
                                                        "*.pc.school.example"]
        assert services.allowed_networks_for(create_user(app, "loner")) == []


def test_class_api_create_join_progress(app, client):
    create_user(app, "teach", "instructor")
    create_user(app, "mina")
    teacher, student = bearer(app, "teach"), bearer(app, "mina")
    assert client.post("/api/v1/classes", json={}, headers=teacher).status_code == 400
    assert client.post("/api/v1/classes", data="x", headers=teacher).status_code == 400
    assert client.post("/api/v1/classes", json={"name": " "}, headers=teacher).status_code == 400
    created = client.post("/api/v1/classes", json={"name": "API 반"}, headers=teacher)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) >= {"id", "join_code"} and len(body["join_code"]) == 8
    assert client.post("/api/v1/classes/join", json={"code": "WRONG234"},
                       headers=student).status_code == 404
    assert client.post("/api/v1/classes/join", json={}, headers=student).status_code == 400
    joined = client.post("/api/v1/classes/join", json={"code": body["join_code"].lower()},
                         headers=student)
    assert joined.status_code == 200
    assert joined.get_json() == {"id": body["id"], "name": "API 반", "joined": True}
    progress = client.get(f"/api/v1/classes/{body['id']}/progress", headers=teacher).get_json()
    assert [row["username"] for row in progress["students"]] == ["mina"]
    assert progress["class"] == {"id": body["id"], "name": "API 반", "self_reports_count": False}
    assert all(cell["state"] == "not_started"
               for cell in progress["students"][0]["cells"].values())


def test_class_networks_open_the_hosts_guard_for_its_students_only(app, client, auth):
    """The hosts area's SSRF guard asks the classes: a class network lets its students register
    a host there, and nobody else."""
    from docklab.hosts.policy import HostRefused
    from docklab.hosts.services import policy_for

    create_user(app, "teach", "instructor")
    mina, loner = create_user(app, "mina"), create_user(app, "loner")
    class_id, code = make_class(client, auth)
    auth.login("teach")
    post_form(client, f"/instructor/classes/{class_id}/settings",
              {"action": "policy", "policy-networks": "10.77.0.0/16", "policy-hostnames": ""})
    auth.logout()
    auth.login("mina")
    post_form(client, "/classes/join", {"code": code})
    with app.test_request_context():
        assert policy_for(mina).check("tcp://10.77.3.4:2376").ip == "10.77.3.4"
        for user_id, url in ((loner, "tcp://10.77.3.4:2376"), (mina, "tcp://10.78.0.1:2376")):
            with pytest.raises(HostRefused) as refused:
                policy_for(user_id).check(url)
            assert refused.value.code == "not_allowed"
