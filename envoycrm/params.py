"""Reading list filters from the query string without trusting them.

Filters come from URLs people share and bots replay; anything malformed is
ignored (the filter is simply not applied) rather than answered with an error.
"""

import re

from flask import request

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def text_arg(name: str, max_length: int = 100) -> str:
    """A free-text parameter, trimmed, without control characters, bounded."""
    return _CONTROL.sub("", request.args.get(name, ""))[:max_length].strip()


def enum_arg(enum_cls, name: str):
    """An enum member named in the query string, or None when absent or unknown."""
    return enum_cls.__members__.get(request.args.get(name, ""))


def country_arg(name: str = "country") -> str | None:
    """An ISO 3166 alpha-2 code, or None."""
    value = request.args.get(name, "").upper()
    return value if _COUNTRY.match(value) else None


def page_arg(name: str = "page") -> int:
    """A page number between 1 and 100,000 (1 when missing or malformed)."""
    value = request.args.get(name, "1")
    if not value.isdigit() or len(value) > 6:
        return 1
    return max(1, int(value))


def flag_arg(name: str) -> bool:
    """A checkbox-style flag: present as ``1``."""
    return request.args.get(name) == "1"
