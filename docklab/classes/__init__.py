"""Students' side of classes: join with a code or an invite link, see what is assigned."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

bp = Blueprint("classes", __name__, template_folder="templates", url_prefix="/classes")

add(NavEntry("classes.join", _l("Join a class"),
             _l("Enter the join code from your instructor; see what your classes assign."),
             visible=lambda user: user.is_authenticated and user.role == "student", order=45))
add(NavEntry("classes.todo", _l("My to-do"),
             _l("Your classes' assignments: done or not, best score, due dates."),
             visible=lambda user: user.is_authenticated and user.role == "student", order=44))

from . import routes  # noqa: E402,F401
