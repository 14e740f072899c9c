from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9_.\-가-힣]+$",
    message=_l("Use letters, digits, Korean, '.', '_' or '-' only."),
)
# `alice.` or `_alice` would read like `alice` on a roster.
USERNAME_ENDS_RULE = Regexp(
    r"^[A-Za-z0-9가-힣](.*[A-Za-z0-9가-힣])?$",
    message=_l("A username must start and end with a letter, a digit or Korean."),
)


# Shown under every new-password field before anything is submitted.
PASSWORD_RULES = _l("At least 8 characters.")
USERNAME_RULES = _l("3 to 32 letters, digits or Korean; '.', '_' and '-' inside the name.")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=32), USERNAME_RULE, USERNAME_ENDS_RULE],
        description=USERNAME_RULES,
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=256)],
                             description=PASSWORD_RULES,
                             render_kw={"autocomplete": "new-password", "minlength": 8})
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=256)],
        description=PASSWORD_RULES, render_kw={"autocomplete": "new-password", "minlength": 8},
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    revoke_tokens = BooleanField(_l("Also revoke all my API tokens"), default=True)


class SetPasswordForm(FlaskForm):
    """Staff set a new password for someone else (no current password: they do not know it)."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=256)],
        description=PASSWORD_RULES, render_kw={"autocomplete": "new-password", "minlength": 8},
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[Length(max=64)])
