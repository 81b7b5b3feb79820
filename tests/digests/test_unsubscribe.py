"""Unsubscribing by signed link (RFC 8058 one-click) and subscribing again."""

from datetime import timedelta
from urllib.parse import urlsplit

from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from envoycrm.digests import outbox, subscriptions
from envoycrm.extensions import db
from envoycrm.models import AuditEvent, OutboxMessage, OutboxStatus
from tests.conftest import post
from tests.digests.conftest import IN_WEEK, NOW, set_times


def _link_path(message) -> str:
    https = message["List-Unsubscribe"].split(",")[0].strip().strip("<>")
    return urlsplit(https).path


def test_one_click_unsubscribe_stops_the_next_digest(app, mailserver, people):
    coordinator = people["coordinator"]
    outbox.run(NOW)
    [message] = mailserver.handler.to(coordinator.email)

    # A mail client's RFC 8058 POST: no session, no CSRF token.
    response = app.test_client().post(
        _link_path(message), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert "receives no digests" in response.get_data(as_text=True)
    db.session.refresh(coordinator)
    assert coordinator.digest_subscribed is False

    outbox.run(NOW + timedelta(days=7))
    assert len(mailserver.handler.to(coordinator.email)) == 1
    next_week = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient_id == coordinator.id,
            OutboxMessage.period == "2026-W49",
        )
    )
    assert next_week is None


def test_get_only_asks_and_changes_nothing(client, people):
    coordinator = people["coordinator"]
    token = subscriptions.unsubscribe_token(coordinator)
    response = client.get(f"/unsubscribe/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stop the weekly EnvoyCRM digest to coordinator@example.org?" in page
    assert f'action="/unsubscribe/{token}"' in page
    db.session.refresh(coordinator)
    assert coordinator.digest_subscribed is True


def test_the_confirmation_button_unsubscribes_and_redirects(client, people):
    coordinator = people["coordinator"]
    token = subscriptions.unsubscribe_token(coordinator)
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You will receive no more digests." in page
    db.session.refresh(coordinator)
    assert coordinator.digest_subscribed is False
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "digest.unsubscribe")
    )


def test_a_forged_token_is_404_and_changes_nothing(app, client, people):
    coordinator = people["coordinator"]
    wrong_key = URLSafeSerializer("not-our-secret", salt="envoycrm.digest-unsubscribe")
    wrong_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="password-reset")
    for token in (
        wrong_key.dumps({"u": coordinator.id}),
        wrong_salt.dumps({"u": coordinator.id}),
        "not-a-real-token",
        subscriptions.unsubscribe_token(coordinator)[:-2] + "xx",
    ):
        assert client.get(f"/unsubscribe/{token}").status_code == 404
        one_click = {"List-Unsubscribe": "One-Click"}
        assert client.post(f"/unsubscribe/{token}", data=one_click).status_code == 404
    db.session.refresh(coordinator)
    assert coordinator.digest_subscribed is True


def test_resubscribing_in_the_settings_brings_the_digest_back(
    client, login_as, mailserver, people
):
    coordinator = login_as("coordinator")
    subscriptions.unsubscribe(coordinator)
    db.session.commit()
    page = client.get("/settings").get_data(as_text=True)
    assert 'id="digest_subscribed"' in page
    assert "checked" not in page.split('id="digest_subscribed"')[0].rsplit("<", 1)[-1]

    response = post(
        client,
        "/settings",
        {"locale": "en", "timezone": "Asia/Shanghai", "digest_subscribed": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.digest_subscribed is True

    outbox.run(NOW)
    assert len(mailserver.handler.to(coordinator.email)) == 1


def test_an_envoy_opts_in_in_the_settings(
    client, login_as, mailserver, factory, people
):
    envoy = login_as("envoy")
    # A student of theirs waits for a follow-up: the digest has news.
    waiting = factory.student(envoy, name_latin="Waiting Student")
    last = IN_WEEK.replace(month=9)
    set_times(
        waiting,
        last_activity_on=last.date(),
        last_activity_at=last,
        follow_up_on=None,
    )
    page = client.get("/settings").get_data(as_text=True)
    checkbox = page.split('id="digest_subscribed"')[0].rsplit("<input", 1)[-1]
    assert "checked" not in checkbox  # off until the envoy turns it on
    outbox.run(NOW)
    assert mailserver.handler.to(envoy.email) == []

    post(
        client,
        "/settings",
        {"locale": "en", "timezone": "Asia/Shanghai", "digest_subscribed": "y"},
    )
    outbox.run(NOW + timedelta(minutes=15))
    assert len(mailserver.handler.to(envoy.email)) == 1
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == envoy.id)
    )
    assert row.status is OutboxStatus.SENT
