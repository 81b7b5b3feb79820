"""Every page passes axe-core's WCAG 2.2 A and AA rules, on a phone and on a
desktop, for every role and the public.

The pages come from the app's route declarations (``tests/routes.py``), so a
new page is checked without being listed here. Every ``<details>`` (the header
menu on a phone, folded filters and forms) is opened first, so what it holds
is checked too.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import install_axe, wcag_violations
from tests.e2e.conftest import DESKTOP, PHONE, translator

SCREENS = {"phone": PHONE, "desktop": DESKTOP}


# Every role in Chinese; envoys, employers and the public (at a fair) in English too.
ROLES_AND_LOCALES = [
    *((role, "zh-CN") for role in ("envoy", "employer", "coordinator", "admin")),
    ("anonymous", "zh-CN"),
    *((role, "en-US") for role in ("envoy", "employer", "anonymous")),
]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize(("role", "locale"), ROLES_AND_LOCALES)
def test_every_page_passes_axe_wcag_22_aa(
    browser,
    live_server,
    app,
    people,
    pages_for,
    sign_in_on,
    public_pages,
    role,
    locale,
    screen,
):
    context = browser.new_context(locale=locale, **SCREENS[screen])
    install_axe(context)
    page = context.new_page()
    try:
        if role == "anonymous":
            urls = public_pages
        else:
            sign_in_on(page, people[role].email, translator(app, locale))
            urls = pages_for(role)
        assert urls
        violations = {}
        for url in urls:
            response = page.goto(live_server + url)
            assert response is not None and response.status < 500, url
            page.evaluate(
                "document.querySelectorAll('details').forEach(d => d.open = true)"
            )
            if found := wcag_violations(page):
                violations[url] = found
        report = "\n".join(
            f"{url}\n  " + "\n  ".join(found) for url, found in violations.items()
        )
        assert violations == {}, f"WCAG 2.2 AA violations:\n{report}"
    finally:
        context.close()


def test_the_check_finds_what_it_is_meant_to(browser, live_server):
    """A picture without a text, a nameless button and pale text are caught."""
    context = browser.new_context()
    install_axe(context)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/auth/login")
        # Styled through the CSSOM: the page's CSP refuses style attributes.
        page.evaluate(
            """() => { const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<img src="/static/favicon.svg"><button></button><p>pale</p>');
            Object.assign(main.lastElementChild.style,
                          {color: '#bbb', background: '#fff'}); }"""
        )
        found = " ".join(wcag_violations(page))
        for rule in ("image-alt", "button-name", "color-contrast"):
            assert rule in found
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_forms_with_errors_and_a_busy_student_page_pass_axe(
    browser, live_server, app, factory, people, student, sign_in_on, screen
):
    """The states a person meets after working: messages at the fields of a
    quick log sent empty, and a student page with a meeting and an intention."""
    t = translator(app, "zh-CN")
    factory.intention(student)
    context = browser.new_context(locale="zh-CN", **SCREENS[screen])
    install_axe(context)
    page = context.new_page()
    try:
        sign_in_on(page, people["envoy"].email, t)
        page.get_by_role("button", name=t("Save student and meeting")).click()
        expect(page.locator("#quick-log .error").first).to_be_visible()
        assert wcag_violations(page) == []
        page.goto(f"{live_server}/students/{student.id}")
        assert wcag_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_kept_entry_and_the_outbox_panel_pass_axe(
    browser, live_server, app, people, sign_in_on, screen
):
    """What an envoy sees after a dropped link: the message at the form and
    the header's panel of entries waiting to be sent, opened."""
    from tests.e2e.test_outbox import OFFLINE, QUICK_LOG, _fill_quick_log

    context = browser.new_context(locale="en-US", **SCREENS[screen])
    install_axe(context)
    page = context.new_page()
    try:
        sign_in_on(page, people["envoy"].email, translator(app, "en-US"))
        _fill_quick_log(page)
        page.route(QUICK_LOG, lambda route: route.abort("internetdisconnected"))
        page.get_by_role("button", name="Save student and meeting").click()
        expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
        page.locator("#outbox summary").click()
        expect(
            page.locator("#outbox").get_by_role("button", name="Retry")
        ).to_be_visible()
        assert wcag_violations(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SCREENS[screen]["viewport"]["width"]
    finally:
        context.close()
