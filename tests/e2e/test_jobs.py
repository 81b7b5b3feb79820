"""Push an opening, open the referral link as a visitor, reply: a real browser."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import InterestSource, JobInterest, Push, Stage, Student


def _reply(browser, live_server, link, email, name) -> None:
    """A visitor with no account opens the link and says "I'm interested"."""
    context = browser.new_context(locale="en-GB")
    outside = []
    context.on(
        "request",
        lambda r: None if r.url.startswith(live_server) else outside.append(r.url),
    )
    visitor = context.new_page()
    try:
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "Materials Engineer"
        )
        assert visitor.locator("script").count() == 0
        visitor.get_by_label("Your name").fill(name)
        visitor.get_by_label("Email").fill(email)
        visitor.get_by_label("Programme").fill("PhD Materials Science")
        visitor.get_by_label("Degree").select_option("PHD")
        visitor.get_by_label("Expected graduation").fill("2027-06")
        visitor.get_by_label("I agree").check()
        visitor.get_by_label("Employers in the city may also see my profile").check()
        visitor.get_by_role("button", name="I'm interested").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        context.close()
    assert outside == []


def test_push_then_a_visitor_replies_and_the_student_is_credited_to_the_envoy(
    factory, page, browser, live_server, people, csp_errors, sign_in_as
):
    opening = factory.opening(people["employer"].employer_id)
    sign_in_as("envoy")
    page.get_by_role("link", name="Openings").click()
    page.get_by_role("link", name="Materials Engineer").click()
    page.get_by_role("button", name="Push this opening").click()
    link = page.get_by_role("textbox", name="Link").input_value()
    assert link.startswith(live_server + "/r/")
    expect(page.get_by_role("textbox", name="Message")).to_contain_text(link)
    qr = page.get_by_role("img", name="QR code of your referral link")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0

    _reply(browser, live_server, link, "mei.lin@students.example.org", "Lin Mei 林梅")

    db.session.expire_all()
    student = db.session.scalar(select(Student))
    push = db.session.scalar(select(Push))
    assert student.owner_id == people["envoy"].id
    assert student.stage is Stage.INTERESTED
    interest = db.session.scalar(select(JobInterest))
    assert interest.push_id == push.id and interest.opening_id == opening.id
    assert interest.source is InterestSource.REFERRAL
    assert push.views == 1

    page.get_by_role("link", name="My students").click()
    expect(page.get_by_role("link", name="Lin Mei 林梅")).to_be_visible()
    page.get_by_role("link", name="My pushes").click()
    row = page.get_by_role("row", name="Materials Engineer")
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # views
    expect(row.get_by_role("cell").nth(4)).to_have_text("1")  # replies

    # The same person replies again: still one student, one interest.
    _reply(browser, live_server, link, "MEI.LIN@students.example.org", "Lin Mei")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Student.id))) == 1
    assert db.session.scalar(select(func.count(JobInterest.id))) == 1
    page.reload()
    expect(
        page.get_by_role("row", name="Materials Engineer").get_by_role("cell").nth(3)
    ).to_have_text("2")
