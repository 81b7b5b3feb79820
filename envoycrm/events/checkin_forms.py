"""Forms of the door: a walk-in, logged like the students' quick log."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from envoycrm.forms import IdempotentForm
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
