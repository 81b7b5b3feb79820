"""Finding students who may already be known to the network."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from envoycrm.auth.services import normalise_email
from envoycrm.extensions import db
from envoycrm.models import Student, User
from envoycrm.students.names import name_keys


@dataclass
class Probe:
    """What is known about a student being typed in."""

    name_latin: str | None = None
    name_hanzi: str | None = None
    email: str | None = None
    wechat_id: str | None = None
    university_id: int | None = None
    expected_graduation: date | None = None
    exclude_id: int | None = None


@dataclass
class Match:
    """A possible duplicate and why it matched."""

    student: Student
    reasons: list[str]


def normalise_wechat(wechat_id: str | None) -> str | None:
    """WeChat IDs are compared without case."""
    return wechat_id.strip().lower() if wechat_id and wechat_id.strip() else None


def find_duplicates(probe: Probe, limit: int = 10) -> list[Match]:
    """Students across all envoys that may be the same person as ``probe``.

    Exact email or WeChat ID always match; a name matches (Hanzi against its
    pinyin, either name order) when the university or the graduation year
    is the same too.
    """
    conditions = []
    email = normalise_email(probe.email) if probe.email else None
    wechat = normalise_wechat(probe.wechat_id)
    if email:
        conditions.append(Student.email == email)
    if wechat:
        conditions.append(Student.wechat_id == wechat)
    keys = name_keys(probe.name_latin, probe.name_hanzi)
    context = []
    if probe.university_id:
        context.append(Student.university_id == probe.university_id)
    if probe.expected_graduation:
        year = probe.expected_graduation.year
        context.append(
            Student.expected_graduation.between(date(year, 1, 1), date(year, 12, 31))
        )
    if keys and context:
        conditions.append(and_(Student.name_key.in_(keys), or_(*context)))
    if not conditions:
        return []
    query = select(Student).where(or_(*conditions)).order_by(Student.id).limit(limit)
    if probe.exclude_id:
        query = query.where(Student.id != probe.exclude_id)
    matches = []
    for student in db.session.scalars(query):
        reasons = []
        if email and student.email == email:
            reasons.append("email")
        if wechat and student.wechat_id == wechat:
            reasons.append("wechat")
        if student.name_key in keys:
            reasons.append("name")
        matches.append(Match(student, reasons))
    return matches


def split_by_visibility(matches: list[Match], user: User) -> tuple[list[Match], bool]:
    """The matches ``user`` may see in detail, and whether others exist.

    An envoy sees their own students; another envoy's student is only
    reported as "known to the network", never described.
    """
    if user.is_staff:
        return matches, False
    own = [m for m in matches if m.student.owner_id == user.id]
    return own, len(own) < len(matches)
