"""Behind a reverse proxy: the client's own address, scheme and host count.

``TRUSTED_PROXIES`` says how many proxies stand in front of the app; only
their ``X-Forwarded-*`` headers are believed.
"""

import pytest
from sqlalchemy import select

from envoycrm import create_app
from envoycrm.config import TestConfig
from envoycrm.extensions import db
from envoycrm.models import AuditEvent
from tests.conftest import PASSWORD, post

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def proxied_app(database_url, app):
    """The app as production runs it behind one proxy (nginx, Caddy)."""
    proxied = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=database_url, TRUSTED_PROXIES=1
    )
    yield proxied
    db.session.remove()


def _from(client_address: str) -> dict:
    """What the proxy adds: the address it saw the client connect from."""
    return {"X-Forwarded-For": client_address}


def sign_in(client, email: str, password: str = PASSWORD, **request):
    """Sign in through the real form, with ``request``'s headers and environ."""
    return post(
        client, "/auth/login", {"email": email, "password": password}, **request
    )


def _audited_address_of_a_failed_sign_in(
    client, forwarded_for: str, remote_addr: str = "127.0.0.1"
) -> str | None:
    """Fail to sign in with ``X-Forwarded-For`` sent; the address audited."""
    sign_in(
        client,
        "envoy@example.org",
        "wrong",
        environ_base={"REMOTE_ADDR": remote_addr},
        headers=_from(forwarded_for),
    )
    return db.session.scalar(
        select(AuditEvent.ip).where(AuditEvent.action == "auth.login_failed")
    )


def test_behind_a_trusted_proxy_the_audit_log_records_the_client_address(
    proxied_app, people
):
    client = proxied_app.test_client()
    assert _audited_address_of_a_failed_sign_in(client, "203.0.113.7") == (
        "203.0.113.7"
    )


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(client, people):
    """A client cannot choose the address it is counted under."""
    audited = _audited_address_of_a_failed_sign_in(
        client, "203.0.113.7", remote_addr="198.51.100.4"
    )
    assert audited == "198.51.100.4"


def test_a_client_cannot_add_hops_beyond_the_trusted_proxy(proxied_app, people):
    """The proxy appends the real address; what the client sent before it is
    ignored, so a forged header does not reset its counters."""
    client = proxied_app.test_client()
    audited = _audited_address_of_a_failed_sign_in(client, "10.0.0.1, 203.0.113.7")
    assert audited == "203.0.113.7"


def test_behind_a_trusted_proxy_one_clients_failed_sign_ins_do_not_throttle_another(
    proxied_app, people
):
    proxied_app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    attacker, colleague = proxied_app.test_client(), proxied_app.test_client()
    for n in range(3):
        sign_in(
            attacker,
            f"someone{n}@example.org",
            "wrong",
            environ_base=PROXY,
            headers=_from("203.0.113.66"),
        )
    blocked = sign_in(
        attacker, "envoy@example.org", environ_base=PROXY, headers=_from("203.0.113.66")
    )
    assert blocked.status_code == 429
    allowed = sign_in(
        colleague, "envoy@example.org", environ_base=PROXY, headers=_from("192.0.2.10")
    )
    assert allowed.status_code == 302


def test_behind_a_tls_proxy_a_post_from_another_site_is_refused(proxied_app, people):
    """The request's scheme and host are the public ones, so the strict CSRF
    check (same-origin Referer over https) runs and holds."""
    proxied_app.config["WTF_CSRF_SSL_STRICT"] = True
    public = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "envoy.example.gov.cn",
    }
    client = proxied_app.test_client()
    cross_site = sign_in(
        client,
        "envoy@example.org",
        environ_base=PROXY,
        headers={**public, "Referer": "https://evil.example/login"},
    )
    assert cross_site.status_code == 400
    assert "csrf" in cross_site.get_data(as_text=True).lower()
    same_site = sign_in(
        client,
        "envoy@example.org",
        environ_base=PROXY,
        headers={**public, "Referer": "https://envoy.example.gov.cn/auth/login"},
    )
    assert same_site.status_code == 302
