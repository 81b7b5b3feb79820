"""Forms of the personal-data area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.fields import RadioField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from envoycrm.forms import Form, enum_select, single_line, strip
from envoycrm.models import DataRequestKind


class DataRequestForm(Form):
    """A student asks for a copy of their data or for its erasure."""

    kind = enum_select(
        _l("What do you ask for?"), DataRequestKind, field_class=RadioField
    )
    email = EmailField(
        _l("Your email address"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
        description=_l("The address you gave to our envoy. We answer there."),
    )
    message = TextAreaField(
        _l("Anything we should know (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[single_line])
    submit = SubmitField(_l("Send my request"))


class ConfirmForm(Form):
    """A destructive action that needs a ticked confirmation."""

    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Erase"))
