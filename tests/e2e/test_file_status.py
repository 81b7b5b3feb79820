"""A student reads their personnel file's status on a phone, in Chinese."""

from playwright.sync_api import expect

from envoycrm.personnel_files import notices
from tests.e2e.conftest import chinese

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_student_reads_file_status_on_a_phone_in_chinese(
    app, browser, live_server, factory, people, student
):
    file = factory.personnel_file(student, people["coordinator"])
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/file-status/{notices.sign(file)}")
        expect(
            page.get_by_role("heading", name=chinese(app, "Your personnel file"))
        ).to_be_visible()
        current = page.locator("[aria-current=step]")
        expect(current).to_contain_text(chinese(app, "Application received"))
        expect(current).to_contain_text("2026年11月2日")
        expect(page.get_by_text(chinese(app, "Copy of passport"))).to_be_visible()
        expect(page.get_by_text("Staff only")).to_have_count(0)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        page.get_by_label(chinese(app, "Your email address")).fill(student.email)
        page.get_by_role("button", name=chinese(app, "Send me a new link")).click()
        expect(page.locator(".flashes")).to_contain_text(
            chinese(
                app,
                "If the bureau keeps a file for this address, a new link "
                "is on its way there. Older links no longer work.",
            )
        )
    finally:
        context.close()
