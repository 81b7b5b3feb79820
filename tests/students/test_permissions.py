"""Row-level permission: an envoy reaches only their own students."""

from envoycrm.access import PUBLIC, SIGNED_IN, access_of
from envoycrm.extensions import db
from envoycrm.models import (
    Role,
)
from tests.conftest import csrf_token, post

# --- row-level permission -------------------------------------------------------------


def test_envoy_b_gets_404_for_every_url_of_envoy_as_student(
    app, client, login_as, student
):
    login_as("envoy2")
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "student_id" in r.arguments and r.arguments <= {"student_id", "tag"}
    ]
    assert len(rules) >= 10
    for rule in rules:
        url = rule.rule.replace("<id:student_id>", str(student.id)).replace(
            "<tag>", "fair-2026"
        )
        for headers in ({}, {"HX-Request": "true"}):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                data = {"csrf_token": csrf_token(client)} if method == "POST" else None
                response = client.open(url, method=method, data=data, headers=headers)
                # Routes envoys may use answer 404 (not yours); staff-only
                # routes are refused by the role gate before any lookup.
                with app.test_request_context():
                    allowed = access_of(rule.endpoint)
                envoy_may = allowed in (PUBLIC, SIGNED_IN) or Role.ENVOY in allowed
                expected = 404 if envoy_may else 403
                assert response.status_code == expected, (method, url, headers)
                assert "Wang Wei" not in response.get_data(as_text=True)


def test_envoys_list_shows_only_their_own_students(client, login_as, factory, people):
    factory.student(people["envoy"], name_latin="Own Student")
    factory.student(people["envoy2"], name_latin="Someone Else")
    login_as("envoy")
    page = client.get("/students/").get_data(as_text=True)
    assert "Own Student" in page and "Someone Else" not in page


def test_coordinator_sees_all_and_reassigns(client, login_as, factory, people):
    s = factory.student(people["envoy"], name_latin="Own Student")
    login_as("coordinator")
    page = client.get("/students/").get_data(as_text=True)
    assert "Own Student" in page
    response = post(
        client, f"/students/{s.id}/owner", {"owner_id": people["envoy2"].id}
    )
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.owner_id == people["envoy2"].id
