"""Check-in at the door: the QR code's signed link, the phone page, walk-ins."""

import re

from sqlalchemy import func, select

from envoycrm.events import tokens
from envoycrm.events.registration import decide_held
from envoycrm.extensions import db
from envoycrm.models import (
    EventRegistration,
    Interaction,
    InteractionKind,
    RegistrationStatus,
    Student,
)
from tests.conftest import post, sign_in
from tests.events.conftest import walk_in_data


def _path(registration) -> str:
    with db.session.no_autoflush:
        token = tokens.checkin_token(registration)
    return f"/events/checkin/{token}"


def _attended(registration) -> bool:
    db.session.expire_all()
    row = db.session.get(EventRegistration, registration.id)
    return row.attended_at is not None


def _timeline(student_id: int) -> list[Interaction]:
    return list(
        db.session.scalars(
            select(Interaction).where(Interaction.student_id == student_id)
        )
    )


def test_the_host_opening_the_qr_link_checks_the_registrant_in_once(
    app, client, login_as, factory, people
):
    event = factory.event_of(people)
    registration = factory.registration(event, name="Li Na 李娜")
    login_as("envoy")

    first = client.get(_path(registration))

    assert first.status_code == 200
    assert "Li Na 李娜 is checked in." in first.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(EventRegistration, registration.id)
    assert row.status is RegistrationStatus.ATTENDED
    assert row.checked_in_by_id == people["envoy"].id
    at = row.attended_at

    again = client.get(_path(registration)).get_data(as_text=True)
    assert re.search(r"Li Na 李娜 was already checked in at \d\d:\d\d\.", again)
    db.session.expire_all()
    assert db.session.get(EventRegistration, registration.id).attended_at == at


def test_attendance_is_a_meeting_on_the_students_timeline_once(
    client, login_as, factory, people
):
    link = factory.event_link(people)
    registration = factory.registration(link.event, link, name="Zhao Lei")
    assert registration.student_id is not None  # a new student of the envoy
    login_as("envoy")

    client.get(_path(registration))
    client.get(_path(registration))

    entries = [
        i
        for i in _timeline(registration.student_id)
        if i.kind is not InteractionKind.MEETING
    ]
    assert [(i.kind, i.author_id) for i in entries] == [
        (InteractionKind.INFO_SESSION, people["envoy"].id)
    ]
    assert "Working in Qingdao" in entries[0].notes


def test_someone_else_signed_in_gets_404_and_nothing_changes(app, factory, people):
    event = factory.event_of(people)
    registration = factory.registration(event)
    for role in ("envoy2", "employer"):
        client = app.test_client()
        sign_in(client, people[role].email)
        assert client.get(_path(registration)).status_code == 404
    assert not _attended(registration)


def test_a_visitor_not_signed_in_goes_to_sign_in_and_the_host_lands_back(
    app, factory, people
):
    event = factory.event_of(people)
    registration = factory.registration(event, name="Chen Jie")
    client = app.test_client()

    response = client.get(_path(registration))

    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]
    assert not _attended(registration)
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    next_value = re.search(r'id="next"[^>]*value="([^"]*)"', login_page)
    assert next_value is not None
    signed = sign_in(
        client, people["envoy"].email, next=next_value.group(1).replace("&amp;", "&")
    )
    assert signed.headers["Location"].endswith(_path(registration))
    landed = client.get(signed.headers["Location"]).get_data(as_text=True)
    assert "Chen Jie is checked in." in landed
    assert _attended(registration)


def test_a_coordinator_checks_in_at_a_bureau_event(client, login_as, factory, people):
    event = factory.event_of(people)
    registration = factory.registration(event)
    login_as("coordinator")
    assert client.get(_path(registration)).status_code == 200
    assert _attended(registration)


def test_a_forged_or_cancel_link_checks_no_one_in(client, login_as, factory, people):
    event = factory.event_of(people)
    registration = factory.registration(event)
    login_as("envoy")
    forged = _path(registration)[:-2] + "xx"
    assert client.get(forged).status_code == 404
    cancel_token = tokens.sign(registration.token, tokens.CANCEL)
    assert client.get(f"/events/checkin/{cancel_token}").status_code == 404
    assert not _attended(registration)


def test_a_held_match_changes_the_student_only_once_confirmed(
    client, login_as, factory, people, student
):
    student.email = "wang.wei@example.org"
    db.session.commit()
    held = factory.held_registration(people, student)  # envoy2 hosts the event
    before = len(_timeline(student.id))
    login_as("envoy2")

    client.get(_path(held))

    assert _attended(held)
    assert len(_timeline(student.id)) == before
    registration = db.session.get(EventRegistration, held.id)
    assert decide_held(registration, people["envoy"], confirm=True)
    db.session.commit()
    added = _timeline(student.id)[before:]
    assert [i.kind for i in added] == [InteractionKind.INFO_SESSION]


def test_the_door_page_searches_by_latin_name_hanzi_or_email(
    client, login_as, factory, people
):
    event = factory.event_of(people)
    factory.registration(event, name="Wang Fang 王芳", email="fang@uni.example.org")
    factory.registration(event, name="Liu Yang 刘洋", email="yang@uni.example.org")
    login_as("envoy")
    url = f"/events/{event.id}/door"

    def names(q, **headers):
        page = client.get(url, query_string={"q": q}, headers=headers)
        assert page.status_code == 200
        return page.get_data(as_text=True)

    assert "Wang Fang" in names("wang") and "Liu Yang" not in names("wang")
    assert "Liu Yang" in names("刘") and "Wang Fang" not in names("刘")
    assert "Wang Fang" in names("FANG@uni")
    fragment = names("yang", **{"HX-Request": "true"})
    assert "Liu Yang" in fragment and "<html" not in fragment
    assert "No registrant matches" in names("nobody%_")


def test_one_tap_checks_in_and_a_second_tap_says_when(
    client, login_as, factory, people
):
    event = factory.event_of(people)
    registration = factory.registration(event, name="Sun Mei")
    login_as("envoy")
    url = f"/events/{event.id}/door/{registration.id}"

    first = post(client, url, headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert "Sun Mei is checked in." in first.get_data(as_text=True)
    second = post(client, url, follow_redirects=True)
    assert re.search(r"already checked in at \d\d:\d\d", second.get_data(as_text=True))
    assert _attended(registration)


def test_another_envoy_cannot_use_the_door(client, login_as, factory, people):
    event = factory.event_of(people)
    registration = factory.registration(event, name="Sun Mei")
    login_as("envoy2")
    assert client.get(f"/events/{event.id}/door").status_code == 404
    url = f"/events/{event.id}/door/{registration.id}"
    assert post(client, url).status_code == 404
    assert not _attended(registration)


def _walk_in(people, **fields):
    university_id = people["envoy"].envoy_profile.university_id
    return walk_in_data(
        university_id, email="ma.chao@uni.example.org", idempotency_key="a" * 32
    )


def test_a_walk_in_is_logged_as_the_hosts_student_and_checked_in(
    client, login_as, factory, people
):
    event = factory.event_of(people)
    login_as("envoy")

    response = post(client, f"/events/{event.id}/walk-in", data=_walk_in(people))
    again = post(client, f"/events/{event.id}/walk-in", data=_walk_in(people))

    assert response.status_code == 302 and again.status_code == 302
    rows = db.session.scalars(
        select(EventRegistration).where(EventRegistration.walk_in.is_(True))
    ).all()
    assert len(rows) == 1 and rows[0].attended_at is not None
    student = db.session.get(Student, rows[0].student_id)
    assert student.owner_id == people["envoy"].id
    assert student.consents[0].method.name == "IN_PERSON"
    assert [i.kind for i in _timeline(student.id)] == [InteractionKind.INFO_SESSION]


def test_a_walk_in_without_consent_is_refused_at_the_field(
    client, login_as, factory, people
):
    event = factory.event_of(people)
    login_as("envoy")
    data = _walk_in(people)
    del data["consent_scope"]
    response = post(client, f"/events/{event.id}/walk-in", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ask the student which consent they give." in page
    assert 'value="Ma Chao"' in page
    count = select(func.count(EventRegistration.id))
    assert db.session.scalar(count) == 0


def test_the_event_page_leads_its_host_to_the_door(client, login_as, factory, people):
    event = factory.event_of(people)
    login_as("envoy")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/door"' in page
