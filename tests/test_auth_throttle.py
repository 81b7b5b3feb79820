"""Sign-in throttling under load: atomic, per client, and no lock-out weapon.

Password checks are counted by watching Argon2 itself, not the clock: the
count is what an attacker buys, and it does not depend on the machine.
"""

import threading
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from tests.conftest import csrf_token

ATTEMPTS = 50


@pytest.fixture
def password_checks(monkeypatch) -> Callable[[], int]:
    """Counts every Argon2 verification, in every thread; call it to read."""
    count = 0
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(self, hash, password):  # noqa: A002 - argon2's own names
        nonlocal count
        with lock:
            count += 1
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return lambda: count


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
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    answers = attempt_at_once(
        app, "admin@example.org", "wrong", ["198.51.100.1"] * ATTEMPTS
    )
    assert password_checks() <= limit
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(422) == password_checks()
    assert statuses.count(429) == ATTEMPTS - password_checks()
