"""Invite links through log-in and sign-up: a visitor who opened /classes/join/<code> while
logged out is sent to log in (or sign up) with that link as `next`; the log-in or sign-up POST
(CSRF-protected, so it is the visitor's own choice) then joins the class for them. Both steps
are added to the accounts area through docklab.auth.hooks (accounts do not know classes)."""
from __future__ import annotations

import re

from flask import flash, url_for
from flask_babel import gettext as _

from ..auth import hooks
from ..models import Role, User
from . import services
from .models import Classroom

INVITE_PATH = re.compile(r"^/classes/join/(?P<code>[A-Za-z0-9\- ]{1,32})/?$")


def invite_code(next_url: str | None) -> str | None:
    """The join code when `next_url` is an invite link of this site, else None."""
    match = INVITE_PATH.match(next_url or "")
    return match.group("code") if match else None


@hooks.invitation_lookup
def invited_class(next_url: str | None) -> Classroom | None:
    """The class an invite link in `next` leads to (the page says why it asks to log in)."""
    code = invite_code(next_url)
    return services.find_by_code(code) if code else None


@hooks.after_log_in
def join_from_next(user: User, next_url: str | None) -> str | None:
    """Join the class `next_url` invites to when `user` is a student; returns where to go next
    (the class to-do page), or None when `next_url` is no invite or the user is no student (the
    invite page then explains)."""
    code = invite_code(next_url)
    if code is None or user.role != Role.STUDENT.value:
        return None
    classroom = services.find_by_code(code)
    if classroom is None:
        return None
    joined = services.join(classroom, user)
    flash(_("You joined %(name)s.", name=classroom.name) if joined
          else _("You are already in %(name)s.", name=classroom.name), "success")
    return url_for("classes.todo")
