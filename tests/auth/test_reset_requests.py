"""Password-reset requests are limited per email and per client address,
and the limit tells nobody which emails have accounts."""

from tests.conftest import post

TOO_MANY = "Too many password reset requests"


def _ask(app, email: str, address: str = "198.51.100.7"):
    return post(
        app.test_client(),
        "/auth/forgot",
        {"email": email},
        environ_base={"REMOTE_ADDR": address},
    )


def test_reset_requests_for_one_email_are_limited_and_send_no_more_mail(
    app, people, smtp
):
    app.config["RESET_REQUESTS_PER_EMAIL"] = 2
    for n in range(2):
        assert _ask(app, "envoy@example.org", f"203.0.113.{n}").status_code == 302
    refused = _ask(app, "envoy@example.org", "203.0.113.99")
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert len(smtp.messages) == 2


def test_the_reset_limit_answers_alike_for_known_and_unknown_emails(app, people, smtp):
    app.config["RESET_REQUESTS_PER_EMAIL"] = 2
    answers = {}
    for email in ("envoy@example.org", "nobody@example.org"):
        answers[email] = [_ask(app, email).status_code for _ in range(3)]
    assert (
        answers["envoy@example.org"]
        == answers["nobody@example.org"]
        == [
            302,
            302,
            429,
        ]
    )


def test_reset_requests_from_one_client_are_limited_for_any_email(app, people, smtp):
    app.config["RESET_REQUESTS_PER_IP"] = 3
    for n in range(3):
        assert _ask(app, f"someone{n}@example.org", "203.0.113.66").status_code == 302
    refused = _ask(app, "envoy@example.org", "203.0.113.66")
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert _ask(app, "envoy@example.org", "192.0.2.10").status_code == 302
    assert [m["To"] for m in smtp.messages] == ["envoy@example.org"]
