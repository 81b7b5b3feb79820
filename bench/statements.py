"""Count the SQL statements a piece of work sends to the database.

One counter for the benchmarks (statements per request, which must not grow
with rows) and for the tests' ``max_queries`` fixture.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


class StatementCounter:
    """A ``before_cursor_execute`` listener that counts what it sees."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: object, **_kwargs: object) -> None:
        self.count += 1


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementCounter]:
    """Count the statements ``engine`` executes inside the ``with`` block."""
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)
