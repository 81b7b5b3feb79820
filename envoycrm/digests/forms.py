"""Forms of the digest pages."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from envoycrm.forms import Form, single_line, strip
from envoycrm.params import parse_id
from envoycrm.pickers import SearchableChoiceField

from .periods import BadPeriod, monday_of

_EMAIL_IN_BRACKETS = re.compile(r"<([^<>]+)>\s*$")


def _valid_week(form, field) -> None:
    """An ISO week such as 2026-W48."""
    try:
        monday_of(field.data or "")
    except BadPeriod as exc:
        raise ValidationError(_l("Enter a week such as 2026-W48.")) from exc


class RecipientField(SearchableChoiceField):
    """Anyone who could receive a digest: "Li Ming <li@example.org>", typed or
    picked. A user number (from a link) or a bare email address names one too."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label, validators, message=_l("Choose a recipient from the list."), **kwargs
        )

    def resolve(self, text: str):
        number = parse_id(text)
        if number is not None:
            return number if any(e.data == number for e in self.entries()) else None
        email = _EMAIL_IN_BRACKETS.search(text)
        wanted = self.key(email[1] if email else text)
        for entry in self.entries():
            if wanted == self.key(entry.text.rpartition("<")[2].rstrip(">")):
                return entry.data
        return super().resolve(text)


class DigestChoiceForm(Form):
    """Whose digest (its kind follows from their role), for which week."""

    class Meta:
        # A GET form: the preview has a shareable URL and changes nothing.
        csrf = False

    recipient = RecipientField(
        _l("Recipient"),
        validators=[InputRequired(), single_line],
        description=_l("Type a name or an email address and pick from the list."),
    )
    week = StringField(
        _l("Week"),
        filters=[strip],
        validators=[InputRequired(), single_line, _valid_week],
        description=_l("An ISO week, for example 2026-W48."),
    )
    submit = SubmitField(_l("Preview"))


class SendNowForm(Form):
    """Send one digest now (hidden copies of the preview's choices)."""

    recipient = HiddenField(_l("Recipient"), validators=[single_line])
    week = HiddenField(_l("Week"), validators=[single_line])
    submit = SubmitField(_l("Send now"))


class RowActionForm(Form):
    """A CSRF-protected button (retry a failed digest)."""

    submit = SubmitField(_l("Retry"))


class RetryFailedForm(Form):
    """Retry every failed digest of a week (the outbox page's button)."""

    week = HiddenField(
        _l("Week"), validators=[InputRequired(), single_line, _valid_week]
    )
    submit = SubmitField(_l("Retry every failed digest of this week"))


class UnsubscribeForm(Form):
    """The confirmation button on the unsubscribe page (no sign-in)."""

    class Meta:
        # The signed token in the URL is the authority here; RFC 8058 clients
        # post without any token of ours.
        csrf = False

    submit = SubmitField(_l("Unsubscribe"))
