"""Questions asked through an envoy's policy link, credited to the envoy.

The same rule as an opening's referral replies (``jobs.referrals``): a new
person becomes a student of the envoy whose link they used, by their own
consent, with a task for the envoy to answer. Contact details that match a
known student change nothing about that student (whoever typed them need
not be that student): the question is held as a task for the student's own
envoy, who judges it. The asker sees the same thank-you either way.
"""

from datetime import timedelta

from envoycrm import audit
from envoycrm.auth.services import normalise_email
from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.models import (
    ConsentScope,
    PolicyPush,
    PolicyQuestion,
    Student,
    Task,
    TaskKind,
    utcnow,
)
from envoycrm.students.duplicates import normalise_wechat

QUESTION_MAX = 2000


def record_question(
    push: PolicyPush, data: dict, notice_language: str
) -> PolicyQuestion:
    """Someone asked about ``push``'s policy and left their details with consent.

    ``data`` holds the form's values (name, email, wechat_id, field, degree,
    expected_graduation, question). The caller commits.
    """
    email = normalise_email(data["email"]) or None
    wechat_id = normalise_wechat(data.get("wechat_id"))
    question_text = (data.get("question") or "")[:QUESTION_MAX]
    known = referrals.find_existing(email, wechat_id)
    held = known is not None
    if known is None:
        student: Student = referrals.new_student(
            push.envoy_id,
            {**data, "consent_scope": ConsentScope.BUREAU},
            email,
            wechat_id,
            notice_language,
            how_met="policy link",
        )
    else:
        student = known
    title = push.policy.latest.title_en
    if held:
        # English on the task; the task list shows its kind translated.
        task_title = (
            f"Someone giving the details of a known student asked about {title} "
            f"through {push.envoy.full_name}'s link: check it was them"
        )
    else:
        task_title = f"{data['name']} asked about {title}"
    task = Task(
        kind=TaskKind.POLICY_QUESTION,
        title=task_title[:300],
        details=question_text,
        student_id=student.id,
        assignee_id=student.owner_id,
        due_on=utcnow().date() + timedelta(days=7),
    )
    db.session.add(task)
    db.session.flush()
    question = PolicyQuestion(
        push_id=push.id,
        student_id=student.id,
        question=question_text,
        held=held,
        task_id=task.id,
    )
    db.session.add(question)
    db.session.flush()
    audit.record(
        "policy.question",
        "policy_push",
        push.id,
        student_id=student.id,
        new_student=not held,
    )
    return question
