"""Sessions live on the server: sign-out, "sign out everywhere", a password
change and deactivation end every copy of the cookies; idle sessions end."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from envoycrm.auth import services
from envoycrm.auth.session import summarise_user_agent
from envoycrm.extensions import db
from envoycrm.models import UserSession, utcnow
from tests.conftest import CSRF_PATTERN, PASSWORD, post, sign_in

SESSION_COOKIE = "envoycrm_session"
REMEMBER_COOKIE = "remember_token"
EVERYWHERE = "/settings/sign-out-everywhere"


def _copy_cookie(source, target, name: str) -> None:
    """Give ``target`` the cookie ``name`` of ``source``, as a thief would."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    """True when the client reaches the home page without being sent to sign in."""
    return client.get("/").status_code == 200


def _make_idle(app, user) -> None:
    """Move the user's sessions back beyond the idle limit (no sleeping)."""
    idle = app.permanent_session_lifetime + timedelta(seconds=5)
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - idle)
    )
    db.session.commit()


# --- sign-out revokes ---------------------------------------------------------


def test_a_copied_session_cookie_is_refused_after_sign_out(app, client, people):
    sign_in(client, "envoy@example.org")
    thief = app.test_client()
    _copy_cookie(client, thief, SESSION_COOKIE)
    assert _signed_in(thief)

    post(client, "/auth/logout")

    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_a_copied_remember_me_cookie_is_refused_after_sign_out(app, client, people):
    sign_in(client, "envoy@example.org", remember="y")
    thief = app.test_client()
    _copy_cookie(client, thief, REMEMBER_COOKIE)
    assert _signed_in(thief)  # signed in by the remember-me cookie alone

    post(client, "/auth/logout")

    fresh_thief = app.test_client()  # only the copied remember-me cookie
    _copy_cookie(thief, fresh_thief, REMEMBER_COOKIE)
    assert not _signed_in(fresh_thief)
    assert not _signed_in(thief)


def test_sign_out_deletes_the_browsers_remember_me_cookie(client, people):
    sign_in(client, "envoy@example.org", remember="y")
    assert client.get_cookie(REMEMBER_COOKIE) is not None
    post(client, "/auth/logout")
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_the_cookie_key_is_stored_only_hashed(client, people):
    sign_in(client, "envoy@example.org", remember="y")
    row = db.session.scalar(select(UserSession))
    remember = client.get_cookie(REMEMBER_COOKIE).value
    key = remember.split("|")[0]
    assert row.remembered is True
    assert row.user_id == people["envoy"].id
    assert key and key not in row.key_hash and row.key_hash not in remember


# --- sign out everywhere ------------------------------------------------------


def test_sign_out_everywhere_ends_another_clients_session(app, client, people):
    laptop, phone = client, app.test_client()
    sign_in(laptop, "envoy@example.org")
    sign_in(phone, "envoy@example.org", remember="y")

    response = post(laptop, EVERYWHERE, {"confirm": "y"})

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    page = laptop.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out on every device" in page
    assert not _signed_in(phone)
    assert not _signed_in(laptop)
    rows = db.session.scalars(select(UserSession)).all()
    assert rows and all(row.revoked_at is not None for row in rows)


def test_sign_out_everywhere_needs_the_confirmation_box(app, client, people):
    other = app.test_client()
    sign_in(client, "envoy@example.org")
    sign_in(other, "envoy@example.org")

    response = post(client, EVERYWHERE, {})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="confirm-error"' in page and "Tick the box to confirm." in page
    assert _signed_in(other) and _signed_in(client)


def test_sign_out_everywhere_leaves_other_users_signed_in(app, client, people):
    other = app.test_client()
    sign_in(client, "envoy@example.org")
    sign_in(other, "envoy2@example.org")
    post(client, EVERYWHERE, {"confirm": "y"})
    assert _signed_in(other)


def test_settings_list_the_users_active_sessions(app, client, people):
    sign_in(app.test_client(), "envoy@example.org", remember="y")
    post(
        client,
        "/auth/login",
        {"email": "envoy@example.org", "password": PASSWORD},
        headers={
            "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
            "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
        },
    )
    sign_in(app.test_client(), "envoy2@example.org")  # someone else's

    page = client.get("/settings").get_data(as_text=True)

    assert page.count('class="session-row') == 2
    assert "Chrome, Windows" in page
    assert "This device" in page
    assert "Kept signed in" in page


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1"
            " (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50",
            "WeChat, iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML,"
            " like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
            "Edge, Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "Safari, macOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0", "Firefox, Linux"),
        ("curl/8.5.0", ""),
        ("", ""),
    ],
)
def test_the_device_list_names_browser_and_system_only(user_agent, summary):
    assert summarise_user_agent(user_agent) == summary


def test_a_cookie_from_before_server_side_sessions_signs_out_cleanly(client, people):
    # Until this version the cookies named "<user id>:<token>".
    with client.session_transaction() as session:
        session["_user_id"] = f"{people['envoy'].id}:{people['envoy'].session_token}"
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


# --- password change, reset and deactivation ----------------------------------


def test_a_password_reset_ends_every_session(app, client, people):
    other = app.test_client()
    sign_in(other, "envoy@example.org", remember="y")
    token = services.make_token(people["envoy"], services.RESET)

    response = post(
        client,
        f"/auth/reset/{token}",
        {"password": "a new long password", "confirm": "a new long password"},
    )

    assert response.status_code == 302
    assert not _signed_in(other)
    assert _signed_in(client)  # the reset signs this browser in afresh


def test_deactivation_revokes_every_session(app, client, people, login_as):
    envoy = app.test_client()
    sign_in(envoy, "envoy@example.org")
    login_as("coordinator")

    post(client, f"/network/users/{people['envoy'].id}/deactivate")

    assert not _signed_in(envoy)
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == people["envoy"].id)
    ).all()
    assert rows and all(row.revoked_at is not None for row in rows)


# --- idle sessions ---------------------------------------------------------------


def test_an_idle_session_is_refused_and_signed_out(client, login_as, app):
    user = login_as("coordinator")
    assert client.get("/students/").status_code == 200
    _make_idle(app, user)

    response = client.get("/students/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after a period of inactivity" in follow
    assert client.get("/students/").status_code == 302  # still signed out


def test_an_idle_remembered_session_is_refused_too(app, client, people):
    sign_in(client, "envoy@example.org", remember="y")
    remembered_only = app.test_client()
    _copy_cookie(client, remembered_only, REMEMBER_COOKIE)
    assert _signed_in(remembered_only)
    _make_idle(app, people["envoy"])

    assert not _signed_in(remembered_only)
    assert not _signed_in(client)


def test_an_active_session_stays_signed_in(client, login_as, app):
    user = login_as("coordinator")
    almost = app.permanent_session_lifetime - timedelta(seconds=60)
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - almost)
    )
    db.session.commit()
    assert client.get("/students/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client, login_as):
    login_as("coordinator")
    row = db.session.scalar(select(UserSession))
    signed_in_at = row.last_seen_at
    client.get("/")
    db.session.refresh(row)
    assert row.last_seen_at == signed_in_at  # a request within the minute
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get("/")
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(seconds=30)


def test_csrf_token_lives_exactly_as_long_as_the_session(client, login_as, app):
    # No separate time limit: the token is valid while the session is.
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    user = login_as("coordinator")
    page = client.get("/settings").get_data(as_text=True)
    token = CSRF_PATTERN.search(page).group(1)
    _make_idle(app, user)
    # After the idle expiry the session (and with it the CSRF secret) is gone.
    response = client.post("/settings", data={"csrf_token": token, "locale": "en"})
    assert response.status_code in (302, 400)
    with client.session_transaction() as session:
        assert "csrf_token" not in session
        assert "_user_id" not in session
