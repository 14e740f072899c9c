"""External labs (DOCKLAB_LABS_DIR, content without notes) may have no note section: the list and
the lab page show none, and a failed check stores the attempt without bringing back any
questions (there is no section to bring back)."""
from __future__ import annotations

from pathlib import Path

from docklab.extensions import db
from docklab.quiz.services import due_queue
from tests.support.webapp import AuthActions, create_user, csrf_token, make_app

VALID = Path(__file__).resolve().parents[2] / "grader" / "fixtures" / "valid.yaml"


def test_a_lab_without_section_is_listed_graded_and_stored(database_url, tmp_path, docker_engine,
                                                           lab_images):
    labs = tmp_path / "course" / "labs"
    labs.mkdir(parents=True)
    (labs / "own-lab.yaml").write_text(
        VALID.read_text().replace("id: valid", "id: own-lab").replace("section: 실습\n", ""),
        encoding="utf-8")
    app = make_app(database_url, DOCKLAB_LABS_DIR=str(labs),
                   DOCKLAB_LOCAL_ENGINE_URL=docker_engine.base_url)
    app.instance_path = str(tmp_path / "instance")
    try:
        client = app.test_client()
        user_id = create_user(app, "mina")
        AuthActions(client).login("mina")
        listing = client.get("/labs").get_data(as_text=True)
        assert "own-lab" in listing and "None" not in listing
        page = client.get("/labs/own-lab").get_data(as_text=True)
        assert 'data-testid="note-link"' not in page
        with app.app_context():
            due_before = len(due_queue(user_id))
        # No `mydb` container on the engine: the lab fails, and nothing breaks for lack of a
        # section.
        answer = client.post("/labs/own-lab/check",
                             data={"csrf_token": csrf_token(client, "/labs/own-lab"), "host": ""},
                             headers={"Accept": "application/json"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["status"] == "failed"
        with app.app_context():
            assert len(due_queue(user_id)) == due_before
    finally:
        with app.app_context():
            db.engine.dispose()
