"""The events pages: who creates and edits what, times in two zones, who sees whom."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from envoycrm.events import mails, services
from envoycrm.extensions import db
from envoycrm.models import (
    Event,
    EventInvitation,
    EventKind,
    EventLink,
    EventMail,
    EventMailKind,
    EventStatus,
    Interaction,
    InteractionKind,
)
from tests.conftest import csrf_token, post, sign_in
from tests.events.conftest import event_form_data


def test_an_envoy_creates_an_info_session_for_their_own_university(
    client, login_as, people
):
    envoy = login_as("envoy")
    response = post(client, "/events/new", event_form_data())
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.kind is EventKind.INFO_SESSION
    assert event.status is EventStatus.DRAFT
    assert event.host_id == envoy.id
    assert event.university_id == envoy.envoy_profile.university_id
    assert event.time_zone == "Europe/London"
    # 18:00 in London in winter is 18:00 UTC; stored as the instant.
    assert event.starts_at.hour == 18 and event.starts_at.utcoffset().seconds == 0


def test_an_envoy_may_not_create_a_talent_fair(client, login_as):
    login_as("envoy")
    response = post(client, "/events/new", event_form_data(kind="TALENT_FAIR"))
    assert response.status_code == 422
    assert 'id="kind-error"' in response.text
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_coordinator_creates_a_talent_fair_for_the_bureau(client, login_as):
    login_as("coordinator")
    data = event_form_data(kind="TALENT_FAIR", time_zone="Asia/Shanghai")
    assert post(client, "/events/new", data).status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.kind is EventKind.TALENT_FAIR and event.university_id is None


def test_an_event_that_ends_before_it_starts_is_refused_at_the_field(client, login_as):
    login_as("coordinator")
    data = event_form_data()
    data["ends_at"] = data["starts_at"].replace("T18:00", "T17:00")
    response = post(client, "/events/new", data)
    assert response.status_code == 422
    assert 'id="ends_at-error"' in response.text
    assert 'value="Working in Qingdao"' in response.text


def test_the_event_page_shows_the_readers_zone_and_the_events_beside_it(
    client, factory, people
):
    event = factory.event(people["envoy"])  # 18:00 in London
    sign_in(client, people["coordinator"].email)  # reads in Shanghai
    page = client.get(f"/events/{event.id}").text
    shanghai = event.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{shanghai:%H}:00" in page  # 02:00 the next day in Shanghai
    assert "18:00" in page and "where it takes place" in page
    assert "Every student" in page


def test_a_stale_edit_is_refused_with_409(client, factory, login_as, people):
    event = factory.event(people["envoy"])
    login_as("envoy")
    stale = event.version
    event.title_en = "Changed meanwhile"
    db.session.commit()
    response = post(
        client,
        f"/events/{event.id}/edit",
        {**event_form_data(title_en="Mine"), "version": str(stale)},
    )
    assert response.status_code == 409
    assert 'value="Mine"' in response.text
    db.session.refresh(event)
    assert event.title_en == "Changed meanwhile"


def test_another_envoy_may_see_a_published_event_but_not_edit_it(
    client, factory, login_as, people
):
    event = factory.event(people["envoy"])
    login_as("envoy2")
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get(f"/events/{event.id}/edit").status_code == 404
    draft = factory.event(people["envoy"], status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.id}").status_code == 404


def test_the_host_sees_every_registrant_and_another_envoy_only_a_count(
    client, factory, login_as, people
):
    event = factory.event(people["coordinator"], kind=EventKind.TALENT_FAIR)
    factory.registration(event, name="Zhou Yi", email="zhou@example.org")
    factory.registration(event, name="Qian Bo", email="qian@example.org")
    envoy_link = services.link_for(people["envoy"], event)
    db.session.commit()
    factory.registration(event, envoy_link, name="Sun Mei", email="sun@example.org")

    login_as("envoy")
    page = client.get(f"/events/{event.id}").text
    assert "Sun Mei" in page  # came through the envoy's own link
    assert "Zhou Yi" not in page and "Qian Bo" not in page
    assert "3 registered" in page  # everyone else is counted

    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    login_as("coordinator")
    page = client.get(f"/events/{event.id}").text
    assert all(name in page for name in ("Zhou Yi", "Qian Bo", "Sun Mei"))


def test_inviting_a_student_is_recorded_on_their_timeline(
    client, factory, login_as, people, student
):
    event = factory.event(people["envoy"])
    login_as("envoy")
    response = post(
        client,
        f"/events/{event.id}/invitations",
        {"student_id": str(student.id), "note": "Sent on WeChat"},
    )
    assert response.status_code == 302
    invitation = db.session.scalars(select(EventInvitation)).one()
    entry = db.session.get(Interaction, invitation.interaction_id)
    assert entry.kind is InteractionKind.EVENT_INVITATION
    assert entry.notes == "Working in Qingdao\nSent on WeChat"
    timeline = client.get(f"/students/{student.id}").text
    assert "Invited to an event" in timeline
    # Inviting again records nothing more.
    post(client, f"/events/{event.id}/invitations", {"student_id": str(student.id)})
    assert db.session.scalar(select(func.count(EventInvitation.id))) == 1


def test_an_envoy_gets_a_link_with_a_qr_code_and_a_bilingual_message(
    client, factory, login_as, people
):
    event = factory.event(people["envoy"])
    login_as("envoy")
    response = post(client, f"/events/{event.id}/link", {})
    assert response.status_code == 302
    link = db.session.scalars(select(EventLink)).one()
    page = client.get(response.headers["Location"]).text
    assert "在青岛工作" in page and "Working in Qingdao" in page
    assert "/e/l-" in page and "Register here" in page
    qr = client.get(f"/events/links/{link.id}/qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")


def test_publishing_closing_and_cancelling_tells_the_registrants(
    client, factory, login_as, people, smtp
):
    event = factory.event(people["envoy"], status=EventStatus.DRAFT)
    login_as("envoy")
    post(client, f"/events/{event.id}/status", {"status": "PUBLISHED"})
    db.session.refresh(event)
    assert event.status is EventStatus.PUBLISHED
    factory.registration(event)
    mails.send_due()
    post(client, f"/events/{event.id}/status", {"status": "CLOSED"})
    db.session.refresh(event)
    assert event.status is EventStatus.CLOSED
    assert post(client, f"/events/{event.id}/cancel", {}).status_code == 302
    db.session.refresh(event)
    assert event.status is EventStatus.CANCELLED
    mails.send_due()
    kinds = db.session.scalars(select(EventMail.kind).order_by(EventMail.id)).all()
    assert kinds == [EventMailKind.CONFIRMATION, EventMailKind.EVENT_CANCELLED]
    assert smtp.messages[-1]["Subject"] == "Cancelled: Working in Qingdao"


def test_the_list_shows_upcoming_and_past_events_by_kind(
    client, factory, login_as, people
):
    factory.event(people["envoy"], title_en="Coming soon")
    factory.event(
        people["envoy"],
        title_en="Long ago",
        starts_at=datetime(2025, 11, 1, 18, 0, tzinfo=UTC),
    )
    login_as("envoy2")
    upcoming = client.get("/events/").text
    assert "Coming soon" in upcoming and "Long ago" not in upcoming
    past = client.get("/events/?when=past").text
    assert "Long ago" in past and "Coming soon" not in past
    assert "Coming soon" not in client.get("/events/?kind=TALENT_FAIR").text
