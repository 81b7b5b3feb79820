"""Forms of the talent fair: an employer's registration, a booth meeting."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from envoycrm.forms import (
    Form,
    IdempotentForm,
    coerce_id,
    enum_select,
    single_line,
    strip,
)
from envoycrm.models import InterestLevel
from envoycrm.students.forms import MultiCheckboxField

NO_OPENING = ""


def coerce_optional_id(value) -> int | None:
    """A row id, or None for "no opening"."""
    if value in (NO_OPENING, None):
        return None
    return coerce_id(value)


class FairRegistrationForm(IdempotentForm):
    """An employer's request to take part in the fair."""

    openings = MultiCheckboxField(_l("Openings you bring"), coerce=coerce_id)
    staff = TextAreaField(
        _l("Booth staff"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description=_l("One name a line; you are on the list already."),
    )
    note = TextAreaField(
        _l("Note to the bureau"), filters=[strip], validators=[Length(max=2000)]
    )
    submit = SubmitField(_l("Ask to take part"))

    def validate_staff(self, field):
        """Names fit the list: at most 20, each of one line and 120 characters."""
        names = [n.strip() for n in (field.data or "").splitlines() if n.strip()]
        if len(names) > 20 or any(len(n) > 120 for n in names):
            raise ValidationError(_l("Name at most 20 people, one a line."))


class FairDecisionForm(Form):
    """Approve or reject an employer's request."""

    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("reject", _l("Reject")),
        ],
    )


class BoothMeetingForm(Form):
    """A student met at the booth: how interested, and in which opening."""

    interest = enum_select(
        _l("Interest"),
        InterestLevel,
        field_class=RadioField,
        required=_l("Choose the interest level."),
    )
    opening_id = SelectField(
        _l("Opening"), coerce=coerce_optional_id, validators=[Optional()]
    )
    submit = SubmitField(_l("Save"))


class BoothCodeForm(BoothMeetingForm):
    """A student met at the booth who gave their booth code, not their name."""

    code = StringField(
        _l("Booth code"),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Type the code the student gave you.")),
            Length(max=20),
            single_line,
        ],
        description=_l("Eight letters and digits, such as ABCD-EFGH."),
    )


class WishesForm(Form):
    """The employers a registered student wants to meet at the fair."""

    employers = MultiCheckboxField(_l("Employers you want to meet"), coerce=coerce_id)
    submit = SubmitField(_l("Save my choices"))
