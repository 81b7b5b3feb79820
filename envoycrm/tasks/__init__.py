"""Tasks: the follow-ups the system and people give envoys and coordinators.

Tasks are made by other areas (a data request, an employer's interest, a held
referral reply, a quick log's duplicate flag); this area lists them and marks
them done. One blueprint, ``tasks``, mounted at ``/tasks``.
"""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from envoycrm.tasks import routes  # noqa: E402, F401
