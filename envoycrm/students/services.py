"""Domain functions of the envoy workspace. They know nothing of requests."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from envoycrm import audit
from envoycrm.auth.services import normalise_email
from envoycrm.database import check_version
from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    DataRequest,
    DigestMention,
    EmployerInterest,
    IdempotencyKey,
    Intention,
    Interaction,
    InteractionKind,
    JobInterest,
    ReferralReply,
    Stage,
    StageChange,
    Student,
    StudentTag,
    Task,
    User,
    local_date,
    utcnow,
)
from envoycrm.students.duplicates import Probe, find_duplicates, normalise_wechat
from envoycrm.students.names import name_key

# The version of the privacy notice shown to students (templates/privacy/).
NOTICE_VERSION = "2026-11"
PROFILE_FIELDS = (
    "name_latin",
    "name_hanzi",
    "university_id",
    "programme",
    "field",
    "degree",
    "expected_graduation",
    "birth_year",
    "email",
    "wechat_id",
    "phone",
    "how_met",
)


def _clean_profile(data: dict) -> dict:
    """Normalise contact fields so duplicates compare equal."""
    cleaned = {name: data.get(name) for name in PROFILE_FIELDS}
    cleaned["email"] = normalise_email(cleaned["email"] or "") or None
    cleaned["wechat_id"] = normalise_wechat(cleaned["wechat_id"])
    # UNLISTED_UNIVERSITY (0): the student's typed university stays unmapped.
    cleaned["university_id"] = cleaned["university_id"] or None
    for name in ("name_latin", "name_hanzi", "programme", "phone", "how_met"):
        cleaned[name] = cleaned[name] or None
    return cleaned


def create_student(
    *,
    owner_id: int,
    actor_id: int | None,
    profile: dict,
    consent_scope: ConsentScope,
    consent_method: ConsentMethod,
    notice_language: str,
    now: datetime,
    tags: Iterable[str] = (),
    stage_changed_by_id: int | None = None,
    first_contact_on: date | None = None,
) -> Student:
    """A new student at *contacted*, with the consent given and the first stage.

    The one way a student comes into EnvoyCRM: the quick log, a public referral
    reply and an import all call it. ``actor_id`` is who entered the record
    (None when the student replied themselves); ``stage_changed_by_id``
    defaults to them. ``first_contact_on`` is the day of the first contact,
    the student's last activity so far (today in the owner's zone when not
    given). It adds to the session without flushing, so an import
    writes a chunk at once; callers that log one person flush and call
    ``flag_possible_duplicate``.
    """
    owner = db.session.get(User, owner_id)
    student = Student(
        owner_id=owner_id,
        created_by_id=actor_id,
        name_key=name_key(profile.get("name_latin"), profile.get("name_hanzi")),
        stage=Stage.CONTACTED,
        stage_changed_at=now,
        consent_scope=consent_scope,
        last_activity_on=first_contact_on
        or local_date(now, owner.timezone if owner else "UTC"),
        last_activity_at=now,
        created_at=now,
        tags=[StudentTag(tag=tag) for tag in tags],
        consents=[
            Consent(
                scope=consent_scope,
                method=consent_method,
                notice_version=NOTICE_VERSION,
                notice_language=notice_language,
                recorded_by_id=actor_id,
                recorded_at=now,
            )
        ],
        stage_changes=[
            StageChange(
                to_stage=Stage.CONTACTED,
                changed_by_id=stage_changed_by_id or actor_id,
                changed_at=now,
            )
        ],
        **profile,
    )
    db.session.add(student)
    return student


def flag_possible_duplicate(student: Student) -> None:
    """Point a new record at the first existing student it may duplicate."""
    matches = find_duplicates(
        Probe(
            name_latin=student.name_latin,
            name_hanzi=student.name_hanzi,
            email=student.email,
            wechat_id=student.wechat_id,
            university_id=student.university_id,
            expected_graduation=student.expected_graduation,
            exclude_id=student.id,
        ),
        limit=1,
    )
    student.possible_duplicate_of_id = matches[0].student.id if matches else None


def log_student(envoy: User, data: dict, notice_language: str) -> Student:
    """Create a student, their consent and the first meeting in one transaction."""
    now = utcnow()
    student = create_student(
        owner_id=envoy.id,
        actor_id=envoy.id,
        profile=_clean_profile(data),
        consent_scope=data["consent_scope"],
        consent_method=data["consent_method"],
        notice_language=notice_language,
        now=now,
        first_contact_on=data["met_on"],
    )
    db.session.flush()
    add_interaction(
        student, envoy, data["met_kind"], data["met_on"], data.get("notes") or ""
    )
    flag_possible_duplicate(student)
    audit.record("student.create", "student", student.id, actor_id=envoy.id)
    return student


def add_interaction(
    student: Student,
    author: User,
    kind: InteractionKind,
    day: date,
    notes: str,
) -> Interaction:
    """Record a touchpoint that happened on ``day`` and refresh the last activity.

    ``day`` is a date with no time of day: it reads the same in every zone.
    """
    now = utcnow()
    interaction = Interaction(
        student_id=student.id,
        author_id=author.id,
        kind=kind,
        occurred_on=day,
        notes=notes,
        created_at=now,
    )
    db.session.add(interaction)
    note_activity(student, day, now)
    audit.record("interaction.create", "student", student.id, actor_id=author.id)
    return interaction


def note_activity(student: Student, day: date, at: datetime) -> None:
    """Make (``day``, ``at``) the student's last activity if it is the latest.

    Activities order by their day, then by the instant they were recorded, so
    a meeting dated today and an intention recorded today compare correctly.
    """
    if (day, at) > (student.last_activity_on, student.last_activity_at):
        _update_without_version(student, last_activity_on=day, last_activity_at=at)


def _update_without_version(student: Student, **values) -> None:
    """Change bookkeeping columns without bumping the record's version.

    Activity, stage and consent moves must not make an envoy's open edit form
    look stale; only profile edits do.
    """
    db.session.execute(update(Student).where(Student.id == student.id).values(**values))
    for name, value in values.items():
        set_committed_value(student, name, value)  # keep the object in step


def update_profile(
    student: Student, data: dict, expected_version: int | None, actor: User
) -> list[str]:
    """Edit the profile, refusing it if someone saved since it was loaded."""
    check_version(student, expected_version)
    profile = _clean_profile(data)
    profile["follow_up_on"] = data.get("follow_up_on")
    changed = []
    for name, value in profile.items():
        if getattr(student, name) != value:
            setattr(student, name, value)
            changed.append(name)
    if {"name_latin", "name_hanzi"} & set(changed):
        student.name_key = name_key(student.name_latin, student.name_hanzi)
    if student.university_id is not None and student.university_name_typed:
        # Mapped to a known university: the typed name has served its purpose.
        student.university_name_typed = None
        changed.append("university_name_typed")
    audit.record("student.update", "student", student.id, fields=changed)
    return changed


def record_intention(student: Student, actor: User, data: dict) -> Intention:
    """A new intention record; it becomes the student's current intention."""
    intention = Intention(
        student_id=student.id,
        recorded_by_id=actor.id,
        level=data["level"],
        target_sectors=list(data.get("target_sectors") or []),
        preferred_roles=data.get("preferred_roles") or None,
        earliest_start=data.get("earliest_start"),
        salary_expectation=data.get("salary_expectation"),
        startup_interest=bool(data.get("startup_interest")),
        notes=data.get("notes") or None,
    )
    db.session.add(intention)
    _update_without_version(student, intention_level=data["level"])
    now = utcnow()
    note_activity(student, local_date(now, actor.timezone), now)
    audit.record("intention.create", "student", student.id)
    return intention


def record_consent(
    student: Student,
    actor: User,
    scope: ConsentScope,
    method: ConsentMethod,
    notice_language: str,
) -> Consent:
    """Record new consent; it replaces the one in force."""
    now = utcnow()
    for consent in student.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
            consent.withdrawn_by_id = actor.id
    consent = Consent(
        student=student,
        scope=scope,
        method=method,
        notice_version=NOTICE_VERSION,
        notice_language=notice_language,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(consent)
    _update_without_version(student, consent_scope=scope)
    audit.record("consent.record", "student", student.id, scope=scope.value)
    return consent


def withdraw_consent(student: Student, actor: User) -> bool:
    """Withdraw the consent in force, at once; False if there was none."""
    active = student.active_consent
    if active is None:
        return False
    active.withdrawn_at = utcnow()
    active.withdrawn_by_id = actor.id
    _update_without_version(student, consent_scope=None)
    audit.record("consent.withdraw", "student", student.id)
    return True


def move_stage(
    student: Student, actor: User | None, stage: Stage, reason: str | None = None
) -> StageChange | None:
    """Move the student to ``stage`` and record the move; None if unchanged.

    ``actor`` is None when the system moves the student (a referral reply).
    """
    if stage is student.stage:
        return None
    now = utcnow()
    old_stage = student.stage
    change = StageChange(
        student_id=student.id,
        from_stage=old_stage,
        to_stage=stage,
        reason=reason,
        changed_by_id=actor.id if actor else None,
        changed_at=now,
    )
    db.session.add(change)
    _update_without_version(
        student,
        stage=stage,
        stage_changed_at=now,
        closed_reason=reason if stage is Stage.CLOSED else None,
    )
    audit.record(
        "student.stage",
        "student",
        student.id,
        old=old_stage.value,
        new=stage.value,
    )
    return change


def add_tag(student: Student, tag: str) -> bool:
    """Tag the student; False if the tag was already there."""
    if any(t.tag == tag for t in student.tags):
        return False
    student.tags.append(StudentTag(tag=tag))
    # A tag is free text that may name a person: the trail says only that
    # one was added.
    audit.record("student.tag_add", "student", student.id)
    return True


def remove_tag(student: Student, tag: str) -> bool:
    """Remove a tag; False if the student did not have it."""
    for existing in list(student.tags):
        if existing.tag == tag:
            student.tags.remove(existing)
            audit.record("student.tag_remove", "student", student.id)
            return True
    return False


def reassign(student: Student, owner: User) -> None:
    """Give the student to another envoy."""
    old = student.owner_id
    _update_without_version(student, owner_id=owner.id)
    # Open follow-ups go with the student: the former envoy no longer sees them.
    db.session.execute(
        update(Task)
        .where(
            Task.student_id == student.id,
            Task.assignee_id == old,
            Task.done_at.is_(None),
        )
        .values(assignee_id=owner.id)
    )
    audit.record("student.reassign", "student", student.id, old=old, new=owner.id)


def merge(keep: Student, other: Student) -> None:
    """Merge ``other`` into ``keep``, then delete ``other``.

    Every interaction, intention, consent, stage move, tag, task, data
    request, held referral reply, job interest and digest mention moves
    over (where ``keep`` already has the same interest or mention,
    ``other``'s copy goes); fields empty on ``keep`` are filled from ``other``.
    """
    db.session.flush()
    other_tags = {t.tag for t in other.tags} - {t.tag for t in keep.tags}
    for model in (
        Interaction,
        Intention,
        Consent,
        StageChange,
        Task,
        DataRequest,
        ReferralReply,
    ):
        db.session.execute(
            update(model).where(model.student_id == other.id).values(student_id=keep.id)
        )
    # Rows unique per student and something else: move those keep lacks.
    for keyed, other_key in (
        (JobInterest, JobInterest.opening_id),
        (EmployerInterest, EmployerInterest.opening_id),
        (DigestMention, DigestMention.outbox_id),
    ):
        taken = select(other_key).where(keyed.student_id == keep.id)
        db.session.execute(
            update(keyed)
            .where(keyed.student_id == other.id, other_key.not_in(taken))
            .values(student_id=keep.id)
        )
    db.session.execute(delete(StudentTag).where(StudentTag.student_id == other.id))
    db.session.execute(
        update(Student)
        .where(Student.possible_duplicate_of_id == other.id)
        .values(possible_duplicate_of_id=keep.id)
    )
    db.session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.record_type == "student",
            IdempotencyKey.record_id == other.id,
        )
        .values(record_id=keep.id)
    )
    # Reload both from the database: the moves above bypassed the ORM.
    db.session.expire(other)
    db.session.expire(keep)
    for tag in sorted(other_tags):
        keep.tags.append(StudentTag(tag=tag))
    for name in (*PROFILE_FIELDS, "follow_up_on"):
        if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(keep, name, getattr(other, name))
    keep.name_key = name_key(keep.name_latin, keep.name_hanzi)
    if other.stage is not Stage.CLOSED and other.stage.rank > keep.stage.rank:
        keep.stage, keep.stage_changed_at = other.stage, other.stage_changed_at
    keep.last_activity_on, keep.last_activity_at = max(
        (keep.last_activity_on, keep.last_activity_at),
        (other.last_activity_on, other.last_activity_at),
    )
    if keep.possible_duplicate_of_id in (keep.id, other.id):
        keep.possible_duplicate_of_id = None
    latest = db.session.scalar(
        select(Intention)
        .where(Intention.student_id == keep.id)
        .order_by(Intention.recorded_at.desc(), Intention.id.desc())
        .limit(1)
    )
    keep.intention_level = latest.level if latest else None
    active = keep.active_consent
    keep.consent_scope = active.scope if active else None
    merged_id = other.id
    db.session.delete(other)
    audit.record("student.merge", "student", keep.id, merged=merged_id)
