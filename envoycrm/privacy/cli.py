"""``flask privacy ...``: retention from the command line."""

import click
from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@privacy_cli.command("flag-retention")
def flag_retention_command() -> None:
    """Flag students with no activity for RETENTION_DAYS days."""
    from envoycrm.models import utcnow
    from envoycrm.privacy.retention import flag_retention

    flagged = flag_retention(utcnow())
    click.echo(f"{flagged} students flagged for retention review.")
