"""Browser smoke test: every role signs in through the real page, in a real browser.

Chromium drives the app served on loopback, so the templates, htmx (under the
Content Security Policy), the catalogs and the session cookie are exercised
together, as a user meets them.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, ROLE_NAMES
from tests.e2e.conftest import chinese, fill_sign_in_form

# What each role's home page must show, besides its heading.
UNIVERSITIES = {
    "envoy": "University of Manchester",
    "envoy2": "University of Auckland",
}
STAFF_HEADING = "The envoy network"


def open_sign_in_page(page, base: str) -> None:
    """Open the site's root; a visitor is sent to the sign-in page."""
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/auth/login?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_each_role_signs_in_and_sees_its_home_page(
    page, live_server, people, csp_errors, role
):
    user = people[role]
    email, name = user.email, user.full_name
    organisation = user.employer.name_en if role == "employer" else None

    open_sign_in_page(page, live_server)
    # htmx loaded from our own host and runs under the policy.
    assert page.evaluate("() => typeof window.htmx") == "object"
    fill_sign_in_form(page, email, PASSWORD)

    heading = page.get_by_role("heading", level=1)
    main = page.locator("main")
    users_link = page.get_by_role("navigation").get_by_role(
        "link", name="Users", exact=True
    )
    if role in ("envoy", "envoy2", "employer"):
        expect(heading).to_have_text(f"Welcome, {name}")
        expect(main).to_contain_text(organisation or UNIVERSITIES[role])
    else:
        expect(heading).to_have_text(STAFF_HEADING)
    if role == "admin":
        expect(users_link).to_be_visible()
    else:
        expect(users_link).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/")


@pytest.mark.parametrize("locale", ["zh-CN"])
def test_a_chinese_browser_gets_the_sign_in_page_in_chinese(
    app, page, live_server, csp_errors, locale
):
    expected = chinese(app, "Sign in")
    page.goto(f"{live_server}/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(expected)


def test_the_language_switch_reloads_the_page_in_chinese(
    app, page, live_server, csp_errors
):
    expected = chinese(app, "Sign in")
    page.goto(f"{live_server}/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("zh_Hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(expected)
    expect(page).to_have_url(f"{live_server}/auth/login")


def test_a_wrong_password_is_refused_at_the_form_and_keeps_the_email(
    page, live_server, people, csp_errors
):
    email = people["envoy"].email
    open_sign_in_page(page, live_server)
    fill_sign_in_form(page, email, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_the_page_language_follows_a_boosted_navigation_into_chinese(
    app, page, live_server, people, csp_errors
):
    """An English sign-in page, a user who reads Chinese: the boosted sign-in
    swaps in a Chinese page, and <html lang> must follow it."""
    from envoycrm.extensions import db

    people["envoy"].locale = "zh_Hans"
    db.session.commit()
    page.goto(f"{live_server}/auth/login")
    assert page.locator("html").get_attribute("lang") == "en"
    fill_sign_in_form(page, people["envoy"].email, PASSWORD)
    expect(page.get_by_role("button", name=chinese(app, "Sign out"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
