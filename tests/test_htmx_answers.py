"""htmx answers land where they are meant to: flashes out of band from one hook,
errors and expired sessions as a message or a client-side redirect, never a
whole page inside a target."""

import re

from flask_babel import force_locale

from envoycrm.extensions import db
from tests.conftest import sign_in
from tests.students.conftest import inline_edit

HTMX = {"HX-Request": "true"}
OOB = re.compile(
    r'<div id="flashes" class="flashes" role="status" hx-swap-oob="true">(.*?)</div>',
    re.S,
)


def test_an_inline_edit_says_changes_saved_at_once_and_not_on_the_next_page(
    client, login_as, student
):
    login_as("envoy")
    response = inline_edit(client, student)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="student-profile"' in body
    assert OOB.findall(body) == ['<p class="flash flash-success">Changes saved.</p>']
    following = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Changes saved." not in following


def test_a_boosted_reassign_shows_its_message_once(client, login_as, people, student):
    login_as("coordinator")
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post(
        f"/students/{student.id}/owner",
        data={
            "csrf_token": token[1] if token else "",
            "owner_id": str(people["envoy2"].id),
        },
        headers={**HTMX, "HX-Boosted": "true"},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert body.count("The student has a new envoy.") == 1
    assert "hx-swap-oob" not in body.split('id="flashes"')[1][:40]


def test_a_fragment_request_for_a_missing_record_gets_a_message_not_a_page(
    client, login_as, people
):
    login_as("coordinator")
    response = client.get("/students/999999", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in body and "<header" not in body
    assert response.headers["HX-Retarget"] == "#flashes"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "Not found: There is nothing here, or it is not yours to see." in body
    # A whole page for a browser, as before.
    page = client.get("/students/999999").get_data(as_text=True)
    assert "<html" in page

    people["coordinator"].locale = "zh_Hans"
    db.session.commit()
    body = client.get("/students/999999", headers=HTMX).get_data(as_text=True)
    with force_locale("zh_Hans"):
        from flask_babel import gettext

        assert gettext("Not found") in body and gettext("Not found") != "Not found"


def test_a_refused_fragment_request_gets_a_message(client, login_as):
    login_as("envoy")
    response = client.get("/pipeline/", headers=HTMX)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Not allowed" in body


def test_a_server_error_under_htmx_is_a_message(app):
    from envoycrm.errors import render_error

    with app.test_request_context("/students/", headers=HTMX):
        response = render_error(500)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "<html" not in body


def test_an_expired_session_sends_a_fragment_request_to_sign_in_as_a_whole_page(
    client, people
):
    response = client.get(
        "/students/?q=wa",
        headers={**HTMX, "HX-Current-URL": "http://localhost/students/?q=w"},
    )
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["HX-Redirect"] == "/auth/login?next=/students/?q%3Dw"
    # The same page without htmx is a plain redirect.
    assert client.get("/students/").status_code == 302
    sign_in(client, people["envoy"].email)
    assert client.get("/students/", headers=HTMX).status_code == 200
