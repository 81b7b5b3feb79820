"""Reading list filters from the query string without trusting them.

Filters come from URLs people share and bots replay; anything malformed is
ignored (the filter is simply not applied) rather than answered with an error.
One rule for every parameter: a value carrying a control character is
malformed. Each reader takes the request's arguments, or any mapping (a saved
view's query string parsed back).
"""

import re
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from flask import request

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
E = TypeVar("E", bound=Enum)


def _raw(name: str, args: Mapping[str, str] | None) -> str:
    value = (request.args if args is None else args).get(name) or ""
    return "" if _CONTROL.search(value) else value


def text_arg(
    name: str, max_length: int = 100, args: Mapping[str, str] | None = None
) -> str:
    """A free-text parameter, trimmed and bounded; "" when malformed."""
    return _raw(name, args)[:max_length].strip()


def enum_arg(
    enum_cls: type[E], name: str, args: Mapping[str, str] | None = None
) -> E | None:
    """An enum member named in the query string, or None when absent or unknown."""
    return enum_cls.__members__.get(text_arg(name, 40, args))


def int_arg(
    name: str, low: int, high: int, args: Mapping[str, str] | None = None
) -> int | None:
    """A whole number between ``low`` and ``high``, or None."""
    value = text_arg(name, 12, args)
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def country_arg(
    name: str = "country", args: Mapping[str, str] | None = None
) -> str | None:
    """An ISO 3166 alpha-2 code, or None."""
    value = text_arg(name, 10, args).upper()
    return value if _COUNTRY.match(value) else None


def page_arg(name: str = "page", args: Mapping[str, str] | None = None) -> int:
    """A page number between 1 and 100,000 (1 when missing or malformed)."""
    return int_arg(name, 1, 100_000, args) or 1


def flag_arg(name: str, args: Mapping[str, str] | None = None) -> bool:
    """A checkbox-style flag: present as ``1``."""
    return text_arg(name, 1, args) == "1"


def sort_arg(
    offered: tuple[str, ...], name: str = "sort", args: Mapping[str, str] | None = None
) -> str:
    """One of the ``offered`` sort keys; the first when absent or unknown."""
    return choice_arg(offered, name, args)


def choice_arg(
    offered: tuple[str, ...], name: str, args: Mapping[str, str] | None = None
) -> str:
    """One of the ``offered`` values; the first when absent or unknown."""
    value = text_arg(name, 20, args)
    return value if value in offered else offered[0]


def enum_list_arg(
    enum_cls: type[E], name: str, args: Mapping[str, str] | None = None
) -> tuple[E, ...]:
    """Enum members named comma-separated (``?kind=A,B``); unknown names dropped.

    Members keep the enum's own order and appear once, so two spellings of
    the same filter read the same.
    """
    named = set(text_arg(name, 400, args).split(","))
    return tuple(member for member in enum_cls if member.name in named)


_PERIOD = re.compile(r"^\d{4}-W\d{2}$")


def period_arg(
    name: str = "period", args: Mapping[str, str] | None = None
) -> str | None:
    """A digest period such as ``2026-W48``, or None."""
    value = text_arg(name, 8, args)
    return value if _PERIOD.match(value) else None
