"""Referral links: signing them, counting views and taking students' replies.

A link carries the push's random token, signed with the app's secret
(itsdangerous), so a guessed, forged or altered link is refused before the
database is even asked. Nothing here knows about the request.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit, sharing
from envoycrm.access import N_
from envoycrm.auth.services import normalise_email
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    InterestSource,
    JobInterest,
    Push,
    ReferralReply,
    ReplyStatus,
    Stage,
    Student,
    Task,
    TaskKind,
    User,
    local_date,
    utcnow,
)
from envoycrm.students.duplicates import normalise_wechat
from envoycrm.students.names import has_hanzi, is_hanzi
from envoycrm.students.services import (
    create_student,
    flag_possible_duplicate,
    move_stage,
    note_activity,
)

SALT = "envoycrm.referral"


def sign(push: Push) -> str:
    """The signed token that goes into the push's referral link."""
    return sharing.sign(push.token, SALT)


def push_for(signed: str) -> Push | None:
    """The push behind a signed token; None when forged, altered or unknown."""
    token = sharing.unsign(signed, SALT)
    if token is None:
        return None
    return db.session.scalar(select(Push).where(Push.token == token))


def count_view(push: Push) -> None:
    """Add one view with an atomic UPDATE (concurrent visitors all count)."""
    sharing.count_view(Push, push.id)


# --- replies -------------------------------------------------------------------------

# Stored in English in the stage history and on tasks; translated where shown.
REPLY_REASON = N_("Reply through a referral link")
CONSENT_TASK_TITLE = N_(
    "A reply came through a referral link, but this student has no consent in "
    "force: confirm consent with them before using it"
)


@dataclass
class ReplyOutcome:
    """What a reply did: the student (new or found) and whether it was new."""

    student: Student
    created: bool


def find_existing(email: str | None, wechat_id: str | None) -> Student | None:
    """The student with this email or WeChat ID, across every envoy."""
    conditions = []
    if email:
        conditions.append(Student.email == email)
    if wechat_id:
        conditions.append(Student.wechat_id == wechat_id)
    if not conditions:
        return None
    return db.session.scalar(
        select(Student).where(or_(*conditions)).order_by(Student.id).limit(1)
    )


def record_reply(push: Push, data: dict, notice_language: str) -> ReplyOutcome:
    """A person said "I'm interested" through ``push``'s link.

    A new person becomes a student owned by the pushing envoy, with consent
    given by form, the interest credited to the push and the stage
    *interested*. A reply with the email or WeChat ID of a known student
    changes nothing: whoever typed it need not be that student, so it is
    held for the student's envoy to confirm (``decide_held_reply``). The
    replier sees the same thank-you either way. The caller commits.
    """
    email = normalise_email(data["email"]) or None
    wechat_id = normalise_wechat(data.get("wechat_id"))
    student = find_existing(email, wechat_id)
    if student is not None:
        held = _hold(push, student, data["name"], email, wechat_id)
        audit.record(
            "referral.reply",
            "push",
            push.id,
            student_id=student.id,
            new_student=False,
            held=held is not None,
        )
        return ReplyOutcome(student, False)
    student = new_student(push.envoy_id, data, email, wechat_id, notice_language)
    _credit(push, student, None)
    audit.record(
        "referral.reply", "push", push.id, student_id=student.id, new_student=True
    )
    return ReplyOutcome(student, True)


def _credit(push: Push, student: Student, actor: User | None) -> None:
    """The interest, credited to ``push``; the stage at least *interested*."""
    now = utcnow()
    interest = db.session.scalar(
        select(JobInterest).where(
            JobInterest.student_id == student.id,
            JobInterest.opening_id == push.opening_id,
        )
    )
    if interest is None:
        db.session.add(
            JobInterest(
                student_id=student.id,
                opening_id=push.opening_id,
                push_id=push.id,
                source=InterestSource.REFERRAL,
                created_at=now,
            )
        )
    if student.stage is not Stage.CLOSED and student.stage.rank < Stage.INTERESTED.rank:
        move_stage(student, actor, Stage.INTERESTED, reason=REPLY_REASON)
    # The reply's day is counted in the zone of the envoy who pushed it.
    note_activity(student, local_date(now, push.envoy.timezone), now)


# --- replies held for the student's envoy ------------------------------------------


def _hold(
    push: Push, student: Student, name: str, email, wechat_id
) -> ReferralReply | None:
    """Hold a reply that matched ``student``, with a task for their envoy.

    Nothing is held when the interest is already recorded or the same link
    already holds a reply for this student (a second click, a retry).
    """
    recorded = select(JobInterest.id).where(
        JobInterest.student_id == student.id,
        JobInterest.opening_id == push.opening_id,
    )
    waiting = select(ReferralReply.id).where(
        ReferralReply.student_id == student.id,
        ReferralReply.push_id == push.id,
        ReferralReply.status == ReplyStatus.HELD,
    )
    if db.session.scalar(recorded.union(waiting).limit(1)) is not None:
        return None
    task = Task(
        kind=TaskKind.REFERRAL_REPLY,
        # English on the task; the task list shows it translated.
        title=(
            f"{name} replied to {push.opening.title_en} "
            f"through {push.envoy.full_name}'s link"
        )[:300],
        student_id=student.id,
        opening_id=push.opening_id,
        assignee_id=student.owner_id,
        due_on=utcnow().date() + timedelta(days=14),
    )
    db.session.add(task)
    db.session.flush()
    reply = ReferralReply(
        push_id=push.id,
        student_id=student.id,
        name=name,
        email=email,
        wechat_id=wechat_id,
        task_id=task.id,
    )
    db.session.add(reply)
    db.session.flush()
    return reply


def decide_held_reply(reply: ReferralReply, actor: User, confirm: bool) -> bool:
    """Confirm (credit the push) or dismiss (record nothing) a held reply.

    Only the first decision counts: False when the reply was already
    decided, also by someone else at the same moment. Confirming records
    the interest credited to the pushing envoy and moves the student to
    *interested*; without consent in force the envoy is asked to confirm
    it with the student. The reply's task is done either way. The caller
    commits.
    """
    now = utcnow()
    decided = db.session.execute(
        update(ReferralReply)
        .where(ReferralReply.id == reply.id, ReferralReply.status == ReplyStatus.HELD)
        .values(
            status=ReplyStatus.CONFIRMED if confirm else ReplyStatus.DISMISSED,
            decided_at=now,
            decided_by_id=actor.id,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(decided) != 1:
        return False
    db.session.refresh(reply)
    student = reply.student
    if confirm:
        _credit(reply.push, student, actor)
        if student.active_consent is None:
            # A withdrawal is never undone by a reply: the envoy asks first.
            _ask_owner_to_confirm_consent(student, reply.push)
    db.session.execute(
        update(Task)
        .where(Task.id == reply.task_id, Task.done_at.is_(None))
        .values(done_at=now, done_by_id=actor.id)
    )
    audit.record(
        "referral.reply_confirm" if confirm else "referral.reply_dismiss",
        "student",
        student.id,
        push_id=reply.push_id,
    )
    return True


def held_replies_of_tasks(tasks) -> dict[int, ReferralReply]:
    """The held reply behind each referral-reply task, by task id (one query)."""
    ids = [t.id for t in tasks if t.kind is TaskKind.REFERRAL_REPLY]
    if not ids:
        return {}
    replies = db.session.scalars(
        select(ReferralReply)
        .where(ReferralReply.task_id.in_(ids))
        .options(
            selectinload(ReferralReply.push).selectinload(Push.opening),
            selectinload(ReferralReply.push).selectinload(Push.envoy),
        )
    )
    return {reply.task_id: reply for reply in replies if reply.task_id is not None}


def _ask_owner_to_confirm_consent(student: Student, push: Push) -> None:
    """A task for the student's envoy: a reply came for a student without consent."""
    db.session.add(
        Task(
            kind=TaskKind.OTHER,
            title=CONSENT_TASK_TITLE,
            student_id=student.id,
            opening_id=push.opening_id,
            assignee_id=student.owner_id,
            due_on=utcnow().date() + timedelta(days=14),
        )
    )


def new_student(
    envoy_id: int,
    data: dict,
    email,
    wechat_id,
    notice_language: str,
    how_met: str = "referral link",
) -> Student:
    """The replier as a new student of the envoy whose link they used, by
    their own consent (an opening's referral link or a policy's)."""
    name_latin, name_hanzi = split_name(data["name"])
    student = create_student(
        owner_id=envoy_id,
        actor_id=None,  # the student gave their details themselves
        stage_changed_by_id=envoy_id,
        profile={
            "name_latin": name_latin,
            "name_hanzi": name_hanzi,
            "email": email,
            "wechat_id": wechat_id,
            # Not on the list: the name as typed, for a coordinator to map.
            "university_id": data.get("university_id") or None,
            "university_name_typed": None
            if data.get("university_id")
            else data.get("university_typed"),
            "programme": data.get("programme") or None,
            "field": data["field"],
            "degree": data["degree"],
            "expected_graduation": data.get("expected_graduation"),
            "birth_year": data.get("birth_year"),  # a policy question asks it
            "how_met": how_met,
        },
        consent_scope=data["consent_scope"],
        consent_method=ConsentMethod.FORM,
        notice_language=notice_language,
        now=utcnow(),
    )
    db.session.flush()
    flag_possible_duplicate(student)
    db.session.flush()
    db.session.refresh(student)
    audit.record("student.create_by_referral", "student", student.id)
    return student


def split_name(name: str) -> tuple[str | None, str | None]:
    """One typed name into (Latin, Hanzi): Chinese characters go to Hanzi."""
    if not has_hanzi(name):
        return name, None
    latin = "".join(ch for ch in name if not is_hanzi(ch)).strip()
    hanzi = "".join(ch for ch in name if is_hanzi(ch))
    return latin or None, hanzi


def consent_scope(share_with_employers: bool) -> ConsentScope:
    """The scope ticked on the form."""
    return ConsentScope.EMPLOYERS if share_with_employers else ConsentScope.BUREAU


def still_open(push: Push, today: date) -> bool:
    """True while the pushed opening takes replies."""
    from envoycrm.jobs.services import is_accepting

    return is_accepting(push.opening, today)
