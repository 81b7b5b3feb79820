"""Security headers, error pages and cookies."""

import pytest

from tests.conftest import post, sign_in


@pytest.mark.parametrize(
    "path",
    ["/auth/login", "/", "/static/css/app.css", "/no/such/page", "/network/envoys"],
)
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_not_cached(client, login_as):
    login_as("coordinator")
    response = client.get("/network/envoys")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_hsts_is_sent_when_cookies_are_secure(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "max-age" in client.get("/auth/login").headers["Strict-Transport-Security"]


def test_pages_have_no_inline_script_or_style(client, login_as):
    login_as("admin")
    for path in ["/", "/network/envoys", "/admin/users", "/settings"]:
        body = client.get(path).get_data(as_text=True)
        assert "<script>" not in body and "<style" not in body
        assert " style=" not in body and "onclick=" not in body


def test_nothing_is_loaded_from_another_host(client, login_as):
    login_as("admin")
    body = client.get("/").get_data(as_text=True)
    for marker in ('src="http', 'href="http', 'src="//', 'href="//'):
        assert marker not in body


def test_404_page_for_a_signed_in_user_renders_the_full_layout(client, login_as):
    login_as("coordinator")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_404_page_is_localised_and_reveals_nothing(client):
    response = client.get("/nope", headers={"Accept-Language": "zh-CN"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'lang="zh-Hans"' in body
    assert "Traceback" not in body and "werkzeug" not in body.lower()


def test_500_page_reveals_nothing(app, database_url):
    from envoycrm import create_app
    from envoycrm.config import TestConfig

    fresh = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False
    )

    @fresh.route("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    boom._access = "public"
    response = fresh.test_client().get("/boom-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body
    assert "Something went wrong" in body


def test_deactivated_user_is_signed_out_at_once(client, people, app):
    from envoycrm.extensions import db
    from envoycrm.network.services import set_active

    sign_in(client, "envoy@example.org")
    assert client.get("/").status_code == 200
    set_active(people["envoy"], False)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_request_bodies_over_the_limit_are_refused_with_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/auth/forgot", data={"email": "x@example.org", "filler": "x" * 5000}
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_an_idempotency_key_of_another_user_reveals_nothing(client, login_as, people):
    from sqlalchemy import func, select

    from envoycrm.extensions import db
    from envoycrm.models import IdempotencyKey, Student
    from tests.students.conftest import quick_log_data

    login_as("envoy")
    university = people["envoy"].envoy_profile.university_id
    first = quick_log_data(client, university, name_latin="Wang Wei")
    assert client.post("/students/quick-log", data=first).status_code == 302
    student = db.session.scalar(select(Student))

    post(client, "/auth/logout")
    login_as("envoy2")
    theirs = quick_log_data(
        client,
        people["envoy2"].envoy_profile.university_id,
        name_latin="Zhou Min",
        email="zhou.min@students.example.org",
        idempotency_key=first["idempotency_key"],
    )
    response = client.post("/students/quick-log", data=theirs)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Location" not in response.headers  # not led to the first's result
    assert "Reload the page and try again." in page
    assert "Wang Wei" not in page and f"/students/{student.id}" not in page
    assert "already" not in page
    # Nothing was saved for the second user, and the key is still the first's.
    assert db.session.scalar(select(func.count(Student.id))) == 1
    key = db.session.get(IdempotencyKey, first["idempotency_key"])
    assert key.user_id == people["envoy"].id and key.record_id == student.id
