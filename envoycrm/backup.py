"""``flask backup PATH`` and ``flask restore PATH`` for the SQLite database.

A backup is taken with SQLite's online backup API, so it is a consistent
copy even while gunicorn workers keep writing. PostgreSQL has its own tool
(``pg_dump``/``pg_restore``, see the README); these commands say so.
"""

import sqlite3
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from envoycrm.extensions import db


def sqlite_path() -> Path | None:
    """The database file when the app runs on SQLite, else None."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` page by page with the online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=256)
        # A self-contained file: no WAL beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def check_copy(path: Path) -> str:
    """Check a copy before restoring it; return its Alembic revision.

    Raises ``click.ClickException`` when the file is damaged or was made by
    another version of the schema than the one the code expects.
    """
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            revision = conn.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(
            f"{path} is not a usable SQLite database: {exc}"
        ) from exc
    if result != "ok":
        raise click.ClickException(f"{path} fails the integrity check: {result}")
    expected = current_revision()
    if revision is None or revision[0] != expected:
        found = revision[0] if revision else "none"
        raise click.ClickException(
            f"{path} has schema revision {found}; this code expects {expected}."
        )
    return revision[0]


def current_revision() -> str:
    """The Alembic head revision of the code's migrations."""
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("the migrations directory has no head revision")
    return head


def restore_sqlite(copy: Path, target: Path) -> None:
    """Replace the live database ``target`` with ``copy`` (online API again).

    Writing through SQLite rather than copying the file keeps the WAL and
    any open connections consistent.
    """
    db.session.remove()
    db.engine.dispose()
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Make a consistent copy of the SQLite database at PATH (safe while running)."""
    source = sqlite_path()
    if source is None:
        raise click.ClickException(
            "This database is PostgreSQL: back it up with "
            "`pg_dump --format=custom envoycrm > envoycrm.dump` (see README)."
        )
    backup_sqlite(source, path)
    revision = check_copy(path)
    click.echo(f"Backup written to {path} (schema {revision}).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Check the copy at PATH and restore it over the SQLite database."""
    target = sqlite_path()
    if target is None:
        raise click.ClickException(
            "This database is PostgreSQL: restore it with "
            "`pg_restore --clean --dbname envoycrm envoycrm.dump` (see README)."
        )
    revision = check_copy(path)
    if not yes:
        click.confirm(f"Replace {target} with {path}?", abort=True)
    restore_sqlite(path, target)
    click.echo(f"Restored {path} (schema {revision}) into {target}.")
