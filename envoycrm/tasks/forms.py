"""Forms of the task list."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from envoycrm.forms import Form


class TaskDoneForm(Form):
    """Mark a task done (the CSRF token is the only field)."""

    submit = SubmitField(_l("Mark done"))
