"""A 422 says which field it is about, even when the field is hidden.

Hidden fields and tick boxes have no label beside them, so their errors are
listed above the form after the field's name; every other field shows its
error beneath it. (tests/test_hostile_input.py checks this for a control
character in every field of every form.)
"""

import html
import io
import re

from envoycrm.models import OpeningStatus
from tests.conftest import post


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _error_at(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', page)
    assert match, f"no error at {field_id}"
    return match.group(1)


def _form_errors(page: str) -> list[str]:
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', page, re.S)
    assert block, "no form errors"
    return re.findall(r"<p>([^<]*)</p>", block.group(1))


def test_a_tampered_bulk_target_is_refused_at_the_target(client, login_as, student):
    login_as("coordinator")
    response = post(
        client,
        "/pipeline/bulk",
        {"target": "everyone", "action": "add_tag", "tag": "fair", "ids": student.id},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in _error_at(_text(response), "target")


def test_an_oversized_saved_view_filter_is_named(client, login_as):
    login_as("coordinator")
    response = post(client, "/pipeline/views", {"name": "Big", "filter": "x" * 2001})
    assert response.status_code == 422
    assert (
        "Filter: The filter is too long (at most 2000 characters); remove some "
        "of its conditions."
    ) in _form_errors(_text(response))


def test_an_oversized_filter_on_a_card_move_is_named_at_the_card(
    client, login_as, student
):
    login_as("coordinator")
    response = post(
        client,
        f"/pipeline/students/{student.id}/move",
        {"stage": "CONTACTED", "filter": "x" * 2001},
    )
    assert response.status_code == 422
    message = _error_at(_text(response), f"move-filter-{student.id}")
    assert message.startswith("Filter: The filter is too long")


def test_a_tampered_bulk_count_is_named(client, login_as, student):
    login_as("coordinator")
    response = post(
        client,
        "/pipeline/bulk",
        {"target": "filter", "action": "export_csv", "expected": "many"},
    )
    assert response.status_code == 422
    assert "Number of students shown: Not a valid integer value." in _form_errors(
        _text(response)
    )


def test_a_tampered_version_is_named(client, login_as, student):
    login_as("envoy")
    response = post(
        client,
        f"/students/{student.id}/edit",
        {"name_latin": "Wang Wei", "version": "-3"},
    )
    assert response.status_code == 422
    assert any(
        message.startswith("Version of the record: ")
        for message in _form_errors(_text(response))
    )


def test_a_tampered_form_key_is_named(client, login_as, student):
    login_as("envoy")
    response = post(
        client, "/students/quick-log", {"name_latin": "Li", "idempotency_key": "x"}
    )
    assert response.status_code == 422
    assert "Key of this form: Reload the page and try again." in _form_errors(
        _text(response)
    )


def test_rejecting_without_a_reason_is_refused_at_the_reason(
    factory, client, login_as, people
):
    login_as("coordinator")
    pending = factory.opening(
        people["employer"].employer_id, status=OpeningStatus.PENDING
    )
    response = post(client, f"/jobs/{pending.id}/reject", {"reason": ""})
    assert response.status_code == 422
    assert _error_at(_text(response), "reason")


def test_rejecting_an_opening_that_is_not_pending_says_why(
    factory, client, login_as, people
):
    login_as("coordinator")
    draft = factory.opening(people["employer"].employer_id, status=OpeningStatus.DRAFT)
    response = post(
        client, f"/jobs/{draft.id}/reject", {"reason": ""}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "This opening cannot take that step in its current status." in _text(
        response
    )


def test_purging_without_confirming_shows_the_confirmation_error(
    client, login_as, student
):
    login_as("coordinator")
    response = post(
        client, "/privacy-admin/retention/purge", {"student_id": str(student.id)}
    )
    assert response.status_code == 422
    assert _error_at(_text(response), "confirm")


def test_a_blank_column_choice_in_an_import_mapping_is_refused_at_the_field(
    client, login_as, people
):
    login_as("coordinator")
    content = b"Name,University,Degree\nLi Lei,University of Manchester,PhD\n"
    upload = post(
        client,
        "/pipeline/import",
        {
            "file": (io.BytesIO(content), "students.csv"),
            "owner_id": str(people["envoy"].id),
            "scope": "EMPLOYERS",
            "method": "FORM",
            "notice_language": "en",
            "on_duplicate": "skip",
        },
        content_type="multipart/form-data",
    )
    mapping = upload.headers["Location"]
    response = post(
        client,
        mapping,
        {"map_name_latin": "0", "map_university": "1", "map_degree": " "},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in _error_at(_text(response), "map_degree")
