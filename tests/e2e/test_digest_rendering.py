"""Each digest, rendered by a real browser on a desktop and on a phone."""

import pytest

from envoycrm.digests import render, subscriptions
from tests.digests.conftest import PERIOD, busy_week  # noqa: F401 - a fixture

WIDTHS = (800, 375)


@pytest.mark.usefixtures("busy_week")
@pytest.mark.parametrize("role", ["coordinator", "employer", "envoy"])
def test_each_digest_fits_800_and_375_pixels_without_horizontal_overflow(
    browser, people, role
):
    recipient = people[role]
    composed = render.compose(subscriptions.kind_for(recipient), recipient, PERIOD)
    assert not composed.empty
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            # The mail's HTML alone, as a mail client shows it: nothing to fetch.
            page.route("**/*", lambda route: route.abort())
            page.set_content(composed.html)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{role} at {width}px overflows by {overflow}px"
            frame = page.evaluate(
                "Math.round(document.querySelector('table table')"
                ".getBoundingClientRect().width)"
            )
            assert frame == (600 if width == 800 else width - 16), frame
            # The cards stack: every item is as wide as its list, none side by side.
            lefts = page.evaluate(
                "new Set([...document.querySelectorAll('td.item')]"
                ".map(td => Math.round(td.getBoundingClientRect().left))).size"
            )
            assert lefts == 1
        finally:
            context.close()
