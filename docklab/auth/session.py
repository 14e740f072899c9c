"""How a session cookie maps back to a user."""
from __future__ import annotations

from ..extensions import db
from ..models import User


def load_user(user_id: str) -> User | None:
    # The id carries the user's session epoch, so a password change ends older sessions.
    ident, _, epoch = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or str(user.session_epoch or 0) != (epoch or "0"):
        return None
    return user
