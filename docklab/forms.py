"""Forms every area shares."""
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """POST-only buttons (log out, revoke, make default, leave a class, answer a question whose
    fields are read per question type): the CSRF token and nothing else."""
