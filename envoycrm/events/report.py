"""After the event: who was invited, registered, came, and what followed.

The funnel has five steps, each a subset of the one before it except the
first (a registrant need not have been invited):

- **invited**: the students envoys invited;
- **registered**: registrations not cancelled (the wait list included);
- **attended**: checked in at the door;
- **interested**: attendees who became interested in an opening within
  30 days of the start (a job interest recorded, or met at a fair booth
  about an opening with medium or high interest);
- **moved**: attendees whose pipeline stage moved within those 30 days.

Broken down by envoy (the one credited with the registration, else the
student's own envoy; for invitations the inviting envoy) and by university
(the registrant's, else the student's). Everything is counted in SQL: one
grouped query for the registrations and two for the invitations, whatever
the number of registrants.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, select

from envoycrm.extensions import db
from envoycrm.models import (
    BoothMeeting,
    Event,
    EventInvitation,
    EventRegistration,
    InterestLevel,
    JobInterest,
    RegistrationStatus,
    StageChange,
    Student,
    University,
    User,
)
from envoycrm.models.users import person_name

# How long after the start a follow-up still counts as the event's.
FOLLOW_UP_DAYS = 30
STEPS = ("invited", "registered", "attended", "interested", "moved")


@dataclass
class Funnel:
    """The five steps' counts for one envoy, one university or the event."""

    invited: int = 0
    registered: int = 0
    attended: int = 0
    interested: int = 0
    moved: int = 0

    def add(self, other: "Funnel") -> None:
        """Add ``other``'s counts to these."""
        for step in STEPS:
            setattr(self, step, getattr(self, step) + getattr(other, step))

    def values(self) -> list[int]:
        """The counts in the funnel's order."""
        return [getattr(self, step) for step in STEPS]

    def rate(self, step: str) -> float | None:
        """``step``'s share of the step before it (None for the first, or 0)."""
        index = STEPS.index(step)
        if index == 0:
            return None
        before = getattr(self, STEPS[index - 1])
        return getattr(self, step) / before if before else None


@dataclass
class Row:
    """One envoy's or university's line of the report."""

    key: int | None  # the user or university id; None: no envoy / not given
    funnel: Funnel


@dataclass
class Report:
    """The whole event's funnel and its two breakdowns, largest first."""

    total: Funnel
    by_envoy: list[Row] = field(default_factory=list)
    by_university: list[Row] = field(default_factory=list)
    # Names only: a report reads no more of the people and places it counts.
    envoy_names: dict[int, str] = field(default_factory=dict)
    universities: dict[int, tuple[str, str]] = field(default_factory=dict)


def follow_up_window(event: Event) -> tuple[datetime, datetime]:
    """The instants between which a follow-up counts for ``event``."""
    return event.starts_at, event.starts_at + timedelta(days=FOLLOW_UP_DAYS)


def _registration_counts(event: Event):
    """Per (envoy, university): registered, attended, interested, moved."""
    starts, ends = follow_up_window(event)
    reg = EventRegistration

    def of_student(column):
        return select(column).where(Student.id == reg.student_id).scalar_subquery()

    # The student's row is read only when the registration lacks the value
    # (COALESCE stops at the first one): most carry both.
    envoy = func.coalesce(reg.credited_envoy_id, of_student(Student.owner_id))
    university = func.coalesce(reg.university_id, of_student(Student.university_id))
    attended = reg.status == RegistrationStatus.ATTENDED
    interested = attended & (
        exists().where(
            JobInterest.student_id == reg.student_id,
            JobInterest.created_at >= starts,
            JobInterest.created_at < ends,
        )
        | exists().where(
            BoothMeeting.registration_id == reg.id,
            BoothMeeting.opening_id.is_not(None),
            BoothMeeting.interest.in_((InterestLevel.MEDIUM, InterestLevel.HIGH)),
        )
    )
    moved = attended & exists().where(
        StageChange.student_id == reg.student_id,
        StageChange.from_stage.is_not(None),  # a first record is no move
        StageChange.changed_at >= starts,
        StageChange.changed_at < ends,
    )

    def ones(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return db.session.execute(
        select(
            envoy,
            university,
            func.count(reg.id),
            ones(attended),
            ones(interested),
            ones(moved),
        )
        .where(reg.event_id == event.id, reg.status != RegistrationStatus.CANCELLED)
        .group_by(envoy, university)
    ).all()


def _invitation_counts(event: Event):
    """Invitations per envoy and per university (two grouped queries)."""
    by_envoy = db.session.execute(
        select(EventInvitation.envoy_id, func.count(EventInvitation.id))
        .where(EventInvitation.event_id == event.id)
        .group_by(EventInvitation.envoy_id)
    ).all()
    # Each invited student's university by its key: a few thousand lookups,
    # never a scan of every student for a join.
    university = (
        select(Student.university_id)
        .where(Student.id == EventInvitation.student_id)
        .scalar_subquery()
    )
    by_university = db.session.execute(
        select(university, func.count(EventInvitation.id))
        .where(EventInvitation.event_id == event.id)
        .group_by(university)
    ).all()
    return by_envoy, by_university


def build_report(event: Event) -> Report:
    """The event's funnel, by envoy and by university, counted in SQL."""
    envoys: dict[int | None, Funnel] = {}
    universities: dict[int | None, Funnel] = {}
    total = Funnel()
    for (
        envoy_id,
        university_id,
        registered,
        attended,
        interested,
        moved,
    ) in _registration_counts(event):
        part = Funnel(0, registered, attended, interested, moved)
        envoys.setdefault(envoy_id, Funnel()).add(part)
        universities.setdefault(university_id, Funnel()).add(part)
        total.add(part)
    invited_by_envoy, invited_by_university = _invitation_counts(event)
    for envoy_id, number in invited_by_envoy:
        envoys.setdefault(envoy_id, Funnel()).invited += number
        total.invited += number
    for university_id, number in invited_by_university:
        universities.setdefault(university_id, Funnel()).invited += number

    def ordered(groups: dict[int | None, Funnel]) -> list[Row]:
        rows = [Row(key, funnel) for key, funnel in groups.items()]
        rows.sort(key=lambda r: (-r.funnel.attended, -r.funnel.registered, r.key or 0))
        return rows

    envoy_ids = [k for k in envoys if k is not None]
    university_ids = [k for k in universities if k is not None]
    return Report(
        total=total,
        by_envoy=ordered(envoys),
        by_university=ordered(universities),
        envoy_names={
            row.id: person_name(row.full_name, row.name_hanzi)
            for row in db.session.execute(
                select(User.id, User.full_name, User.name_hanzi).where(
                    User.id.in_(envoy_ids)
                )
            )
        },
        universities={
            row.id: (row.name_en, row.name_zh)
            for row in db.session.execute(
                select(University.id, University.name_en, University.name_zh).where(
                    University.id.in_(university_ids)
                )
            )
        },
    )


def envoy_label(report: Report, key: int | None, nobody: str) -> str:
    """The envoy's name on a row, or ``nobody`` for registrants with no envoy."""
    name = report.envoy_names.get(key) if key is not None else None
    return name if name is not None else nobody


def university_label(report: Report, key: int | None, locale: str, none: str) -> str:
    """The university's name on a row in ``locale``, or ``none`` when not given."""
    names = report.universities.get(key) if key is not None else None
    if names is None:
        return none
    return names[1] if str(locale).startswith("zh") else names[0]


def export_rows(report: Report, locale: str, labels: dict[str, str]) -> Iterator[list]:
    """The report as spreadsheet rows: the total, each envoy, each university.

    ``labels`` names the parts in the reader's language: ``total``,
    ``envoy``, ``university``, ``nobody`` and ``not_given``.
    """
    yield [labels["total"], "", *report.total.values()]
    for row in report.by_envoy:
        name = envoy_label(report, row.key, labels["nobody"])
        yield [labels["envoy"], name, *row.funnel.values()]
    for row in report.by_university:
        name = university_label(report, row.key, locale, labels["not_given"])
        yield [labels["university"], name, *row.funnel.values()]
