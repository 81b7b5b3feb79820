"""Sessions end on the server: after inactivity."""

import time

from envoycrm.auth.session import LAST_SEEN
from tests.conftest import CSRF_PATTERN


def test_an_idle_session_is_refused_and_signed_out(client, login_as, app):
    login_as("coordinator")
    assert client.get("/students/").status_code == 200
    idle = int(app.permanent_session_lifetime.total_seconds()) + 5
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - idle

    response = client.get("/students/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after a period of inactivity" in follow
    assert client.get("/students/").status_code == 302  # still signed out


def test_an_active_session_stays_signed_in(client, login_as, app):
    login_as("coordinator")
    almost = int(app.permanent_session_lifetime.total_seconds()) - 60
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - almost
    assert client.get("/students/").status_code == 200


def test_csrf_token_lives_exactly_as_long_as_the_session(client, login_as, app):
    # No separate time limit: the token is valid while the session is.
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    login_as("coordinator")
    page = client.get("/settings").get_data(as_text=True)
    token = CSRF_PATTERN.search(page).group(1)
    idle = int(app.permanent_session_lifetime.total_seconds()) + 5
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - idle
    # After the idle expiry the session (and with it the CSRF secret) is gone.
    response = client.post("/settings", data={"csrf_token": token, "locale": "en"})
    assert response.status_code in (302, 400)
    with client.session_transaction() as session:
        assert "csrf_token" not in session
        assert "_user_id" not in session
