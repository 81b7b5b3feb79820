"""The demo dataset: the programme's real numbers, deterministic and idempotent."""

from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    Country,
    Employer,
    EmployerKind,
    EnvoyProfile,
    EnvoyStatus,
    Role,
    University,
    User,
)
from envoycrm.security import verify_password


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _snapshot() -> list:
    """Every demo row's identifying content, for before/after comparison."""
    users = db.session.execute(
        select(User.email, User.full_name, User.role, User.employer_id).order_by(
            User.email
        )
    ).all()
    profiles = db.session.execute(
        select(
            EnvoyProfile.user_id, EnvoyProfile.university_id, EnvoyProfile.status
        ).order_by(EnvoyProfile.user_id)
    ).all()
    employers = db.session.execute(select(Employer.name_en).order_by(Employer.id)).all()
    return [users, profiles, employers]


def test_demo_load_creates_the_programmes_numbers(demo):
    result = demo.first_load
    assert result.exit_code == 0, result.output
    assert "envoy@example.com" in result.output and "envoycrm-demo" in result.output

    assert _count(select(Country)) == 21
    assert _count(select(University)) == 90
    countries_used = db.session.scalar(
        select(func.count(func.distinct(University.country_code)))
    )
    assert countries_used == 21
    envoys = select(User).where(User.role == Role.ENVOY)
    assert _count(envoys) == 150
    returned = select(EnvoyProfile).where(EnvoyProfile.status == EnvoyStatus.RETURNED)
    assert _count(returned) == 30  # 20% of 150
    universities_with_envoys = db.session.scalar(
        select(func.count(func.distinct(EnvoyProfile.university_id)))
    )
    assert universities_with_envoys == 90
    kinds = dict(
        db.session.execute(
            select(Employer.kind, func.count()).group_by(Employer.kind)
        ).all()
    )
    assert kinds == {
        EmployerKind.PRIVATE: 129,
        EmployerKind.INSTITUTE: 34,
        EmployerKind.SOE: 27,
        EmployerKind.OTHER: 15,
    }
    assert _count(select(User).where(User.role == Role.COORDINATOR)) == 10
    assert _count(select(User).where(User.role == Role.ADMIN)) == 1
    assert _count(select(User).where(User.role == Role.EMPLOYER)) == 205


def test_fixed_demo_sign_ins_exist_with_the_published_password(demo):
    for email in (
        "admin@example.com",
        "coordinator@example.com",
        "envoy@example.com",
        "envoy2@example.com",
        "employer@example.com",
    ):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, email
        assert verify_password(user, "envoycrm-demo"), email
    envoy = db.session.scalar(select(User).where(User.email == "envoy@example.com"))
    assert envoy.envoy_profile.university.name_en == "University of Manchester"
    envoy2 = db.session.scalar(select(User).where(User.email == "envoy2@example.com"))
    assert envoy2.envoy_profile.university.name_en == "University of Auckland"
    employer = db.session.scalar(
        select(User).where(User.email == "employer@example.com")
    )
    assert "New Materials" in employer.employer.name_en


def test_demo_load_twice_changes_nothing(demo):
    before = _snapshot()
    result = demo.runner.invoke(args=["demo", "load"])
    assert "nothing new" in result.output
    assert _snapshot() == before


def test_demo_load_if_empty_leaves_a_used_database_alone(runner, people):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in result.output
    assert _count(select(User)) == 5


def test_demo_policies_are_published_across_categories_some_in_two_versions(
    demo,
):
    from envoycrm.models import Policy, PolicyCategory, PolicyStatus, PolicyVersion

    published = select(Policy).where(Policy.status == PolicyStatus.PUBLISHED)
    assert _count(published) == 30
    categories = set(db.session.scalars(select(Policy.category).distinct()))
    assert categories == set(PolicyCategory)
    revised = (
        select(PolicyVersion.policy_id)
        .group_by(PolicyVersion.policy_id)
        .having(func.count() == 2)
    )
    assert _count(revised) == 6
    first = db.session.scalars(
        select(PolicyVersion.amount).order_by(PolicyVersion.id).limit(3)
    ).all()
    pushed = _policy_pushes_and_questions()
    demo.runner.invoke(args=["demo", "load"])  # a second load adds nothing
    assert _count(select(PolicyVersion)) == 36
    assert first == [1_200, 1_500, 800]  # the same sums every time
    assert _policy_pushes_and_questions() == pushed


def _policy_pushes_and_questions() -> tuple:
    """The demo envoy's pushes and questions, as they see them; all counts."""
    from envoycrm.models import PolicyPush, PolicyQuestion, Task, TaskKind
    from envoycrm.policies.services import pushes_of

    envoy = db.session.scalar(select(User).where(User.email == "envoy@example.com"))
    rows = pushes_of(envoy)
    assert len(rows) == 6 and sum(row.questions for row in rows) >= 6
    assert all(row.push.views > 0 for row in rows)
    # Every question is credited to a push of the student's own envoy, with
    # the envoy's task.
    mismatched = (
        select(PolicyQuestion)
        .join(PolicyPush)
        .join(Task, Task.id == PolicyQuestion.task_id)
        .where(
            (Task.assignee_id != PolicyPush.envoy_id)
            | (Task.kind != TaskKind.POLICY_QUESTION)
        )
    )
    assert _count(mismatched) == 0
    total = (_count(select(PolicyPush)), _count(select(PolicyQuestion)))
    assert total[0] > 150 and total[1] > 50
    return total, [(row.push.token, row.questions) for row in rows]
