"""Development mail: caught in the instance folder and readable in the app."""

import pytest

from envoycrm import create_app, create_dev_app
from envoycrm.config import TestConfig
from envoycrm.extensions import db
from envoycrm.models import Role
from tests.conftest import post


@pytest.fixture
def dev_app(database_url, tmp_path, _migrated_app):
    """The app as ``make run`` builds it: the development factory, mail caught."""
    return create_dev_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_BACKEND="file",
        MAIL_CATCH_DIR=str(tmp_path / "mail"),
    )


def test_invitations_are_caught_and_readable_on_the_dev_mail_page(
    dev_app, tmp_path, app, factory
):
    factory.user(Role.ENVOY, "new.envoy@example.org", password=None)
    factory.user(Role.COORDINATOR, "boss@example.org")
    client = dev_app.test_client()
    post(client, "/auth/forgot", {"email": "new.envoy@example.org"})
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    inbox = client.get("/dev/mail/").get_data(as_text=True)
    assert "new.envoy@example.org" in inbox
    message = client.get(f"/dev/mail/{files[0].name}").get_data(as_text=True)
    assert "/auth/reset/" in message
    db.session.remove()


def test_dev_mail_is_not_served_to_other_machines(dev_app, app):
    client = dev_app.test_client()
    response = client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404


def test_dev_mail_does_not_exist_when_mail_is_really_sent(client):
    assert client.get("/dev/mail/").status_code == 404


def test_production_factory_never_serves_dev_mail_even_with_the_file_backend(
    database_url, tmp_path, app, factory
):
    """Behind a local proxy every request is from 127.0.0.1: a production app
    with caught mail would show password-reset links to anyone."""
    production = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_BACKEND="file",
        MAIL_CATCH_DIR=str(tmp_path / "mail"),
    )
    factory.user(Role.ENVOY, "envoy@example.org")
    client = production.test_client()
    post(client, "/auth/forgot", {"email": "envoy@example.org"})
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    local = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/dev/mail/", environ_base=local).status_code == 404
    name = next((tmp_path / "mail").glob("*.eml")).name
    assert client.get(f"/dev/mail/{name}", environ_base=local).status_code == 404
    db.session.remove()


def test_dev_mail_refuses_odd_file_names(dev_app, app):
    client = dev_app.test_client()
    assert client.get("/dev/mail/..%2Fsecret_key").status_code == 404
    assert client.get("/dev/mail/nothing.eml").status_code == 404
