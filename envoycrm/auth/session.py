"""Loading the signed-in user from the session."""

from envoycrm.extensions import db
from envoycrm.models import User


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: ``<id>:<session token>``; a rotated token signs out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user
