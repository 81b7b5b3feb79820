"""The counts the database keeps stay equal to a recount through every change."""

from datetime import date

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import (
    InteractionKind,
    InteractionWeekTotal,
    InterestSource,
    JobInterest,
    Stage,
    StudentCount,
    StudentWeek,
)
from envoycrm.privacy.rights import erase_student
from envoycrm.rollups import queries as rollups
from envoycrm.rollups import triggers
from envoycrm.students import services as student_services


def _all_right() -> bool:
    return set(triggers.check(db.session.connection()).values()) == {0}


def _stage_count(stage: Stage) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StudentCount.n), 0)).where(
            StudentCount.stage == stage
        )
    )


def test_counts_follow_students_logged_moved_reassigned_and_erased(factory, people):
    envoy, envoy2 = people["envoy"], people["envoy2"]
    first = factory.student(envoy)
    second = factory.student(envoy, university_id=None, university_name_typed="X")
    assert _stage_count(Stage.CONTACTED) == 2
    assert _all_right()

    student_services.move_stage(first, people["coordinator"], Stage.MATCHED, None)
    student_services.reassign(second, envoy2)
    db.session.commit()
    assert _stage_count(Stage.CONTACTED) == 1
    assert _stage_count(Stage.MATCHED) == 1
    owners = dict(
        db.session.execute(
            sa.select(StudentCount.owner_id, sa.func.sum(StudentCount.n)).group_by(
                StudentCount.owner_id
            )
        ).all()
    )
    assert owners[envoy.id] == 1
    assert owners[envoy2.id] == 1
    assert _all_right()

    erase_student(first, people["coordinator"])
    db.session.commit()
    assert _stage_count(Stage.MATCHED) == 0
    assert _all_right()


def test_weekly_counts_follow_touchpoints_and_their_days(factory, people):
    student = factory.student(people["envoy"], met_on=date(2026, 11, 20))
    note = student_services.add_interaction(
        student, people["envoy"], InteractionKind.CHAT, date(2026, 11, 29), "Sunday"
    )
    db.session.commit()
    weeks = dict(
        db.session.execute(
            sa.select(InteractionWeekTotal.week, InteractionWeekTotal.n)
        ).all()
    )
    # Friday 20 and Sunday 29 November fall in the weeks of Mondays 16 and 23.
    assert weeks == {date(2026, 11, 16): 1, date(2026, 11, 23): 1}
    assert rollups.interactions_by_week(date(2026, 11, 16), 2) == {0: 1, 1: 1}
    assert rollups.interactions_per_author(
        sa.select(sa.literal(people["envoy"].id))
    ) == {people["envoy"].id: 2}

    note.occurred_on = date(2026, 11, 30)
    db.session.commit()
    assert _all_right()
    assert rollups.interactions_by_week(date(2026, 11, 16), 3) == {0: 1, 2: 1}
    db.session.delete(note)
    db.session.commit()
    assert _all_right()
    assert db.session.scalar(sa.select(sa.func.sum(StudentWeek.n))) == 1


def test_reply_counts_follow_interests(factory, people, student):
    push = factory.push(people)
    db.session.add(
        JobInterest(
            student_id=student.id,
            opening_id=push.opening_id,
            push_id=push.id,
            source=InterestSource.REFERRAL,
        )
    )
    db.session.commit()
    assert _all_right()
    erase_student(student, people["coordinator"])
    db.session.commit()
    assert _all_right()


def test_rebuild_repairs_counts_and_install_can_run_twice(factory, people, runner):
    factory.student(people["envoy"])
    triggers.install(db.session.connection())
    db.session.execute(sa.update(StudentCount).values(n=StudentCount.n + 5))
    db.session.commit()
    result = runner.invoke(args=["rollups", "check"])
    assert result.exit_code != 0
    assert "student_counts" in result.output

    result = runner.invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["rollups", "check"]).exit_code == 0
    factory.student(people["envoy"])
    assert _stage_count(Stage.CONTACTED) == 2


def test_kept_counts_agree_with_a_count_of_the_students_under_each_filter(
    factory, people
):
    from datetime import timedelta

    from envoycrm.models import Student, utcnow
    from envoycrm.pipeline.filters import (
        PipelineFilter,
        apply_filter,
        by_kept_counts,
        count_by_stage,
    )

    envoy, envoy2 = people["envoy"], people["envoy2"]
    students = [factory.student(envoy) for _ in range(3)]
    students += [factory.student(envoy2) for _ in range(4)]
    # Two on either side of the 60 days' cutoff, within the cutoff's day or
    # the next: the kept days count whole days, the rest is counted.
    day, hour = timedelta(days=1), timedelta(hours=1)
    ages = (
        400 * day,
        90 * day,
        5 * day,
        70 * day,
        day,
        60 * day - hour,
        60 * day + hour,
    )
    for age, student in zip(ages, students, strict=True):
        student.stage_changed_at = utcnow() - age
    student_services.move_stage(students[1], envoy, Stage.INTERESTED, None)
    students[1].stage_changed_at = utcnow() - timedelta(days=90)
    db.session.commit()
    university = envoy.envoy_profile.university_id
    for filters in (
        PipelineFilter(),
        PipelineFilter(stage_age=60),
        PipelineFilter(stage_age=60, stage=Stage.CONTACTED),
        PipelineFilter(stage_age=2),
        PipelineFilter(stage_age=3, envoy=envoy.id),
        PipelineFilter(country="NZ"),
        PipelineFilter(university=university, stage=Stage.INTERESTED),
    ):
        assert by_kept_counts(filters)
        live = dict.fromkeys(Stage, 0)
        query = apply_filter(sa.select(Student.stage, sa.func.count()), filters)
        live.update(db.session.execute(query.group_by(Student.stage)).all())
        assert count_by_stage(filters) == live, filters


def test_the_migrated_schema_has_every_rollup_trigger(app):
    """A later migration that rebuilds a counted table on SQLite drops its
    triggers; it must put them back with ``triggers.install``."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {
            f"rollup_{r.target}_{event}"
            for r in triggers.ROLLUPS
            for event in ("insert", "update", "delete")
        }
    else:
        query = (
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid::regclass::text IN"
            " ('students', 'interactions', 'job_interests')"
        )
        expected = {f"rollup_{r.target}" for r in triggers.ROLLUPS}
    names = set(db.session.scalars(sa.text(query)))
    assert expected <= names
