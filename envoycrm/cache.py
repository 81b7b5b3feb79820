"""A small in-process cache for expensive network-wide aggregates.

Dashboards and the envoy-activity table aggregate hundreds of thousands of
rows; coordinators open them many times a day and a figure a minute or two
old serves them as well as a fresh one. Each worker keeps its own copy for
``AGGREGATE_CACHE_SECONDS`` (0 turns caching off, as the tests do); pages
say when their figures were computed.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import current_app

from envoycrm.models import utcnow

T = TypeVar("T")
MAX_ENTRIES = 256

_store: dict[tuple, tuple[float, object, datetime]] = {}
_lock = threading.Lock()


def cached(key: tuple, compute: Callable[[], T]) -> tuple[T, datetime]:
    """``compute()``'s value for ``key`` and when it was computed."""
    ttl = current_app.config["AGGREGATE_CACHE_SECONDS"]
    if ttl <= 0:
        return compute(), utcnow()
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]  # type: ignore[return-value]
    value, computed_at = compute(), utcnow()
    with _lock:
        if len(_store) >= MAX_ENTRIES:
            for stale in [k for k, v in _store.items() if v[0] <= now] or list(_store):
                _store.pop(stale, None)
        _store[key] = (now + ttl, value, computed_at)
    return value, computed_at


def clear() -> None:
    """Forget everything (after bulk changes, and in tests)."""
    with _lock:
        _store.clear()
