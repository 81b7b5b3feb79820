"""Languages, time zones and Babel formatting."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext

from envoycrm.cli import catalog_problems
from envoycrm.i18n import (
    country_name,
    format_cny,
    format_moment,
    format_number,
    normalise_locale,
)
from tests.conftest import post, sign_in


def _chinese(app, message: str) -> str:
    with app.test_request_context(), force_locale("zh_Hans"):
        translated = gettext(message)
    assert translated != message, f"no Chinese for {message!r}"
    return translated


@pytest.mark.parametrize(
    "header", ["zh-CN", "zh", "zh-Hans", "zh-Hans-CN,en;q=0.5", "zh-SG"]
)
def test_chinese_browsers_get_chinese(app, client, header):
    page = client.get("/auth/login", headers={"Accept-Language": header})
    body = page.get_data(as_text=True)
    assert 'lang="zh-Hans"' in body
    assert _chinese(app, "Sign in") in body


@pytest.mark.parametrize(
    "header", ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-TW,en;q=0.5"]
)
def test_hong_kong_macau_and_taiwan_browsers_get_traditional_chinese(client, header):
    body = client.get("/auth/login", headers={"Accept-Language": header}).get_data(
        as_text=True
    )
    assert 'lang="zh-Hant"' in body
    assert "登入" in body and "登录" not in body


def test_traditional_chinese_dates_and_country_names_come_from_babel(app):
    moment = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("zh_Hant"):
        assert country_name("GB") == "英國"
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Taipei"
        assert "9:30" in format_moment(moment)


def test_the_privacy_notice_is_offered_in_every_language(client):
    body = client.get("/privacy/zh_Hant").get_data(as_text=True)
    assert "學生個人資料保護聲明" in body
    for code in ("zh_Hans", "en"):
        assert f'href="/privacy/{code}"' in body


@pytest.mark.parametrize("header", ["en-GB", "en", "fr-FR", ""])
def test_other_browsers_get_english(client, header):
    body = client.get("/auth/login", headers={"Accept-Language": header}).get_data(
        as_text=True
    )
    assert 'lang="en"' in body
    assert "<h1>Sign in</h1>" in body


def test_language_switch_sets_a_cookie_and_reloads_the_same_page(app, client):
    response = post(
        client,
        "/language",
        {"language": "zh_Hans", "next": "/auth/forgot"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/forgot"
    body = client.get("/auth/forgot", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'lang="zh-Hans"' in body


def test_language_switch_refuses_a_hostile_next(client):
    response = post(client, "/language", {"language": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_signed_in_users_language_setting_wins_over_cookie_and_browser(
    app, client, people
):
    people["envoy"].locale = "zh_Hans"
    from envoycrm.extensions import db

    db.session.commit()
    sign_in(client, "envoy@example.org")
    client.set_cookie("lang", "en")
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="zh-Hans"' in body


def test_switching_language_while_signed_in_saves_it_on_the_account(
    app, client, people
):
    sign_in(client, "envoy@example.org")
    post(client, "/language", {"language": "zh_Hans", "next": "/"})
    from envoycrm.extensions import db

    db.session.refresh(people["envoy"])
    assert people["envoy"].locale == "zh_Hans"


def test_settings_save_language_and_time_zone_and_refuse_unknown_zones(client, people):
    sign_in(client, "envoy2@example.org")
    bad = post(client, "/settings", {"locale": "en", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "Choose a time zone from the list." in bad.get_data(as_text=True)
    good = post(client, "/settings", {"locale": "en", "timezone": "Europe/Berlin"})
    assert good.status_code == 302
    # UTC+01:00 in winter, +02:00 in summer.
    assert "Berlin (UTC+0" in client.get("/").get_data(as_text=True)


def test_normalise_locale():
    assert normalise_locale("zh-CN") == "zh_Hans"
    assert normalise_locale("zh_Hant_TW") == "zh_Hant"
    assert normalise_locale("zh-HK") == "zh_Hant"
    assert normalise_locale("zh-Hans-HK") == "zh_Hans"
    assert normalise_locale("en-US") == "en"
    assert normalise_locale("de") is None
    assert normalise_locale(None) is None


def test_babel_formats_country_names_money_and_times(app):
    moment = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("zh_Hans"):
        assert country_name("GB") == "英国"
        assert format_cny(180000) == "¥180,000"
    with app.test_request_context(), force_locale("en"):
        assert country_name("NZ") == "New Zealand"
        assert format_cny(180000) == "CN¥180,000"
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
        assert "9:30" in format_moment(moment)


def test_times_are_shown_in_the_users_own_time_zone(app, client, people):
    from envoycrm.extensions import db

    with app.test_request_context():
        from envoycrm.auth.session import sign_in

        sign_in(people["envoy2"], remember=False)  # Pacific/Auckland: UTC+13 in Jan.
        # Signing in stamps the moment; a fixed one in January is shown here.
        people["envoy2"].last_login_at = datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
        db.session.commit()
        assert "15 Jan 2026, 13:00" == format_moment(people["envoy2"].last_login_at)


def test_catalogs_are_complete():
    """CI fails on any untranslated or fuzzy message."""
    assert catalog_problems() == []


def test_every_ui_language_has_a_complete_catalog():
    from envoycrm import resource_dir
    from envoycrm.i18n import LANGUAGE_NAMES

    catalogs = {
        path.parent.parent.name
        for path in resource_dir("translations").glob("*/LC_MESSAGES/messages.po")
    }
    assert set(LANGUAGE_NAMES) <= catalogs


def test_time_zones_are_chosen_by_country_in_the_readers_language(client, people):
    sign_in(client, people["envoy"].email)
    people["envoy"].locale = "zh_Hans"
    from envoycrm.extensions import db

    db.session.commit()
    page = client.get("/settings").get_data(as_text=True)
    # A searchable picker: a text box and its list, each zone with its country.
    assert re.search(r'<input[^>]*list="timezone-options"', page)
    assert re.search(r'<option value="伦敦 \(UTC\+0[01]:00\) · 英国">', page)
    assert "加德满都 (UTC+05:45)" in page
    # Legacy aliases are not offered.
    for alias in ('value="GB"', 'value="EST"', 'value="Mexico/BajaNorte"'):
        assert alias not in page


def test_a_time_zone_outside_the_list_is_refused_at_the_field(client, people):
    sign_in(client, people["envoy"].email)
    for zone in ("GB", "Mars/Olympus"):
        response = post(client, "/settings", {"locale": "en", "timezone": zone})
        assert response.status_code == 422
        assert "Choose a time zone from the list." in response.get_data(as_text=True)


def test_the_envoys_own_time_zone_is_named_not_shown_as_an_identifier(client, people):
    sign_in(client, people["envoy"].email)
    page = client.get("/").get_data(as_text=True)
    assert "Shanghai (UTC+08:00)" in page
    assert "Asia/Shanghai" not in page.split('id="main"')[1]


def test_english_dates_are_day_month_year_and_read_the_same_everywhere(app):
    from datetime import date

    from envoycrm.i18n import format_day

    moment = datetime(2026, 12, 3, 6, 5, tzinfo=UTC)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/London"
    with app.test_request_context(), force_locale("en"):
        assert format_day(date(2026, 12, 3)) == "3 Dec 2026"
        assert format_day(date(2026, 12, 3), "short") == "3 Dec 2026"
        assert format_moment(moment) == "3 Dec 2026, 06:05"
    with app.test_request_context(), force_locale("zh_Hans"):
        assert format_day(date(2026, 12, 3)) == "2026年12月3日"


@pytest.mark.parametrize(
    "locale", ["en", "zh_Hans", "zh_Hant", "de_CH", "hi_IN", "es", "pl"]
)
def test_whole_numbers_are_grouped_exactly_as_babel_groups_them(app, locale):
    """The quick path for whole numbers gives Babel's answer in every locale,
    including one with another group symbol and one with other grouping."""
    from babel.numbers import format_decimal

    with app.test_request_context(), force_locale(locale):
        for value in (0, 7, 999, 1000, 12345, 1234567, 10**12, -4321, 2.5):
            assert format_number(value) == format_decimal(value, locale=locale)


def test_remembered_labels_and_days_follow_the_readers_language(app):
    """Labels and days are remembered per language, never across languages."""
    from datetime import date

    from envoycrm.i18n import format_day
    from envoycrm.labels import label
    from envoycrm.models import Stage

    day = date(2026, 12, 3)
    with app.test_request_context():
        for _round in range(2):
            with force_locale("en"):
                assert (label(Stage.CONTACTED), format_day(day)) == (
                    "Contacted",
                    "3 Dec 2026",
                )
            with force_locale("zh_Hans"):
                assert (label(Stage.CONTACTED), format_day(day)) == (
                    "已联系",
                    "2026年12月3日",
                )
