"""Fixtures of the personal-data tests: a student with a trace in every table."""

from datetime import date, timedelta

import pytest

from envoycrm.extensions import db
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    DataRequest,
    DataRequestKind,
    DigestKind,
    DigestMention,
    EmployerInterest,
    IntentionLevel,
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    OutboxMessage,
    Sector,
    Stage,
    Task,
    TaskKind,
)
from envoycrm.models.students import FieldOfStudy
from envoycrm.models.users import DegreeLevel
from envoycrm.students import services as students

SUBJECT = {
    "name_latin": "Zhuang Xiaoyan",
    "name_hanzi": "庄晓燕",
    "email": "zhuang.xiaoyan@uni.example.ac.uk",
    "wechat_id": "zxy_materials_88",
    "phone": "+44 7700 900777",
}


@pytest.fixture
def subject(factory, people):
    """A student with rows in every table that can hold data about a student."""
    envoy, coordinator = people["envoy"], people["coordinator"]
    student = factory.student(envoy, **SUBJECT)
    other = factory.student(envoy, name_latin="Li Na", email="li.na@example.org")
    students.add_interaction(
        student,
        envoy,
        students.InteractionKind.CALL,
        date(2026, 11, 25),
        "Called Zhuang Xiaoyan about the fair",
    )
    students.record_intention(
        student,
        envoy,
        {
            "level": IntentionLevel.LIKELY,
            "target_sectors": [Sector.NEW_MATERIALS.name],
            "preferred_roles": "R&D engineer",
            "salary_expectation": 200_000,
            "notes": "Wants to be near the sea",
        },
    )
    students.record_consent(
        student, envoy, ConsentScope.EMPLOYERS, ConsentMethod.FORM, "zh_Hans"
    )
    students.move_stage(student, coordinator, Stage.INTERESTED)
    students.add_tag(student, "fair-2026")
    employer = people["employer"].employer
    opening = JobOpening(
        employer_id=employer.id,
        title_en="Materials engineer",
        title_zh="材料工程师",
        sector=Sector.NEW_MATERIALS,
        field=FieldOfStudy.MATERIALS,
        min_degree=DegreeLevel.MASTER,
        salary_min=150_000,
        salary_max=250_000,
        deadline=date.today() + timedelta(days=60),
        status=OpeningStatus.OPEN,
    )
    db.session.add(opening)
    db.session.flush()
    db.session.add_all(
        [
            JobInterest(
                student_id=student.id,
                opening_id=opening.id,
                source=InterestSource.ENVOY,
            ),
            EmployerInterest(
                employer_id=employer.id,
                student_id=student.id,
                opening_id=opening.id,
                created_by_id=people["employer"].id,
            ),
            Task(
                kind=TaskKind.EMPLOYER_INTEREST,
                title="Employer interested in Zhuang Xiaoyan (庄晓燕)",
                details="Reach her at zhuang.xiaoyan@uni.example.ac.uk",
                student_id=student.id,
                assignee_id=envoy.id,
                due_on=date.today() + timedelta(days=7),
            ),
            DataRequest(
                kind=DataRequestKind.EXPORT,
                email=SUBJECT["email"].upper(),
                message="I am Zhuang Xiaoyan, WeChat zxy_materials_88",
                due_on=date.today() + timedelta(days=30),
            ),
        ]
    )
    outbox = OutboxMessage(
        kind=DigestKind.BUREAU,
        recipient_id=coordinator.id,
        recipient_email=coordinator.email,
        locale="en",
        timezone="Asia/Shanghai",
        period="2026-W48",
        message_id="<digest-1@envoycrm.test>",
        subject="Weekly digest: Zhuang Xiaoyan returned",
    )
    db.session.add(outbox)
    db.session.flush()
    db.session.add(DigestMention(outbox_id=outbox.id, student_id=student.id))
    students.audit.record("student.view", "student", student.id, actor_id=envoy.id)
    db.session.commit()
    student.other = other
    return student
