"""Which rows each user may see: every row-level rule, in one table.

``access.scoped`` and ``access.get_scoped_or_404`` look the rule up in
``RULES``; a rule takes the user and returns a SQL condition. The table is
plain data, imported by ``access``, so no query anywhere (a view, a CLI
command, the scheduler) depends on which other modules happened to be
imported. A model with no rule here cannot be scoped: ``access`` raises.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from envoycrm.i18n import bureau_today
from envoycrm.models import (
    Employer,
    EnvoyProfile,
    Event,
    EventLink,
    EventRegistration,
    EventStatus,
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


def events(user: User) -> ColumnElement[bool]:
    """Staff see every event; an envoy the published ones and what they host."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return or_(Event.status != EventStatus.DRAFT, Event.host_id == user.id)
    return false()


def event_registrations(user: User) -> ColumnElement[bool]:
    """Staff see every registration; an envoy those of events they host, and
    elsewhere (a bureau event, another envoy's) only their own students' and
    those their link brought; of the others they see a count.
    """
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        hosted = select(Event.id).where(Event.host_id == user.id)
        own = select(Student.id).where(Student.owner_id == user.id)
        return or_(
            EventRegistration.event_id.in_(hosted),
            EventRegistration.credited_envoy_id == user.id,
            EventRegistration.student_id.in_(own),
            EventRegistration.matched_student_id.in_(own),
        )
    return false()


def event_links(user: User) -> ColumnElement[bool]:
    """Staff see every envoy's event link; an envoy their own."""
    if user.is_staff:
        return true()
    if user.role is Role.ENVOY:
        return EventLink.envoy_id == user.id
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
    Event: events,
    EventRegistration: event_registrations,
    EventLink: event_links,
}
