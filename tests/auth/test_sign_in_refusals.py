"""What a refused sign-in tells, and what its cost gives away.

Costs are counted as Argon2 verifications (the ``password_checks`` fixture),
not measured on the clock.
"""

from argon2 import extract_parameters

from envoycrm.extensions import db
from envoycrm.models import Role
from tests.conftest import PASSWORD, post, sign_in


def test_an_unknown_email_costs_the_same_password_check_as_a_known_one(
    client, people, password_checks
):
    """Otherwise the time of the answer tells which emails have accounts."""
    sign_in(client, "admin@example.org", "wrong")
    sign_in(client, "nobody@example.org", "wrong")
    assert password_checks.count == 2
    known, unknown = (extract_parameters(h) for h in password_checks.hashes)
    assert unknown == known


def test_an_invited_user_without_a_password_costs_the_same_check(
    client, factory, password_checks
):
    factory.user(Role.ENVOY, "invited@example.org", password=None)
    response = sign_in(client, "invited@example.org", "anything")
    assert response.status_code == 422
    assert "Email or password is incorrect." in response.get_data(as_text=True)
    assert password_checks.count == 1


def test_a_deactivated_account_costs_the_same_check_as_an_active_one(
    client, people, password_checks
):
    people["envoy"].active = False
    db.session.commit()
    sign_in(client, "envoy@example.org", "wrong")
    assert password_checks.count == 1


def test_a_deactivated_user_with_the_right_password_is_told_whom_to_contact(
    app, client, people
):
    app.config["ACCOUNT_HELP_CONTACT"] = "the bureau's help desk, help@example.gov.cn"
    people["envoy"].active = False
    db.session.commit()
    response = sign_in(client, "envoy@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "This account is deactivated." in page
    assert "help@example.gov.cn" in page
    assert "Email or password is incorrect." not in page
    assert client.get("/").status_code == 302  # still signed out


def test_without_a_contact_a_deactivated_user_is_sent_to_their_coordinator(
    client, people
):
    people["envoy"].active = False
    db.session.commit()
    page = sign_in(client, "envoy@example.org").get_data(as_text=True)
    assert "ask your coordinator or an administrator" in page


def test_a_wrong_password_for_a_deactivated_account_says_only_wrong_email_or_password(
    app, client, people
):
    """Nobody without the password learns that the account exists."""
    app.config["ACCOUNT_HELP_CONTACT"] = "help@example.gov.cn"
    people["envoy"].active = False
    db.session.commit()
    response = sign_in(client, "envoy@example.org", "wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Email or password is incorrect." in page
    assert "deactivated" not in page
    assert "help@example.gov.cn" not in page


def test_the_deactivated_message_is_translated(client, people):
    people["envoy"].active = False
    db.session.commit()
    response = post(
        client,
        "/auth/login",
        {"email": "envoy@example.org", "password": PASSWORD},
        headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    page = response.get_data(as_text=True)
    assert "该账号已停用。如需重新使用" in page
    assert "This account is deactivated" not in page
