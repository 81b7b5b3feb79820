"""The employer's "new for you" page: the candidates and replies of a week.

The employer digest links here with its own week (``?period=2026-W48``) and
the employer's home page without one (what arrived since the last digest);
both count the same rows this page lists (``jobs.new_candidates``).
"""

from flask import render_template
from flask_login import current_user

from envoycrm import audit
from envoycrm.access import roles
from envoycrm.digests.periods import BadPeriod, Window
from envoycrm.extensions import db
from envoycrm.jobs import bp
from envoycrm.jobs.new_candidates import EmployerNews, employer_news
from envoycrm.models import Role, utcnow
from envoycrm.params import period_arg


def employer_window(period: str | None, zone: str) -> Window:
    """The window of ``period`` in ``zone``, or the one since the last digest."""
    if period is not None:
        try:
            return Window.for_period(period, zone)
        except BadPeriod:
            pass  # a malformed filter is not applied (see params.py)
    return Window.since_last_due(utcnow(), zone)


@bp.route("/candidates")
@roles(Role.EMPLOYER)
def new_for_you():
    """New consenting candidates for the employer's open openings, and replies."""
    period = period_arg()
    window = employer_window(period, current_user.timezone)
    news: EmployerNews = employer_news(current_user.employer_id, window)
    shown = len(news.candidates) + len(news.replies)
    if shown:
        audit.record_list_view(
            "employer.new_candidates",
            {"period": window.period},
            len(news.candidates) + news.reply_total,
            shown,
        )
        db.session.commit()
    return render_template("jobs/new_for_you.html", news=news, period=period)
