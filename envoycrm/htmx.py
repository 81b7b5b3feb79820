"""What the views need to know about htmx.

Every view answers htmx with a fragment and a browser with the whole page from
the same URL and the same templates; ``security.py`` adds ``Vary: HX-Request``
to every response, so caches key on it.
"""

from flask import request


def is_fragment_request() -> bool:
    """True when htmx asks for a fragment; a boosted link wants the whole page."""
    return bool(request.htmx) and not request.htmx.boosted
