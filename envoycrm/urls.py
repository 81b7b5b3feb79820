"""Absolute links to the app, for emails, QR codes and messages to paste.

They are built on ``BASE_URL``, the public address, never on the request's
host: behind a reverse proxy that ends TLS, the request says ``http`` and an
internal host name, and a link made from it would not work for the reader.
"""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """``url_for`` against ``BASE_URL``; works with or without a request."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
