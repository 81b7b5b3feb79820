"""``flask backup`` / ``flask restore``: a consistent SQLite copy, checked first."""

import sqlite3

import pytest
import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import Interaction, Student

pytestmark = pytest.mark.skipif(
    "postgresql" in __import__("os").environ.get("DATABASE_URL", ""),
    reason="PostgreSQL is backed up with pg_dump (see README)",
)


def _snapshot() -> dict[str, set]:
    """Every row of every table, as comparable tuples."""
    return {
        table.name: {repr(tuple(row)) for row in db.session.execute(sa.select(table))}
        for table in db.metadata.sorted_tables
    }


def test_backup_then_restore_brings_back_every_row(runner, factory, people, tmp_path):
    for n in range(5):
        factory.student(people["envoy"], name_latin=f"Backup Student {n}")
    before = _snapshot()
    copy = tmp_path / "envoycrm-backup.sqlite3"

    result = runner.invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output

    # Change the live data after the backup: delete some, add some.
    db.session.execute(sa.delete(Interaction))
    db.session.execute(sa.update(Student).values(name_latin="Changed"))
    factory.student(people["envoy"], name_latin="After The Backup")
    db.session.commit()
    assert _snapshot() != before

    result = runner.invoke(args=["restore", "--yes", str(copy)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert _snapshot() == before


def test_restore_refuses_a_damaged_copy(runner, app, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = runner.invoke(args=["restore", "--yes", str(broken)])
    assert result.exit_code != 0
    assert (
        "not a usable SQLite database" in result.output or "integrity" in result.output
    )


def test_restore_refuses_a_copy_of_another_schema_version(runner, app, tmp_path):
    copy = tmp_path / "old.sqlite3"
    runner.invoke(args=["backup", str(copy)])
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.close()
    result = runner.invoke(args=["restore", "--yes", str(copy)])
    assert result.exit_code != 0
    assert "schema revision 0001" in result.output
