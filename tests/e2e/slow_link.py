"""The quick log over a slow link, shared by the browser test and the bench.

The link is Chrome's own network emulation (DevTools protocol): 400 ms round
trip and 1 Mbit/s each way, the link envoys reported from a fair hall, with
the browser's cache emptied first, as on a phone that never saw the app.
"""

import time

from playwright.sync_api import expect

MBIT = 1_000_000 / 8  # bytes per second
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 1 * MBIT,
    "uploadThroughput": 1 * MBIT,
}
BUDGET_SECONDS = 15.0


def throttle(page) -> None:
    """Empty the cache and put ``page`` behind the slow link."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)


def quick_log_to_student_page(
    page,
    base_url: str,
    t=lambda m: m,
    email: str = "li.haoyu@students.example.org",
    name_latin: str = "Li Haoyu",
) -> float:
    """Seconds from opening the signed-in home to the new student's page.

    Logs a student with a first meeting through the quick log, then opens
    the student from "My students", as an envoy would; ``t`` gives labels in
    the page's language. Each step may take the whole budget, no more.
    """
    timeout = BUDGET_SECONDS * 1000
    started = time.perf_counter()
    page.goto(base_url + "/", timeout=timeout)
    page.get_by_label(t("Name in Latin letters")).fill(name_latin)
    page.get_by_label(t("Name in Chinese characters")).fill("李浩宇")
    page.get_by_label(t("Field of study")).select_option("MATERIALS")
    page.get_by_label(t("Degree"), exact=True).select_option("MASTER")
    page.get_by_label(t("Email"), exact=True).fill(email)
    page.get_by_label(t("Bureau and employers")).check()
    page.get_by_label(t("In person")).check()
    page.get_by_role("button", name=t("Save student and meeting")).click()
    expect(page.locator(".flash-success")).to_contain_text("李浩宇", timeout=timeout)
    menu = page.locator(".site-menu > summary")
    if menu.is_visible():  # a phone: the navigation is folded
        menu.click()
    page.get_by_role("link", name=t("My students")).click()
    page.get_by_role("link", name=f"{name_latin} 李浩宇").click(timeout=timeout)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "李浩宇", timeout=timeout
    )
    return time.perf_counter() - started
