"""The app as gunicorn serves it (app.py), with a terminal resolver for the gunicorn test:
DOCKLAB_TEST_TERMINAL="engine_url container" gives every learner that container."""
import os

from app import app
from docklab.sandboxes import terminal

_engine, _, _container = os.environ.get("DOCKLAB_TEST_TERMINAL", "").partition(" ")


def _everyone_shares_one(user_id: int):
    return terminal.TerminalTarget(_engine, _container) if _container else None


terminal.init_app(app, _everyone_shares_one)
