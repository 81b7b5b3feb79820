"""Envoys' names in Hanzi beside pinyin: entered in the envoy form, shown in lists."""

import pytest
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import User
from tests.conftest import post
from tests.network.conftest import envoy_form_data


def test_a_coordinator_gives_an_envoy_a_name_in_hanzi(client, login_as, people):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    response = post(
        client, "/network/envoys/new", envoy_form_data(university.id, name_hanzi="赵磊")
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "zhao.lei@example.org"))
    assert user.name_hanzi == "赵磊"
    page = client.get(f"/network/envoys/{user.id}").get_data(as_text=True)
    assert 'value="赵磊"' in page


def test_an_envoys_hanzi_name_is_edited_and_cleared(client, login_as, people):
    login_as("coordinator")
    envoy = people["envoy"]

    def save(name_hanzi: str) -> None:
        db.session.refresh(envoy)
        data = envoy_form_data(
            envoy.envoy_profile.university_id,
            email=envoy.email,
            name_hanzi=name_hanzi,
            version=str(envoy.version),
        )
        assert post(client, f"/network/envoys/{envoy.id}", data).status_code == 302

    save("陈静")
    db.session.refresh(envoy)
    assert envoy.name_hanzi == "陈静"
    save("  ")
    db.session.refresh(envoy)
    assert envoy.name_hanzi is None


@pytest.mark.parametrize("typed", ["Chen Jing", "x" * 61])
def test_a_hanzi_name_without_chinese_characters_is_refused(
    client, login_as, people, typed
):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    response = post(
        client, "/network/envoys/new", envoy_form_data(university.id, name_hanzi=typed)
    )
    assert response.status_code == 422
    assert 'id="name_hanzi-error"' in response.get_data(as_text=True)


def test_envoy_lists_show_the_name_in_pinyin_and_hanzi(
    client, login_as, people, student
):
    envoy = people["envoy"]
    envoy.full_name, envoy.name_hanzi = "Chen Jing", "陈静"
    db.session.commit()
    login_as("coordinator")
    for url in ("/network/envoys", "/students/", "/pipeline/list"):
        assert "Chen Jing 陈静" in client.get(url).get_data(as_text=True), url
    assert "Chen Jing 陈静" in client.get("/network/envoys?q=陈").get_data(as_text=True)
    student_page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Chen Jing 陈静" in student_page
