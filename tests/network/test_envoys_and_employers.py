"""Coordinators manage envoys and employer staff."""

from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, EnvoyStatus, Role, User
from tests.conftest import post
from tests.network.conftest import envoy_form_data

HOSTILE_NAME = "<div hx-get=/x hx-trigger=load>Mallory</div>"


def test_envoy_list_shows_envoys_and_filters_by_status(client, login_as, people):
    login_as("coordinator")
    people["envoy2"].envoy_profile.status = EnvoyStatus.RETURNED
    db.session.commit()
    page = client.get("/network/envoys").get_data(as_text=True)
    assert people["envoy"].full_name in page and people["envoy2"].full_name in page
    returned = client.get("/network/envoys?status=RETURNED").get_data(as_text=True)
    assert people["envoy2"].full_name in returned
    assert people["envoy"].full_name not in returned


def test_envoy_search_answers_htmx_with_just_the_rows(client, login_as, people):
    login_as("coordinator")
    response = client.get("/network/envoys?q=auckland", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert people["envoy2"].full_name in body
    assert people["envoy"].full_name not in body
    # A boosted link wants the whole page.
    boosted = client.get(
        "/network/envoys", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in boosted.get_data(as_text=True)


def test_bad_filter_values_are_ignored_not_errors(client, login_as, people):
    login_as("coordinator")
    response = client.get("/network/envoys?status=NOPE&page=abc&country=%00%00")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Every envoy is listed, as if no filter had been given.
    assert people["envoy"].full_name in page
    assert people["envoy2"].full_name in page


def test_coordinator_creates_an_envoy_and_the_invitation_is_mailed(
    client, login_as, people, smtp
):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    response = post(client, "/network/envoys/new", envoy_form_data(university.id))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "zhao.lei@example.org"))
    assert user.role is Role.ENVOY and user.password_hash is None
    assert user.envoy_profile.programme == "MSc Ocean Engineering"
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "zhao.lei@example.org"
    assert "/auth/invitation/" in mail.get_body(preferencelist=("plain",)).get_content()
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"envoy.create", "user.invited"} <= actions


def test_invitation_failure_is_reported_but_the_envoy_is_kept(
    app, client, login_as, people
):
    login_as("coordinator")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    university = people["envoy"].envoy_profile.university
    response = post(client, "/network/envoys/new", envoy_form_data(university.id))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be sent" in page
    assert (
        db.session.scalar(
            select(func.count()).where(User.email == "zhao.lei@example.org")
        )
        == 1
    )


def test_bad_envoy_input_is_refused_at_each_field_and_kept(client, login_as, people):
    login_as("coordinator")
    bad = envoy_form_data(
        "abc",
        full_name="x" * 500,
        email="not-an-email",
        timezone="Nowhere/Land",
        degree="WIZARD",
        expected_graduation="2027-02-30",
        recruited_on="0001-01-01",
    )
    response = post(client, "/network/envoys/new", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in (
        "full_name",
        "email",
        "timezone",
        "degree",
        "expected_graduation",
        "recruited_on",
        "university_id",
    ):
        assert f'id="{field}-error"' in page, field
    assert 'value="not-an-email"' in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 5


def test_markup_in_a_name_is_stored_as_text_and_shown_escaped(client, login_as, people):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    post(
        client,
        "/network/envoys/new",
        envoy_form_data(university.id, full_name=HOSTILE_NAME),
    )
    page = client.get("/network/envoys").get_data(as_text=True)
    assert HOSTILE_NAME not in page
    assert "&lt;div hx-get=/x hx-trigger=load&gt;Mallory&lt;/div&gt;" in page


def test_nul_bytes_are_refused_with_a_message(client, login_as, people):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    response = post(
        client,
        "/network/envoys/new",
        envoy_form_data(university.id, programme="MSc\x00X"),
    )
    assert response.status_code == 422
    assert 'id="programme-error"' in response.get_data(as_text=True)


def test_an_email_already_in_use_is_refused_at_the_field(client, login_as, people):
    login_as("coordinator")
    university = people["envoy"].envoy_profile.university
    response = post(
        client,
        "/network/envoys/new",
        envoy_form_data(university.id, email="ENVOY2@example.org"),
    )
    assert response.status_code == 422
    assert "Another account already uses this email." in response.get_data(as_text=True)


def test_editing_an_envoy_saves_the_profile(client, login_as, people):
    login_as("coordinator")
    envoy = people["envoy"]
    page = client.get(f"/network/envoys/{envoy.id}").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{envoy.version}"' in page
    data = envoy_form_data(
        envoy.envoy_profile.university_id,
        email=envoy.email,
        status="RETURNED",
        version=str(envoy.version),
    )
    response = post(client, f"/network/envoys/{envoy.id}", data)
    assert response.status_code == 302
    db.session.refresh(envoy)
    assert envoy.envoy_profile.status is EnvoyStatus.RETURNED
    assert envoy.full_name == "Zhao Lei"


def test_a_stale_edit_is_refused_and_both_versions_are_shown(client, login_as, people):
    login_as("coordinator")
    envoy = people["envoy"]
    stale_version = envoy.version
    envoy.full_name = "Saved By Someone Else"
    db.session.commit()
    data = envoy_form_data(
        envoy.envoy_profile.university_id,
        email=envoy.email,
        full_name="My Edit",
        version=str(stale_version),
    )
    response = post(client, f"/network/envoys/{envoy.id}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this record" in page
    assert "Saved By Someone Else" in page  # the current version
    assert 'value="My Edit"' in page  # the user's version, kept
    db.session.refresh(envoy)
    assert envoy.full_name == "Saved By Someone Else"


def test_deactivate_and_reactivate_an_envoy(client, login_as, people):
    login_as("coordinator")
    envoy = people["envoy"]
    post(client, f"/network/users/{envoy.id}/deactivate")
    db.session.refresh(envoy)
    assert envoy.active is False
    listed = client.get("/network/envoys").get_data(as_text=True)
    assert f">{envoy.full_name}</a>" not in listed
    post(client, f"/network/users/{envoy.id}/activate")
    db.session.refresh(envoy)
    assert envoy.active is True


def test_staff_accounts_cannot_be_deactivated_from_the_network_pages(
    client, login_as, people
):
    login_as("coordinator")
    response = post(client, f"/network/users/{people['admin'].id}/deactivate")
    assert response.status_code == 404


def test_coordinator_creates_an_employer_user(client, login_as, people, smtp):
    login_as("coordinator")
    employer = people["employer"].employer
    response = post(
        client,
        "/network/employer-users/new",
        {
            "full_name": "Qian Hui",
            "email": "qian.hui@example.org",
            "employer_id": str(employer.id),
            "locale": "zh_Hans",
            "timezone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "qian.hui@example.org"))
    assert user.employer_id == employer.id
    assert len(smtp.messages) == 1


def test_employer_user_with_unknown_employer_is_refused(client, login_as, people):
    login_as("coordinator")
    response = post(
        client,
        "/network/employer-users/new",
        {
            "full_name": "Qian Hui",
            "email": "qian.hui@example.org",
            "employer_id": "99999",
            "locale": "zh_Hans",
            "timezone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 422
    assert 'id="employer_id-error"' in response.get_data(as_text=True)


def test_admin_changes_a_role_but_not_their_own(client, login_as, people):
    admin = login_as("admin")
    coordinator = people["coordinator"]
    response = post(
        client,
        f"/admin/users/{coordinator.id}/role",
        {"role": "ADMIN", "version": coordinator.version},
    )
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.role is Role.ADMIN
    own = post(
        client,
        f"/admin/users/{admin.id}/role",
        {"role": "COORDINATOR", "version": admin.version},
    )
    assert own.status_code == 422
    assert "You cannot remove your own administrator role." in own.get_data(
        as_text=True
    )
