"""After saving a meeting, note or intention, the focus is on the new entry."""

from playwright.sync_api import expect
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Intention, Interaction


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_focus_goes_to_the_new_timeline_entry_after_saving(
    page, live_server, people, student, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    page.goto(f"{live_server}/students/{student.id}")

    note = page.locator("section", has=page.get_by_role("heading", name="Add a note"))
    note.get_by_label("Kind").select_option("CALL")
    note.get_by_label("Notes").fill("Called about the fair.")
    note.get_by_role("button", name="Add to timeline").click()
    expect(page.locator(".flash-success")).to_contain_text("Added to the timeline.")
    interaction = db.session.scalar(
        select(Interaction).where(Interaction.notes == "Called about the fair.")
    )
    entry = page.locator(f"#entry-interaction-{interaction.id}")
    expect(entry).to_be_focused()
    expect(entry).to_contain_text("Called about the fair.")

    page.get_by_text("Record a new intention").click()
    page.get_by_label("Intention to work in the city").select_option("LIKELY")
    page.get_by_role("button", name="Record intention").click()
    expect(page.locator(".flash-success")).to_contain_text("Intention recorded.")
    intention = db.session.scalar(select(Intention))
    entry = page.locator(f"#entry-intention-{intention.id}")
    expect(entry).to_be_focused()
    expect(entry).to_contain_text(people["envoy"].full_name)
    assert _focused_id(page) == f"entry-intention-{intention.id}"
