"""Sign-in throttling under load: atomic, per client, and no lock-out weapon.

Password checks are counted by watching Argon2 itself, not the clock: the
count is what an attacker buys, and it does not depend on the machine.
"""

import threading

from envoycrm import ratelimit
from tests.conftest import PASSWORD, csrf_token, post

ATTEMPTS = 50
ADMIN = "admin@example.org"
ATTACKER = "203.0.113.66"
OFFICE = "192.0.2.10"


def attempt_at_once(app, email: str, password: str, addresses: list[str]) -> list:
    """One sign-in per address, all released at the same instant; the answers."""
    clients = [app.test_client() for _ in addresses]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(len(addresses))
    answers: list = [None] * len(addresses)

    def run(n: int) -> None:
        start.wait()
        answers[n] = clients[n].post(
            "/auth/login",
            data={"email": email, "password": password, "csrf_token": tokens[n]},
            environ_base={"REMOTE_ADDR": addresses[n]},
        )

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(addresses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_wrong_passwords_for_one_account_get_at_most_the_limit_of_checks(
    app, people, password_checks
):
    """The count is taken and tested in one step, so a burst cannot slip
    between reading the count and writing it."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"]
    answers = attempt_at_once(app, ADMIN, "wrong", ["198.51.100.1"] * ATTEMPTS)
    assert password_checks.count <= limit
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(422) == password_checks.count
    assert statuses.count(429) == ATTEMPTS - password_checks.count


def test_concurrent_guesses_from_many_addresses_get_at_most_the_account_limit(
    app, people, password_checks
):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 10
    addresses = [f"198.51.100.{n}" for n in range(1, ATTEMPTS + 1)]
    answers = attempt_at_once(app, ADMIN, "wrong", addresses)
    assert password_checks.count <= 10
    assert [a.status_code for a in answers].count(422) == password_checks.count


def _sign_in_from(app, address: str, password: str = PASSWORD, email=ADMIN):
    return post(
        app.test_client(),
        "/auth/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_from_one_address_do_not_lock_the_account_out_from_another(
    app, people
):
    """An attacker who knows the administrator's email cannot lock them out."""
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"]):
        assert _sign_in_from(app, ATTACKER, "wrong").status_code == 422
    blocked = _sign_in_from(app, ATTACKER)  # even with the right password
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    assert _sign_in_from(app, OFFICE).status_code == 302


def test_guesses_spread_over_many_addresses_still_meet_the_account_limit(app, people):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 8
    for n in range(8):
        assert _sign_in_from(app, f"203.0.113.{n}", "wrong").status_code == 422
    assert _sign_in_from(app, OFFICE).status_code == 429


def test_refused_attempts_count_toward_no_other_limit(app, people):
    """Hammering from one address past its limit does not use up the
    account-wide allowance, or it would be a lock-out weapon again."""
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"]
    for _ in range(per_address + 20):
        _sign_in_from(app, ATTACKER, "wrong")
    window = app.config["LOGIN_WINDOW_SECONDS"]
    assert ratelimit.recent(f"account:{ADMIN}", window) == per_address
    assert ratelimit.recent(f"ip:{ATTACKER}", window) == per_address
