"""The pipeline board in a real browser: moving a card updates counts and timeline."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Stage, StageChange, Student
from tests.e2e.conftest import translator


def _count(page, stage: str):
    return page.locator(f"#column-head-{stage} .column-count")


def test_moving_a_card_updates_the_counts_and_the_timeline(
    page, live_server, factory, people, csp_errors, sign_in_as
):
    wang = factory.student(people["envoy"], name_latin="Wang Wei", name_hanzi="王伟")
    factory.student(people["envoy"], name_latin="Li Na", name_hanzi="李娜")
    sign_in_as("coordinator")
    page.goto(f"{live_server}/pipeline/")
    expect(_count(page, "CONTACTED")).to_have_text("2")
    expect(_count(page, "OFFER")).to_have_text("0")

    # Keyboard only: Enter on the card opens its menu, with the focus in it.
    page.locator(f"#card-{wang.id}").focus()
    page.keyboard.press("Enter")
    menu = page.get_by_label("Move Wang Wei 王伟 to")
    expect(menu).to_be_focused()
    menu.select_option("OFFER")
    page.keyboard.press("Tab")  # the reason field
    page.keyboard.press("Tab")  # the Move button
    page.keyboard.press("Enter")

    expect(_count(page, "OFFER")).to_have_text("1")
    expect(_count(page, "CONTACTED")).to_have_text("1")
    expect(page.locator("#cards-OFFER")).to_contain_text("Wang Wei 王伟")
    expect(page.locator(f"#cards-CONTACTED #card-{wang.id}")).to_have_count(0)
    expect(page.locator(f"#card-{wang.id}")).to_have_count(1)
    expect(page.locator("#board-status")).to_have_text("Wang Wei 王伟 moved to Offer.")
    # The focus lands on the note left where the card was.
    note = page.get_by_role("link", name="Wang Wei 王伟 moved to Offer.")
    expect(note).to_be_focused()
    assert page.url == f"{live_server}/pipeline/"  # no full page load

    db.session.expire_all()
    assert db.session.get(Student, wang.id).stage is Stage.OFFER
    page.get_by_role("link", name="Wang Wei 王伟 moved to Offer.").click()
    expect(page.locator("ol.timeline")).to_contain_text("Stage: Contacted → Offer")


def test_closing_from_the_board_asks_for_a_reason_at_the_card(
    page, live_server, factory, people, csp_errors, sign_in_as
):
    wang = factory.student(people["envoy"], name_latin="Wang Wei", name_hanzi="王伟")
    sign_in_as("coordinator")
    page.goto(f"{live_server}/pipeline/")
    page.get_by_role("link", name="Move Wang Wei 王伟").click()
    page.get_by_label("Move Wang Wei 王伟 to").select_option("CLOSED")
    page.locator("#card-%d" % wang.id).get_by_role("button", name="Move").click()
    reason = page.locator(f"#move-reason-{wang.id}")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#move-reason-{wang.id}-error")).to_have_text(
        "Say why the student is closed."
    )
    expect(reason).to_be_focused()
    reason.fill("Took a job in Shanghai")
    page.locator("#card-%d" % wang.id).get_by_role("button", name="Move").click()
    expect(_count(page, "CLOSED")).to_have_text("1")
    db.session.expire_all()
    change = db.session.scalar(
        select(StageChange).where(StageChange.to_stage == Stage.CLOSED)
    )
    assert change.reason == "Took a job in Shanghai"


def test_filters_live_in_the_url_and_the_back_button_restores_them(
    page, live_server, factory, people, csp_errors, sign_in_as
):
    factory.student(people["envoy"], name_latin="Wang Wei")
    factory.student(people["envoy2"], name_latin="Chen Jing")
    sign_in_as("coordinator")
    page.goto(f"{live_server}/pipeline/")
    expect(_count(page, "CONTACTED")).to_have_text("2")
    page.get_by_label("Country or region").select_option("NZ")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/pipeline/\?(.*&)?country=NZ&"))
    expect(_count(page, "CONTACTED")).to_have_text("1")
    expect(page.locator("#cards-CONTACTED")).to_contain_text("Chen Jing")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/pipeline/")
    expect(_count(page, "CONTACTED")).to_have_text("2")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"], indirect=True)
def test_the_board_fits_a_laptop_and_is_worked_by_keyboard(
    app, page, live_server, factory, people, csp_errors, sign_in_as, locale
):
    t = translator(app, locale)
    page.set_viewport_size({"width": 1366, "height": 768})
    first = factory.student(people["envoy"], name_latin="Wang Wei")
    second = factory.student(people["envoy"], name_latin="Li Na")
    factory.student(people["envoy"], name_latin="Zhao Lei")
    offer = factory.student(people["envoy2"], name_latin="Chen Jing")
    offer.stage = Stage.OFFER
    db.session.commit()
    sign_in_as("coordinator")
    page.goto(f"{live_server}/pipeline/")

    # Every stage's heading is within the viewport, with no sideways scrolling.
    for stage in Stage:
        box = page.locator(f"#column-title-{stage.name}").bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, stage
        assert box["y"] + box["height"] <= 768, stage
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    # The first card is a few keys from the top of the page: skip the site's
    # header, skip the filters, and the next Tab is on the first card.
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=t("Skip to main content"))).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=t("Skip to the cards"))).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(f"#card-{first.id}")).to_be_focused()

    # One Tab stop per column: the next Tab leaves the card's column.
    focusable = page.evaluate(
        "Array.from(document.querySelectorAll('#cards-CONTACTED *, #cards-CONTACTED'))"
        ".filter(e => e.tabIndex >= 0).length"
    )
    assert focusable == 3  # the card and, while it has the focus, its two links

    # The arrow keys go from card to card within the column, and across.
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#card-{second.id}")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#card-{first.id}")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")  # Interested is empty: on to Offer
    expect(page.locator(f"#card-{offer.id}")).to_be_focused()


def test_bulk_changes_show_only_the_fields_of_the_chosen_action(
    page, live_server, factory, people, csp_errors, sign_in_as
):
    factory.student(people["envoy"], name_latin="Wang Wei")
    factory.student(people["envoy"], name_latin="Li Na")
    sign_in_as("coordinator")
    page.goto(f"{live_server}/pipeline/list")
    bulk = page.get_by_role("group", name="Bulk action")
    stage = bulk.get_by_label("Stage", exact=True)
    envoy = bulk.get_by_label("Envoy", exact=True)
    tag = bulk.get_by_label("Tag", exact=True)
    confirm = page.get_by_label("Yes, change every student matching the filter")
    expect(stage).to_be_visible()
    expect(envoy).to_be_hidden()
    expect(confirm).to_be_hidden()
    page.get_by_label("Assign to an envoy").check()
    expect(envoy).to_be_visible()
    expect(stage).to_be_hidden()
    page.get_by_label("Add a tag").check()
    expect(tag).to_be_visible()
    expect(envoy).to_be_hidden()
    # Acting on the whole filter asks to confirm its number first.
    page.get_by_label("All 2 students matching this filter").check()
    expect(confirm).to_be_visible()
    page.get_by_label("Export to CSV").check()
    expect(confirm).to_be_hidden()
    expect(tag).to_be_hidden()
