"""Ids and numbers past the database's integer range never reach a query.

A row id in a path, a query or a form is a whole number from 1 to 2**31 - 1
(PostgreSQL's INTEGER). Anything larger names no row: 404 in a path, the
filter not applied in a query, a message at the field in a form.
"""

import re

import pytest
from werkzeug.routing import IntegerConverter

from envoycrm.params import MAX_ID, IdConverter
from tests.conftest import post, sign_in
from tests.jobs.conftest import opening_form_data

HUGE = ["2147483648", "99999999999999999999", "9" * 23, "9" * 400]


def test_no_route_takes_a_plain_integer_from_its_path(app):
    unbounded = [
        (rule.rule, name)
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
        and not isinstance(converter, IdConverter)
    ]
    assert unbounded == []


def test_the_largest_id_still_matches_its_route(app):
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/students/{MAX_ID}")
    assert (endpoint, values) == ("students.show", {"student_id": MAX_ID})


@pytest.mark.parametrize("huge", HUGE[:2])
def test_every_id_in_a_path_past_the_integer_range_answers_404(
    app, people, student, huge
):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]
    assert len(rules) >= 40
    clients = {}
    for role in ("admin", "coordinator", "envoy", "employer"):
        clients[role] = app.test_client()
        assert sign_in(clients[role], people[role].email).status_code == 302
    for rule in rules:
        url = re.sub(r"<id:\w+>", huge, rule.rule).replace("<tag>", "fair")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role, client in clients.items():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = post(client, url, {})
                assert response.status_code == 404, (role, method, url)


@pytest.mark.parametrize(
    "url",
    [
        "/privacy-admin/audit?actor={n}",
        "/privacy-admin/audit?record_id={n}",
        "/pipeline/?envoy={n}&university={n}",
        "/pipeline/list?envoy={n}",
        "/network/employer-users/new?employer={n}",
        "/jobs/?salary={n}",
        "/jobs/?salary=²",
    ],
)
def test_an_id_past_the_range_in_a_query_is_not_applied(
    app, client, login_as, student, url
):
    login_as("coordinator")
    for huge in HUGE:
        response = client.get(url.format(n=huge))
        assert response.status_code == 200, url


def test_a_digest_preview_for_a_recipient_past_the_range_answers_404(
    app, client, login_as
):
    login_as("coordinator")
    for huge in HUGE:
        response = client.get(f"/digests/preview.html?recipient={huge}&week=2026-W48")
        assert response.status_code == 404


def test_sending_a_digest_to_a_recipient_past_the_range_asks_for_a_recipient(
    app, client, login_as
):
    login_as("coordinator")
    response = post(
        client,
        "/digests/send",
        {"recipient": "99999999999999999999", "week": "2026-W48"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Choose a recipient and a week first." in response.get_data(as_text=True)


def test_bulk_ids_past_the_range_are_refused_at_the_selection(
    app, client, login_as, student
):
    login_as("coordinator")
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "selected",
            "action": "add_tag",
            "tag": "fair",
            "ids": [str(student.id), "99999999999999999999"],
            "expected": "1",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ids-error"' in html
    assert "The selection names a student that does not exist" in html


def test_a_huge_expected_count_in_a_bulk_action_is_refused_at_the_field(
    app, client, login_as, student
):
    login_as("coordinator")
    response = post(
        client,
        "/pipeline/bulk",
        {"target": "filter", "action": "export_csv", "expected": "9" * 23},
    )
    assert response.status_code == 422
    assert "This number is too large." in response.get_data(as_text=True)


def test_purging_students_past_the_range_asks_to_tick_students(app, client, login_as):
    login_as("coordinator")
    response = post(
        client,
        "/privacy-admin/retention/purge",
        {"student_id": ["99999999999999999999", "²"], "confirm": "y"},
    )
    assert response.status_code == 422
    assert "Tick the students to purge." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("employer_id", "Choose the employer."),
        ("salary_min", "Enter a yearly amount between"),
        ("salary_max", "Enter a yearly amount between"),
        ("headcount", "This number is too large."),
        ("version", "This number is too large."),
    ],
)
def test_a_23_digit_number_in_a_new_opening_is_refused_at_its_field(
    app, client, login_as, people, field, message
):
    login_as("coordinator")
    response = post(client, "/jobs/new", opening_form_data(people, **{field: "9" * 23}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422, field
    assert f'id="{field}-error"' in html or field == "version"
    assert message in html


def test_a_version_past_the_range_on_an_edit_is_refused(app, client, login_as, student):
    login_as("envoy")
    response = post(
        client,
        f"/students/{student.id}/edit",
        {"name_latin": "Wang Wei", "version": "9" * 23},
    )
    assert response.status_code == 422
    assert "This number is too large." in response.get_data(as_text=True)


def test_merging_with_a_student_number_past_the_range_is_refused_at_the_field(
    app, client, login_as, student
):
    login_as("coordinator")
    response = post(
        client, f"/students/{student.id}/merge", {"other_id": "99999999999999999999"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="other_id-error"' in html
