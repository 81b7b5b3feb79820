"""The development mailbox: mail caught in the instance folder, readable in the app.

Registered only when ``MAIL_BACKEND`` is ``file`` (``make run``), and answers
only requests from this machine.
"""

from flask import Blueprint

bp = Blueprint("devmail", __name__)

from envoycrm.devmail import routes  # noqa: E402, F401
