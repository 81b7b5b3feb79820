"""Forms for personal settings and the language switch."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from envoycrm.forms import Form, TimezoneField, single_line
from envoycrm.i18n import language_choices


class LanguageForm(Form):
    """The language switch in the page header."""

    language = SelectField(
        _l("Language"), choices=language_choices, validators=[InputRequired()]
    )
    next = HiddenField()
    submit = SubmitField(_l("Switch"))


class SettingsForm(Form):
    """A user's own language and time zone."""

    locale = SelectField(_l("Language"), choices=language_choices)
    timezone = TimezoneField(_l("Time zone"), validators=[single_line])
    digest_subscribed = BooleanField(
        _l("Email me the weekly digest"),
        description=_l("Sent on Monday mornings in your time zone."),
    )
    submit = SubmitField(_l("Save settings"))


class SignOutEverywhereForm(Form):
    """End every session of the user, on every device (needs a ticked box)."""

    confirm = BooleanField(
        _l("Yes, sign me out on every device, this one included."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Sign out everywhere"))
