"""Possible duplicates: name keys, flags, the duplicate check and merging."""

from datetime import date

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    Intention,
    IntentionLevel,
    Interaction,
    StageChange,
    Student,
)
from envoycrm.students import services
from envoycrm.students.names import name_key
from tests.conftest import post
from tests.students.conftest import count_rows

# --- duplicates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "hanzi"), [(None, "王伟"), ("Wang Wei", None), ("Wei Wang", None)]
)
def test_hanzi_and_pinyin_in_either_order_have_one_key(latin, hanzi):
    assert name_key(latin, hanzi) == "wang wei"


def test_similar_names_at_the_same_university_are_flagged(factory, people):
    first = factory.student(people["envoy"], name_latin=None, name_hanzi="王伟")
    for latin in ("Wang Wei", "Wei WANG"):
        other = factory.student(
            people["envoy2"],
            name_latin=latin,
            email=None,
            university_id=first.university_id,
            expected_graduation=date(2030, 1, 1),
        )
        assert other.possible_duplicate_of_id == first.id


def test_similar_names_elsewhere_and_another_year_are_not_flagged(factory, people):
    factory.student(
        people["envoy"], name_hanzi="王伟", expected_graduation=date(2027, 6, 1)
    )
    other = factory.student(
        people["envoy2"],
        name_latin="Wang Wei",
        expected_graduation=date(2029, 6, 1),
    )
    assert other.possible_duplicate_of_id is None


def test_same_graduation_year_counts_as_context(factory, people):
    first = factory.student(people["envoy"], name_hanzi="王伟")
    other = factory.student(people["envoy2"], name_latin="Wei Wang")
    assert other.possible_duplicate_of_id == first.id  # both 2027, other universities


def test_exact_email_or_wechat_always_match(factory, people):
    first = factory.student(people["envoy"], email="a@x.org", wechat_id="wxid_abc")
    by_email = factory.student(
        people["envoy2"], name_latin="Zhang San", email="A@X.org"
    )
    by_wechat = factory.student(
        people["envoy2"], name_latin="Li Si", email=None, wechat_id="WXID_abc"
    )
    assert by_email.possible_duplicate_of_id == first.id
    assert by_wechat.possible_duplicate_of_id == first.id


def test_duplicate_check_never_reveals_another_envoys_student(
    client, login_as, factory, people
):
    factory.student(
        people["envoy"],
        name_hanzi="王伟",
        email="wang.wei@x.org",
        phone="+44 1234 567890",
    )
    login_as("envoy2")
    response = post(
        client,
        "/students/duplicates",
        {"name_latin": "Wang Wei", "email": "wang.wei@x.org"},
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert "may already be known to the network" in page
    assert "王伟" not in page and "wang.wei@x.org" not in page
    assert "/students/" not in page and "Manchester" not in page


def test_duplicate_check_shows_the_envoys_own_student(
    client, login_as, factory, people
):
    own = factory.student(people["envoy"], name_hanzi="王伟")
    login_as("envoy")
    response = post(
        client,
        "/students/duplicates",
        {"name_latin": "Wei Wang", "university_id": str(own.university_id)},
    )
    page = response.get_data(as_text=True)
    assert f"/students/{own.id}" in page
    assert "may already be known" not in page


def test_coordinator_merges_two_records_keeping_all_history(
    client, login_as, factory, people
):
    keep = factory.student(
        people["envoy"], name_latin=None, name_hanzi="王伟", wechat_id=None
    )
    other = factory.student(
        people["envoy2"], name_latin="Wang Wei", email=None, wechat_id="wangwei88"
    )
    services.record_intention(other, people["envoy2"], {"level": IntentionLevel.LIKELY})
    services.add_tag(other, "phd-track")
    db.session.commit()
    before = {m: count_rows(m) for m in (Interaction, Intention, Consent, StageChange)}
    login_as("coordinator")
    page = client.get(f"/students/{other.id}").get_data(as_text=True)
    assert f'value="{keep.id}"' in page  # the merge form offers the flagged record
    response = post(client, f"/students/{keep.id}/merge", {"other_id": str(other.id)})
    assert response.status_code == 302
    assert db.session.get(Student, other.id) is None
    after = {m: count_rows(m) for m in (Interaction, Intention, Consent, StageChange)}
    assert after == before
    merged = db.session.get(Student, keep.id)
    assert merged.wechat_id == "wangwei88" and merged.name_latin == "Wang Wei"
    assert merged.intention_level is IntentionLevel.LIKELY
    assert [t.tag for t in merged.tags] == ["phd-track"]
    assert (
        db.session.scalar(select(func.count()).where(Interaction.student_id == keep.id))
        == 2
    )


def test_envoys_cannot_merge(client, login_as, factory, people):
    a = factory.student(people["envoy"])
    b = factory.student(people["envoy"])
    login_as("envoy")
    assert (
        post(client, f"/students/{a.id}/merge", {"other_id": b.id}).status_code == 403
    )


def test_a_merge_keeps_job_interests_tasks_and_moves_reassigned_tasks(
    client, login_as, factory, people
):
    from envoycrm.models import InterestSource, JobInterest, Task, TaskKind

    keep = factory.student(people["envoy"], name_hanzi="王伟", wechat_id=None)
    other = factory.student(people["envoy2"], name_latin="Wang Wei", email=None)
    first = factory.opening(people["employer"].employer_id)
    second = factory.opening(people["employer"].employer_id)
    for student, opening in ((keep, first), (other, first), (other, second)):
        db.session.add(
            JobInterest(
                student_id=student.id,
                opening_id=opening.id,
                source=InterestSource.ENVOY,
            )
        )
    db.session.add(
        Task(
            kind=TaskKind.OTHER,
            title="Call back",
            student_id=other.id,
            assignee_id=people["envoy2"].id,
        )
    )
    db.session.commit()
    services.merge(keep, other)
    db.session.commit()
    interests = db.session.scalars(
        select(JobInterest.opening_id).where(JobInterest.student_id == keep.id)
    ).all()
    assert sorted(interests) == sorted([first.id, second.id])
    task = db.session.scalar(select(Task))
    assert task.student_id == keep.id
    # Reassigning hands the open task to the new envoy.
    services.reassign(keep, people["coordinator"])
    db.session.commit()
    db.session.refresh(task)
    assert task.assignee_id == people["envoy2"].id  # not the old owner's task
    services.reassign(keep, people["envoy2"])
    db.session.commit()
    services.reassign(keep, people["envoy"])
    db.session.commit()
    db.session.refresh(task)
    assert task.assignee_id == people["envoy"].id
