"""The aggregate cache: reused within its lifetime, off when set to zero."""

from envoycrm import cache


def test_values_are_reused_until_they_expire(app):
    app.config["AGGREGATE_CACHE_SECONDS"] = 60
    cache.clear()
    calls = []
    first, when = cache.cached(("k",), lambda: calls.append(1) or len(calls))
    second, again = cache.cached(("k",), lambda: calls.append(1) or len(calls))
    assert (first, second, len(calls)) == (1, 1, 1)
    assert when == again
    other, _ = cache.cached(("other",), lambda: calls.append(1) or len(calls))
    assert other == 2
    cache.clear()


def test_zero_seconds_computes_every_time(app):
    app.config["AGGREGATE_CACHE_SECONDS"] = 0
    calls = []
    for _ in range(3):
        cache.cached(("k",), lambda: calls.append(1))
    assert len(calls) == 3


def test_dashboard_says_when_its_figures_were_computed(client, login_as):
    login_as("coordinator")
    page = client.get("/dashboards/").get_data(as_text=True)
    assert "Figures as of" in page
