"""The dashboard page: pictures first, numbers beside them."""

from flask import render_template
from flask_babel import format_percent
from flask_babel import gettext as _

from envoycrm import cache
from envoycrm.access import staff
from envoycrm.dashboards import bp, charts, services
from envoycrm.i18n import country_name, format_day_month, format_number, locale_tag
from envoycrm.labels import label
from envoycrm.models import utcnow
from envoycrm.pipeline.filters import PipelineFilter, filter_choices


def _percent(value: float | None) -> str:
    return format_percent(value, "#,##0.0%") if value is not None else "—"


@bp.route("/")
@staff
def index():
    """Funnel, coverage, weekly activity, top envoys, openings, the headline."""
    from flask import request

    filters = PipelineFilter.from_args(request.args)
    # Keyed by the filter; the week boundary moves with "now" inside build().
    figures, computed_at = cache.cached(
        ("dashboard", filters.query_string),
        lambda: services.build(filters, utcnow()),
    )
    locale = locale_tag()
    funnel_chart = charts.bar_chart(
        [
            (
                label(step.stage),
                step.reached,
                format_number(step.reached)
                + (f" · {_percent(step.conversion)}" if step.conversion else ""),
            )
            for step in figures.funnel
        ]
    )
    country_chart = charts.bar_chart(
        [
            (country_name(code), students, format_number(students))
            for code, students, _envoys in figures.countries[:15]
        ]
    )
    university_chart = charts.bar_chart(
        [
            (u.name_for(locale), students, format_number(students))
            for u, students, _envoys in figures.universities
        ]
    )
    week_labels = [format_day_month(start) for start, _i, _s in figures.weeks]
    activity_chart = charts.line_chart(
        [
            (_("Interactions"), "series-a", [i for _w, i, _s in figures.weeks]),
            (_("New students"), "series-b", [s for _w, _i, s in figures.weeks]),
        ],
        week_labels,
        # The last week is the one running now: counted so far, not a drop.
        last_is_partial=True,
    )
    envoy_chart = charts.bar_chart(
        [(u.full_name, n, format_number(n)) for u, n, _a in figures.top_envoys]
    )
    opening_chart = charts.bar_chart(
        [(o.title_for(locale), n, format_number(n)) for o, n in figures.openings]
    )
    return render_template(
        "dashboards/index.html",
        filters=filters,
        figures=figures,
        computed_at=computed_at,
        percent=_percent,
        funnel_chart=funnel_chart,
        country_chart=country_chart,
        university_chart=university_chart,
        activity_chart=activity_chart,
        envoy_chart=envoy_chart,
        opening_chart=opening_chart,
        **filter_choices(),
    )
