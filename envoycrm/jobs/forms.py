"""Forms of the jobs area: openings, employers, rejections and public replies."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    VersionedForm,
    coerce_id,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.i18n import language_choices
from envoycrm.jobs.services import HEADCOUNT_MAX, SALARY_CEILING, SALARY_FLOOR
from envoycrm.models import EmployerKind, FieldOfStudy, Sector
from envoycrm.models.users import DegreeLevel
from envoycrm.students.forms import (
    UNLISTED_UNIVERSITY,
    StudiesMixin,
    phone_field,
    wechat_field,
)

# A tag-like "<x", "</x" or "<!": markup has no place in these fields.
MARKUP = re.compile(r"<\s*[A-Za-z/!?]")
TITLE_MAX, DESCRIPTION_MAX = 200, 5000


def no_markup(form, field):
    """Refuse HTML or script markup (it would be shown as text anyway)."""
    if isinstance(field.data, str) and MARKUP.search(field.data):
        raise ValidationError(_l("Remove the angle-bracket markup; use plain text."))


def text(label, max_length, required=False, area=False, **kwargs):
    """A trimmed text field with a size limit that refuses markup.

    A text area may span lines; any other text field is one line.
    """
    first = InputRequired() if required else Optional()
    validators = [first, Length(max=max_length), no_markup]
    if area:
        return TextAreaField(label, filters=[strip], validators=validators, **kwargs)
    return StringField(
        label, filters=[strip], validators=[*validators, single_line], **kwargs
    )


def salary(label):
    """A yearly salary in CNY within the plausible bounds."""
    return BoundedIntegerField(
        label,
        validators=[
            InputRequired(),
            NumberRange(
                min=SALARY_FLOOR,
                max=SALARY_CEILING,
                message=_l(
                    "Enter a yearly amount between %(min)s and %(max)s yuan.",
                    min="30,000",
                    max="3,000,000",
                ),
            ),
        ],
    )


class OpeningForm(VersionedForm):
    """Create or edit a job opening, in Chinese and English."""

    employer_id = SelectField(_l("Employer"), coerce=coerce_id, validators=[Optional()])
    title_en = text(_l("Title in English"), TITLE_MAX, required=True)
    title_zh = text(_l("Title in Chinese"), TITLE_MAX, required=True)
    description_en = text(_l("Description in English"), DESCRIPTION_MAX, area=True)
    description_zh = text(_l("Description in Chinese"), DESCRIPTION_MAX, area=True)
    sector = enum_select(_l("Sector"), Sector)
    field = enum_select(_l("Field of study"), FieldOfStudy)
    min_degree = enum_select(_l("Minimum degree"), DegreeLevel)
    salary_min = salary(_l("Salary from (CNY per year)"))
    salary_max = salary(_l("Salary up to (CNY per year)"))
    headcount = BoundedIntegerField(
        _l("Headcount"),
        default=1,
        validators=[
            InputRequired(),
            NumberRange(
                min=1,
                max=HEADCOUNT_MAX,
                message=_l("Enter a number of people between 1 and 1,000."),
            ),
        ],
    )
    location = text(
        _l("Location in English"), 120, description=_l("For example Qingdao, Laoshan")
    )
    location_zh = text(
        _l("Location in Chinese"), 120, description=_l("For example 青岛市崂山区")
    )
    deadline = DateField(_l("Deadline"), validators=[InputRequired(), plausible_date])
    submit = SubmitField(_l("Save opening"))

    def __init__(self, *args, creating: bool = True, previous_deadline=None, **kw):
        super().__init__(*args, **kw)
        self.creating = creating
        self.previous_deadline = previous_deadline

    def validate_salary_max(self, field):
        """The top of the range must not be below its bottom."""
        low = self.salary_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(
                _l("The top of the range must be at least the bottom.")
            )

    def validate_deadline(self, field):
        """A new deadline must not lie in the past."""
        if field.data is None:
            return
        if field.data < date.today() and (
            self.creating or field.data != self.previous_deadline
        ):
            raise ValidationError(_l("Choose a deadline today or later."))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: a description in at least one language."""
        valid = super().validate(extra_validators)
        if not (self.description_en.data or self.description_zh.data):
            self.description_en.errors = [
                *self.description_en.errors,
                _l("Describe the job in English, Chinese or both."),
            ]
            valid = False
        return valid


class RejectForm(Form):
    """Send an opening back to its employer, saying why."""

    reason = text(_l("Reason"), 500, required=True, area=True)
    submit = SubmitField(_l("Send back to the employer"))


class PushToStudentForm(IdempotentForm):
    """Send a pushed opening to one of the envoy's students, on their timeline.

    The view fills ``student_id``'s choices with the envoy's own students, so
    any other id is refused at the field.
    """

    student_id = SelectField(
        _l("Student"),
        coerce=coerce_id,
        validators=[InputRequired(message=_l("Choose one of your students."))],
    )
    note = text(_l("Note for the timeline"), 500, area=True)
    submit = SubmitField(_l("Record on the student's timeline"))


class HeldReplyForm(Form):
    """The student's envoy confirms or dismisses a held referral reply."""

    decision = RadioField(
        _l("Is this your student replying?"),
        choices=[
            SelectChoice(
                "confirm", _l("Yes: record the interest, credited to the link")
            ),
            SelectChoice("dismiss", _l("No: dismiss the reply and record nothing")),
        ],
        validators=[InputRequired(message=_l("Choose confirm or dismiss."))],
    )
    submit = SubmitField(_l("Save the decision"))


class EmployerForm(VersionedForm):
    """Create or edit an employer organisation (coordinators)."""

    name_en = text(_l("Name in English"), 200, required=True)
    name_zh = text(_l("Name in Chinese"), 200, required=True)
    kind = enum_select(_l("Kind"), EmployerKind)
    industry = StringField(
        _l("Industry"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            InputRequired(),
            Length(max=60),
            single_line,
            Regexp(
                r"^[a-z0-9_]+$",
                message=_l("Use lower-case letters, digits and _ only."),
            ),
        ],
        description=_l("A short key, for example marine_materials"),
    )
    contact_name = text(_l("Contact person"), 120)
    contact_email = EmailField(
        _l("Contact email"),
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254), single_line],
    )
    contact_phone = phone_field(
        _l("Contact phone"), _l("Enter a phone number, e.g. +86 532 8000 1000.")
    )
    digest_subscribed = BooleanField(_l("Sends the weekly digest"), default=True)
    locale = SelectField(_l("Language of emails"), choices=language_choices)
    submit = SubmitField(_l("Save employer"))


class NewOpeningForm(IdempotentForm, OpeningForm):
    """A new opening: sent twice, posted once."""


class NewEmployerForm(IdempotentForm, EmployerForm):
    """A new employer organisation: sent twice, added once."""


class PublicContactMixin:
    """Who a member of the public is and their consent, on a public form.

    ``website`` is a honeypot: a field people never see, which bots fill.
    """

    name = text(_l("Your name"), 120, required=True)
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
    )
    wechat_id = wechat_field()
    consent = BooleanField(
        _l("I agree"),
        validators=[
            InputRequired(message=_l("Tick this box to send your details to us."))
        ],
    )
    website = StringField(_l("Leave this empty"), validators=[Optional(), single_line])


class ReplyForm(StudiesMixin, PublicContactMixin, Form):
    """The public "I'm interested" form behind a referral link."""

    university_typed = text(
        _l("Your university, if it is not in the list"),
        200,
        description=_l("Choose “Not in the list” above, then type its name here."),
    )
    programme = text(_l("Programme"), 200)
    share_with_employers = BooleanField(
        _l("Employers in the city may also see my profile (never my contact details)")
    )
    submit = SubmitField(_l("I'm interested"))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: a university not on the list is named.

        Not an inline validator: ``Optional`` stops the chain of an empty field.
        """
        valid = super().validate(extra_validators)
        typed = self.university_typed
        if self.university_id.data == UNLISTED_UNIVERSITY and not typed.data:
            typed.errors = [*typed.errors, _l("Type the name of your university.")]
            valid = False
        return valid
