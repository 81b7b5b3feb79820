"""htmx answers in a real browser: a saved inline edit says so at once, and an
error answering a fragment request shows its message in the flash region."""

from playwright.sync_api import expect
from sqlalchemy import update

from envoycrm.extensions import db
from envoycrm.models import Student


def test_inline_edit_flash_and_a_fragment_error_are_shown_in_place(
    page, live_server, people, student, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    page.goto(f"{live_server}/students/{student.id}")
    page.locator("#student-profile").get_by_role("link", name="Edit").click()
    page.get_by_label("Programme").fill("PhD Materials")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#flashes .flash-success")).to_have_text("Changes saved.")
    expect(page.locator("#student-profile")).to_contain_text("PhD Materials")
    expect(page.locator("header.site-header, body > header")).to_have_count(1)

    # The student goes to another envoy meanwhile: the next fragment is a 404.
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(owner_id=people["envoy2"].id)
    )
    db.session.commit()
    page.locator("#student-profile").get_by_role("link", name="Edit").click()
    expect(page.locator("#flashes .flash-error")).to_contain_text("Not found")
    expect(page.locator("#student-profile")).to_contain_text("PhD Materials")
    assert page.locator("main header, main h1").count() <= 1
    assert csp_errors == []
