"""Learners' Docker hosts (local engine, tcp:// with TLS, ssh://) and the admin's allow-list.

The SSRF guard lives in policy.py; secrets are encrypted by docklab.crypto."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

bp = Blueprint("hosts", __name__, template_folder="templates", cli_group="hosts")

add(NavEntry("hosts.index", _l("My Docker hosts"),
             _l("Register the Docker hosts your labs are graded on, and test the connection."),
             visible=lambda user: user.is_authenticated, order=31))
add(NavEntry("hosts.allowed", _l("Allowed hosts"),
             _l("Which networks and host names learners may register (SSRF guard)."),
             visible=lambda user: user.is_authenticated and user.is_admin, order=75))

from . import cli, models, routes  # noqa: E402,F401
