"""Form pieces shared by several areas."""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from envoycrm.i18n import format_day, is_valid_timezone, language_choices
from envoycrm.labels import choices
from envoycrm.params import MAX_ID, parse_id

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


class BoundedIntegerField(IntegerField):
    """An integer field whose number fits the database's INTEGER column.

    A number past ±``MAX_ID`` is refused at the field while the form is read,
    before any validator or query sees it (PostgreSQL cannot store it and
    SQLite cannot bind it). Every whole-number field of every form is one of
    these; its own ``NumberRange`` then says what the field really accepts.
    """

    def process_formdata(self, valuelist):
        """Parse as ``IntegerField`` does, then refuse numbers out of range."""
        super().process_formdata(valuelist)
        number = getattr(self, "data", None)
        if isinstance(number, int) and abs(number) > MAX_ID:
            self.data = None
            raise ValueError(_l("This number is too large."))


def coerce_id(value) -> int:
    """The ``coerce`` of a select of rows: a row id (1 to ``MAX_ID``).

    Anything else raises ``ValueError``, which the select turns into an error
    at the field, so no view ever looks up a number the database cannot hold.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value if 1 <= value <= MAX_ID else None
    else:
        number = parse_id(str(value))
    if number is None:
        raise ValueError(str(value))
    return number


def coerce_optional_id(value) -> int | None:
    """``coerce_id``, with the empty choice ("") meaning None."""
    return None if value in ("", None) else coerce_id(value)


# Line breaks (CR, LF, NEL, U+2028, U+2029), tabs and every C0 or C1 control.
NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(form, field):
    """Refuse line breaks and control characters in a one-line field.

    Names, titles and the like are shown on one line, in lists, mail
    subjects and the text part of digests; a line break inside one would
    start lines its writer never wrote there. Every field that is not a
    text area has this validator.
    """
    if isinstance(field.data, str) and NOT_ONE_LINE.search(field.data):
        raise ValidationError(
            _l("Keep this on one line, without line breaks or control characters.")
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


class VersionedForm(Form):
    """A form that edits a row with optimistic locking."""

    version = BoundedIntegerField(
        _l("Version of the record"),
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(min=1)],
    )


class PersonFormMixin:
    """The fields every user account has."""

    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        # DataRequired after trimming: a name of only spaces is no name.
        validators=[DataRequired(), Length(max=120), single_line],
    )
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
    )
    locale = SelectField(_l("Language"), choices=language_choices)
    timezone = StringField(
        _l("Time zone"),
        default="Asia/Shanghai",
        filters=[strip],
        validators=[InputRequired(), Length(max=64), single_line],
        description=_l("An IANA zone, for example Europe/London or Asia/Shanghai."),
    )

    def validate_timezone(self, field):
        """Only real IANA zones are accepted."""
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Enter a time zone such as Europe/London."))


def enum_select(label, enum_cls, field_class=SelectField, **kwargs) -> SelectField:
    """A select whose data is a member of ``enum_cls``, submitted by name.

    An unknown name becomes a field error ("Not a valid choice"), not a crash.
    """

    def coerce(value):
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls[value]
        except KeyError as exc:
            raise ValueError(str(value)) from exc

    return field_class(
        label, choices=lambda: choices(enum_cls), coerce=coerce, **kwargs
    )
