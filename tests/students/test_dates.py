"""Date-only values (met on, a touchpoint's day) read the same in every zone."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from envoycrm.extensions import db
from envoycrm.models import (
    Intention,
    IntentionLevel,
    Interaction,
    InteractionKind,
    Role,
    Student,
    utcnow,
)
from envoycrm.students import services
from tests.conftest import post, sign_in

MET_ON = date(2026, 12, 3)


def _new_york_envoy(factory, people):
    return factory.user(
        Role.ENVOY,
        "ny.envoy@example.org",
        timezone="America/New_York",
        locale="en",
        university=people["envoy"].envoy_profile.university,
    )


def _timeline(html: str) -> str:
    return html.split('id="timeline-heading"', 1)[1].split("</ol>", 1)[0]


def test_a_new_york_envoys_met_on_reads_the_same_date_to_a_shanghai_coordinator(
    app, client, factory, people
):
    envoy = _new_york_envoy(factory, people)
    sign_in(client, envoy.email)
    response = post(
        client,
        "/students/quick-log",
        {
            "name_latin": "Li Hua",
            "university_id": str(envoy.envoy_profile.university_id),
            "field": "MARINE",
            "degree": "MASTER",
            "email": "li.hua@students.example.org",
            "met_kind": "MEETING",
            "met_on": MET_ON.isoformat(),
            "consent_scope": "EMPLOYERS",
            "consent_method": "IN_PERSON",
            "notice_language": "en",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    student = db.session.scalar(select(Student))
    interaction = db.session.scalar(select(Interaction))
    assert interaction.occurred_on == MET_ON
    assert student.last_activity_on == MET_ON

    coordinator = people["coordinator"]
    assert coordinator.timezone == "Asia/Shanghai"
    coordinator.locale = "en"
    db.session.commit()
    shanghai = app.test_client()
    sign_in(shanghai, coordinator.email)
    html = shanghai.get(f"/students/{student.id}").get_data(as_text=True)

    timeline = _timeline(html)
    meeting = timeline.split('class="timeline-interaction"', 1)[1].split("</li>")[0]
    assert '<time datetime="2026-12-03">3 Dec 2026</time>' in meeting
    # No time of day is invented for a date: not noon, not 01:00 in Shanghai.
    assert not re.search(r"\d{1,2}:\d{2}", meeting)
    assert "Dec 4" not in meeting


def test_the_timeline_shows_no_invented_time_of_day(client, login_as, student):
    services.add_interaction(
        student, student.owner, InteractionKind.CALL, MET_ON, "Called back."
    )
    db.session.commit()
    login_as("envoy")
    timeline = _timeline(client.get(f"/students/{student.id}").get_data(as_text=True))
    for entry in re.findall(r'class="timeline-interaction">(.*?)</li>', timeline, re.S):
        assert not re.search(r"\d{1,2}:\d{2}", entry), entry
    assert "12:00" not in timeline


def test_the_timeline_orders_a_dated_touchpoint_among_instants_by_day_then_record(
    client, login_as, people, student
):
    """An intention recorded yesterday sits below a call dated today, and
    above a meeting dated the day before yesterday even if that meeting was
    written down later."""
    envoy = people["envoy"]
    today = utcnow().astimezone(ZoneInfo(envoy.timezone)).date()
    services.record_intention(student, envoy, {"level": IntentionLevel.LIKELY})
    db.session.execute(
        update(Intention).values(recorded_at=utcnow() - timedelta(days=1))
    )
    services.add_interaction(
        student, envoy, InteractionKind.CHAT, today - timedelta(days=2), "Older"
    )
    services.add_interaction(student, envoy, InteractionKind.CALL, today, "Newest")
    db.session.commit()

    login_as("envoy")
    timeline = _timeline(client.get(f"/students/{student.id}").get_data(as_text=True))
    order = [timeline.index(text) for text in ("Newest", "Intention:", "Older")]
    assert order == sorted(order)


def test_the_latest_activity_orders_by_day_then_by_when_it_was_recorded(
    factory, people
):
    envoy = people["envoy"]
    today = utcnow().astimezone(ZoneInfo(envoy.timezone)).date()
    earlier = factory.student(envoy, name_latin="Met Earlier", met_on=today)
    later = factory.student(envoy, name_latin="Met Later", met_on=today)
    backdated = factory.student(
        envoy, name_latin="Met Last Week", met_on=today - timedelta(days=7)
    )
    # A call logged now about last week does not make last week's student
    # the latest activity.
    services.add_interaction(
        backdated, envoy, InteractionKind.CALL, today - timedelta(days=6), ""
    )
    db.session.commit()
    from envoycrm.students.queries import SORTS

    names = db.session.scalars(
        select(Student.name_latin).order_by(*SORTS["activity"].order)
    ).all()
    assert names == ["Met Later", "Met Earlier", "Met Last Week"]
    assert backdated.last_activity_on == today - timedelta(days=6)
    assert earlier.last_activity_on == later.last_activity_on == today


def test_a_date_field_offers_today_in_the_envoys_zone_not_the_servers(
    client, factory, people
):
    # Kiritimati is UTC+14 and Pago Pago UTC-11: at any hour one of them is
    # on another day than the server.
    zone = next(
        name
        for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if utcnow().astimezone(ZoneInfo(name)).date() != date.today()
    )
    envoy = factory.user(
        Role.ENVOY,
        "far.envoy@example.org",
        timezone=zone,
        university=people["envoy"].envoy_profile.university,
    )
    student = factory.student(envoy)
    local_today = utcnow().astimezone(ZoneInfo(zone)).date().isoformat()
    sign_in(client, envoy.email)

    home = client.get("/").get_data(as_text=True)
    met_on = re.search(r'<input[^>]*name="met_on"[^>]*>', home).group(0)
    assert f'value="{local_today}"' in met_on
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    occurred_on = re.search(r'<input[^>]*name="occurred_on"[^>]*>', page).group(0)
    assert f'value="{local_today}"' in occurred_on


def test_a_call_logged_today_about_a_day_long_ago_leaves_the_student_waiting(
    factory, people
):
    """ "No contact in 30 days" counts the day of the contact, not the day it
    was written down."""
    from envoycrm.students.queries import waiting_for_follow_up

    envoy = people["envoy"]
    today = utcnow().astimezone(ZoneInfo(envoy.timezone)).date()
    student = factory.student(
        envoy, name_latin="Long Quiet", met_on=today - timedelta(days=60)
    )
    services.add_interaction(
        student, envoy, InteractionKind.CALL, today - timedelta(days=40), "Late note"
    )
    db.session.commit()

    waiting = db.session.scalars(waiting_for_follow_up(envoy, today)).all()
    assert [s.name_latin for s in waiting] == ["Long Quiet"]
