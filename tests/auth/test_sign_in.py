"""Signing in and out, throttling, password reset and invitations."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from envoycrm import ratelimit
from envoycrm.auth import services
from envoycrm.extensions import db
from envoycrm.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, csrf_token, post, sign_in


def test_sign_in_with_the_right_password_opens_the_home_page(client, people):
    response = sign_in(client, "envoy@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "University of Manchester" in home.get_data(as_text=True)


def test_email_is_matched_without_regard_to_case_or_spaces(client, people):
    response = sign_in(client, "  Envoy@Example.ORG ")
    assert response.status_code == 302
    assert people["envoy"].full_name in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_clear_message_and_keeps_the_email(
    client, people
):
    response = sign_in(client, "envoy@example.org", "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Email or password is incorrect." in page
    assert 'value="envoy@example.org"' in page
    assert client.get("/").status_code == 302  # still signed out
    failed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
    ).all()
    assert len(failed) == 1


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, people):
    response = sign_in(client, "nobody@example.org", "whatever")
    assert response.status_code == 422
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_malformed_email_gets_a_field_message(client, people):
    response = sign_in(client, "not-an-email", "x")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in page
    assert 'value="not-an-email"' in page


def test_deactivated_user_cannot_sign_in(client, people):
    people["envoy"].active = False
    db.session.commit()
    response = sign_in(client, "envoy@example.org")
    assert response.status_code == 403
    assert client.get("/").status_code == 302  # still signed out


def test_repeated_failures_for_one_account_answer_429(app, client, people):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    for _ in range(3):
        assert sign_in(client, "envoy@example.org", "wrong").status_code == 422
    blocked = sign_in(client, "envoy@example.org")  # even the right password
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    # Another account from another address is unaffected.
    other = app.test_client()
    response = sign_in(
        other, "envoy2@example.org", environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert response.status_code == 302


def test_repeated_failures_from_one_address_answer_429_for_any_account(
    app, client, people
):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 4
    for n in range(4):
        sign_in(client, f"someone{n}@example.org", "wrong")
    assert sign_in(client, "coordinator@example.org").status_code == 429


def test_successful_sign_in_clears_the_accounts_failures_at_that_address(
    app, client, people
):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"] = 3
    sign_in(client, "envoy@example.org", "wrong")
    sign_in(client, "envoy@example.org", "wrong")
    assert sign_in(client, "envoy@example.org").status_code == 302
    assert ratelimit.recent("account-ip:envoy@example.org|127.0.0.1", 900) == 0
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    for _ in range(2):
        assert sign_in(client, "envoy@example.org", "wrong").status_code == 422
    assert sign_in(client, "envoy@example.org").status_code == 302


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "https://evil.example/",
        "http:evil.example",
        "/%0d%0aLocation: https://evil.example",
        " //evil.example",
        "/\t/evil.example",
    ],
)
def test_hostile_next_stays_on_our_site(client, people, hostile):
    response = sign_in(client, "envoy@example.org", next=hostile)
    location = response.headers["Location"]
    assert response.status_code == 302
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location.split("?")[0].lstrip("/").split("/")[0]


def test_safe_next_is_followed(client, people):
    response = sign_in(client, "coordinator@example.org", next="/network/envoys?q=a")
    assert response.headers["Location"] == "/network/envoys?q=a"


def test_login_page_keeps_next_from_the_redirect(client, people):
    response = client.get("/network/envoys")
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/network/envoys"' in page


def test_sign_in_replaces_the_session_and_sign_out_clears_it(client, people):
    client.set_cookie("envoycrm_session", "garbage")
    sign_in(client, "envoy@example.org")
    with client.session_transaction() as session:
        assert "_user_id" in session
        session["leftover"] = "x"
    response = post(client, "/auth/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "leftover" not in session
    assert client.get("/").status_code == 302


def test_remember_me_sets_a_secure_http_only_cookie_in_production(app, client, people):
    app.config.update(REMEMBER_COOKIE_SECURE=True, SESSION_COOKIE_SECURE=True)
    response = sign_in(client, "envoy@example.org", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    session = [c for c in cookies if c.startswith("envoycrm_session=")]
    assert remember and "Secure" in remember[0] and "HttpOnly" in remember[0]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]
    assert "SameSite=Lax" in session[0]


def test_production_config_has_secure_cookie_flags():
    from envoycrm.config import Config

    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.SESSION_COOKIE_HTTPONLY is True
    assert Config.REMEMBER_COOKIE_SECURE is True


def test_password_hash_is_argon2id_and_rehashed_when_parameters_change(
    app, client, people
):
    user = people["envoy"]
    assert user.password_hash.startswith("$argon2id$")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16)
    user.password_hash = weak.hash(PASSWORD)
    db.session.commit()
    old = user.password_hash
    sign_in(client, user.email)
    db.session.refresh(user)
    assert user.password_hash != old
    assert "$argon2id$" in user.password_hash


def _link_from(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return next(line for line in text.splitlines() if "/auth/" in line).strip()


def test_password_reset_by_email_link(app, client, people, smtp):
    response = post(client, "/auth/forgot", {"email": "envoy@example.org"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "envoy@example.org"
    assert message.is_multipart()
    path = _link_from(message).split("127.0.0.1:5000")[-1]
    form = client.get(path)
    assert form.status_code == 200
    saved = post(
        client,
        path,
        {"password": "a new long password", "confirm": "a new long password"},
    )
    assert saved.status_code == 302
    # The link works once: the password change retires it.
    assert client.get(path).status_code == 404
    post(client, "/auth/logout")
    assert (
        sign_in(client, "envoy@example.org", "a new long password").status_code == 302
    )


def test_reset_request_for_unknown_email_says_the_same_and_sends_nothing(
    client, people, smtp
):
    response = post(client, "/auth/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp.messages == []


def test_expired_or_forged_reset_links_are_refused(app, client, people):
    token = services.make_token(people["envoy"], services.RESET)
    assert client.get(f"/auth/reset/{token}x").status_code == 404
    assert client.get(f"/auth/invitation/{token}").status_code == 404  # wrong purpose
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    page = client.get(f"/auth/reset/{token}")
    assert page.status_code == 404
    assert "This link cannot be used" in page.get_data(as_text=True)


def test_mismatched_new_passwords_are_refused_at_the_field(client, people):
    token = services.make_token(people["envoy"], services.RESET)
    response = post(
        client,
        f"/auth/reset/{token}",
        {"password": "long enough pw", "confirm": "other"},
    )
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_invitation_link_lets_a_new_user_choose_a_password(app, client, factory):
    user = factory.user(Role.ENVOY, "new@example.org", password=None)
    token = services.make_token(user, services.INVITE)
    page = client.get(f"/auth/invitation/{token}")
    assert "new@example.org" in page.get_data(as_text=True)
    response = post(
        client,
        f"/auth/invitation/{token}",
        {"password": "chosen password 1", "confirm": "chosen password 1"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")


def test_changing_the_password_signs_out_other_sessions(app, client, people):
    sign_in(client, "envoy@example.org")
    assert client.get("/").status_code == 200
    services.set_password(people["envoy"], "another password 9")
    db.session.commit()
    assert client.get("/").status_code == 302


def test_csrf_token_is_required_to_sign_in(client, people):
    response = client.post(
        "/auth/login", data={"email": "envoy@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert csrf_token(client)


def test_an_invitee_chooses_a_password_in_their_own_language_and_is_then_signed_in(
    app, client, factory, people
):
    """The set-password page follows the invitee's language (not the browser's),
    unless the visitor picked one on the page; signing in through the link
    counts as signing in on the administrators' users list."""
    user = factory.user(
        Role.ENVOY, "zh.invitee@example.org", password=None, locale="zh_Hans"
    )
    db.session.commit()
    token = services.make_token(user, services.INVITE)
    english = {"Accept-Language": "en"}
    page = client.get(f"/auth/invitation/{token}", headers=english)
    html = page.get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    short = post(
        client,
        f"/auth/invitation/{token}",
        {"password": "short", "confirm": "short"},
    )
    assert short.status_code == 422 and 'lang="zh-Hans"' in short.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert 'lang="en"' in client.get(f"/auth/invitation/{token}").get_data(as_text=True)
    client.delete_cookie("lang")
    assert db.session.get(User, user.id).last_login_at is None
    response = post(
        client,
        f"/auth/invitation/{token}",
        {"password": "chosen password 1", "confirm": "chosen password 1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None

    admin_client = app.test_client()
    sign_in(admin_client, people["admin"].email)
    listed = admin_client.get("/admin/users?q=zh.invitee").get_data(as_text=True)
    assert "zh.invitee@example.org" in listed and "Never signed in" not in listed
    invited = admin_client.get("/admin/users?state=invited").get_data(as_text=True)
    assert "zh.invitee@example.org" not in invited
