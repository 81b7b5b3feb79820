"""Who may qualify for a policy, and why, in words.

Each condition a policy's version sets is judged against what we know of a
student: met (✓), not met (✗), or unknown (ask). One ✗ and the policy does
not apply; any "ask" and it *may* apply, so the envoy asks. The reasons
read like opening matching's (``jobs.matching``, whose ``MatchResult``
this builds on): "PhD ✓, materials science ✓, graduates 2027 — within 2
years ✓; age unknown — ask".

The same rules run twice: in Python for one profile (a student's page, the
public checker), and as SQL (``reach_condition``) to count the students each
policy may reach, in one pass over the students for every policy. The SQL
form keeps exactly the students the Python form does not rule out; a test
holds the two together.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select, true

from envoycrm.extensions import db
from envoycrm.i18n import format_list_of
from envoycrm.jobs.matching import MatchResult, eligible_degrees, latest_intentions
from envoycrm.labels import label
from envoycrm.models import (
    OPEN_STAGES,
    CityTie,
    DegreeLevel,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    Policy,
    PolicyStatus,
    PolicyVersion,
    Stage,
    Student,
    local_date,
)


def bureau_zone() -> str:
    """The bureau's time zone, where returns and deadlines are dated."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# Intentions that say the student means to come and work in the city.
COMING = (IntentionLevel.LIKELY, IntentionLevel.COMMITTED)


@dataclass
class Profile:
    """What is known of a person, for judging eligibility; None is unknown."""

    degree: DegreeLevel
    field: FieldOfStudy
    graduation: date | None = None
    birth_year: int | None = None
    # The day they came back to the city; None while still abroad.
    returned_on: date | None = None
    works_in_city: bool | None = None
    founds_in_city: bool | None = None
    not_coming: bool = False  # said they are not coming back


def student_profile(student: Student, intention: Intention | None) -> Profile:
    """A student's profile from the record and their latest intention."""
    returned = student.stage is Stage.RETURNED
    level = student.intention_level
    return Profile(
        degree=student.degree,
        field=student.field,
        graduation=student.expected_graduation,
        birth_year=student.birth_year,
        returned_on=local_date(student.stage_changed_at, bureau_zone())
        if returned
        else None,
        works_in_city=True if returned or level in COMING else None,
        founds_in_city=True if intention and intention.startup_interest else None,
        not_coming=level is IntentionLevel.NOT_RETURNING and not returned,
    )


@dataclass
class Fit(MatchResult):
    """The reasons met or not (``reasons``) and the questions to ask (``asks``).

    ``score`` counts the conditions met.
    """

    asks: list = field(default_factory=list)

    @property
    def certain(self) -> bool:
        """True when every condition is known to be met."""
        return self.qualifies and not self.asks

    def explanation(self) -> str:
        """What is met (or not), then what to ask, as one line."""
        asked = format_list_of(self.asks)
        return "; ".join(part for part in (super().explanation(), asked) if part)

    def _met(self, reason) -> None:
        self.score += 1
        self.reasons.append(reason)

    def _failed(self, reason) -> None:
        self.qualifies = False
        self.reasons.append(reason)


def years_before(today: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def judge(profile: Profile, version: PolicyVersion, today: date) -> Fit:
    """Judge ``profile`` against each condition ``version`` sets."""
    fit = Fit(score=0, qualifies=True)
    degree = label(profile.degree)
    if version.min_degree is not None:
        if profile.degree.rank >= version.min_degree.rank:
            fit._met(_l("%(degree)s ✓", degree=degree))
        else:
            fit._failed(
                _l(
                    "%(degree)s, below %(minimum)s ✗",
                    degree=degree,
                    minimum=label(version.min_degree),
                )
            )
    if version.fields:
        named = label(profile.field)
        if profile.field.name in version.fields:
            fit._met(_l("%(field)s ✓", field=named))
        else:
            fit._failed(_l("%(field)s is not among the fields ✗", field=named))
    _judge_graduation(fit, profile, version, today)
    if version.max_age is not None:
        _judge_age(fit, profile.birth_year, version.max_age, today)
    if version.returned_within_years is not None:
        years = version.returned_within_years
        if profile.returned_on is None:
            fit._met(_l("still abroad ✓"))
        elif profile.returned_on >= years_before(today, years):
            fit._met(_l("returned within %(years)s years ✓", years=years))
        else:
            fit._failed(_l("returned more than %(years)s years ago ✗", years=years))
    _judge_city_tie(fit, profile, version.city_tie)
    if not fit.qualifies:
        fit.score = 0
    return fit


def _judge_graduation(
    fit: Fit, profile: Profile, version: PolicyVersion, today: date
) -> None:
    years = version.max_years_since_graduation
    if years is None:
        return
    if profile.graduation is None:
        fit.asks.append(_l("graduation date unknown — ask"))
    elif profile.graduation > today:
        fit._met(
            _l(
                "graduates %(year)s — within %(years)s years ✓",
                year=profile.graduation.year,
                years=years,
            )
        )
    elif profile.graduation >= years_before(today, years):
        fit._met(
            _l(
                "graduated %(year)s — within %(years)s years ✓",
                year=profile.graduation.year,
                years=years,
            )
        )
    else:
        fit._failed(
            _l(
                "graduated %(year)s — more than %(years)s years ago ✗",
                year=profile.graduation.year,
                years=years,
            )
        )


def _judge_age(fit: Fit, birth_year: int | None, limit: int, today: date) -> None:
    """Age from the year of birth alone: this year's birthday may be still to
    come, so the age is this year's or one less, and a limit between the two
    is asked, not guessed."""
    if birth_year is None:
        fit.asks.append(_l("age unknown — ask (at most %(age)s)", age=limit))
        return
    age = today.year - birth_year  # once this year's birthday has passed
    if age <= limit:
        fit._met(_l("age %(age)s — at most %(limit)s ✓", age=age, limit=limit))
    elif age - 1 > limit:
        fit._failed(_l("age %(age)s, over %(limit)s ✗", age=age - 1, limit=limit))
    else:
        fit.asks.append(
            _l(
                "age %(age)s or %(older)s — ask (at most %(limit)s)",
                age=age - 1,
                older=age,
                limit=limit,
            )
        )


def oldest_birth_year(limit: int, today: date) -> int:
    """The earliest year of birth ``_judge_age`` does not rule out."""
    return today.year - limit - 1


def _judge_city_tie(fit: Fit, profile: Profile, tie: CityTie) -> None:
    if tie is CityTie.NONE:
        return
    if profile.not_coming:
        fit._failed(_l("not planning to come to the city ✗"))
        return
    works = profile.works_in_city and tie in (CityTie.WORK, CityTie.WORK_OR_FOUND)
    founds = profile.founds_in_city and tie in (CityTie.FOUND, CityTie.WORK_OR_FOUND)
    if works:
        fit._met(_l("works for an employer in the city ✓"))
    elif founds:
        fit._met(_l("founds a company in the city ✓"))
    elif tie is CityTie.WORK:
        fit.asks.append(_l("job in the city unknown — ask"))
    elif tie is CityTie.FOUND:
        fit.asks.append(_l("plans to found a company unknown — ask"))
    else:
        fit.asks.append(_l("job or company in the city unknown — ask"))


# --- the policies in force ------------------------------------------------------------


def current_versions(today: date) -> list[PolicyVersion]:
    """The version offered today of each published policy (one query).

    A version out of its dates is never current, nor is any version of a
    draft or expired policy; of several in force, the newest counts.
    """
    rows = db.session.scalars(
        select(PolicyVersion)
        .join(Policy)
        .where(Policy.status == PolicyStatus.PUBLISHED, PolicyVersion.in_force(today))
        .order_by(PolicyVersion.policy_id, PolicyVersion.number.desc())
    )
    current: dict[int, PolicyVersion] = {}
    for version in rows:
        current.setdefault(version.policy_id, version)
    return list(current.values())


@dataclass
class Applicable:
    """A policy version that may apply, and why."""

    version: PolicyVersion
    fit: Fit


def applicable(profile: Profile, today: date) -> list[Applicable]:
    """The current policies ``profile`` may qualify for: certain ones first."""
    found = []
    for version in current_versions(today):
        fit = judge(profile, version, today)
        if fit.qualifies:
            found.append(Applicable(version, fit))
    found.sort(key=lambda a: (not a.fit.certain, -a.fit.score, a.version.title_en))
    return found


def for_student(student: Student, today: date) -> list[Applicable]:
    """The current policies ``student`` may qualify for, with the reasons."""
    intention = latest_intentions([student.id]).get(student.id)
    return applicable(student_profile(student, intention), today)


# --- reach: how many students each policy may reach, in SQL ------------------------


def reach_condition(version: PolicyVersion, today: date) -> ColumnElement:
    """SQL: the student is not ruled out by ``version`` (what ``judge`` says).

    A return is dated by the day it fell on in the bureau's zone.
    """
    conditions: list[ColumnElement] = []
    if version.min_degree is not None:
        conditions.append(Student.degree.in_(eligible_degrees(version.min_degree)))
    if version.fields:
        conditions.append(
            Student.field.in_(
                [
                    FieldOfStudy[n]
                    for n in version.fields
                    if n in FieldOfStudy.__members__
                ]
            )
        )
    if version.max_years_since_graduation is not None:
        cutoff = years_before(today, version.max_years_since_graduation)
        conditions.append(
            or_(
                Student.expected_graduation.is_(None),
                Student.expected_graduation >= cutoff,
            )
        )
    if version.max_age is not None:
        conditions.append(
            or_(
                Student.birth_year.is_(None),
                Student.birth_year >= oldest_birth_year(version.max_age, today),
            )
        )
    if version.returned_within_years is not None:
        cutoff = years_before(today, version.returned_within_years)
        since = datetime.combine(cutoff, time.min, tzinfo=ZoneInfo(bureau_zone()))
        conditions.append(
            not_(
                and_(Student.stage == Stage.RETURNED, Student.stage_changed_at < since)
            )
        )
    if version.city_tie is not CityTie.NONE:
        conditions.append(
            or_(
                Student.stage == Stage.RETURNED,
                Student.intention_level.is_(None),
                Student.intention_level != IntentionLevel.NOT_RETURNING,
            )
        )
    return and_(true(), *conditions)


# The students a policy may reach: in the pipeline (or returned), with consent.
def reachable_students() -> ColumnElement:
    """SQL: the students counted for reach."""
    return and_(
        Student.stage.in_([*OPEN_STAGES, Stage.RETURNED]),
        Student.consent_scope.is_not(None),
    )


def reach(versions: list[PolicyVersion], today: date) -> dict[int, int]:
    """How many students each version may reach, by policy id.

    One scan of the students answers every policy: each is one
    ``SUM(CASE …)`` column of the same query, in batches of 50 columns.
    """
    counts: dict[int, int] = {}
    for start in range(0, len(versions), 50):
        batch = versions[start : start + 50]
        columns = [
            func.coalesce(func.sum(case((reach_condition(v, today), 1), else_=0)), 0)
            for v in batch
        ]
        row = db.session.execute(select(*columns).where(reachable_students())).one()
        for version, count in zip(batch, row, strict=True):
            counts[version.policy_id] = int(count)
    return counts
