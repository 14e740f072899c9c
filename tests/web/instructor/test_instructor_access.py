"""Who may see what: every instructor route and class API, for every kind of visitor.

The routes are enumerated from the URL map, so a new instructor route without a decision here
fails this test."""
from __future__ import annotations

import re

import pytest

from docklab.classes.models import Classroom
from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import bearer, create_user
from tests.web.instructor.instructor_data import LAB1, seed_class

# Routes of the class's own instructor (and admins); everything else is for them too.
ADMIN_ONLY = {"instructor.admin_users", "instructor.admin_set_role"}
OPEN_TO_ANY_INSTRUCTOR = {"instructor.index"}


def instructor_urls(app, seeded) -> list[tuple[str, str, str]]:
    values = {"class_id": seeded.class_id, "user_id": seeded.ids["alice"], "lab_id": LAB1}
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("instructor."):
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        if rule.endpoint == "instructor.admin_set_role":
            url = f"/admin/users/{seeded.ids['bora']}/role"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    assert len({endpoint for endpoint, _m, _u in found}) >= 13
    return found


@pytest.fixture
def seeded(app):
    return seed_class(app)


def session_token(client) -> str:
    """This session's CSRF token, so a refused POST is refused for its role, not its token."""
    for page in ("/", "/login"):
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get(page).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no CSRF token on / or /login")


def call(client, method: str, url: str):
    if method == "POST":
        return client.post(url, data={"role": "instructor", "csrf_token": session_token(client)})
    return client.get(url)


def test_anonymous_visitors_are_sent_to_log_in(app, client, seeded):
    for endpoint, method, url in instructor_urls(app, seeded):
        response = call(client, method, url)
        assert response.status_code == 302, (endpoint, method)
        assert "/login" in response.headers["Location"]


def test_a_student_is_refused_everywhere(app, client, auth, seeded):
    auth.login("alice")  # a member of the class
    for endpoint, method, url in instructor_urls(app, seeded):
        assert call(client, method, url).status_code == 403, (endpoint, method, url)


def test_another_classes_instructor_gets_404_and_changes_nothing(app, client, auth, seeded):
    with app.app_context():
        before = db.session.get(Classroom, seeded.class_id).join_code
    auth.login("other-teacher")
    for endpoint, method, url in instructor_urls(app, seeded):
        status = call(client, method, url).status_code
        if endpoint in ADMIN_ONLY:
            assert status == 403, (endpoint, method)
        elif endpoint in OPEN_TO_ANY_INSTRUCTOR:
            assert status in (200, 302), (endpoint, method)
        else:
            assert status == 404, (endpoint, method, url)
    page = client.get("/instructor/").get_data(as_text=True)
    assert "Other class" in page and "도커 101" not in page
    with app.app_context():
        classroom = db.session.get(Classroom, seeded.class_id)
        assert classroom.join_code == before
        assert len(classroom.memberships) == 4  # nobody was removed
        assert db.session.get(User, seeded.ids["bora"]).role == "student"


def test_the_owner_and_an_admin_see_every_page(app, client, auth, seeded):
    create_user(app, "root", "admin")
    for name in ("teach", "root"):
        auth.login(name)
        for endpoint, method, url in instructor_urls(app, seeded):
            if method != "GET" or (endpoint in ADMIN_ONLY and name == "teach"):
                continue
            assert client.get(url).status_code == 200, (name, endpoint)
        auth.logout()


def test_class_api_roles(app, client, seeded):
    progress = f"/api/v1/classes/{seeded.class_id}/progress"
    student, other = bearer(app, seeded.ids["alice"]), bearer(app, seeded.ids["other"])
    assert client.get(progress).status_code == 401
    assert client.get(progress, headers=student).status_code == 403
    assert client.get(progress, headers=other).status_code == 404
    assert client.get("/api/v1/classes/999999/progress", headers=other).status_code == 404
    assert client.get(progress, headers=bearer(app, seeded.ids["teach"])).status_code == 200
    assert client.post("/api/v1/classes", json={"name": "x"}, headers=student).status_code == 403
    assert client.post("/api/v1/classes", json={"name": "x"}).status_code == 401
    assert client.post("/api/v1/classes/join", json={"code": "x"},
                       headers=other).status_code == 403
    # a student's class list shows their classes, never a roster or a join code
    listed = client.get("/api/v1/classes", headers=student).get_json()
    assert listed == {"classes": [{"id": seeded.class_id, "name": "도커 101"}]}


def test_admin_changes_roles_but_not_of_admins(app, client, auth, seeded):
    root = create_user(app, "root", "admin")
    auth.login("root")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "alice" in page and "teach" in page
    token = session_token(client)

    def set_role(user_id, role):
        return client.post(f"/admin/users/{user_id}/role",
                           data={"role": role, "csrf_token": token}).status_code

    assert set_role(seeded.ids["alice"], "instructor") == 302
    assert set_role(root, "student") == 302
    assert set_role(seeded.ids["bora"], "admin") == 302
    assert set_role(999999, "student") == 404
    assert client.post(f"/admin/users/{seeded.ids['dami']}/role",
                       data={"role": "instructor"}).status_code == 400  # no CSRF token
    with app.app_context():
        roles = {u.username: u.role for u in db.session.scalars(db.select(User))}
    assert (roles["alice"], roles["root"], roles["bora"]) == ("instructor", "admin", "student")
    auth.logout()
    auth.login("alice")  # now an instructor: the instructor pages open
    assert client.get("/instructor/").status_code == 200
