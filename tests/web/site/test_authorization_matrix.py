"""Who may reach what: every route of the URL map, for every kind of visitor.

The table below must name every (endpoint, method) the app serves: a new route without an entry
fails `test_every_route_has_an_entry`, so nobody adds a page without deciding who may see it.
Objects (a host, an attempt, a quiz run, a token, a class) belong to `owner` / `teacher`; the
matrix checks that everyone else is refused (401/403/404, or sent to log in) and, for reads,
that the rightful user gets the page. CSRF is off here so the access rules themselves are tested
(CSRF has its own tests).
"""
from __future__ import annotations

import pytest

from docklab.classes import services as classes
from docklab.extensions import db
from docklab.hosts.models import AllowedHostRule, LearnerHost
from docklab.labs.models import LabAttempt
from docklab.models import ApiToken, User, utcnow
from docklab.quiz.models import QuizRun
from tests.support.webapp import PASSWORD, create_user, make_app

ACTORS = ("anonymous", "owner", "other_student", "teacher", "other_teacher", "admin")
REFUSED = {401, 403, 404}

# Who may use each route. Rules:
#   public     anyone (reads give 200)
#   login      any logged-in user; anonymous is sent to log in (302) or gets 401 (API)
#   owner      only the owner of the object in the URL (others get 403/404)
#   student    logged-in students (instructors are refused or redirected)
#   staff      instructors and admins; "teacher_of" only the class's own instructor (and admin)
#   admin      admins only
RULES: dict[tuple[str, str], str] = {
    ("main.index", "GET"): "public", ("main.healthz", "GET"): "public",
    ("main.set_language", "GET"): "public",
    ("auth.login", "GET"): "public", ("auth.login", "POST"): "public",
    ("auth.register", "GET"): "public", ("auth.register", "POST"): "public",
    ("auth.logout", "POST"): "login", ("auth.account", "GET"): "login",
    ("auth.account", "POST"): "login", ("auth.create_token", "POST"): "login",
    ("auth.revoke_token", "POST"): "owner",
    ("quiz.index", "GET"): "public", ("quiz.notes", "GET"): "public",
    ("quiz.section", "GET"): "public", ("quiz.start", "POST"): "public",
    ("quiz.run", "GET"): "owner", ("quiz.answer", "POST"): "owner",
    ("quiz.feedback", "GET"): "owner", ("quiz.result", "GET"): "owner",
    ("quiz.retry", "POST"): "owner",
    ("quiz.due", "GET"): "login", ("quiz.progress", "GET"): "login",
    ("quiz.save_answers", "GET"): "login", ("quiz.save_answers", "POST"): "login",
    ("quiz.settings", "POST"): "login",
    ("labs.index", "GET"): "public", ("labs.lab", "GET"): "public",
    ("labs.check", "POST"): "login", ("labs.progress", "GET"): "login",
    ("labs.attempt", "GET"): "owner",
    ("hosts.index", "GET"): "login", ("hosts.add_local", "POST"): "login",
    ("hosts.add_other", "POST"): "login", ("hosts.add_ssh", "POST"): "login",
    ("hosts.add_tls", "POST"): "login", ("hosts.regenerate_key", "POST"): "login",
    ("hosts.test_local", "POST"): "login",
    ("hosts.delete", "POST"): "owner", ("hosts.make_default", "POST"): "owner",
    ("hosts.test", "POST"): "owner",
    ("hosts.allowed", "GET"): "admin", ("hosts.allowed", "POST"): "admin",
    ("hosts.delete_rule", "POST"): "admin",
    ("classes.join", "GET"): "login", ("classes.join", "POST"): "login",
    ("classes.invite", "GET"): "login", ("classes.leave", "POST"): "login",
    ("classes.todo", "GET"): "login",
    ("instructor.index", "GET"): "staff", ("instructor.index", "POST"): "staff",
    ("instructor.board", "GET"): "teacher_of", ("instructor.settings", "GET"): "teacher_of",
    ("instructor.settings", "POST"): "teacher_of", ("instructor.lab", "GET"): "teacher_of",
    ("instructor.questions", "GET"): "teacher_of", ("instructor.student", "GET"): "teacher_of",
    ("instructor.export_grid", "GET"): "teacher_of",
    ("instructor.export_attempts", "GET"): "teacher_of",
    ("instructor.export_answers", "GET"): "teacher_of",
    ("instructor.rotate_code", "POST"): "teacher_of",
    ("instructor.remove_student", "POST"): "teacher_of",
    # a new password for a student of the class (admins: anyone); the owner is the teacher's student
    ("instructor.set_password", "GET"): "teacher_of",
    ("instructor.set_password", "POST"): "teacher_of",
    ("instructor.admin_users", "GET"): "admin", ("instructor.admin_set_role", "POST"): "admin",
    # JSON API: a bearer token, never a cookie
    ("api.me", "GET"): "login", ("api.my_progress", "GET"): "login",
    ("api.list_quizzes", "GET"): "login", ("api.get_question", "GET"): "login",
    ("api.answer_question", "POST"): "login", ("api.list_labs", "GET"): "login",
    ("api.check_lab", "POST"): "login",
    # the retired self-report path reads and stores nothing: 410 for everyone
    # (tests/web/labs/test_labs_selfreport.py), pointing to the own-machine plan and upload below
    ("api.self_report_retired", "POST"): "public",
    ("api.list_hosts", "GET"): "login", ("api.register_host", "POST"): "login",
    ("api.get_attempt", "GET"): "owner", ("api.delete_host", "DELETE"): "owner",
    ("api.test_host", "POST"): "owner",
    ("api.list_classes", "GET"): "login", ("api.join_class", "POST"): "login",
    ("api.create_class", "POST"): "staff", ("api.class_progress", "GET"): "teacher_of",
    ("api.openapi", "GET"): "public",
    # Sandboxes: each learner reaches only their own (the session's user), admins see all.
    ("sandboxes.state", "GET"): "login", ("sandboxes.start", "POST"): "login",
    ("sandboxes.reset", "POST"): "login", ("sandboxes.port", "GET"): "login",
    ("sandboxes.port", "POST"): "login", ("sandboxes.terminal", "GET"): "login",
    ("sandboxes.terminal_page", "GET"): "login", ("sandboxes.vendor", "GET"): "public",
    ("sandboxes.admin", "GET"): "admin", ("sandboxes.admin_stop", "POST"): "admin",
    ("api.start_sandbox", "PUT"): "login", ("api.sandbox_status", "GET"): "login",
    ("api.wipe_sandbox", "DELETE"): "login", ("api.exec_in_sandbox", "POST"): "login",
    # Own-machine check: a logged-in learner gets a line; the line's single-use code is itself
    # the credential of its plan and upload (tests/web/labs/test_own_machine_errors.py: another
    # learner's token with it is refused), and the script is public text to read.
    ("labs.own_machine_command", "POST"): "login", ("api.own_machine_code", "POST"): "login",
    ("labs.own_machine_script", "GET"): "public", ("labs.own_machine_code_script", "GET"): "public",
    ("api.own_machine_plan", "GET"): "public", ("api.own_machine_upload", "POST"): "public",
}

# A read whose rightful answer is not 200 in this world (where nobody has a sandbox).
EXPECTED_READS = {
    "main.set_language": (302,),  # goes back
    "quiz.run": (302,),  # a finished run shows its result
    "sandboxes.port": (404,),  # no running sandbox, so no port to open
    "api.sandbox_status": (404,),  # "you have no sandbox yet"
    "sandboxes.terminal": (400,),  # a WebSocket, not a page
    "labs.own_machine_code_script": (404,),  # no own-machine code in this world
    "api.own_machine_plan": (404,),
}


@pytest.fixture
def world(database_url, tmp_path):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, DOCKLAB_LOCAL_ENGINE=False,
                   DOCKLAB_CHECK_LIMIT=1000)
    app.instance_path = str(tmp_path / "instance")
    ids = {name: create_user(app, name, role) for name, role in (
        ("owner", "student"), ("other_student", "student"), ("teacher", "instructor"),
        ("other_teacher", "instructor"), ("admin", "admin"))}
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        host = LearnerHost(user_id=ids["owner"], name="mine", kind="tcp",
                           url="tcp://192.0.2.1:2376")
        attempt = LabAttempt(user_id=ids["owner"], lab_id="nginx-port", status="failed",
                             score=1, max_score=4, checks=[])
        run = QuizRun(user_id=ids["owner"], kind="mixed", question_ids=["client-what"],
                      given=["api-caller"], results=[True], position=1, correct_count=1,
                      finished_at=utcnow())
        token, _plain = ApiToken.issue(users["owner"], name="x")
        rule = AllowedHostRule(kind="network", value="192.0.2.0/24")
        db.session.add_all([host, attempt, run, rule])
        db.session.commit()
        classroom = classes.create_class(users["teacher"], "도커 1반")
        classes.join(classroom, users["owner"])
        tokens = {}
        for name, user in users.items():
            _token, tokens[name] = ApiToken.issue(user, name="matrix")
        db.session.commit()
        values = {"host_id": host.id, "attempt_id": attempt.id, "run_id": run.id, "index": 0,
                  "token_id": token.id, "class_id": classroom.id, "user_id": ids["owner"],
                  "rule_id": rule.id, "lab_id": "nginx-port", "question_id": "client-what",
                  "anchor": "docker는-무엇인가", "code": classroom.join_code, "port": 8080,
                  "path": "index.html", "name": "xterm.js"}
    return app, values, tokens


def url_for_rule(rule, values: dict) -> str:
    path = rule.rule
    for argument in rule.arguments:
        value = values["code" if rule.endpoint == "main.set_language" else argument]
        if rule.endpoint == "main.set_language":
            value = "en"
        path = path.replace(f"<int:{argument}>", str(value)).replace(f"<{argument}>", str(value))
    return path


def request(app, tokens, actor: str, method: str, path: str):
    client = app.test_client()
    headers = {}
    if path.startswith("/api/"):
        if actor != "anonymous":
            headers["Authorization"] = f"Bearer {tokens[actor]}"
    elif actor != "anonymous":
        response = client.post("/login", data={"username": actor, "password": PASSWORD})
        assert response.status_code == 302, f"{actor} could not log in"
    body = {"json": {}} if path.startswith("/api/") and method != "GET" else {}
    return client.open(path, method=method, headers=headers, **body)


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_entry(world):
    app, _values, _tokens = world
    served = {(rule.endpoint, method) for rule, method in routes(app)}
    assert served - set(RULES) == set(), "routes without an access rule"
    assert set(RULES) - served == set(), "rules for routes that no longer exist"


def allowed(rule_name: str, actor: str) -> bool:
    return {
        "public": True,
        "login": actor != "anonymous",
        "owner": actor == "owner",
        "staff": actor in ("teacher", "other_teacher", "admin"),
        "teacher_of": actor in ("teacher", "admin"),
        "admin": actor == "admin",
    }[rule_name]


def refused(response, path: str) -> bool:
    if response.status_code in REFUSED:
        return True
    # The terminal's WebSocket: a plain request never matches it (the router answers 400); its
    # handshake's own refusals (401, 403) are tested in tests/web/terminal/test_terminal.py.
    if path == "/sandbox/terminal" and response.status_code == 400:
        return True
    # Web pages send anonymous visitors (and the wrong role) to log in or away, never show them.
    return (not path.startswith("/api/") and response.status_code == 302
            and "/login" in response.headers.get("Location", ""))


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "owner"])
def test_nobody_reaches_what_is_not_theirs(world, actor):
    app, values, tokens = world
    leaks = []
    for rule, method in routes(app):
        access = RULES[(rule.endpoint, method)]
        if allowed(access, actor):
            continue
        path = url_for_rule(rule, values)
        response = request(app, tokens, actor, method, path)
        if not refused(response, path):
            leaks.append(f"{actor} {method} {path} -> {response.status_code}")
    assert leaks == []


def test_the_rightful_user_can_read_their_pages(world):
    app, values, tokens = world
    failures = []
    for rule, method in routes(app):
        if method != "GET":
            continue
        access = RULES[(rule.endpoint, method)]
        actor = {"owner": "owner", "teacher_of": "teacher", "staff": "teacher",
                 "admin": "admin", "login": "owner", "public": "anonymous"}[access]
        path = url_for_rule(rule, values)
        response = request(app, tokens, actor, method, path)
        expected = EXPECTED_READS.get(rule.endpoint, (200,))
        if response.status_code not in expected:
            failures.append(f"{actor} GET {path} -> {response.status_code}")
    assert failures == [], "\n".join(failures)
