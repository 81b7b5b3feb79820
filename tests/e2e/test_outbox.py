"""Nothing typed is lost on a dropped link: the outbox in a real browser.

A submission the network drops is kept in localStorage under the signed-in
user, said so at the form, counted in the header, sent again by itself when
the browser is back online (or on "Retry") with the same idempotency key, and
cleared at sign-out.
"""

import json

from playwright.sync_api import expect
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import Student

OFFLINE = "Not sent — you are offline"
QUICK_LOG = "**/students/quick-log"
NOTHING_KEPT = (
    "() => !Object.keys(localStorage).some(k => k.startsWith('envoycrm:outbox:'))"
)


def _students() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Student))


def _fill_quick_log(page, name: str = "Offline Person") -> None:
    page.get_by_label("Name in Latin letters").fill(name)
    page.get_by_label("Field of study").select_option("MATERIALS")
    page.get_by_label("Degree", exact=True).select_option("MASTER")
    page.get_by_label("Email", exact=True).fill("offline.person@students.example.org")
    page.get_by_label("Bureau only").check()
    page.get_by_label("In person").check()


def _kept(page) -> list[dict]:
    raw = page.evaluate(
        """() => Object.keys(localStorage)
            .filter(k => k.startsWith("envoycrm:outbox:"))
            .map(k => localStorage.getItem(k))"""
    )
    return [entry for value in raw for entry in json.loads(value)]


def test_a_quick_log_saved_offline_is_kept_said_so_and_sent_when_back_online(
    page, live_server, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    _fill_quick_log(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Save student and meeting").click()

    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    expect(page.locator("#outbox summary")).to_have_text("1 entry waiting to be sent")
    (entry,) = _kept(page)
    assert ["name_latin", "Offline Person"] in entry["fields"]
    assert all(name != "csrf_token" for name, _value in entry["fields"])
    assert _students() == 0

    page.context.set_offline(False)
    expect(page.get_by_text("Your kept entry has been sent.")).to_be_visible()
    expect(page.locator("#outbox")).to_be_hidden()
    assert _kept(page) == []
    assert _students() == 1


def test_a_dropped_answer_is_sent_again_with_the_same_key_and_makes_one_student(
    page, live_server, people, csp_errors, sign_in_as
):
    """The server saved the student but the answer never arrived: the retry
    carries the same idempotency key, so the server makes no second row."""
    sign_in_as("envoy")
    _fill_quick_log(page)

    def deliver_then_drop(route):
        route.fetch()  # the server receives and saves it ...
        route.abort("internetdisconnected")  # ... the answer is lost

    page.route(QUICK_LOG, deliver_then_drop)
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    assert _students() == 1
    (entry,) = _kept(page)

    page.unroute(QUICK_LOG)
    page.get_by_role("alert").get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Your kept entry has been sent.")).to_be_visible()
    assert _kept(page) == []
    assert _students() == 1
    key = dict(entry["fields"])["idempotency_key"]
    assert key


def test_a_kept_entry_survives_closing_the_browser_and_sends_itself_once(
    browser, page, live_server, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    _fill_quick_log(page, "Kept Overnight")
    page.route(QUICK_LOG, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    stored = page.context.storage_state()
    page.context.close()
    assert _students() == 0

    context = browser.new_context(storage_state=stored)
    try:
        reopened = context.new_page()
        reopened.goto(live_server + "/")
        reopened.wait_for_function(NOTHING_KEPT)
        expect(reopened.locator("#outbox")).to_be_hidden()
        reopened.reload()  # nothing is sent twice
    finally:
        context.close()
    assert _students() == 1
    db.session.expire_all()
    assert db.session.scalar(select(Student.name_latin)) == "Kept Overnight"


def test_signing_out_clears_the_kept_entries(
    page, live_server, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    _fill_quick_log(page)
    page.route(QUICK_LOG, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.locator("#outbox summary")).to_have_text("1 entry waiting to be sent")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('envoycrm:'))"
        )
        == []
    )
    assert _students() == 0


def test_an_entry_older_than_a_week_waits_for_a_person_to_send_it(
    page, live_server, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    _fill_quick_log(page, "Last Week")
    page.route(QUICK_LOG, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    page.evaluate(
        """() => Object.keys(localStorage)
            .filter(k => k.startsWith("envoycrm:outbox:"))
            .forEach(k => {
                const list = JSON.parse(localStorage.getItem(k));
                list.forEach(e => { e.created -= 8 * 24 * 3600 * 1000; });
                localStorage.setItem(k, JSON.stringify(list));
            })"""
    )
    page.unroute(QUICK_LOG)
    page.reload()
    expect(page.locator("#outbox summary")).to_have_text("1 entry waiting to be sent")
    assert _students() == 0  # not sent by itself

    page.locator("#outbox summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#outbox").get_by_role("button", name="Retry").click()
    expect(page.locator("#outbox")).to_be_hidden()
    assert _students() == 1


def test_a_meeting_note_dropped_by_the_network_is_kept_and_sent_on_retry(
    page, live_server, people, student, csp_errors, sign_in_as
):
    from envoycrm.models import Interaction

    sign_in_as("envoy")
    page.goto(f"{live_server}/students/{student.id}")
    page.get_by_label("Date").fill("2026-12-01")
    page.get_by_label("Notes", exact=True).fill("Asked about housing support.")
    url = f"**/students/{student.id}/interactions"
    page.route(url, lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Add to timeline").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    expect(page.locator("#outbox summary")).to_have_text("1 entry waiting to be sent")

    page.unroute(url)
    page.get_by_role("alert").get_by_role("button", name="Retry").click()
    page.wait_for_function(NOTHING_KEPT)
    db.session.expire_all()
    notes = db.session.scalars(select(Interaction.notes)).all()
    assert notes.count("Asked about housing support.") == 1
