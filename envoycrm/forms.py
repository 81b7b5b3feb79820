"""Form pieces shared by several areas."""

import re
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
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
from wtforms.widgets import HiddenInput, Select

from envoycrm.i18n import format_day, language_choices
from envoycrm.idempotency import KEY_PATTERN, new_idempotency_key
from envoycrm.labels import choices
from envoycrm.params import MAX_ID, parse_id
from envoycrm.pickers import TimezoneField

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


# Years of birth a student of the programme can have.
EARLIEST_BIRTH_YEAR = 1940
LATEST_BIRTH_YEAR = 2015


def birth_year_field() -> BoundedIntegerField:
    """An optional year of birth (a year alone: enough for age limits)."""
    return BoundedIntegerField(
        _l("Year of birth"),
        validators=[
            Optional(),
            NumberRange(
                min=EARLIEST_BIRTH_YEAR,
                max=LATEST_BIRTH_YEAR,
                message=_l(
                    "Enter a year from %(start)s to %(end)s.",
                    start=EARLIEST_BIRTH_YEAR,
                    end=LATEST_BIRTH_YEAR,
                ),
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


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


class QuickSelect(Select):
    """WTForms' select, each plain option written directly.

    The same HTML as WTForms writes (``<option selected value="…">``), without
    its general attribute writer per option: a picker of 150 envoys is drawn
    on every pipeline list.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        shape = SELECTED_OPTION if choice.selected else OPTION
        return shape.format(value, choice.label or choice.value)


OPTION = Markup('<option value="{}">{}</option>')  # format() escapes both
SELECTED_OPTION = Markup('<option selected value="{}">{}</option>')
QUICK_SELECT = QuickSelect()
PLAIN_SELECT = SelectField.widget


class Form(FlaskForm):
    """The base of every form: refuses control characters in any field.

    No person types NUL or other control characters, and PostgreSQL cannot
    store NUL at all, so they are refused at the field they were sent in,
    whatever else the field checks. Plain selects are drawn by ``QuickSelect``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if getattr(field, "widget", None) is PLAIN_SELECT:
                field.widget = QUICK_SELECT

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
        _l("Key of this form"),
        default=new_idempotency_key,
        validators=[
            InputRequired(message=_l("Reload the page and try again.")),
            single_line,
            Regexp(KEY_PATTERN, message=_l("Reload the page and try again.")),
        ],
    )


class VersionField(BoundedIntegerField):
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

    version = VersionField(
        _l("Version of the record"), validators=[Optional(), NumberRange(min=1)]
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
    timezone = TimezoneField(
        _l("Time zone"), validators=[single_line], default="Asia/Shanghai"
    )


def enum_select(
    label,
    enum_cls,
    field_class=SelectField,
    exclude: tuple = (),
    required=None,
    prompt=None,
    **kwargs,
) -> SelectField:
    """A select whose data is a member of ``enum_cls``, submitted by name.

    An unknown or ``exclude``d name becomes a field error ("Not a valid
    choice"), not a crash. ``prompt`` adds an empty first option, so nothing
    is chosen until the user chooses (no silent default); ``required`` is
    then the message at the field when nothing was chosen.
    """

    def coerce(value):
        if isinstance(value, enum_cls):
            return value
        if value in ("", None) and (prompt or required):
            return None
        try:
            return enum_cls[value]
        except KeyError as exc:
            raise ValueError(str(value)) from exc

    def options() -> list[SelectChoice]:
        listed = choices(enum_cls, exclude)
        return [SelectChoice("", str(prompt)), *listed] if prompt else listed

    if required:
        kwargs["validators"] = [
            *kwargs.get("validators", ()),
            InputRequired(message=required),
        ]
        field_class = _answered_first(field_class)
    return field_class(label, choices=options, coerce=coerce, **kwargs)


@lru_cache(maxsize=None)
def _answered_first(field_class: type) -> type:
    """``field_class`` whose unanswered state is told by ``InputRequired``'s own
    message ("Choose …"), not by "Not a valid choice"."""

    class Answered(field_class):
        def pre_validate(self, form):
            if self.data is None and not any(self.raw_data or ()):
                return
            super().pre_validate(form)

    # Templates tell fields apart by ``field.type``, the class name: keep it.
    Answered.__name__ = field_class.__name__
    return Answered
