"""Who may reach which route, and which rows they may see.

Every view declares its audience with one of the decorators below. A
``before_request`` hook enforces the declaration, and refuses any endpoint
that declares nothing, so a route added without a permission check fails
closed (and fails the URL-map test).

Row-level scoping lives in one place too: the rules are the table in
``scopes.py``, ``scoped(Model)`` returns a query restricted to what the
current user may see, and ``get_scoped_or_404`` turns
an out-of-scope row into a 404 rather than a 403, so no one learns that a
record they may not see exists.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, select

from envoycrm import scopes
from envoycrm.extensions import db, login_manager
from envoycrm.models import Role, User

F = TypeVar("F", bound=Callable)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# Flashed by Flask-Login, translated through its ``localize_callback``.
LOGIN_MESSAGE = N_("Please sign in to see this page.")

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: F) -> F:
    """Mark a view as open to everyone, signed in or not."""
    view._access = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Mark a view as open to any signed-in user."""
    view._access = SIGNED_IN  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    """Mark a view as open to users holding one of ``allowed``.

    Admins pass wherever coordinators do (``User.has_role``).
    """

    def decorate(view: F) -> F:
        view._access = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def staff(view: F) -> F:
    """Mark a view as open to coordinators and admins."""
    return roles(Role.COORDINATOR)(view)


def access_of(endpoint: str | None):
    """The access declaration of ``endpoint``'s view, or None if it has none."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def enforce_access():
    """``before_request`` hook: apply the current endpoint's declaration."""
    if request.endpoint is None:
        return None  # 404/405 answered by routing
    access = access_of(request.endpoint)
    if access is None:
        current_app.logger.error("endpoint %s declares no access", request.endpoint)
        abort(403)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if access == SIGNED_IN or current_user.has_role(*access):
        return None
    abort(403)


# --- row-level scoping ---------------------------------------------------

M = TypeVar("M")


def scope_condition(model: type, user: User):
    """The SQL condition limiting ``model`` to ``user``, from ``scopes.RULES``."""
    try:
        rule = scopes.RULES[model]
    except KeyError:
        raise LookupError(f"no row-level rule for {model.__name__}") from None
    return rule(user)


def scoped(model: type[M], user: User | None = None) -> Select:
    """``select(model)`` limited to rows ``user`` (default: current) may see."""
    user = user if user is not None else current_user
    return select(model).where(scope_condition(model, user))


def get_scoped_or_404(model: type[M], ident: int, user: User | None = None) -> M:
    """Load one row the user may see, or answer 404 whether it exists or not."""
    mapper = db.inspect(model)
    pk = mapper.primary_key[0]
    row = db.session.scalar(scoped(model, user).where(pk == ident))
    if row is None:
        abort(404)
    return row
