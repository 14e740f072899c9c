"""Replicas starting together all run `flask setup` on one empty database: every one succeeds,
the schema is migrated once and there is exactly one first instructor."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.webapp import BACKEND

REPO = Path(__file__).resolve().parents[3]
REPLICAS = 4


@pytest.fixture
def empty_database_url(request, tmp_path):
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = f"empty_{uuid.uuid4().hex[:12]}"
        server.execute(f"CREATE DATABASE {name}")
        yield server.url(name)
        server.execute(f"DROP DATABASE {name} WITH (FORCE)")
        return
    yield f"sqlite:///{tmp_path / 'docklab.sqlite3'}"


def test_replicas_running_setup_at_once_make_one_schema_and_one_instructor(
        empty_database_url, tmp_path):
    env = dict(os.environ, DATABASE_URL=empty_database_url, DOCKLAB_SECRET_KEY="replica-secret",
               DOCKLAB_INSTANCE_PATH=str(tmp_path / "instance"))
    flask = str(Path(sys.executable).parent / "flask")
    replicas = [subprocess.Popen([flask, "--app", "app", "setup"], cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(REPLICAS)]
    outputs = [replica.communicate(timeout=120) for replica in replicas]
    for replica, (_out, err) in zip(replicas, outputs, strict=True):
        assert replica.returncode == 0, err[-2000:]
    announced = sum(out.count("password: ") for out, _ in outputs)
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        staff = connection.execute(text(
            "SELECT count(*) FROM users WHERE role IN ('instructor', 'admin')")).scalar_one()
        version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert staff == 1 and announced == 1
    assert len(version) == 1
