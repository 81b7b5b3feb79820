"""Demo pushes of policies by envoys, and the questions asked through them.

Each active envoy shares a few of the policies; the demo's own envoy
(``envoy@example.com``) shares several, so signing in as them shows links
with views and questions. A question comes from one of the envoy's own
students, is credited to the push and gave the envoy a task, done unless it
is recent, as ``policies.questions`` does for a real one. The same number
at every scale (envoys do not grow with it). Deterministic and idempotent
(nothing is added when pushes exist).
"""

import random
from datetime import timedelta

from sqlalchemy import select

from envoycrm.demo.jobs import FIXED_ENVOY, active_envoy_ids
from envoycrm.demo.students import NOW
from envoycrm.extensions import db
from envoycrm.models import (
    Policy,
    PolicyPush,
    PolicyQuestion,
    PolicyVersion,
    Student,
    Task,
    TaskKind,
    User,
)

SEED = 20261205
PER_ENVOY = 2
FIXED_ENVOY_PUSHES = 6
# Questions younger than this still wait for the envoy's answer.
OPEN_FOR = timedelta(days=10)
QUESTIONS = (
    (
        "Can I apply before my degree certificate is issued?",
        "学位证还没下来可以先申请吗？",
    ),
    (
        "Does the subsidy count from the first month of work?",
        "补贴是从入职第一个月开始算吗？",
    ),
    ("Is the amount taxed?", "这笔钱需要交税吗？"),
    (
        "Can my spouse's settlement be handled at the same time?",
        "配偶落户可以一起办理吗？",
    ),
    ("Which documents do I need to bring from abroad?", "需要从国外带哪些材料？"),
)


def load_policy_pushes(report) -> None:
    """Add the demo's policy pushes and questions, unless pushes exist.

    The caller commits.
    """
    if db.session.scalar(select(PolicyPush.id).limit(1)) is not None:
        return
    rng = random.Random(SEED)
    policies = list(db.session.scalars(select(Policy.id).order_by(Policy.id)))
    envoys = active_envoy_ids()
    if not policies or not envoys:
        return
    fixed = db.session.scalar(select(User.id).where(User.email == FIXED_ENVOY))
    plan = [(fixed, p) for p in policies[:FIXED_ENVOY_PUSHES]] if fixed else []
    for envoy in envoys:
        if envoy != fixed:
            plan += [(envoy, p) for p in rng.sample(policies, PER_ENVOY)]
    # Made as objects, not bulk rows, so PostgreSQL's id sequence stays right.
    pushes = [
        PolicyPush(
            policy_id=policy_id,
            envoy_id=envoy_id,
            token=f"{rng.getrandbits(128):032x}",
            views=rng.randrange(2, 120),
            created_at=NOW - timedelta(days=rng.randrange(15, 200)),
        )
        for envoy_id, policy_id in plan
    ]
    db.session.add_all(pushes)
    db.session.flush()
    report.count("policy pushes", len(pushes))
    _load_questions(report, pushes, fixed, rng)


def _load_questions(
    report, pushes: list[PolicyPush], fixed: int | None, rng: random.Random
) -> None:
    """Zero to two questions on each push (at least one on the demo envoy's),
    from the envoy's own students, in the language their name suggests."""
    titles = dict(
        db.session.execute(
            select(PolicyVersion.policy_id, PolicyVersion.title_en).order_by(
                PolicyVersion.number
            )
        ).all()
    )  # the latest version's title wins
    students: dict[int, list[tuple[int, str, bool]]] = {}
    for sid, owner, latin, hanzi in db.session.execute(
        select(Student.id, Student.owner_id, Student.name_latin, Student.name_hanzi)
        .where(
            Student.owner_id.in_({push.envoy_id for push in pushes}),
            Student.consent_scope.is_not(None),
        )
        .order_by(Student.id)
    ):
        students.setdefault(owner, []).append((sid, latin or hanzi or "", bool(hanzi)))
    asked = 0
    for push in pushes:
        pool = students.get(push.envoy_id, [])
        wanted = rng.choice((0, 0, 1, 2))
        if push.envoy_id == fixed:
            wanted = max(wanted, 1)
        for sid, name, chinese in rng.sample(pool, min(len(pool), wanted)):
            at = push.created_at + timedelta(
                hours=rng.randrange(2, 24 * (NOW - push.created_at).days)
            )
            text = rng.choice(QUESTIONS)[1 if chinese else 0]
            task = Task(
                kind=TaskKind.POLICY_QUESTION,
                # English on the task, as for a real question.
                title=f"{name} asked about {titles[push.policy_id]}"[:300],
                details=text,
                student_id=sid,
                assignee_id=push.envoy_id,
                due_on=(at + timedelta(days=7)).date(),
                done_at=None if NOW - at < OPEN_FOR else at + timedelta(days=2),
                done_by_id=None if NOW - at < OPEN_FOR else push.envoy_id,
                created_at=at,
            )
            db.session.add(task)
            db.session.flush()
            db.session.add(
                PolicyQuestion(
                    push_id=push.id,
                    student_id=sid,
                    question=text,
                    task_id=task.id,
                    created_at=at,
                )
            )
            asked += 1
    db.session.flush()
    report.count("policy questions", asked)
