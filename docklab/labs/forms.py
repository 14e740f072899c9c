"""The Check form: which of the learner's hosts to check on (the local engine when none)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class CheckForm(FlaskForm):
    # Choices are the learner's hosts (set by the view); an empty value means "default, else the
    # local engine". Ownership is checked by services.run_check (others' hosts are 404).
    host = SelectField(_l("Docker host"), choices=[], validate_choice=False)
