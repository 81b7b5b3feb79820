"""Hardening: no personal data in URLs or caches."""

from tests.conftest import post


def test_pages_with_personal_data_are_not_cached(client, login_as, student, app):
    login_as("coordinator")
    for url in (f"/students/{student.id}", "/privacy-admin/audit", "/tasks/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    public = app.test_client().get("/my-data/")
    assert public.headers["Cache-Control"] == "no-store"


def test_no_route_carries_an_email_or_name_in_its_path(app):
    sensitive = {"email", "wechat", "phone", "name", "mail"}
    for rule in app.url_map.iter_rules():
        words = {word for arg in rule.arguments for word in arg.split("_")}
        assert not words & sensitive, rule


def test_data_request_never_puts_the_email_in_a_url(client, app):
    response = post(client, "/my-data/", {"kind": "EXPORT", "email": "a@example.org"})
    assert "example.org" not in response.headers["Location"]
    bad = post(client, "/my-data/", {"kind": "EXPORT", "email": "a@"})
    assert bad.status_code == 422 and "Location" not in bad.headers
