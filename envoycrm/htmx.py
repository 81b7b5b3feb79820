"""What the views need to know about htmx.

Every view answers htmx with a fragment and a browser with the whole page from
the same URL and the same templates; ``security.py`` adds ``Vary: HX-Request``
to every response, so caches key on it.

Three things every fragment answer needs are done here, once, so no view
has to remember them:

* flash messages reach a fragment out of band (``flash_out_of_band``): the
  page's one ``#flashes`` region is swapped with them, wherever the fragment
  itself lands; a full page shows them in place and they are not sent twice;
* an error (403, 404, 429, 500, an expired form) answers a fragment request
  with its message in ``#flashes`` (``error_fragment``), never a whole page
  inside the target;
* a fragment request that must sign in again is sent to the sign-in page
  with ``HX-Redirect`` instead of swapping the sign-in page into a target.
"""

from typing import cast
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    get_flashed_messages,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from htmx_flask.requests import HtmxAwareRequest

FLASHES = "#flashes"
_REDIRECTS = (301, 302, 303, 307, 308)


def is_fragment_request() -> bool:
    """True when htmx asks for a fragment; a boosted link wants the whole page."""
    htmx = cast(HtmxAwareRequest, request).htmx  # the factory sets this class
    return bool(htmx) and not htmx.boosted


def retarget(response: Response, selector: str) -> Response:
    """Swap the answer into ``selector`` instead of the element's own target."""
    response.headers["HX-Retarget"] = selector
    return response


def reswap(response: Response, style: str) -> Response:
    """Swap the answer with ``style`` (``outerHTML``, ``innerHTML`` ...)."""
    response.headers["HX-Reswap"] = style
    return response


def client_redirect(response: Response, url: str) -> Response:
    """Have the browser load ``url`` as a whole page (``HX-Redirect``)."""
    response.headers["HX-Redirect"] = url
    return response


def error_fragment(title: str, message: str, code: int) -> Response:
    """An error for a fragment request: its message in the flash region."""
    messages = [("error", _("%(title)s: %(message)s", title=title, message=message))]
    messages += cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
    response = Response(
        render_template("_flashes.html", messages=messages), code, mimetype="text/html"
    )
    return reswap(retarget(response, FLASHES), "outerHTML")


def _sign_in_again(response: Response) -> Response:
    """A fragment request sent to the sign-in page: load it as a whole page."""
    login = url_for("auth.login")
    location = response.headers.get("Location", "")
    if urlsplit(location).path != login:
        return response
    # Back to the page the person was on, not to the fragment's own URL.
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.path and current.netloc in ("", request.host):
        page = current.path + (f"?{current.query}" if current.query else "")
        location = url_for("auth.login", next=page)
    answer = Response("", 200, mimetype="text/html")
    answer.headers["Vary"] = response.headers.get("Vary", "")
    for cookie in response.headers.getlist("Set-Cookie"):
        answer.headers.add("Set-Cookie", cookie)
    return client_redirect(answer, location)


def answer_fragment_requests(response: Response) -> Response:
    """``after_request`` hook: flashes out of band, sign-in as a whole page."""
    if not is_fragment_request():
        return response
    if response.status_code in _REDIRECTS:
        return _sign_in_again(response)
    if (
        response.mimetype != "text/html"
        or response.is_streamed
        or response.direct_passthrough
        # Already shown: a template of this answer took them.
        or not session.get("_flashes")
    ):
        return response
    messages = get_flashed_messages(with_categories=True)
    extra = render_template("_flashes.html", messages=messages, oob=True)
    response.set_data(response.get_data() + extra.encode("utf-8"))
    return response


def init_app(app: Flask) -> None:
    """Wire the hook."""
    app.after_request(answer_fragment_requests)
