"""The one answer to an edit that lost to another save (see ``database.py``)."""

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from envoycrm.extensions import db


def refuse_stale_edit(
    form: Any, model: type, row_id: int, render: Callable[[Any], str]
) -> tuple[str, int]:
    """The form again over the row as it is now saved, with status 409.

    The failed save is rolled back and the row reloaded. The form keeps what
    the user typed, says above it why nothing was saved, and takes the current
    version, so saving again overwrites knowingly. ``render(current)`` renders
    the page or fragment (showing ``current`` as the saved values).
    """
    db.session.rollback()
    current: Any = db.get_or_404(model, row_id)
    form.form_errors.append(
        _(
            "Someone else saved this record while you were editing. "
            "Your changes are not saved; compare them with the current "
            "values below and save again."
        )
    )
    form.version.data = current.version
    return render(current), 409
