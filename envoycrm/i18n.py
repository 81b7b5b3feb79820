"""Languages, time zones and locale-aware formatting.

The locale is chosen by: the user's own setting, then the ``lang`` cookie set
by the language switch, then the browser's ``Accept-Language`` (Chinese for
Taiwan, Hong Kong or Macau, or marked ``Hant``, gives Traditional Chinese; any
other Chinese gives Simplified Chinese), then the configured default.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import format_skeleton, get_timezone_location
from babel.lists import format_list
from babel.numbers import format_currency, get_group_symbol
from babel.numbers import format_decimal as babel_format_decimal
from flask import current_app, g, has_app_context, redirect, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
    refresh,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from envoycrm.models.base import local_date, utcnow

LANG_COOKIE = "lang"

# Human names of the UI languages, each written in its own language.
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

# Chinese written in Traditional characters: Hong Kong, Macau and Taiwan.
TRADITIONAL_REGIONS = ("tw", "hk", "mo")


def normalise_locale(tag: str | None) -> str | None:
    """Map a language tag (``zh-CN``, ``zh_Hans``, ``en-GB`` ...) to a UI locale."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_").lower()
    if tag == "zh" or tag.startswith("zh_"):
        parts = tag.split("_")[1:]
        if "hant" in parts or (
            "hans" not in parts and any(p in TRADITIONAL_REGIONS for p in parts)
        ):
            return "zh_Hant"
        return "zh_Hans"
    if tag == "en" or tag.startswith("en_"):
        return "en"
    return None


PREFERRED_LOCALE = "preferred_locale"


def language_switch(endpoint: str, **values):
    """A public page's language link was followed (``?lang=…``): a redirect to
    the page's clean address that remembers the choice in the language
    cookie; None when the request chose no language we speak."""
    chosen = normalise_locale(request.args.get("lang"))
    if not chosen:
        return None
    response = redirect(url_for(endpoint, **values))
    response.set_cookie(
        LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


def _known(name: str, work_out):
    """``work_out()`` for the request's locale, worked out once per request
    and locale (kept beside Flask-Babel's own state, so ``force_locale`` and
    ``refresh`` are followed): a list page asks hundreds of times."""
    state = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # not chosen yet: Flask-Babel chooses it
        return work_out()
    known = getattr(state, name, None)
    if known is None or known[0] is not locale:
        known = (locale, work_out())
        setattr(state, name, known)
    return known[1]


def locale_tag() -> str:
    """The request's locale as a tag (``str(get_locale())``): "zh_Hans", "en"."""
    return _known("envoy_locale_tag", lambda: str(get_locale()))


def current_translations():
    """The request's translations (``flask_babel.get_translations()``)."""
    return _known("envoy_translations", get_translations)


def select_locale() -> str:
    """Flask-Babel locale selector: user setting → cookie → the language of the
    person a page is for (``prefer_locale``) → browser → default."""
    if current_user and current_user.is_authenticated:
        chosen = normalise_locale(current_user.locale)
        if chosen:
            return chosen
    chosen = normalise_locale(request.cookies.get(LANG_COOKIE))
    if chosen:
        return chosen
    chosen = normalise_locale(g.get(PREFERRED_LOCALE))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:
        chosen = normalise_locale(tag)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def prefer_locale(locale: str | None) -> None:
    """Show this request's page in the language of the person it is for.

    An invitee opening their link is not signed in yet, and their browser
    may say nothing useful; their account says which language they read.
    A language the visitor chose on the page (the cookie) still wins.
    """
    g.setdefault(PREFERRED_LOCALE, locale)
    refresh()


def switched_language(clean_url: str) -> Response | None:
    """A public page's language switch (``?lang=…``): remember the choice in
    the language cookie and lead to ``clean_url``; None when none was asked."""
    chosen = normalise_locale(request.args.get("lang"))
    if not chosen:
        return None
    response = redirect(clean_url)
    response.set_cookie(
        LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


def select_timezone() -> str:
    """Flask-Babel time zone selector: the user's own zone, else the default."""
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def user_today() -> date:
    """Today in the signed-in user's zone: the day "today" means in a date field.

    The server's own date (``date.today()``) is another zone's day for half
    the world's evenings.
    """
    return local_date(utcnow(), select_timezone())


def bureau_today(now: datetime | None = None) -> date:
    """Today's date in the bureau's zone: the day deadlines are counted in.

    Not the server's ``date.today()``: a server on UTC would keep an opening
    open for eight hours after its deadline passed in the city.
    """
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or datetime.now(zone)).astimezone(zone).date()


def is_valid_timezone(name: str) -> bool:
    """True when ``name`` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def canonical_timezones() -> frozenset[str]:
    """The zones people choose from: CLDR's zones of a country, no legacy alias
    ("GB", "EST", "Mexico/BajaNorte") and none this machine does not know."""
    known = available_timezones()
    zones = get_global("territory_zones")
    return frozenset(z for country in zones.values() for z in country if z in known)


def timezone_choices(current: str | None = None) -> list[SelectChoice]:
    """Time zones grouped by country (the option group), named in the reader's
    language, each with its offset from UTC today: "London (UTC+00:00)" under
    "United Kingdom". ``current``, a zone not on the list (an older account's
    legacy alias), is kept as an option of its own."""
    choices = [
        SelectChoice(zone, label, optgroup=country)
        for country, zones in _timezone_groups(locale_tag(), date.today()).items()
        for zone, label in zones
    ]
    if current and current not in canonical_timezones() and is_valid_timezone(current):
        choices.insert(0, SelectChoice(current, current))
    return choices


@lru_cache(maxsize=8)
def _timezone_groups(locale: str, day: date) -> dict[str, list[tuple[str, str]]]:
    """Zones by country name in ``locale``, cities sorted; once per locale a day."""
    names = Locale.parse(locale).territories
    noon = datetime.combine(day, datetime.min.time().replace(hour=12))
    groups: dict[str, list[tuple[str, str]]] = {}
    for country, zones in get_global("territory_zones").items():
        entries = []
        for zone in zones:
            if zone not in canonical_timezones():
                continue
            city = get_timezone_location(zone, locale=locale, return_city=True)
            offset = noon.replace(tzinfo=ZoneInfo(zone)).utcoffset() or timedelta()
            entries.append((zone, f"{city} ({_utc_offset(offset)})"))
        if entries:
            groups[names.get(country, country)] = sorted(entries, key=lambda e: e[1])
    return dict(sorted(groups.items()))


def timezone_name(zone: str | None) -> str:
    """A zone as people say it, in the reader's language: "London (UTC+00:00)"."""
    if not zone or not is_valid_timezone(zone):
        return zone or ""
    locale = locale_tag()
    for zones in _timezone_groups(locale, date.today()).values():
        for name, label in zones:
            if name == zone:
                return label
    return get_timezone_location(zone, locale=locale)


def _utc_offset(offset: timedelta) -> str:
    """UTC+08:00, UTC−05:00, UTC+05:45."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def language_choices() -> list[SelectChoice]:
    """The UI languages as form choices, each named in its own language."""
    return [
        SelectChoice(code, name, render_kw={"lang": code.replace("_", "-")})
        for code, name in LANGUAGE_NAMES.items()
    ]


def country_name(code: str | None) -> str:
    """The country's name in the current locale, from Babel's locale data."""
    if not code:
        return ""
    return _territories(locale_tag()).get(code.upper(), code)


@lru_cache(maxsize=None)
def _territories(locale: str) -> dict[str, str]:
    """Babel's country names in ``locale``, parsed once per process."""
    return dict(Locale.parse(locale).territories)


def format_cny(amount) -> str:
    """A CNY amount in the current locale, in whole yuan."""
    if amount is None:
        return ""
    # Salaries are whole yuan: the pattern drops the fraction digits.
    return format_currency(
        amount, "CNY", format="¤#,##0", locale=locale_tag(), currency_digits=False
    )


# English dates read the same to a UK and a US envoy: "3 Dec 2026", never
# "12/3/26" (12 March in the UK) nor "Dec 3, 2026". Other locales keep
# Babel's own patterns ("2026年12月3日").
ENGLISH_DAY = {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y"}
ENGLISH_MOMENT = {"short": "d MMM y, HH:mm", "medium": "d MMM y, HH:mm"}


def english(locale: str | None = None) -> bool:
    """True when the reader's language (or ``locale``) is English."""
    return (locale or locale_tag()).split("_")[0] == "en"


def format_day(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date in the current locale ('' for None)."""
    if value is None:
        return ""
    locale = locale_tag()
    if english(locale):
        fmt = ENGLISH_DAY.get(fmt, fmt)
    if type(value) is date:  # no zone to apply: the same words every time
        return _day(value, fmt, locale)
    return format_date(value, fmt)


@lru_cache(maxsize=4096)
def _day(value: date, fmt: str, locale: str) -> str:
    """``format_date`` of a calendar day, remembered: a list shows the same
    few days on many rows. ``locale`` is the current one, named for the key."""
    return format_date(value, fmt)


def format_month(value: date | datetime | None) -> str:
    """A month and year in the locale's own order ("June 2027", "2027年6月")."""
    if value is None:
        return ""
    return format_skeleton("yMMMM", value, locale=locale_tag())


def format_day_month(value: date | datetime | None) -> str:
    """A day and month in the locale's own order ("27 Nov", "11月27日")."""
    if value is None:
        return ""
    return format_skeleton("MMMd", value, locale=locale_tag())


def format_moment(value: datetime | None, fmt: str = "medium") -> str:
    """A timestamp in the current user's time zone and locale ('' for None)."""
    if value is None:
        return ""
    if english():
        fmt = ENGLISH_MOMENT.get(fmt, fmt)
    return format_datetime(value, fmt)


def format_list_of(items) -> str:
    """Items joined by the locale's list pattern: "a, b, and c", "a、b和c".

    Never ", ".join: Chinese enumerates with 、, not an ASCII comma.
    """
    words = [str(item) for item in items]
    if not words:
        return ""
    return format_list(words, style="standard", locale=locale_tag())


def format_number(value) -> str:
    """A number with the locale's grouping."""
    if value is None:
        return ""
    if type(value) is int and value >= 0:
        group = _thousands_symbol(locale_tag())
        if group is not None:
            return f"{value:,}".replace(",", group)
    return format_decimal(value)


@lru_cache(maxsize=None)
def _thousands_symbol(locale: str) -> str | None:
    """The group symbol of a locale that groups whole numbers by threes, as
    Python's ``,`` format does; None for any other locale (Babel decides)."""
    group = get_group_symbol(locale)
    for probe in (1234, 1234567):  # minimum grouping digits, then the grouping
        grouped = f"{probe:,}".replace(",", group)
        if babel_format_decimal(probe, locale=locale) != grouped:
            return None
    return group


def init_app(app) -> None:
    """Register the formatting filters used by templates."""
    from envoycrm.labels import field_label, label, sector_label

    app.jinja_env.filters.update(
        country=country_name,
        cny=format_cny,
        day=format_day,
        list_of=format_list_of,
        month=format_month,
        moment=format_moment,
        number=format_number,
        timezone_name=timezone_name,
        sector_label=sector_label,  # for map(): sectors | map("sector_label")
        field_label=field_label,
    )

    # Flask-Babel's gettext callables, asking for the translations once per
    # request rather than on every call.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        label=label,
        sector_label=sector_label,
        format_percent=format_percent,
    )
