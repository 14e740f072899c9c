"""Steps other areas add to logging in and signing up, so accounts never import them.

The classes area adds its invite links (docklab.classes.invites): the log-in and sign-up pages
say which class the `next` link invites to, and a fresh session joins that class before it goes
on. A hook is registered once per process, when its module is imported.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import User

# next_url -> what the page names as the reason to log in (anything with a `name`), or None
InvitationLookup = Callable[[str | None], Any]
# (user, next_url) -> where to go instead of `next_url`, or None to leave it
AfterLogIn = Callable[[User, str | None], str | None]

_invitations: list[InvitationLookup] = []
_after_log_in: list[AfterLogIn] = []


def invitation_lookup(hook: InvitationLookup) -> InvitationLookup:
    if hook not in _invitations:
        _invitations.append(hook)
    return hook


def after_log_in(hook: AfterLogIn) -> AfterLogIn:
    if hook not in _after_log_in:
        _after_log_in.append(hook)
    return hook


def invitation(next_url: str | None) -> Any:
    """What `next_url` invites to, for the log-in and sign-up pages (None: no invitation)."""
    for hook in _invitations:
        found = hook(next_url)
        if found is not None:
            return found
    return None


def destination_after_log_in(user: User, next_url: str | None) -> str | None:
    """Run the after-log-in steps in order until one names the page to go to."""
    for hook in _after_log_in:
        target = hook(user, next_url)
        if target is not None:
            return target
    return None
