"""Instructors' pages: their classes' settings, the progress board, lab funnels, question
statistics, CSV exports, new passwords for learners, and the admin's user page. Classes
themselves (models, joining, assignments, progress) live in docklab.classes."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

bp = Blueprint("instructor", __name__, template_folder="templates")

add(NavEntry("instructor.index", _l("Manage classes"),
             _l("Your classes: progress board, lab funnels, question statistics, CSV export."),
             visible=lambda user: user.is_authenticated and user.is_instructor, order=60))
add(NavEntry("instructor.admin_users", _l("Manage users"),
             _l("Make accounts instructors or students."),
             visible=lambda user: user.is_authenticated and user.is_admin, order=70))


from . import routes  # noqa: E402,F401  (registers the views on bp)
