from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=120)])


class PolicyForm(FlaskForm):
    networks = TextAreaField(
        _l("Allowed networks (one CIDR per line, e.g. 10.20.0.0/16)"),
        validators=[Length(max=4000)])
    hostnames = TextAreaField(
        _l("Allowed host names (one per line; *.example.org matches sub-domains)"),
        validators=[Length(max=4000)])


class SelfReportForm(FlaskForm):
    count = BooleanField(_l("Count self-reported passes as passed in this class"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice("student", _l("student")),
                                            SelectChoice("instructor", _l("instructor"))])
