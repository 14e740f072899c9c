"""Sandboxes: every learner's own Docker engine on the server (a rootless dockerd per learner),
a terminal to it in the lab page, and the local registry the sandboxes pull images through.

- `driver.py`: what a sandbox driver does (start, stop, wipe, exec, the socket for the grader);
- `local.py`: the driver for one machine: one Unix user and rootless engine per sandbox;
- `registry.py`, `images.py`: the local registry and the images every lab needs;
- `terminal.py`: the browser terminal (xterm.js over a WebSocket) into the learner's workstation.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

bp = Blueprint("sandboxes", __name__, template_folder="templates", cli_group="sandboxes")

add(NavEntry("sandboxes.admin", _l("Sandboxes"),
             _l("Every learner's sandbox: state, what it uses; stop one."),
             visible=lambda user: user.is_authenticated and user.is_admin, order=76))

# cli: flask sandboxes ...; flask labs prepare-images. terminal, routes: their views go on bp.
from . import cli, models, routes, terminal  # noqa: E402,F401
