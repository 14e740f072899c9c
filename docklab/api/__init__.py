"""JSON API v1: token-authenticated (Authorization: Bearer <token>), no cookies, so no CSRF.
Each area adds its endpoints in its own module here."""
from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from . import classes as classes_api  # noqa: E402,F401
from . import labs as labs_api  # noqa: E402,F401
from . import me  # noqa: E402,F401
from . import openapi as openapi_api  # noqa: E402,F401
from . import own_machine as own_machine_api  # noqa: E402,F401
from . import quizzes as quizzes_api  # noqa: E402,F401
from . import sandbox as sandbox_api  # noqa: E402,F401
