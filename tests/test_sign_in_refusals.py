"""What a refused sign-in tells, and what its cost gives away.

Costs are counted as Argon2 verifications (the ``password_checks`` fixture),
not measured on the clock.
"""

from argon2 import extract_parameters

from envoycrm.extensions import db
from envoycrm.models import Role
from tests.conftest import sign_in


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
