"""Rows for the jobs tests: openings, pushes, intentions."""

from datetime import date, timedelta

from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.jobs import referrals, services
from envoycrm.models import (
    DegreeLevel,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    JobOpening,
    OpeningStatus,
    Push,
    ReferralReply,
    Sector,
    utcnow,
)


def make_opening(employer_id: int, **fields) -> JobOpening:
    """An opening with sensible defaults (OPEN, materials, master, 150k–250k)."""
    values = {
        "title_en": "Materials Engineer",
        "title_zh": "材料工程师",
        "description_en": "Develop marine anti-corrosion coatings.",
        "description_zh": "研发海洋防腐涂料。",
        "sector": Sector.NEW_MATERIALS,
        "field": FieldOfStudy.MATERIALS,
        "min_degree": DegreeLevel.MASTER,
        "salary_min": 150_000,
        "salary_max": 250_000,
        "headcount": 2,
        "location": "Qingdao",
        "deadline": date.today() + timedelta(days=60),
        "status": OpeningStatus.OPEN,
    }
    values.update(fields)
    opening = JobOpening(employer_id=employer_id, **values)
    db.session.add(opening)
    db.session.commit()
    return opening


def opening_for(people) -> JobOpening:
    """The open opening of the test employer's organisation (made once)."""
    employer_id = people["employer"].employer_id
    opening = db.session.scalar(
        select(JobOpening).where(JobOpening.employer_id == employer_id).limit(1)
    )
    return opening or make_opening(employer_id)


def push_for(people) -> Push:
    """The first envoy's push of ``opening_for(people)`` (made once)."""
    push = services.push_opening(people["envoy"], opening_for(people))
    db.session.commit()
    return push


def intention(student, **fields) -> Intention:
    """Record an intention for ``student`` directly."""
    values = {
        "level": IntentionLevel.LIKELY,
        "target_sectors": [],
        "earliest_start": None,
        "salary_expectation": None,
        "recorded_at": utcnow(),
    }
    values.update(fields)
    row = Intention(student_id=student.id, **values)
    db.session.add(row)
    db.session.commit()
    return row


def held_reply_for(people, student) -> ReferralReply:
    """A public reply naming ``student``'s email, held for their envoy (made once)."""
    reply = db.session.scalar(
        select(ReferralReply).where(ReferralReply.student_id == student.id).limit(1)
    )
    if reply is not None:
        return reply
    push = services.push_opening(people["envoy2"], opening_for(people))
    data = {"name": "Someone Else", "email": student.email, "wechat_id": None}
    referrals.record_reply(push, data, "en")
    db.session.commit()
    return db.session.scalar(
        select(ReferralReply).where(ReferralReply.student_id == student.id)
    )
