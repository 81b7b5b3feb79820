"""Forms for envoys and employer staff."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from envoycrm.forms import (
    IdempotentForm,
    PersonFormMixin,
    VersionedForm,
    coerce_id,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.models import DegreeLevel, EnvoyStatus
from envoycrm.students.names import has_hanzi


class EnvoyForm(PersonFormMixin, VersionedForm):
    """Create or edit an envoy and their profile."""

    name_hanzi = StringField(
        _l("Name in Chinese characters"),
        description=_l("For example 陈静, where the envoy has one"),
        filters=[strip, lambda value: value or None],
        validators=[Optional(), Length(max=60), single_line],
    )

    university_id = SelectField(
        _l("University"), coerce=coerce_id, validators=[InputRequired()]
    )
    programme = StringField(
        _l("Programme"),
        filters=[strip],
        # DataRequired after trimming: only spaces is no programme.
        validators=[DataRequired(), Length(max=200), single_line],
    )
    degree = enum_select(_l("Degree"), DegreeLevel)
    expected_graduation = DateField(
        _l("Expected graduation"), validators=[Optional(), plausible_date]
    )
    recruited_on = DateField(
        _l("Recruited on"), validators=[InputRequired(), plausible_date]
    )
    status = enum_select(_l("Status"), EnvoyStatus)
    submit = SubmitField(_l("Save envoy"))

    def validate_name_hanzi(self, field):
        """The Chinese form must contain Chinese characters."""
        if field.data and not has_hanzi(field.data):
            raise ValidationError(_l("Use Chinese characters here."))


class EmployerUserForm(PersonFormMixin, VersionedForm):
    """Create or edit a member of an employer's staff."""

    employer_id = SelectField(
        _l("Employer"), coerce=coerce_id, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Save employer user"))


class NewEnvoyForm(IdempotentForm, EnvoyForm):
    """A new envoy: sent twice, created and invited once."""


class NewEmployerUserForm(IdempotentForm, EmployerUserForm):
    """A new employer user: sent twice, created and invited once."""
