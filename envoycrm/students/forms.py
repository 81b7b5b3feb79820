"""Forms of the envoy workspace."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    MonthField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
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
from wtforms.widgets import CheckboxInput, ListWidget

from envoycrm.extensions import db
from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    VersionedForm,
    birth_year_field,
    coerce_id,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.i18n import language_choices
from envoycrm.labels import choices
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    FieldOfStudy,
    IntentionLevel,
    InteractionKind,
    Role,
    Sector,
    Stage,
    User,
)
from envoycrm.models.users import DegreeLevel, person_name
from envoycrm.params import MAX_ID
from envoycrm.students.names import has_hanzi

# Salary expectations the bureau considers plausible, CNY per year.
SALARY_MIN, SALARY_MAX = 30_000, 3_000_000
WECHAT_ID = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{3,39}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,38}$")
TAG = re.compile(r"^[\w\-]{1,40}$")


def phone_field(label, message) -> TelField:
    """An optional phone number; ``type=tel`` and ``inputmode=tel`` bring up
    a phone's number pad wherever the field is shown."""
    return TelField(
        label,
        filters=[strip],
        validators=[Optional(), single_line, Regexp(PHONE, message=message)],
        render_kw={"inputmode": "tel"},
    )


def wechat_field() -> StringField:
    """An optional WeChat ID, checked for WeChat's own rules."""
    return StringField(
        _l("WeChat ID"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=40),
            single_line,
            Regexp(
                WECHAT_ID,
                message=_l(
                    "A WeChat ID starts with a letter and has 4 to 40 letters, "
                    "digits, - or _."
                ),
            ),
        ],
    )


def optional_text(label, max_length, **kwargs) -> StringField:
    """A trimmed, optional text field with a length limit."""
    return StringField(
        label,
        filters=[strip],
        validators=[Optional(), Length(max=max_length), single_line],
        **kwargs,
    )


# The university choice meaning "not on the list": a public reply then types
# the name; a student's edit form offers it only while a typed one is unmapped.
UNLISTED_UNIVERSITY = 0

# What an unanswered consent says at its field, wherever consent is recorded.
CONSENT_ASKED = _l("Ask the student which consent they give.")
CONSENT_HOW = _l("Say how the student gave their consent.")


def coerce_university(value) -> int:
    """A university's id, or ``UNLISTED_UNIVERSITY`` for one not on the list."""
    if value == UNLISTED_UNIVERSITY or value == str(UNLISTED_UNIVERSITY):
        return UNLISTED_UNIVERSITY
    return coerce_id(value)


# Made before the fields below, so a form lists the university first.
_UNIVERSITY = SelectField(
    _l("University"), coerce=coerce_university, validators=[InputRequired()]
)


class DegreeMixin:
    """What a student studies and when they graduate (a public form may ask
    only this, with no university)."""

    field = enum_select(
        _l("Field of study"),
        FieldOfStudy,
        prompt=_l("— choose —"),
        required=_l("Choose the field of study."),
    )
    degree = enum_select(
        _l("Degree"),
        DegreeLevel,
        prompt=_l("— choose —"),
        required=_l("Choose the degree."),
    )
    expected_graduation = MonthField(
        _l("Expected graduation"), validators=[Optional(), plausible_date]
    )


class StudiesMixin(DegreeMixin):
    """Where and what a student studies: every form that takes a student."""

    university_id = _UNIVERSITY


class StudentFieldsMixin(StudiesMixin):
    """The profile fields shared by the quick log and the edit form."""

    name_latin = optional_text(
        _l("Name in Latin letters"), 120, description=_l("For example Wang Wei")
    )
    name_hanzi = optional_text(
        _l("Name in Chinese characters"), 60, description=_l("For example 王伟")
    )
    programme = optional_text(_l("Programme"), 200)
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254), single_line],
    )
    wechat_id = wechat_field()
    phone = phone_field(_l("Phone"), _l("Enter a phone number, e.g. +44 7700 900123."))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: at least one form of the name."""
        # A mixin: the form class after it in the MRO has ``validate``.
        valid = super().validate(extra_validators)  # type: ignore[misc]
        if not (self.name_latin.data or self.name_hanzi.data):
            self.name_latin.errors = [
                *self.name_latin.errors,
                _l("Enter the name in Latin letters, Chinese characters or both."),
            ]
            valid = False
        return valid

    def validate_name_hanzi(self, field):
        """The Chinese form must contain Chinese characters."""
        if field.data and not has_hanzi(field.data):
            raise ValidationError(_l("Use Chinese characters here."))


# Touchpoints the app records itself: an opening sent from the push page.
NOT_CHOSEN = (InteractionKind.PUSH, InteractionKind.EVENT_INVITATION)


class NewStudentConsentMixin:
    """The consent a new student gives: the quick log's and a walk-in's."""

    consent_scope = enum_select(
        _l("Consent"),
        ConsentScope,
        field_class=RadioField,
        required=CONSENT_ASKED,
        description=_l("What the student agreed to after reading the privacy notice."),
    )
    consent_method = enum_select(
        _l("Consent given"),
        ConsentMethod,
        field_class=RadioField,
        required=CONSENT_HOW,
    )
    notice_language = SelectField(
        _l("Privacy notice shown in"), choices=language_choices
    )


class QuickLogForm(StudentFieldsMixin, NewStudentConsentMixin, IdempotentForm):
    """A new student and the first meeting, in one form and one submit."""

    met_kind = enum_select(_l("How you met"), InteractionKind, exclude=NOT_CHOSEN)
    met_on = DateField(_l("Met on"), validators=[InputRequired(), plausible_date])
    notes = TextAreaField(
        _l("Notes on the meeting"),
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
    )
    how_met = optional_text(
        _l("Where you met"), 500, description=_l("e.g. CSSA welcome evening")
    )
    submit = SubmitField(_l("Save student and meeting"))


class StudentEditForm(StudentFieldsMixin, VersionedForm):
    """Edit a student's profile; refuses a stale version."""

    how_met = optional_text(_l("Where you met"), 500)
    birth_year = birth_year_field()
    follow_up_on = DateField(
        _l("Follow up on"), validators=[Optional(), plausible_date]
    )
    submit = SubmitField(_l("Save changes"))


class InteractionForm(IdempotentForm):
    """A meeting, chat, call, email or event note."""

    kind = enum_select(_l("Kind"), InteractionKind, exclude=NOT_CHOSEN)
    occurred_on = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    notes = TextAreaField(
        _l("Notes"), filters=[strip], validators=[DataRequired(), Length(max=4000)]
    )
    submit = SubmitField(_l("Add to timeline"))


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes with one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntentionForm(IdempotentForm):
    """A new dated statement of intention."""

    level = enum_select(_l("Intention to work in the city"), IntentionLevel)
    target_sectors = MultiCheckboxField(
        _l("Target sectors"), choices=lambda: choices(Sector)
    )
    preferred_roles = optional_text(_l("Preferred roles"), 300)
    earliest_start = MonthField(
        _l("Earliest start"), validators=[Optional(), plausible_date]
    )
    salary_expectation = BoundedIntegerField(
        _l("Salary expectation (CNY per year)"),
        validators=[
            Optional(),
            NumberRange(
                min=SALARY_MIN,
                max=SALARY_MAX,
                message=_l(
                    "Enter a yearly amount between %(min)s and %(max)s yuan.",
                    min="30,000",
                    max="3,000,000",
                ),
            ),
        ],
    )
    startup_interest = BooleanField(_l("Interested in founding a start-up"))
    notes = TextAreaField(
        _l("Notes"), filters=[strip], validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField(_l("Record intention"))


class ConsentForm(IdempotentForm):
    """Record (or renew) consent."""

    scope = enum_select(
        _l("Consent"),
        ConsentScope,
        field_class=RadioField,
        required=CONSENT_ASKED,
    )
    method = enum_select(
        _l("Consent given"),
        ConsentMethod,
        field_class=RadioField,
        required=CONSENT_HOW,
    )
    notice_language = SelectField(
        _l("Privacy notice shown in"), choices=language_choices
    )
    submit = SubmitField(_l("Record consent"))


class StageForm(Form):
    """Move a student to another stage."""

    stage = enum_select(_l("Stage"), Stage)
    reason = optional_text(_l("Reason (needed when closing)"), 300)
    submit = SubmitField(_l("Move"))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: closing a student needs a reason."""
        valid = super().validate(extra_validators)
        if self.stage.data is Stage.CLOSED and not self.reason.data:
            self.reason.errors = [
                *self.reason.errors,
                _l("Say why the student is closed."),
            ]
            valid = False
        return valid


class TagForm(Form):
    """Add a tag."""

    tag = StringField(
        _l("Tag"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            InputRequired(),
            single_line,
            Regexp(TAG, message=_l("Use up to 40 letters, digits, - or _.")),
        ],
    )
    submit = SubmitField(_l("Add tag"))


class ReassignForm(Form):
    """Give a student to another envoy."""

    owner_id = SelectField(_l("Envoy"), coerce=coerce_id, validators=[InputRequired()])
    submit = SubmitField(_l("Reassign"))


class MergeForm(Form):
    """Merge another student record into this one."""

    other_id = BoundedIntegerField(
        _l("Student number to merge into this one"),
        # Bounded: a number past the database's integer range is refused here.
        validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)],
    )
    submit = SubmitField(_l("Merge"))


def envoy_choices() -> list[SelectChoice]:
    """Active envoys as form choices, for reassigning students."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.name_hanzi)
        .where(User.role == Role.ENVOY, User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    return [
        SelectChoice(row.id, person_name(row.full_name, row.name_hanzi)) for row in rows
    ]
