"""Gzip for text responses: envoys on slow links abroad pay for every byte.

Pages, fragments, CSS, JavaScript and SVG are compressed when the browser
accepts gzip; streamed responses (exports) pass through untouched so that
memory stays flat.
"""

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "application/javascript",
    "text/javascript",
    "application/json",
    "image/svg+xml",
)
MIN_SIZE = 500


def compress_response(response: Response) -> Response:
    """``after_request`` hook: gzip the body when it is worth it and allowed."""
    # Static files are streamed from disk (direct passthrough) but small;
    # generated streams (exports) are left alone.
    if (
        (response.is_streamed and not response.direct_passthrough)
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
        or response.mimetype not in COMPRESSIBLE
    ):
        return response
    response.direct_passthrough = False  # static files: read them to compress
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    """Register the hook last, so it sees the finished response."""
    app.after_request(compress_response)
