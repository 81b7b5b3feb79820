"""Small typed helpers for htmx responses (in the manner of django-htmx).

Each takes a response, sets one header and returns it. ``htmx-flask``'s own
``make_response`` rejects some valid swap values, so headers are set here.
"""

import json
from typing import Any, cast

from flask import Response, request
from htmx_flask.requests import HtmxAwareRequest


def is_fragment_request() -> bool:
    """True when htmx asks for a fragment; a boosted link wants the whole page."""
    htmx = cast(HtmxAwareRequest, request).htmx  # the factory sets this class
    return bool(htmx) and not htmx.boosted


def retarget(response: Response, selector: str) -> Response:
    """Swap the response into ``selector`` instead of the requested target."""
    response.headers["HX-Retarget"] = selector
    return response


def reswap(response: Response, swap: str) -> Response:
    """Change how the response is swapped (``outerHTML``, ``none`` ...)."""
    response.headers["HX-Reswap"] = swap
    return response


def trigger_client_event(
    response: Response, name: str, detail: dict[str, Any] | None = None
) -> Response:
    """Fire ``name`` in the browser once the response is processed."""
    existing = response.headers.get("HX-Trigger")
    events = json.loads(existing) if existing else {}
    events[name] = detail or {}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def push_url(response: Response, url: str) -> Response:
    """Push ``url`` onto the browser history."""
    response.headers["HX-Push-Url"] = url
    return response


def client_redirect(response: Response, url: str) -> Response:
    """Make htmx navigate the whole page to ``url``."""
    response.headers["HX-Redirect"] = url
    return response


def vary_on_htmx(response: Response) -> Response:
    """Mark a response that depends on whether htmx asked for it."""
    response.vary.add("HX-Request")
    return response
