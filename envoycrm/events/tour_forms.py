"""The coordinators' form for moving study-tour applications on."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectMultipleField
from wtforms.validators import DataRequired, ValidationError

from envoycrm.events.tours import parse_versions
from envoycrm.forms import Form
from envoycrm.labels import label
from envoycrm.models import TourStatus


def _versions_valid(form, field) -> None:
    if parse_versions(field.data or []) is None:
        raise ValidationError(
            _l("The selection names an application that does not exist; reload.")
        )


class TourMoveForm(Form):
    """Move the ticked applications, each at the version the page showed."""

    to = RadioField(
        _l("Move to"),
        choices=[
            SelectChoice(status.name, label(status))
            for status in (
                TourStatus.SELECTED,
                TourStatus.NOT_SELECTED,
                TourStatus.ATTENDED,
                TourStatus.APPLIED,
            )
        ],
        validators=[DataRequired(message=_l("Choose where to move them."))],
    )
    applications = SelectMultipleField(
        _l("Applications"),
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Tick at least one application.")),
            _versions_valid,
        ],
    )

    def target(self) -> TourStatus:
        """The status chosen (after validation)."""
        return TourStatus[self.to.data]
