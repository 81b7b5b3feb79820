"""Reading ids and list filters from URLs without trusting them.

Filters come from URLs people share and bots replay; anything malformed is
ignored (the filter is simply not applied) rather than answered with an error.
One rule for every parameter: a value carrying a control character is
malformed. Each reader takes the request's arguments, or any mapping (a saved
view's query string parsed back).

A row id, in a path (``<id:student_id>``), a query or a form, is a whole
number from 1 to ``MAX_ID``: a larger one cannot be stored in an INTEGER
column on PostgreSQL (nor bound at all on SQLite past 2**63), so it names no
row and is refused before it reaches the database.
"""

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TypeVar

from flask import request
from werkzeug.routing import IntegerConverter, Map

# The largest value of a PostgreSQL INTEGER (and of every id column).
MAX_ID = 2**31 - 1

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


def parse_int(value: str, low: int, high: int) -> int | None:
    """``value`` as a whole number between ``low`` and ``high``, or None.

    Only ASCII digits count: ``str.isdigit`` also accepts "²", which ``int``
    refuses, and a thousand digits would be parsed for nothing.
    """
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(high)):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_id(value: str) -> int | None:
    """``value`` as a row id (1 to ``MAX_ID``), or None."""
    return parse_int(value, 1, MAX_ID)


def parse_ids(values: Iterable[str], limit: int) -> list[int]:
    """The valid row ids among ``values``, at most ``limit`` of them."""
    ids = (parse_id(value) for value in values)
    return [number for number in ids if number is not None][:limit]


def int_arg(
    name: str, low: int, high: int, args: Mapping[str, str] | None = None
) -> int | None:
    """A whole number between ``low`` and ``high``, or None."""
    return parse_int(text_arg(name, 12, args), low, high)


def id_arg(name: str, args: Mapping[str, str] | None = None) -> int | None:
    """A row id in the query string, or None when absent or malformed."""
    return int_arg(name, 1, MAX_ID, args)


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


class IdConverter(IntegerConverter):
    """The ``<id:name>`` path segment: a row id, 1 to ``MAX_ID``.

    Any other number matches no route, so it answers 404 like an id that does
    not exist. Registered app-wide; routes never use the plain ``int``.
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


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
