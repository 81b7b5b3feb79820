"""Demo students: the programme's numbers, consistent records, idempotent loads.

A full load takes seconds (tens on PostgreSQL), so the checks of the
programme's numbers read the demo the suite loads once (the ``demo``
fixture), and the determinism check loads only the people and the students.
"""

from sqlalchemy import delete, func, select

from envoycrm.demo.loader import load_people
from envoycrm.demo.students import load_students
from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    DegreeLevel,
    Intention,
    Interaction,
    InteractionKind,
    Stage,
    StageChange,
    Student,
    StudentTag,
    User,
)

STUDENT_TABLES = (StudentTag, Interaction, Intention, StageChange, Consent, Student)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _counts() -> dict[str, int]:
    return {model.__tablename__: _count(model) for model in STUDENT_TABLES}


def _fingerprint() -> list:
    """Enough of every student row, and of the rest, to tell two loads apart."""
    students = db.session.execute(
        select(
            Student.id,
            Student.owner_id,
            Student.name_latin,
            Student.name_hanzi,
            Student.stage,
            Student.intention_level,
            Student.birth_year,
            Student.created_at,
            Student.last_activity_on,
            Student.last_activity_at,
        ).order_by(Student.id)
    ).all()
    interactions = db.session.execute(
        select(Interaction.kind, func.count(), func.max(Interaction.occurred_on))
        .group_by(Interaction.kind)
        .order_by(Interaction.kind)
    ).all()
    return [students, interactions, _counts()]


def test_demo_load_adds_students_true_to_the_programme(demo):
    result = demo.first_load
    assert result.exit_code == 0, result.output
    assert "20000 students" in result.output

    assert _count(Student) == 20_000
    assert _count(Interaction) == 100_000

    # Every student: a consent row, a comparison key, a creation move.
    without_consent = (
        ~select(Consent.id).where(Consent.student_id == Student.id).exists()
    )
    assert _count(Student, without_consent) == 0
    assert _count(Student, Student.name_key == "") == 0
    assert _count(StageChange, StageChange.from_stage.is_(None)) == 20_000

    # The student's intention level is its latest intention's, checked in SQL.
    latest = (
        select(Intention.level)
        .where(Intention.student_id == Student.id)
        .order_by(Intention.recorded_at.desc(), Intention.id.desc())
        .limit(1)
        .correlate(Student)
        .scalar_subquery()
    )
    assert _count(Student, Student.intention_level.is_distinct_from(latest)) == 0
    with_intentions = db.session.scalar(
        select(func.count(func.distinct(Intention.student_id)))
    )
    assert 0.6 * 20_000 < with_intentions < 0.8 * 20_000

    stages = dict(
        db.session.execute(
            select(Student.stage, func.count()).group_by(Student.stage)
        ).all()
    )
    assert stages[Stage.CONTACTED] + stages[Stage.INTERESTED] > 0.6 * 20_000
    assert 0.01 * 20_000 <= stages[Stage.RETURNED] <= 0.05 * 20_000
    assert (
        _count(Student, Student.stage == Stage.CLOSED, Student.closed_reason.is_(None))
        == 0
    )

    # Most know their year of birth, at an age that fits their degree.
    born = _count(Student, Student.birth_year.is_not(None))
    assert 0.8 * 20_000 < born < 0.9 * 20_000
    phd_ages = db.session.execute(
        select(
            func.min(
                func.extract("year", Student.expected_graduation) - Student.birth_year
            ),
            func.max(
                func.extract("year", Student.expected_graduation) - Student.birth_year
            ),
        ).where(Student.degree == DegreeLevel.PHD)
    ).one()
    assert 26 <= phd_ages[0] and phd_ages[1] <= 35

    owned = select(User.id).where(User.email == "envoy@example.com").scalar_subquery()
    assert 100 <= _count(Student, Student.owner_id == owned) <= 250

    # Contact details that must be unique are.
    for column in (Student.email, Student.wechat_id):
        total, distinct = db.session.execute(
            select(func.count(column), func.count(func.distinct(column)))
        ).one()
        assert total == distinct > 0

    # A second load adds nothing.
    before = _counts()
    again = demo.runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert "nothing new" in again.output
    assert _counts() == before


def test_the_students_loader_gives_the_same_rows_every_time(app):
    """Loaded twice into empty student tables, the very same rows; the ids it
    assigned leave new rows fresh ones (on PostgreSQL that needs the
    sequences moved past them)."""
    load_people(_Report())
    load_students(_Report())
    first = _fingerprint()

    some = db.session.get(Student, 1)
    new_student = Student(
        owner_id=some.owner_id,
        university_id=some.university_id,
        field=some.field,
        degree=some.degree,
        name_latin="Test Student",
        name_key="student test",
        last_activity_on=some.last_activity_on,
    )
    new_interaction = Interaction(
        student_id=some.id,
        author_id=some.owner_id,
        kind=InteractionKind.CHAT,
        occurred_on=some.last_activity_on,
    )
    db.session.add_all([new_student, new_interaction])
    db.session.flush()
    assert (new_student.id, new_interaction.id) == (20_001, 100_001)
    db.session.rollback()

    for model in STUDENT_TABLES:
        db.session.execute(delete(model))
    db.session.commit()
    load_students(_Report())
    assert _fingerprint() == first


class _Report:
    def count(self, kind: str, n: int = 1) -> None:
        pass


def test_demo_load_scale_is_bounded(runner):
    result = runner.invoke(args=["demo", "load", "--scale", "0"])
    assert result.exit_code == 2
    assert _count(User) == 0
    result = runner.invoke(args=["demo", "load", "--scale", "21"])
    assert result.exit_code == 2
