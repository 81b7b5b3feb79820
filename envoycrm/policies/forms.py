"""Forms of the policies area: a policy's version, questions and the checker."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    URL,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    VersionedForm,
    birth_year_field,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.jobs.forms import PublicContactMixin, text
from envoycrm.labels import choices
from envoycrm.models import AmountKind, CityTie, FieldOfStudy, PolicyCategory
from envoycrm.models.users import DegreeLevel
from envoycrm.policies.questions import QUESTION_MAX
from envoycrm.students.forms import DegreeMixin, MultiCheckboxField

# The largest sum any city policy pays (CNY); a typo past it is refused.
AMOUNT_MAX = 50_000_000


def cny_sum(label):
    """An optional sum in CNY."""
    return BoundedIntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=AMOUNT_MAX,
                message=_l("Enter a sum between 0 and 50,000,000 yuan."),
            ),
        ],
    )


def whole_years(label, top=60):
    """An optional whole number of years (or an age)."""
    return BoundedIntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=top,
                message=_l("Enter a number from 0 to %(top)s.", top=top),
            ),
        ],
    )


class PolicyForm(VersionedForm):
    """A policy's version: texts, sums, validity and eligibility."""

    category = enum_select(_l("Category"), PolicyCategory)
    title_en = text(_l("Title in English"), 200, required=True)
    title_zh = text(_l("Title in Chinese"), 200, required=True)
    summary_en = text(_l("Summary in English"), 500, area=True)
    summary_zh = text(_l("Summary in Chinese"), 500, area=True)
    body_en = text(_l("Full text in English"), 20000, area=True)
    body_zh = text(_l("Full text in Chinese"), 20000, area=True)
    issuing_body_en = text(_l("Issuing body in English"), 200)
    issuing_body_zh = text(_l("Issuing body in Chinese"), 200)
    source_url = StringField(
        _l("Official source (link)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=500),
            single_line,
            URL(require_tld=True, message=_l("Enter a full link, https://…")),
        ],
    )
    amount_kind = enum_select(_l("How it pays"), AmountKind)
    amount = cny_sum(_l("Sum (CNY), once or per month"))
    months = whole_years(_l("For how many months"), top=120)
    amount_min = cny_sum(_l("Range from (CNY)"))
    amount_max = cny_sum(_l("Range up to (CNY)"))
    valid_from = DateField(
        _l("Valid from"), validators=[InputRequired(), plausible_date]
    )
    valid_to = DateField(_l("Valid until"), validators=[Optional(), plausible_date])
    min_degree = enum_select(_l("Minimum degree"), DegreeLevel, prompt=_l("Any degree"))
    fields_of_study = MultiCheckboxField(
        _l("Fields of study (none ticked: any field)"),
        choices=lambda: choices(FieldOfStudy),
        validate_choice=True,
    )
    max_age = whole_years(_l("Maximum age when applying"), top=80)
    max_years_since_graduation = whole_years(
        _l("At most this many years since graduation")
    )
    returned_within_years = whole_years(
        _l("Returned from abroad within this many years")
    )
    city_tie = enum_select(_l("Must work or found a company in the city"), CityTie)
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the sums the chosen way of paying needs."""
        valid = super().validate(extra_validators)
        kind = self.amount_kind.data
        needed = {
            AmountKind.ONE_OFF: (self.amount,),
            AmountKind.MONTHLY: (self.amount, self.months),
            AmountKind.RANGE: (self.amount_min, self.amount_max),
        }.get(kind, ())
        for field in needed:
            if field.data is None and not field.errors:
                field.errors = [*field.errors, _l("Enter this for the way it pays.")]
                valid = False
        low, high = self.amount_min.data, self.amount_max.data
        if kind is AmountKind.RANGE and low is not None and high is not None:
            if high < low:
                self.amount_max.errors = [
                    *self.amount_max.errors,
                    _l("The top of the range must be at least the bottom."),
                ]
                valid = False
        start, end = self.valid_from.data, self.valid_to.data
        if start and end and end < start and not self.valid_to.errors:
            self.valid_to.errors = [
                *self.valid_to.errors,
                _l("The end must not be before the start."),
            ]
            valid = False
        return valid

    def version_data(self) -> dict:
        """The values of a version, without the sums the chosen way ignores."""
        data = {name: field.data for name, field in self._fields.items()}
        data["fields"] = data.pop("fields_of_study") or []
        kind = data["amount_kind"]
        if kind is not AmountKind.RANGE:
            data["amount_min"] = data["amount_max"] = None
        if kind not in (AmountKind.ONE_OFF, AmountKind.MONTHLY):
            data["amount"] = None
        if kind is not AmountKind.MONTHLY:
            data["months"] = None
        return data


class NewPolicyForm(IdempotentForm, PolicyForm):
    """A new policy: sent twice, made once."""


PLANS = [
    SelectChoice("work", _l("Work for an employer in the city")),
    SelectChoice("found", _l("Found a company in the city")),
    SelectChoice("both", _l("Either")),
    SelectChoice("unsure", _l("Not sure yet")),
]


class CheckerForm(DegreeMixin, Form):
    """The public checker: five short questions, stored nowhere."""

    class Meta:
        csrf = False  # a GET form that stores nothing

    # Optional: many policies have an age limit, which is asked when unknown.
    birth_year = birth_year_field()
    plan = SelectField(_l("In the city you plan to"), choices=PLANS, default="unsure")
    submit = SubmitField(_l("Show what may apply"))


class QuestionForm(DegreeMixin, PublicContactMixin, Form):
    """Ask the envoy a question about a policy, leaving contact details."""

    question = text(_l("Your question"), QUESTION_MAX, required=True, area=True)
    birth_year = birth_year_field()
    submit = SubmitField(_l("Ask"))
