"""Who may reach which route, and which rows they may see.

Every view declares its audience with one of the decorators below. A
``before_request`` hook enforces the declaration, and refuses any endpoint
that declares nothing, so a route added without a permission check fails
closed (and fails the URL-map test).

Row-level scoping lives in one place too: ``scoped(Model)`` returns a query
restricted to what the current user may see, and ``get_scoped_or_404`` turns
an out-of-scope row into a 404 rather than a 403, so no one learns that a
record they may not see exists.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, false, select, true

from envoycrm.extensions import db, login_manager
from envoycrm.models import Employer, EnvoyProfile, Role, User

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
_scopes: dict[type, Callable[[User], object]] = {}


def scope_rule(model: type) -> Callable:
    """Register the function that says which rows of ``model`` a user may see.

    The function takes the user and returns a SQL condition (or ``true()``).
    """

    def register(rule: Callable[[User], object]) -> Callable[[User], object]:
        _scopes[model] = rule
        return rule

    return register


def scope_condition(model: type, user: User):
    """The SQL condition limiting ``model`` to ``user``; nothing if no rule exists."""
    rule = _scopes.get(model)
    if rule is None:
        # Fail closed: a model nobody wrote a rule for is visible to no one.
        return false()
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


@scope_rule(User)
def _users_visible_to(user: User):
    """Staff see every user; others see themselves and their organisation's staff."""
    if user.is_staff:
        return true()
    if user.role is Role.EMPLOYER and user.employer_id is not None:
        return User.employer_id == user.employer_id
    return User.id == user.id


@scope_rule(EnvoyProfile)
def _envoy_profiles_visible_to(user: User):
    """Staff see every envoy; an envoy sees their own profile."""
    if user.is_staff:
        return true()
    return EnvoyProfile.user_id == user.id


@scope_rule(Employer)
def _employers_visible_to(user: User):
    """Staff see every employer; employer staff see their own organisation."""
    if user.is_staff:
        return true()
    if user.role is Role.EMPLOYER and user.employer_id is not None:
        return Employer.id == user.employer_id
    return false()
