"""The report after an event: the funnel as charts and tables, and its export."""

from functools import lru_cache

from flask import Response, abort, render_template, stream_with_context
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm import audit
from envoycrm.access import roles, staff
from envoycrm.dashboards import charts
from envoycrm.events import bp, queries, report
from envoycrm.extensions import db
from envoycrm.i18n import format_number, locale_tag
from envoycrm.models import Event, Role, utcnow
from envoycrm.pipeline import exports

# Envoys and universities drawn in each chart; the tables list them all.
CHART_ROWS = 15


def _step_names() -> dict[str, str]:
    return {
        "invited": _("Invited"),
        "registered": _("Registered"),
        "attended": _("Attended"),
        "interested": _("Interested in an opening"),
        "moved": _("Moved stage within 30 days"),
    }


def _percent(value: float | None) -> str:
    return format_percent(value, "#,##0.0%") if value is not None else "—"


def _reported_event(event_id: int) -> Event:
    """The event, for coordinators and its host; anyone else gets a 404."""
    event = db.get_or_404(Event, event_id)
    if not queries.sees_everyone(event, current_user):
        abort(404)
    return event


@bp.route("/<id:event_id>/report")
@roles(Role.ENVOY, Role.COORDINATOR)
def event_report(event_id: int):
    """The funnel of one event, by envoy and by university."""
    event = _reported_event(event_id)
    figures = report.build_report(event)
    locale = locale_tag()
    steps = _step_names()
    funnel_chart = charts.bar_chart(
        [
            (
                steps[step],
                value,
                format_number(value)
                + (
                    f" · {_percent(figures.total.rate(step))}"
                    if figures.total.rate(step) is not None
                    else ""
                ),
            )
            for step, value in zip(report.STEPS, figures.total.values(), strict=True)
        ]
    )
    nobody, not_given = _("No envoy"), _("Not given")
    envoy_names = [
        report.envoy_label(figures, row.key, nobody) for row in figures.by_envoy
    ]
    university_names = [
        report.university_label(figures, row.key, locale, not_given)
        for row in figures.by_university
    ]
    envoy_chart = charts.bar_chart(
        [
            (name, row.funnel.attended, format_number(row.funnel.attended))
            for name, row in list(zip(envoy_names, figures.by_envoy, strict=True))[
                :CHART_ROWS
            ]
        ]
    )
    university_chart = charts.bar_chart(
        [
            (name, row.funnel.attended, format_number(row.funnel.attended))
            for name, row in list(
                zip(university_names, figures.by_university, strict=True)
            )[:CHART_ROWS]
        ]
    )
    return render_template(
        "events/report.html",
        event=event,
        figures=figures,
        steps=steps,
        step_keys=report.STEPS,
        percent=_percent,
        funnel_chart=funnel_chart,
        envoy_chart=envoy_chart,
        university_chart=university_chart,
        envoy_rows=list(zip(envoy_names, figures.by_envoy, strict=True)),
        university_rows=list(zip(university_names, figures.by_university, strict=True)),
        follow_up_days=report.FOLLOW_UP_DAYS,
        chart_rows=CHART_ROWS,
        # Hundreds of cells hold a few distinct small numbers: format each once.
        number=lru_cache(maxsize=None)(format_number),
    )


@bp.route("/<id:event_id>/report.xlsx")
@staff
def event_report_xlsx(event_id: int):
    """The report as an Excel workbook, streamed; the export is audited."""
    event = db.get_or_404(Event, event_id)
    figures = report.build_report(event)
    audit.record("export", "event_report", event.id, format="xlsx")
    db.session.commit()
    steps = _step_names()
    header = [_("Part"), _("Name"), *(steps[step] for step in report.STEPS)]
    labels = {
        "total": _("Whole event"),
        "envoy": _("Envoy"),
        "university": _("University"),
        "nobody": _("No envoy"),
        "not_given": _("Not given"),
    }
    rows = report.export_rows(figures, locale_tag(), labels)
    body = exports.xlsx_stream(rows, header=header, sheet_title=_("Event report"))
    response = Response(stream_with_context(body), mimetype=exports.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="event-{event.id}-report-{utcnow():%Y%m%d}.xlsx"'
    )
    return response
