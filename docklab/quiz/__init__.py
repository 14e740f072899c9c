"""Concept quizzes: the notes as a page, quizzes by section or mixed, spaced repetition.

The notes and the question bank come from the content store (docklab/library.py), which the app
loads and checks once at start; `flask content validate` comes from cli.py.
"""
from flask import Blueprint, session
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry, add

# cli_group=None: the `content` command group sits at the top level (`flask content validate`).
bp = Blueprint("quiz", __name__, template_folder="templates", cli_group=None)

add(NavEntry("quiz.notes", _l("Notes"), _l("The Docker study notes, section by section."),
             order=20))
add(NavEntry("quiz.index", _l("Quizzes"),
             _l("Practise each section of the notes, with explanations and spaced repetition."),
             order=21))
add(NavEntry("quiz.progress", _l("My progress"),
             _l("Mastery per section, today's reviews and your test results."),
             visible=lambda user: user.is_authenticated, order=40))

# Shown (menu and home tile) to a learner who practised before logging in, until they decide.
add(NavEntry("quiz.save_answers", _l("Save my answers"),
             _l("Keep the answers you gave before logging in."),
             visible=lambda user: user.is_authenticated and bool(session.get("anon_answers")),
             order=5))


from . import routes  # noqa: E402,F401  (registers the views on bp)
from .cli import content_cli  # noqa: E402
from .services import mark_section_due  # noqa: E402,F401

bp.cli.add_command(content_cli)
