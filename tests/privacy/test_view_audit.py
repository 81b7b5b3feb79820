"""Views of personal data are audited (issue 10, item 18; PRODUCT.md §6).

A list records its filters and how many rows it counted and showed, never the
rows or a typed search; a search typed key by key is one row a minute.
"""

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import AuditEvent


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def test_a_student_search_is_audited_with_its_count_not_its_rows_or_its_text(
    client, login_as, factory, people, student
):
    envoy = login_as("envoy")
    factory.student(people["envoy"], name_latin="Wang Fang")

    page = client.get("/students/?q=wang&stage=CONTACTED")

    assert "Wang Wei" in page.get_data(as_text=True)
    [event] = _events("students.list")
    assert event.actor_id == envoy.id and event.record_type == "student"
    assert event.details == {
        "filters": {"page": "1", "q": "*", "stage": "CONTACTED"},
        "count": 2,
        "shown": 2,
    }
    assert "wang" not in str(event.details).lower()


def test_a_search_typed_key_by_key_is_audited_once_a_minute(client, login_as, student):
    login_as("envoy")
    fragment = {"HX-Request": "true"}
    for typed in ("w", "wa", "wan", "wang"):
        client.get(f"/students/?q={typed}", headers=fragment)
    assert len(_events("students.list")) == 1
    # Another filter is another list: it is recorded.
    client.get("/students/?q=wang&degree=MASTER", headers=fragment)
    assert len(_events("students.list")) == 2


def test_the_pipeline_board_and_list_are_audited_with_their_counts(
    client, login_as, student
):
    coordinator = login_as("coordinator")
    client.get("/pipeline/?degree=MASTER")
    client.get("/pipeline/list?degree=MASTER")
    [board] = _events("pipeline.board")
    [listing] = _events("pipeline.list")
    assert board.actor_id == coordinator.id
    assert board.details["filters"] == {"degree": "MASTER"}
    assert board.details["count"] == 1 and board.details["shown"] == 1
    assert listing.details["filters"] == {"degree": "MASTER", "page": "1"}
    assert listing.details["count"] == 1


def test_opening_the_edit_form_is_audited(client, login_as, student):
    envoy = login_as("envoy")
    page = client.get(f"/students/{student.id}/edit")
    assert 'value="Wang Wei"' in page.get_data(as_text=True)
    [event] = _events("student.edit_view")
    assert (event.record_id, event.actor_id) == (student.id, envoy.id)
