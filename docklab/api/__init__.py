"""JSON API v1: token-authenticated (Authorization: Bearer <token>), no cookies, so no CSRF.
Each area adds its endpoints in its own module here, each declared with `@contract` (its body
and answers as pydantic models, contract.py); the OpenAPI document is built from those, and
every error is formatted by one handler (errors.py)."""
from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from . import classes as classes_api  # noqa: E402,F401
from . import errors as errors_api  # noqa: E402,F401
from . import hosts as hosts_api  # noqa: E402,F401
from . import labs as labs_api  # noqa: E402,F401
from . import me  # noqa: E402,F401
from . import openapi as openapi_api  # noqa: E402,F401
from . import own_machine as own_machine_api  # noqa: E402,F401
from . import quizzes as quizzes_api  # noqa: E402,F401
from . import sandbox as sandbox_api  # noqa: E402,F401
