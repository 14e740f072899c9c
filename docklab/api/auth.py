"""Bearer-token authentication for the JSON API."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import g, request

from ..errors import ApiError
from ..extensions import db
from ..models import ApiToken, User, utcnow


def token_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    token = ApiToken.find_active(value.strip())
    if token is None:
        return None
    _note_use(token)
    return token.user


# "Last used" is shown to the nearest minute; writing it on every call would double the writes of
# every API request (a burst of answers is mostly those).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _note_use(token: ApiToken) -> None:
    now, last = utcnow(), token.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    token.last_used_at = now
    db.session.commit()


def token_required(*roles: str):
    """Require a valid token (and one of `roles`, when given); the user is `g.api_user`.
    The roles are kept on the view for the OpenAPI document (401, and 403 when roles)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = token_user()
            if user is None:
                raise ApiError(401, "unauthorized", "unauthorized")
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", "forbidden")
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.__token_roles__ = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
