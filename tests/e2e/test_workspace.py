"""The envoy workspace in a real browser: log a student, keep a draft, duplicates."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Consent, Interaction, Student
from tests.e2e.conftest import translator


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_envoy_logs_a_student_and_first_meeting_in_one_submit(
    page, live_server, app, people, locale, csp_errors, sign_in_as
):
    t = translator(app, locale)
    sign_in_as("envoy")
    page.get_by_label(t("Name in Latin letters")).fill("Zhang Min")
    page.get_by_label(t("Name in Chinese characters")).fill("张敏")
    page.get_by_label(t("Programme")).fill("MSc Advanced Materials")
    page.get_by_label(t("Field of study")).select_option("MATERIALS")
    page.get_by_label(t("Degree"), exact=True).select_option("MASTER")
    page.get_by_label(t("Expected graduation")).fill("2027-06")
    page.get_by_label(t("Email"), exact=True).fill("zhang.min@students.example.org")
    page.get_by_label(t("WeChat ID")).fill("zhangmin_mcr")
    page.get_by_label(t("How you met")).select_option("EVENT")
    page.get_by_label(t("Notes on the meeting")).fill("Met at the CSSA fair stand.")
    page.get_by_label(t("Bureau and employers")).check()
    page.get_by_label(t("In person")).check()
    page.get_by_role("button", name=t("Save student and meeting")).click()
    expect(page.locator(".flash-success")).to_contain_text("张敏")

    db.session.expire_all()
    student = db.session.scalar(select(Student))
    assert student.owner_id == people["envoy"].id
    assert student.wechat_id == "zhangmin_mcr"
    assert db.session.scalar(select(Consent)).student_id == student.id
    assert db.session.scalar(select(Interaction)).notes == "Met at the CSSA fair stand."
    page.get_by_role("link", name=t("My students")).click()
    expect(page.get_by_role("link", name="Zhang Min 张敏")).to_be_visible()


def test_a_typed_form_survives_a_reload_and_is_forgotten_once_sent(
    page, live_server, app, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    page.get_by_label("Name in Latin letters").fill("Draft Person")
    page.get_by_label("Field of study").select_option("MATERIALS")
    page.get_by_label("Degree", exact=True).select_option("PHD")
    page.get_by_label("Email", exact=True).fill("draft@students.example.org")
    page.get_by_label("Bureau only").check()
    page.reload()
    expect(page.get_by_label("Name in Latin letters")).to_have_value("Draft Person")
    expect(page.get_by_label("Email", exact=True)).to_have_value(
        "draft@students.example.org"
    )
    expect(page.get_by_label("Bureau only")).to_be_checked()
    expect(page.get_by_label("Degree", exact=True)).to_have_value("PHD")
    expect(page.get_by_text("Your unsent entry was restored.")).to_be_visible()
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.locator(".flash-success")).to_contain_text("Draft Person")
    page.reload()
    expect(page.get_by_label("Name in Latin letters")).to_have_value("")
    db.session.expire_all()
    assert len(db.session.scalars(select(Student)).all()) == 1


def test_a_failed_submit_keeps_what_was_typed_and_points_at_the_field(
    page, live_server, app, people, csp_errors, sign_in_as
):
    sign_in_as("envoy")
    page.get_by_label("Name in Latin letters").fill("No Consent Yet")
    page.get_by_role("button", name="Save student and meeting").click()
    expect(page.locator("#consent_scope-error")).to_be_visible()
    expect(page.get_by_label("Name in Latin letters")).to_have_value("No Consent Yet")


def test_duplicate_warning_appears_while_typing_without_revealing_details(
    page, live_server, app, factory, people, csp_errors, sign_in_as
):
    factory.student(people["envoy2"], name_hanzi="王伟", email="secret@x.org")
    sign_in_as("envoy")
    page.get_by_label("Name in Latin letters").fill("Wei Wang")
    page.get_by_label("Email", exact=True).fill("secret@x.org")
    warning = page.locator("#duplicate-check")
    expect(warning).to_contain_text("may already be known to the network")
    expect(warning).not_to_contain_text("王伟")
