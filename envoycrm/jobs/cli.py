"""``flask jobs ...``: closing openings whose deadline passed."""

import click
from flask.cli import AppGroup

from envoycrm.extensions import db
from envoycrm.i18n import bureau_today

jobs_cli = AppGroup("jobs", help="Job openings.")


@jobs_cli.command("close-expired")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to close before (default: today).",
)
def close_expired(today) -> None:
    """Close open and pending openings whose deadline has passed."""
    from envoycrm.jobs.services import close_expired_openings

    day = today.date() if today else bureau_today()
    closed = close_expired_openings(day)
    db.session.commit()
    click.echo(f"{closed} opening(s) closed.")
