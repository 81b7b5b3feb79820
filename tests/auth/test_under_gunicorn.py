"""The app as production runs it: gunicorn processes behind a reverse proxy.

Two gunicorn processes share the test database; a small proxy in the test
balances requests between them in turn and appends the address each client
connected from to ``X-Forwarded-For``, as nginx does. The app trusts one
proxy (``TRUSTED_PROXIES=1``). Clients connect from different loopback
addresses (127.0.0.2, 127.0.0.3 ...), so the proxy sees different clients.
"""

import http.client
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import AuditEvent
from tests.conftest import CSRF_PATTERN, PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin@example.org"
ATTACKER, COLLEAGUE = "127.0.0.2", "127.0.0.3"
GUESSES = 30
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def _start_gunicorn(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """One gunicorn process serving the production factory on ``port``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "shared-by-both-processes-for-the-test",
        "SESSION_COOKIE_SECURE": "0",
        "TRUSTED_PROXIES": "1",
        # The people fixture hashes with the test suite's cheap parameters.
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
        "ARGON2_PARALLELISM": "1",
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "1",
            # Threads let requests overlap inside each process as well.
            "--threads",
            "8",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "envoycrm:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def _wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/auth/login")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")


class Proxy(ThreadingHTTPServer):
    """A reverse proxy that sends each request to the next backend in turn."""

    daemon_threads = True
    request_queue_size = 128  # a burst of clients connects at once

    def __init__(self, backends: list[int]):
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self._next = itertools.cycle(backends)
        self._lock = threading.Lock()
        self.served_by: list[int] = []

    def next_backend(self) -> int:
        with self._lock:
            port = next(self._next)
            self.served_by.append(port)
            return port


class ProxyHandler(BaseHTTPRequestHandler):
    """Forward the request, adding the client's address as nginx does."""

    server: Proxy

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        # nginx's $proxy_add_x_forwarded_for: what the client sent, then the
        # address the proxy really saw.
        sent = self.headers.get("X-Forwarded-For")
        client = self.client_address[0]
        headers["X-Forwarded-For"] = f"{sent}, {client}" if sent else client
        headers["X-Forwarded-Proto"] = "http"
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        backend = http.client.HTTPConnection(
            "127.0.0.1", self.server.next_backend(), timeout=60
        )
        backend.request(self.command, self.path, body=body or None, headers=headers)
        answer = backend.getresponse()
        content = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        backend.close()

    do_GET = do_POST = _forward

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Keep the test output quiet."""


class Browser:
    """A client connecting from ``address``, keeping cookies like a browser."""

    def __init__(self, proxy_port: int, address: str):
        self.proxy_port, self.address = proxy_port, address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form=None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.proxy_port, timeout=60, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        page = answer.read().decode()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        connection.close()
        return answer.status, page

    def csrf_token(self) -> str:
        status, page = self.request("GET", "/auth/login")
        assert status == 200
        match = CSRF_PATTERN.search(page)
        assert match
        return match.group(1)

    def sign_in(self, email: str, password: str, token: str | None = None, **kw):
        form = {
            "email": email,
            "password": password,
            "csrf_token": token or self.csrf_token(),
        }
        return self.request("POST", "/auth/login", form, **kw)


@pytest.fixture
def proxy(database_url, app, people, tmp_path) -> Iterator[Proxy]:
    """Two gunicorn processes behind the proxy; stopped after the test."""
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"gunicorn-{n}.log" for n in range(2)]
    processes = [
        _start_gunicorn(database_url, port, log)
        for port, log in zip(ports, logs, strict=True)
    ]
    server = None
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_until_serving(port, process, log)
        server = Proxy(ports)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield server
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        db.session.remove()


def _failed_sign_in_addresses() -> list[str | None]:
    db.session.remove()  # read what the gunicorn processes committed
    return list(
        db.session.scalars(
            select(AuditEvent.ip).where(AuditEvent.action == "auth.login_failed")
        )
    )


def test_under_gunicorn_behind_a_proxy_one_clients_failures_do_not_throttle_another(
    proxy, app
):
    port = proxy.server_address[1]
    attacker, colleague = Browser(port, ATTACKER), Browser(port, COLLEAGUE)
    # The attacker also forges the header: the proxy's own entry still wins.
    forged = {"X-Forwarded-For": COLLEAGUE}
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"]):
        status, _page = attacker.sign_in(ADMIN, "wrong", headers=forged)
        assert status == 422
    status, page = attacker.sign_in(ADMIN, PASSWORD, headers=forged)
    assert status == 429
    assert "Too many failed attempts" in page
    status, _page = colleague.sign_in(ADMIN, PASSWORD)
    assert status == 302
    assert colleague.request("GET", "/")[0] == 200
    assert set(_failed_sign_in_addresses()) == {ATTACKER}


def test_the_throttle_holds_across_two_worker_processes(proxy, app):
    """Concurrent guesses spread over both processes get at most the limit
    of password checks (each check is an ``auth.login_failed`` audit row)."""
    port = proxy.server_address[1]
    guessers = [Browser(port, ATTACKER) for _ in range(GUESSES)]
    tokens = [guesser.csrf_token() for guesser in guessers]
    start = threading.Barrier(len(guessers))
    statuses: list[int] = []

    def guess(n: int) -> None:
        start.wait()
        statuses.append(guessers[n].sign_in(ADMIN, "wrong", tokens[n])[0])

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"]
    checks = len(_failed_sign_in_addresses())
    assert checks <= limit
    assert sorted(statuses) == [422] * checks + [429] * (GUESSES - checks)
    # Both processes answered guesses.
    assert len(set(proxy.served_by[-GUESSES:])) == 2
