"""A student's timeline: who recorded each entry, no stray blank lines, and
the entry a form just added is where the reader lands."""

import re

from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Intention, Interaction
from tests.conftest import post

HTMX = {"HX-Request": "true"}


def _entry(page: str, entry_id: str) -> str:
    """The ``<li>`` of one timeline entry."""
    found = re.search(rf'<li [^>]*id="{entry_id}"[^>]*>(.*?)</li>', page, re.S)
    assert found, f"no timeline entry {entry_id}"
    return found.group(0)


def test_an_intention_says_who_recorded_it(client, login_as, student):
    envoy = login_as("envoy")
    post(client, f"/students/{student.id}/intentions", {"level": "LIKELY"})
    intention = db.session.scalar(select(Intention))
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    entry = _entry(page, f"entry-intention-{intention.id}")
    assert "Intention: Likely" in entry
    assert envoy.full_name in entry


def test_intention_details_have_no_stray_blank_lines(client, login_as, student):
    login_as("envoy")
    post(client, f"/students/{student.id}/intentions", {"level": "UNDECIDED"})
    post(
        client,
        f"/students/{student.id}/intentions",
        {
            "level": "LIKELY",
            "target_sectors": ["NEW_MATERIALS"],
            "preferred_roles": "R&D engineer",
            "salary_expectation": "180000",
        },
    )
    bare, detailed = db.session.scalars(select(Intention).order_by(Intention.id))
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    # .note keeps line breaks (white-space: pre-wrap): none may come from markup.
    assert 'class="note"' not in _entry(page, f"entry-intention-{bare.id}")
    note = re.search(
        r'<p class="note">(.*?)</p>', _entry(page, f"entry-intention-{detailed.id}")
    )
    assert note is not None
    assert note.group(1) == note.group(1).strip()
    assert "\n" not in note.group(1)
    assert note.group(1).startswith("Sectors: New materials. Roles: R&amp;D engineer.")


def test_a_note_added_with_htmx_comes_back_marked_to_take_the_focus(
    client, login_as, student
):
    login_as("envoy")
    response = post(
        client,
        f"/students/{student.id}/interactions",
        {"kind": "CALL", "occurred_on": "2026-11-25", "notes": "Called."},
        headers=HTMX,
    )
    interaction = db.session.scalar(
        select(Interaction).where(Interaction.notes == "Called.")
    )
    page = response.get_data(as_text=True)
    entry = _entry(page, f"entry-interaction-{interaction.id}")
    assert 'tabindex="-1"' in entry and "data-new-entry" in entry
    # Only the new entry is marked, and a plain page load marks none.
    assert page.count("data-new-entry") == 1
    assert "data-new-entry" not in client.get(f"/students/{student.id}").get_data(
        as_text=True
    )
