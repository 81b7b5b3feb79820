"""Fixtures for real-browser tests: a live server, Chromium and a page.

The browser is the system's Chromium (``/usr/bin/chromium``); Playwright never
downloads one. Every page records the requests it makes, and a test fails if
any of them leaves the live server: the app must load nothing from elsewhere.
"""

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import url_for
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.routes import pages_of

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
# A phone as at a careers fair: 375 × 812 CSS px with mobile emulation.
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config, items):
    """Mark every test under ``tests/e2e`` as ``e2e``."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(app, people) -> Iterator[str]:
    """The session's app served over HTTP on loopback; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name="live-server", daemon=True
    )
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    # Links the app writes for others (referral links, mails) use BASE_URL,
    # the public address: here, this server. The app fixture restores it.
    app.config["BASE_URL"] = base
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium, shared by the whole session."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def locale(request) -> str:
    """The browser's locale (and so its Accept-Language); parametrize to change."""
    return getattr(request, "param", "en-US")


@pytest.fixture
def page(browser, live_server, locale):
    """A fresh browser context and page; fails if a request leaves our host."""
    context = browser.new_context(locale=locale)
    outside: list[str] = []

    def record(request) -> None:
        url = request.url
        if url.startswith(("data:", "about:")):
            return
        if url != live_server and not url.startswith(live_server + "/"):
            outside.append(url)

    context.on("request", record)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"requests left {live_server}: {outside}"


def chinese(app, message: str) -> str:
    """``message`` in Simplified Chinese, from the compiled catalog."""
    with app.test_request_context(), force_locale("zh_Hans"):
        translated = gettext(message)
    assert translated != message, f"no Chinese translation of {message!r}"
    return translated


@pytest.fixture
def csp_errors(page) -> list[str]:
    """Console messages about the Content Security Policy; must stay empty."""
    messages: list[str] = []

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            messages.append(f"{message.type}: {message.text}")

    page.on("console", record)
    yield messages
    assert messages == [], messages


def translator(app, locale: str):
    """Labels as the browser shows them in ``locale`` (a browser locale)."""
    if locale.startswith("zh"):
        return lambda message: chinese(app, message)
    return lambda message: message


def fill_sign_in_form(page, email: str, password: str, t=lambda m: m) -> None:
    """Fill the sign-in form by its labels and press the button."""
    page.get_by_label(t("Email"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.get_by_role("button", name=t("Sign in")).click()


@pytest.fixture
def sign_in_as(app, page, live_server, people, locale):
    """``sign_in_as("envoy")``: sign in through the real form, in the page's
    language, as the user of that role in ``people``; waits until signed in."""
    t = translator(app, locale)

    def sign_in(role: str) -> None:
        page.goto(f"{live_server}/auth/login")
        fill_sign_in_form(page, people[role].email, PASSWORD, t)
        expect(page.get_by_role("button", name=t("Sign out"))).to_be_visible()

    return sign_in


def phone_context(browser, locale: str, **extra):
    """A phone-sized browser context in ``locale``."""
    return browser.new_context(locale=locale, **PHONE, **extra)


@pytest.fixture
def sign_in_on(live_server):
    """``sign_in_on(page, email, t)``: sign in through the real form on any
    page (of any browser context) and wait until the sign-in page is left."""

    def sign_in(page, email: str, t=lambda m: m) -> None:
        page.goto(f"{live_server}/auth/login")
        fill_sign_in_form(page, email, PASSWORD, t)
        page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))

    return sign_in


@pytest.fixture
def pages_for(app, factory, people, student):
    """``pages_for(role)``: the URL of every page ``role`` (a key of ``people``
    or ``"anonymous"``) may open, from the app's own route declarations."""

    def pages(role: str) -> list[str]:
        return pages_of(app, factory, people, student, role)

    return pages


@pytest.fixture
def public_pages(app, factory, people, student, pages_for, fair_data) -> list[str]:
    """Every page the public reaches: those without a token, and those a
    signed link leads to (a referral; a policy, its thanks and the checker's
    answer with its question form; a personnel file's status; an event's
    registration, its thanks and a registrant's cancel page)."""
    from envoycrm.events import tokens as event_tokens
    from envoycrm.jobs import referrals
    from envoycrm.personnel_files import notices
    from envoycrm.policies import public as policy_links

    policy_push = factory.policy_push(people)
    personnel_file = factory.personnel_file(student, people["coordinator"])
    event_link = factory.event_link(people)
    registration = factory.registration(event_link.event, event_link)
    with app.test_request_context():
        event_token = event_tokens.public_token_of_link(event_link)
        cancel_token = event_tokens.sign(registration.token, event_tokens.CANCEL)
        policy_token = policy_links.sign(policy_push)
        linked = [
            url_for("event_public.register", token=event_token),
            url_for("event_public.thanks", token=event_token),
            url_for("event_public.cancel", token=cancel_token),
            url_for("referral.opening", token=referrals.sign(fair_data["push"])),
            url_for("policy_page.policy", token=policy_token),
            url_for("policy_page.thanks", token=policy_token),
            # The checker's answer, reached through the policy link: the
            # policies that may apply, then the "ask a question" form.
            url_for(
                "policy_page.checker",
                via=policy_token,
                degree="PHD",
                field="MATERIALS",
                expected_graduation="2027-06",
                birth_year="1996",
                plan="work",
            ),
            url_for("file_status.show", token=notices.sign(personnel_file)),
        ]
    return [*pages_for("anonymous"), *linked]


@pytest.fixture
def fair_data(factory, people, student):
    """Enough rows that lists show real widths: students, openings, a push."""
    envoy = people["envoy"]
    for name, hanzi in (("Li Haoyu", "李浩宇"), ("Chen Xiaoling", "陈晓玲")):
        factory.student(envoy, name_latin=name, name_hanzi=hanzi)
    employer_id = people["employer"].employer_id
    factory.opening(
        employer_id,
        title_en="Senior Marine Biotechnology Research Engineer (Anti-fouling)",
        title_zh="海洋生物技术高级研发工程师（防污方向）",
    )
    push = factory.push(people)
    return {"push": push}
