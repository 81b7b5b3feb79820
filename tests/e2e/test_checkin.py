"""The door on a phone: the host scans a QR link, searches and taps people in.

A 375 px screen, as the host holds it at the door: the check-in link opened
while signed out leads through sign-in back to the check-in; the search
narrows the list as the host types (htmx), one tap checks a registrant in,
and a walk-in is added with consent. Nothing may scroll sideways.
"""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from envoycrm.events import tokens
from envoycrm.extensions import db
from envoycrm.models import EventRegistration, Student
from tests.conftest import PASSWORD
from tests.e2e.conftest import fill_sign_in_form

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_host_checks_people_in_on_a_phone(
    app, browser, live_server, factory, people, csp_errors
):
    event = factory.event_of(people)
    scanned = factory.registration(event, name="Li Na 李娜")
    tapped = factory.registration(
        event, name="Wang Fang 王芳", email="fang@uni.example.org"
    )
    factory.registration(event, name="Liu Yang 刘洋")
    with app.test_request_context():
        checkin_url = tokens.checkin_url(scanned)
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    try:
        # The phone camera opens the QR link; the host signs in and lands on it.
        page.goto(checkin_url)
        fill_sign_in_form(page, people["envoy"].email, PASSWORD)
        expect(page.get_by_role("status")).to_have_text("Li Na 李娜 is checked in.")
        assert _width(page) <= 375

        page.get_by_role("link", name="Open the check-in list").click()
        search = page.get_by_label("Search registrants")
        search.fill("王芳")
        expect(page.locator(".door-row")).to_have_count(1)
        expect(page.locator(".door-row")).to_contain_text("Wang Fang")
        assert _width(page) <= 375

        button = page.get_by_role("button", name="Check in Wang Fang 王芳")
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        button.tap()
        expect(page.get_by_role("status")).to_have_text("Wang Fang 王芳 is checked in.")
        expect(page.locator("#registrant-%d" % tapped.id)).to_contain_text("Checked in")

        search.fill("li na")
        expect(page.locator(".door-row")).to_have_count(1)
        expect(page.locator(".door-row")).to_contain_text(re.compile("Checked in"))

        # A walk-in, with consent, as a quick log.
        page.get_by_role("link", name="Add a walk-in").click()
        page.get_by_label("Name in Latin letters").fill("Ma Chao")
        page.get_by_label("Email").fill("ma.chao@uni.example.org")
        page.get_by_label("Field of study").select_option(label="Materials science")
        page.get_by_label("Degree").select_option(label="PhD")
        page.get_by_label("Bureau only", exact=True).check()
        page.get_by_label("In person").check()
        assert _width(page) <= 375
        page.get_by_role("button", name="Add and check in").click()
        expect(page.get_by_text("Ma Chao is added and checked in.")).to_be_visible()
    finally:
        context.close()

    db.session.expire_all()
    rows = {
        r.display_name: r
        for r in db.session.scalars(
            select(EventRegistration).where(EventRegistration.event_id == event.id)
        )
    }
    assert rows["Li Na 李娜"].attended_at is not None
    assert rows["Wang Fang 王芳"].attended_at is not None
    assert rows["Liu Yang 刘洋"].attended_at is None
    walk_in = rows["Ma Chao"]
    assert walk_in.walk_in and walk_in.attended_at is not None
    assert db.session.get(Student, walk_in.student_id).owner_id == people["envoy"].id
