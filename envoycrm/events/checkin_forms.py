"""Forms of the door: a walk-in, logged like the students' quick log; the
host cancelling a registration."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import InputRequired

from envoycrm.forms import BoundedIntegerField, Form, IdempotentForm
from envoycrm.students.forms import (
    NewStudentConsentMixin,
    StudentFieldsMixin,
    optional_text,
)


class WalkInForm(StudentFieldsMixin, NewStudentConsentMixin, IdempotentForm):
    """Someone at the door who did not register: the quick log's fields.

    The meeting is the event itself, so the form asks for no date or kind.
    """

    how_met = optional_text(_l("Where you met"), 500)
    submit = SubmitField(_l("Add and check in"))


class CancelRegistrantForm(Form):
    """The registration the host cancels: the id its row's button sends."""

    registration_id = BoundedIntegerField(
        _l("Registration"),
        validators=[InputRequired(message=_l("Choose a registration to cancel."))],
    )
