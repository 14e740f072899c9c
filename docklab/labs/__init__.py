"""Labs in the browser: the lab pages, "Check" against the learner's host, every attempt kept,
progress with best/latest per lab and a timeline. Hosts live in docklab.hosts; the labs themselves
in the content store (docklab/library.py, read through catalog.py)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

bp = Blueprint("labs", __name__, template_folder="templates")

add(NavEntry("labs.index", _l("Labs"),
             _l("Hands-on Docker labs, checked on your own Docker host."), order=30))
add(NavEntry("labs.progress", _l("Lab progress"),
             _l("Best and latest result per lab, and every attempt in time order."),
             visible=lambda user: user.is_authenticated, order=41))


from ..sandboxes.cli import prepare_images_command  # noqa: E402
from . import models, own_machine_routes, routes  # noqa: E402,F401

bp.cli.add_command(prepare_images_command)  # flask labs prepare-images
