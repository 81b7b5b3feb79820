"""The push page: QR codes to download, the message to paste, and a push
recorded on one student's timeline."""

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.jobs.services import push_opening
from envoycrm.models import Interaction, InteractionKind
from tests.conftest import csrf_token, post

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def push(people, opening):
    """The first envoy's push of the opening."""
    row = push_opening(people["envoy"], opening)
    db.session.commit()
    return row


def _pushes_to_students() -> int:
    return db.session.scalar(
        select(func.count(Interaction.id)).where(
            Interaction.kind == InteractionKind.PUSH
        )
    )


def test_the_push_page_offers_a_png_qr_code_beside_the_svg(client, login_as, push):
    login_as("envoy")
    page = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    assert f'href="/jobs/pushes/{push.id}/qr.png?download=1"' in page
    assert f'href="/jobs/pushes/{push.id}/qr.svg?download=1"' in page
    png = client.get(f"/jobs/pushes/{push.id}/qr.png?download=1")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(PNG_SIGNATURE)
    assert f'filename="referral-{push.id}.png"' in png.headers["Content-Disposition"]
    # Large enough to stay sharp on another screen: wider than 200 pixels.
    width = int.from_bytes(png.data[16:20], "big")
    assert width >= 200


def test_another_envoy_cannot_download_someone_elses_png_qr_code(
    client, login_as, push
):
    login_as("envoy2")
    assert client.get(f"/jobs/pushes/{push.id}/qr.png").status_code == 404


def test_copy_and_share_buttons_are_on_the_push_page_and_hidden_without_script(
    client, login_as, push
):
    login_as("envoy")
    page = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    assert 'hidden data-copy="#referral-link"' in page
    assert 'hidden data-copy="#share-message"' in page
    assert "hidden data-share " in page
    assert "<script>" not in page  # the CSP allows no inline script


def _message(client, push) -> str:
    page = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    return page.split('id="share-message"')[1].split("</textarea>")[0]


def test_the_wechat_message_names_qingdao_once_when_the_employer_name_has_it(
    client, login_as, push
):
    employer = push.opening.employer
    employer.name_zh = "青岛海洋生物产业集团有限公司"
    employer.name_en = "Qingdao Marine Biology Industry Group"
    db.session.commit()
    login_as("envoy")
    message = _message(client, push)
    assert "青岛 青岛" not in message
    assert message.count("青岛") == 1
    assert "Qingdao Marine Biology Industry Group is hiring" in message
    assert "in Qingdao" not in message


def test_the_wechat_message_says_qingdao_when_the_employer_name_does_not(
    client, login_as, push
):
    login_as("envoy")
    message = _message(client, push)
    assert "青岛" in message
    assert "in Qingdao is hiring" in message


def test_an_envoy_records_a_push_on_their_students_timeline(
    client, login_as, push, student
):
    login_as("envoy")
    page = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    assert f'<option value="{student.id}">Wang Wei 王伟</option>' in page
    response = post(
        client,
        f"/jobs/pushes/{push.id}/students",
        {"student_id": str(student.id), "note": "Sent on WeChat after the fair."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/pushes/{push.id}"
    sent = db.session.scalar(
        select(Interaction).where(Interaction.kind == InteractionKind.PUSH)
    )
    assert sent.student_id == student.id
    assert sent.author_id == push.envoy_id
    assert sent.notes.startswith("Materials Engineer — ")
    assert sent.notes.endswith("Sent on WeChat after the fair.")
    timeline = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Opening sent" in timeline and "Materials Engineer — " in timeline


def test_a_push_cannot_go_to_another_envoys_student(
    client, login_as, push, factory, people, student
):
    theirs = factory.student(people["envoy2"], name_latin="Not Mine")
    login_as("envoy")
    page = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    assert "Not Mine" not in page
    response = post(
        client, f"/jobs/pushes/{push.id}/students", {"student_id": str(theirs.id)}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _pushes_to_students() == 0


def test_a_push_to_a_student_without_a_student_is_refused_at_the_field(
    client, login_as, push, student
):
    login_as("envoy")
    response = post(client, f"/jobs/pushes/{push.id}/students", {"student_id": ""})
    assert response.status_code == 422
    assert 'id="student_id-error"' in response.get_data(as_text=True)
    assert _pushes_to_students() == 0


def test_a_push_to_a_student_needs_the_csrf_token(client, login_as, push, student):
    login_as("envoy")
    response = client.post(
        f"/jobs/pushes/{push.id}/students", data={"student_id": str(student.id)}
    )
    assert response.status_code in (400, 422)
    assert _pushes_to_students() == 0
    assert csrf_token(client)  # the page still works for the next try


def test_the_note_form_does_not_offer_the_push_kind(client, login_as, student):
    login_as("envoy")
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert 'value="PUSH"' not in page
    response = post(
        client,
        f"/students/{student.id}/interactions",
        {"kind": "PUSH", "occurred_on": "2026-11-21", "notes": "Pretend push"},
    )
    assert response.status_code == 422
    assert _pushes_to_students() == 0
