"""``flask rollups``: recount the kept counts, or check them against a recount."""

import click
from flask.cli import AppGroup

from envoycrm.extensions import db
from envoycrm.rollups import triggers

rollups_cli = AppGroup("rollups", help="Counts kept by database triggers.")


@rollups_cli.command("rebuild")
def rollups_rebuild() -> None:
    """Install the triggers and recount every kept count from its rows."""
    triggers.rebuild(db.session.connection())
    db.session.commit()
    click.echo("Triggers installed; counts rebuilt.")


@rollups_cli.command("check")
def rollups_check() -> None:
    """Compare every kept count with a recount; exit 1 when any differs."""
    wrong = triggers.check(db.session.connection())
    db.session.rollback()
    for table, keys in wrong.items():
        click.echo(f"{table}: {'ok' if not keys else f'{keys} counts differ'}")
    if any(wrong.values()):
        raise click.ClickException("Run `flask rollups rebuild` to repair them.")
