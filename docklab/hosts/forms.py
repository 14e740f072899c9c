from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LocalHostForm(FlaskForm):
    name = StringField(_l("Name"), default="local", validators=[Optional(), Length(max=80)])


class TlsHostForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    url = StringField(_l("Address (tcp://HOST:PORT)"), validators=[DataRequired(), Length(max=300)],
                      render_kw={"placeholder": "tcp://192.168.99.100:2376", "inputmode": "url",
                                 "autocomplete": "off"})
    ca = FileField("ca.pem")
    cert = FileField("cert.pem")
    key = FileField("key.pem")
    make_default = BooleanField(_l("Use as my default host"))


class SshHostForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    url = StringField(_l("Address (ssh://USER@HOST:PORT)"),
                      validators=[DataRequired(), Length(max=300)],
                      render_kw={"placeholder": "ssh://learner@192.168.56.10:22",
                                 "inputmode": "url", "autocomplete": "off"})
    make_default = BooleanField(_l("Use as my default host"))


class OtherHostForm(FlaskForm):
    """A unix socket an admin allowed, or plain tcp:// where the server allows it."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    url = StringField(_l("Address (unix:///path or tcp://HOST:PORT)"),
                      validators=[DataRequired(), Length(max=300)])
    make_default = BooleanField(_l("Use as my default host"))


class RuleForm(FlaskForm):
    entry = StringField(_l("Network, host name or socket"),
                        validators=[DataRequired(), Length(max=255)],
                        render_kw={"placeholder": "10.0.0.0/8 · *.school.example · unix:///run/docker.sock"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
