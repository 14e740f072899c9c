"""Classes: who teaches them, who is in them, what they assign, which Docker hosts their learners
may use, and the class progress both sides read (board rows, to-do lists). The students' pages
(join with a code or an invite link, see what is assigned) are here; the instructor's pages are
in docklab.instructor."""
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

# models: the tables exist whenever the app does; invites: adds its steps to logging in;
# routes: registers the views on bp
from ..hosts import services as hosts  # noqa: E402
from . import invites, models, routes, services  # noqa: E402,F401

# A learner's Docker hosts may also use what their classes allow (the class's share of the SSRF
# guard; the rules themselves are docklab.hosts.policy's).
hosts.add_entry_source(services.host_entries_for)
