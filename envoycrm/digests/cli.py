"""``flask digests preview|build|send`` for operators."""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import DigestKind, User

from . import outbox, render, subscriptions
from .periods import BadPeriod, monday_of
from .services import this_week

digests_cli = AppGroup("digests", help="Weekly digests and their outbox.")


def _week(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        monday_of(value)
    except BadPeriod as exc:
        raise click.BadParameter("an ISO week such as 2026-W48") from exc
    return value


@digests_cli.command("preview")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DigestKind]),
    help="Defaults to the kind the recipient's role receives.",
)
@click.option("--recipient", "email", required=True, help="The recipient's email.")
@click.option("--week", help="ISO week, e.g. 2026-W48 (default: this week).")
@click.option("--html", "as_html", is_flag=True, help="Print the HTML body instead.")
def digests_preview(kind: str | None, email: str, week: str | None, as_html: bool):
    """Print a digest as its recipient would read it; nothing is sent or stored."""
    user = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    chosen = DigestKind(kind) if kind else subscriptions.kind_for(user)
    composed = render.compose(chosen, user, _week(week) or this_week())
    click.echo(f"Subject: {composed.subject}")
    click.echo(f"Language: {composed.locale}; time zone: {composed.timezone}")
    click.echo("")
    click.echo(composed.html if as_html else composed.text)


@digests_cli.command("build")
@click.option("--week", help="Use this ISO week instead of each one's due week.")
def digests_build(week: str | None) -> None:
    """Make the outbox rows that are due (a second run adds nothing)."""
    added = outbox.build_due(period=_week(week))
    click.echo(f"{added} new outbox rows.")


@digests_cli.command("send")
def digests_send() -> None:
    """Send every outbox row that is due now."""
    report = outbox.send_due()
    click.echo(
        f"sent {report.sent}, retrying {report.retrying}, "
        f"failed {report.failed}, skipped {report.skipped}"
    )
