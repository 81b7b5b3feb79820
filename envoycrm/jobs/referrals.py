"""Referral links: signing them, counting views and taking students' replies.

A link carries the push's random token, signed with the app's secret
(itsdangerous), so a guessed, forged or altered link is refused before the
database is even asked. Nothing here knows about the request.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update

from envoycrm import audit
from envoycrm.access import N_
from envoycrm.auth.services import normalise_email
from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    InterestSource,
    JobInterest,
    Push,
    Stage,
    StageChange,
    Student,
    Task,
    TaskKind,
    utcnow,
)
from envoycrm.students.duplicates import normalise_wechat
from envoycrm.students.names import name_key
from envoycrm.students.services import NOTICE_VERSION, move_stage

SALT = "envoycrm.referral"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(push: Push) -> str:
    """The signed token that goes into the push's referral link."""
    return _serializer().dumps(push.token)


def push_for(signed: str) -> Push | None:
    """The push behind a signed token; None when forged, altered or unknown."""
    if not signed or len(signed) > 200:
        return None
    try:
        token = _serializer().loads(signed)
    except BadSignature:
        return None
    if not isinstance(token, str):
        return None
    return db.session.scalar(select(Push).where(Push.token == token))


def count_view(push: Push) -> None:
    """Add one view with an atomic UPDATE (concurrent visitors all count)."""
    db.session.execute(
        update(Push)
        .where(Push.id == push.id)
        .values(views=Push.views + 1)
        .execution_options(synchronize_session=False)
    )


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as a standalone SVG document (segno)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=True, svgns=True, title=None
    )
    return buffer.getvalue().decode()


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


def _find_existing(email: str | None, wechat_id: str | None) -> Student | None:
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
    """A student said "I'm interested" through ``push``'s link.

    A new person becomes a student owned by the pushing envoy, with consent
    given by form; someone already known (same email or WeChat ID) is linked
    without changing their record. Either way the interest is credited to the
    push and the stage is at least *interested*. The caller commits.
    """
    email = normalise_email(data["email"]) or None
    wechat_id = normalise_wechat(data.get("wechat_id"))
    student = _find_existing(email, wechat_id)
    created = student is None
    now = utcnow()
    if student is None:
        student = _new_student(push, data, email, wechat_id, notice_language)
    elif student.active_consent is None:
        # Whoever typed a known email here need not be that student: a
        # withdrawal is never undone from this public form. The student's
        # envoy confirms with them instead.
        _ask_owner_to_confirm_consent(student, push)
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
        # Moved by the reply itself: the pushing envoy may not own the student.
        move_stage(student, None, Stage.INTERESTED, reason=REPLY_REASON)
    db.session.execute(
        update(Student).where(Student.id == student.id).values(last_activity_at=now)
    )
    audit.record(
        "referral.reply",
        "push",
        push.id,
        student_id=student.id,
        new_student=created,
    )
    return ReplyOutcome(student, created)


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


def _consent(student: Student, data: dict, notice_language: str) -> Consent:
    consent = Consent(
        student_id=student.id,
        scope=data["consent_scope"],
        method=ConsentMethod.FORM,
        notice_version=NOTICE_VERSION,
        notice_language=notice_language,
        recorded_by_id=None,  # the student gave it themselves
        recorded_at=utcnow(),
    )
    db.session.add(consent)
    return consent


def _new_student(
    push: Push, data: dict, email, wechat_id, notice_language: str
) -> Student:
    name_latin, name_hanzi = split_name(data["name"])
    now = utcnow()
    student = Student(
        owner_id=push.envoy_id,
        created_by_id=None,
        name_latin=name_latin,
        name_hanzi=name_hanzi,
        name_key=name_key(name_latin, name_hanzi),
        email=email,
        wechat_id=wechat_id,
        university_id=data["university_id"],
        programme=data.get("programme") or None,
        field=data["field"],
        degree=data["degree"],
        expected_graduation=data.get("expected_graduation"),
        how_met="referral link",
        stage=Stage.CONTACTED,
        stage_changed_at=now,
        consent_scope=data["consent_scope"],
        last_activity_at=now,
    )
    db.session.add(student)
    db.session.flush()
    db.session.add(
        StageChange(
            student_id=student.id,
            to_stage=Stage.CONTACTED,
            changed_by_id=push.envoy_id,
            changed_at=now,
        )
    )
    _consent(student, data, notice_language)
    db.session.flush()
    db.session.refresh(student)
    audit.record("student.create_by_referral", "student", student.id)
    return student


def split_name(name: str) -> tuple[str | None, str | None]:
    """One typed name into (Latin, Hanzi): Chinese characters go to Hanzi."""
    has_hanzi = any("\u3400" <= ch <= "\u9fff" for ch in name)
    if not has_hanzi:
        return name, None
    latin = "".join(ch for ch in name if not "\u3400" <= ch <= "\u9fff").strip()
    hanzi = "".join(ch for ch in name if "\u3400" <= ch <= "\u9fff")
    return latin or None, hanzi


def consent_scope(share_with_employers: bool) -> ConsentScope:
    """The scope ticked on the form."""
    return ConsentScope.EMPLOYERS if share_with_employers else ConsentScope.BUREAU


def still_open(push: Push, today: date) -> bool:
    """True while the pushed opening takes replies."""
    from envoycrm.jobs.services import is_accepting

    return is_accepting(push.opening, today)
