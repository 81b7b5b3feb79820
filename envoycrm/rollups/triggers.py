"""The triggers that keep the rollup tables, and their repair.

Each rollup counts the rows of one source table by a few key expressions.
From that one description come the SQLite triggers, the PostgreSQL trigger
functions, the full recount (``rebuild``) and the comparison (``check``), so
the four cannot disagree.

``install`` may run any number of times: it replaces what is there. It must
run again after anything that drops triggers — on SQLite a batch migration
that rebuilds ``students``, ``interactions`` or ``job_interests`` drops
theirs — followed by ``rebuild`` (``flask rollups rebuild`` does both).
"""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Rollup:
    """``target`` counts rows of ``source`` grouped by ``keys``.

    ``keys`` maps each key column of ``target`` to an SQL expression over the
    source row, written with ``{r}`` for the row (``NEW``, ``OLD`` or the
    table's name) and ``{week_of_day}`` / ``{week_of_instant}`` for the
    Monday of a date or of a UTC timestamp, which differ by dialect.
    ``watched`` are the source columns the keys depend on.
    """

    target: str
    source: str
    keys: dict[str, str]
    watched: tuple[str, ...]


ROLLUPS = (
    Rollup(
        "student_counts",
        "students",
        {
            "owner_id": "{r}.owner_id",
            "university_id": "COALESCE({r}.university_id, 0)",
            "stage": "{r}.stage",
        },
        ("owner_id", "university_id", "stage"),
    ),
    Rollup(
        "student_weeks",
        "students",
        {"week": "{week_of_instant}({r}.created_at)"},
        ("created_at",),
    ),
    Rollup(
        "opening_reply_counts",
        "job_interests",
        {"opening_id": "{r}.opening_id"},
        ("opening_id",),
    ),
    # Migration 0023: students per stage and day they entered it (who is
    # stuck in a stage), touchpoints per author whatever the week.
    Rollup(
        "student_stage_days",
        "students",
        {"stage": "{r}.stage", "day": "{day_of_instant}({r}.stage_changed_at)"},
        ("stage", "stage_changed_at"),
    ),
    Rollup(
        "interaction_authors",
        "interactions",
        {"author_id": "COALESCE({r}.author_id, 0)"},
        ("author_id",),
    ),
    Rollup(
        "interaction_week_totals",
        "interactions",
        {"week": "{week_of_day}({r}.occurred_on)"},
        ("occurred_on",),
    ),
)

# Counts no longer kept, described still for the migrations that installed
# them and the one that retired them (and its downgrade): named with
# ``only=``, never installed, filled or checked otherwise.
RETIRED = (
    # Touchpoints per author and week: unread since the per-author and
    # per-week totals (0023); retired by 0024.
    Rollup(
        "interaction_weeks",
        "interactions",
        {
            "author_id": "COALESCE({r}.author_id, 0)",
            "week": "{week_of_day}({r}.occurred_on)",
        },
        ("author_id", "occurred_on"),
    ),
)

# What each migration that created rollup tables installs and fills: a
# migration knows only the tables there at its revision.
FIRST = ("student_counts", "student_weeks", "interaction_weeks", "opening_reply_counts")

# The Monday of a day, and of a UTC instant (weeks start on Monday, in UTC);
# the UTC day of an instant.
# SQLite: step back six days, then forward to the next Monday (or stay).
SQLITE_WEEK = {
    "week_of_day": "date({0}, '-6 days', 'weekday 1')",
    "week_of_instant": "date({0}, '-6 days', 'weekday 1')",
    "day_of_instant": "date({0})",
}
POSTGRES_WEEK = {
    "week_of_day": "({0} - (EXTRACT(ISODOW FROM {0})::int - 1))",
    "week_of_instant": (
        "(({0} AT TIME ZONE 'UTC')::date"
        " - (EXTRACT(ISODOW FROM ({0} AT TIME ZONE 'UTC'))::int - 1))"
    ),
    "day_of_instant": "({0} AT TIME ZONE 'UTC')::date",
}


def _expression(template: str, row: str, dialect: str) -> str:
    """One key expression for ``row`` in ``dialect``."""
    weeks = SQLITE_WEEK if dialect == "sqlite" else POSTGRES_WEEK
    for name, shape in weeks.items():
        marker = "{" + name + "}("
        if marker in template:
            start = template.index(marker) + len(marker)
            end = template.index(")", start)
            inner = template[start:end].replace("{r}", row)
            return shape.format(inner)
    return template.replace("{r}", row)


def _keys(rollup: Rollup, row: str, dialect: str) -> list[str]:
    return [_expression(t, row, dialect) for t in rollup.keys.values()]


def _changed(rollup: Rollup) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in rollup.watched)


def _add(rollup: Rollup, dialect: str) -> str:
    """Count NEW in: insert its key with 1, or add 1 to the row there."""
    columns = ", ".join(rollup.keys)
    values = ", ".join(_keys(rollup, "NEW", dialect))
    return (
        f"INSERT INTO {rollup.target} ({columns}, n) VALUES ({values}, 1) "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {rollup.target}.n + 1"
    )


def _subtract(rollup: Rollup, dialect: str) -> str:
    """Count OLD out."""
    old = _keys(rollup, "OLD", dialect)
    where = " AND ".join(
        f"{column} = {value}" for column, value in zip(rollup.keys, old, strict=True)
    )
    return f"UPDATE {rollup.target} SET n = n - 1 WHERE {where}"


def _sqlite_triggers(rollup: Rollup) -> dict[str, str]:
    name = f"rollup_{rollup.target}"
    add, subtract = _add(rollup, "sqlite"), _subtract(rollup, "sqlite")
    # SQLite has no IS DISTINCT FROM before 3.39; IS NOT is the same test.
    changed = _changed(rollup).replace("IS DISTINCT FROM", "IS NOT")
    watched = ", ".join(rollup.watched)
    return {
        f"{name}_insert": (
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {rollup.source} "
            f"BEGIN {add}; END"
        ),
        f"{name}_delete": (
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {rollup.source} "
            f"BEGIN {subtract}; END"
        ),
        f"{name}_update": (
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} "
            f"ON {rollup.source} WHEN {changed} BEGIN {subtract}; {add}; END"
        ),
    }


def _postgres_function(rollup: Rollup) -> str:
    return f"""
CREATE OR REPLACE FUNCTION rollup_{rollup.target}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT ({_changed(rollup)}) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_subtract(rollup, "postgresql")};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_add(rollup, "postgresql")};
    END IF;
    RETURN NULL;
END $$"""


def _chosen(only: tuple[str, ...] | None) -> tuple[Rollup, ...]:
    """The rollups whose targets ``only`` names, retired ones included (every
    kept one when None)."""
    if only is None:
        return ROLLUPS
    return tuple(r for r in ROLLUPS + RETIRED if r.target in only)


def install(connection: Connection, only: tuple[str, ...] | None = None) -> None:
    """Create (or replace) every rollup trigger, or those of the targets
    ``only`` names. Counts are not touched."""
    dialect = connection.dialect.name
    for rollup in _chosen(only):
        if dialect == "sqlite":
            for name, sql in _sqlite_triggers(rollup).items():
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
                connection.execute(text(sql))
        else:
            connection.execute(text(_postgres_function(rollup)))
            connection.execute(
                text(
                    f"CREATE OR REPLACE TRIGGER rollup_{rollup.target} "
                    f"AFTER INSERT OR UPDATE OR DELETE ON {rollup.source} "
                    f"FOR EACH ROW EXECUTE FUNCTION rollup_{rollup.target}()"
                )
            )


def uninstall(connection: Connection, only: tuple[str, ...] | None = None) -> None:
    """Drop every rollup trigger (and on PostgreSQL its function), or those of
    the targets ``only`` names."""
    for rollup in _chosen(only):
        if connection.dialect.name == "sqlite":
            for name in _sqlite_triggers(rollup):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            connection.execute(
                text(
                    f"DROP TRIGGER IF EXISTS rollup_{rollup.target} ON {rollup.source}"
                )
            )
            connection.execute(
                text(f"DROP FUNCTION IF EXISTS rollup_{rollup.target}()")
            )


def _recount(rollup: Rollup, dialect: str) -> str:
    keys = ", ".join(_keys(rollup, rollup.source, dialect))
    return f"SELECT {keys}, count(*) FROM {rollup.source} GROUP BY {keys}"


def rebuild(connection: Connection, only: tuple[str, ...] | None = None) -> None:
    """Install the triggers and recount every rollup (or those of the targets
    ``only`` names) from its source rows.

    On PostgreSQL the sources are locked against writes (reads go on) for the
    length of the transaction, so no change slips between recount and commit.
    """
    dialect = connection.dialect.name
    chosen = _chosen(only)
    install(connection, only)
    if dialect == "postgresql":
        sources = ", ".join(sorted({r.source for r in chosen}))
        connection.execute(text(f"LOCK TABLE {sources} IN SHARE MODE"))
    for rollup in chosen:
        columns = ", ".join(rollup.keys)
        connection.execute(text(f"DELETE FROM {rollup.target}"))
        connection.execute(
            text(
                f"INSERT INTO {rollup.target} ({columns}, n) "
                f"{_recount(rollup, dialect)}"
            )
        )


def check(connection: Connection) -> dict[str, int]:
    """How many keys of each rollup disagree with a recount (0 everywhere: right).

    A kept row with a count of zero and a missing row agree.
    """
    dialect = connection.dialect.name
    wrong = {}
    for rollup in ROLLUPS:
        columns = ", ".join(rollup.keys)
        kept = {
            tuple(str(v) for v in row[:-1]): row[-1]
            for row in connection.execute(
                text(f"SELECT {columns}, n FROM {rollup.target} WHERE n <> 0")
            )
        }
        counted = {
            tuple(str(v) for v in row[:-1]): row[-1]
            for row in connection.execute(text(_recount(rollup, dialect)))
        }
        wrong[rollup.target] = sum(
            kept.get(key, 0) != counted.get(key, 0) for key in kept.keys() | counted
        )
    return wrong
