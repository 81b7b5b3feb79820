"""Form pieces shared by several areas."""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.utils import unset_value
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from envoycrm.i18n import (
    canonical_timezones,
    format_day,
    language_choices,
    timezone_choices,
)
from envoycrm.idempotency import KEY_PATTERN, new_idempotency_key
from envoycrm.labels import choices

# Plausible dates for anything the bureau records (no year 1 or 9999).
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def strip(value):
    """Field filter: drop surrounding whitespace that people paste by accident."""
    return value.strip() if isinstance(value, str) else value


def plausible_date(form, field):
    """Refuse dates outside the range the programme can have."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            _(
                "Enter a date between %(start)s and %(end)s.",
                start=format_day(EARLIEST_DATE, "long"),
                end=format_day(LATEST_DATE, "long"),
            )
        )


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Form(FlaskForm):
    """The base of every form: refuses control characters in any field.

    No person types NUL or other control characters, and PostgreSQL cannot
    store NUL at all, so they are refused at the field they were sent in,
    whatever else the field checks.
    """

    def validate(self, extra_validators=None) -> bool:
        """Run the fields' validators, then the control-character check."""
        valid = super().validate(extra_validators)
        for field in self:
            raw = field.raw_data or []
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in raw):
                field.errors = [
                    *field.errors,
                    _l("This field contains characters that are not allowed."),
                ]
                valid = False
        return valid


class IdempotentForm(Form):
    """A form that creates something: sent twice, it creates it once.

    The key is new each time the form is shown (``envoycrm/idempotency.py``
    says what the view does with it); the ``idempotency_key`` macro renders it.
    """

    idempotency_key = HiddenField(
        default=new_idempotency_key,
        validators=[
            InputRequired(message=_l("Reload the page and try again.")),
            Regexp(KEY_PATTERN, message=_l("Reload the page and try again.")),
        ],
    )


class TimezoneField(SelectField):
    """A time zone chosen from the list grouped by country, in the reader's
    language (``i18n.timezone_choices``). A legacy zone an account already has
    stays possible; any other value is refused at the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)

    @property
    def choices(self):
        return timezone_choices(self.object_data)

    @choices.setter
    def choices(self, value):
        """The list is always the one of ``timezone_choices``."""

    def pre_validate(self, form):
        if self.data != self.object_data and self.data not in canonical_timezones():
            raise ValidationError(_l("Choose a time zone from the list."))


class VersionField(IntegerField):
    """The version of the row an edit form was loaded at, sent back hidden.

    On a submit it holds only what was sent: never the edited object's own
    version, which would make a form without one pass the stale-edit check.
    """

    widget = HiddenInput()

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Take the object's version to render the form, never for a submit."""
        if formdata is not None:
            data = None
        super().process(formdata, data, extra_filters)

    def _value(self) -> str:
        # The version the form holds now (a refused edit is given the current
        # one), not the text that was sent.
        return "" if self.data is None else str(self.data)


class VersionedForm(Form):
    """A form that edits a row with optimistic locking (``database.py``)."""

    version = VersionField(validators=[Optional(), NumberRange(min=1)])


class PersonFormMixin:
    """The fields every user account has."""

    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        # DataRequired after trimming: a name of only spaces is no name.
        validators=[DataRequired(), Length(max=120)],
    )
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
    )
    locale = SelectField(_l("Language"), choices=language_choices)
    timezone = TimezoneField(_l("Time zone"), default="Asia/Shanghai")


def enum_select(
    label, enum_cls, field_class=SelectField, exclude: tuple = (), **kwargs
) -> SelectField:
    """A select whose data is a member of ``enum_cls``, submitted by name.

    An unknown or ``exclude``d name becomes a field error ("Not a valid
    choice"), not a crash.
    """

    def coerce(value):
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls[value]
        except KeyError as exc:
            raise ValueError(str(value)) from exc

    return field_class(
        label, choices=lambda: choices(enum_cls, exclude), coerce=coerce, **kwargs
    )
