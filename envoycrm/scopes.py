"""Which rows each user may see: every row-level rule, in one table.

``access.scoped`` and ``access.get_scoped_or_404`` look the rule up in
``RULES``; a rule takes the user and returns a SQL condition. The table is
plain data, imported by ``access``, so no query anywhere (a view, a CLI
command, the scheduler) depends on which other modules happened to be
imported. A model with no rule here cannot be scoped: ``access`` raises.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from envoycrm.i18n import bureau_today
from envoycrm.models import (
    Employer,
    EnvoyProfile,
    JobOpening,
    Policy,
    PolicyPush,
    PolicyStatus,
    Push,
    ReferralReply,
    Role,
    Student,
    Task,
    User,
)

Rule = Callable[[User], ColumnElement[bool]]


def users(user: User) -> ColumnElement[bool]:
    """Staff see every user; others see themselves and their organisation's staff."""
    if user.is_staff:
        return true()
    if user.role is Role.EMPLOYER and user.employer_id is not None:
        return User.employer_id == user.employer_id
    return User.id == user.id


def envoy_profiles(user: User) -> ColumnElement[bool]:
    """Staff see every envoy; an envoy sees their own profile."""
    if user.is_staff:
        return true()
    return EnvoyProfile.user_id == user.id


def employers(user: User) -> ColumnElement[bool]:
    """Staff see every employer; employer staff see their own organisation."""
    if user.is_staff:
        return true()
    if user.role is Role.EMPLOYER and user.employer_id is not None:
        return Employer.id == user.employer_id
    return false()


def students(user: User) -> ColumnElement[bool]:
    """Staff see every student; an envoy sees the students they own.

    Employers see candidates only through the jobs area, never this way.
    """
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return Student.owner_id == user.id
    return false()


def openings(user: User) -> ColumnElement[bool]:
    """Staff see every opening, envoys the open ones, employers their own."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return JobOpening.open_on(bureau_today())
    if user.role is Role.EMPLOYER and user.employer_id is not None:
        return JobOpening.employer_id == user.employer_id
    return false()


def pushes(user: User) -> ColumnElement[bool]:
    """Staff see every push; an envoy sees their own."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return Push.envoy_id == user.id
    return false()


def policies(user: User) -> ColumnElement[bool]:
    """Staff see every policy; everyone else the published and expired ones."""
    if user.is_staff:
        return true()
    return Policy.status != PolicyStatus.DRAFT


def policy_pushes(user: User) -> ColumnElement[bool]:
    """Staff see every policy push; an envoy sees their own."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return PolicyPush.envoy_id == user.id
    return false()


def held_replies(user: User) -> ColumnElement[bool]:
    """Staff see every held reply; an envoy those about their own students.

    Not the pushing envoy: the reply may name another envoy's student.
    """
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        own = select(Student.id).where(Student.owner_id == user.id)
        return ReferralReply.student_id.in_(own)
    return false()


def tasks(user: User) -> ColumnElement[bool]:
    """Coordinators see every task; an envoy sees the tasks assigned to them."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return Task.assignee_id == user.id
    return false()


RULES: dict[type[Any], Rule] = {
    User: users,
    EnvoyProfile: envoy_profiles,
    Employer: employers,
    Student: students,
    JobOpening: openings,
    Push: pushes,
    Policy: policies,
    PolicyPush: policy_pushes,
    ReferralReply: held_replies,
    Task: tasks,
}
