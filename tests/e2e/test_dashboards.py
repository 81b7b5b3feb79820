"""The dashboards in a real browser: chart text stays readable in a narrow card."""

import pytest


@pytest.mark.parametrize("width", [1366, 420])
def test_chart_text_is_at_least_12_px_wide_screen_or_narrow(
    page, live_server, factory, people, csp_errors, sign_in_as, width
):
    for n in range(3):
        factory.student(people["envoy"], name_latin=f"Chart Person{n}")
    sign_in_as("coordinator")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/dashboards/")
    heights = page.eval_on_selector_all(
        "svg.chart text",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize)"
        " * (e.getScreenCTM() ? e.getScreenCTM().a : 1))",
    )
    assert len(heights) > 20
    assert min(heights) >= 12, heights
    # The running week is shaded and labelled in the chart.
    assert page.locator("#activity-chart-title").count() == 1
    assert page.locator("svg.chart .chart-partial").is_visible()
    assert csp_errors == []
