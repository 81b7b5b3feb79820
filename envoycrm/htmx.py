"""What the views need to know about htmx.

Every view answers htmx with a fragment and a browser with the whole page from
the same URL and the same templates; ``security.py`` adds ``Vary: HX-Request``
to every response, so caches key on it.
"""

from typing import cast

from flask import request
from htmx_flask.requests import HtmxAwareRequest


def is_fragment_request() -> bool:
    """True when htmx asks for a fragment; a boosted link wants the whole page."""
    htmx = cast(HtmxAwareRequest, request).htmx  # the factory sets this class
    return bool(htmx) and not htmx.boosted
