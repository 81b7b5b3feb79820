"""Searchable pickers: a text box with a datalist, resolved on the server."""

import re
from urllib.parse import quote

from envoycrm.extensions import db
from tests.conftest import post, sign_in
from tests.digests.conftest import PERIOD


def test_a_time_zone_is_picked_by_its_name_and_country_or_its_identifier(
    client, people
):
    """The picker's text ("Berlin (UTC+01:00) · Germany") names the zone even
    after summer time changed its offset; a name off the list is refused at the
    field with what was typed kept."""
    envoy = people["envoy2"]
    sign_in(client, envoy.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "<select" not in page.split('id="timezone"')[0].rsplit("<div", 1)[1]
    assert page.count('<option value="') > 400  # the whole list, searchable
    for typed in ("Berlin (UTC+01:00) · Germany", "berlin (UTC+02:00) · GERMANY"):
        response = post(client, "/settings", {"locale": "en", "timezone": typed})
        assert response.status_code == 302, typed
        db.session.refresh(envoy)
        assert envoy.timezone == "Europe/Berlin"
    post(client, "/settings", {"locale": "en", "timezone": "Asia/Tokyo"})
    db.session.refresh(envoy)
    assert envoy.timezone == "Asia/Tokyo"
    page = client.get("/settings").get_data(as_text=True)
    pattern = r'id="timezone"[^>]*value="Tokyo \(UTC\+09:00\) · Japan"'
    assert re.search(pattern, page)
    bad = post(client, "/settings", {"locale": "en", "timezone": "Atlantis"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Choose a time zone from the list." in html
    assert 'value="Atlantis"' in html


def test_the_digest_recipient_is_picked_by_name_and_email(client, login_as, people):
    """The recipient picker lists everyone who could receive a digest; a
    picked "Name <email>", a bare email and a number from a link all name the
    same person; anyone else is refused at the field."""
    login_as("coordinator")
    admin = people["admin"]
    page = client.get("/digests/").get_data(as_text=True)
    assert re.search(r'<input[^>]*list="recipient-options"', page)
    assert f'<option value="{admin.full_name} &lt;{admin.email}&gt;">' in page
    for typed in (f"{admin.full_name} <{admin.email}>", admin.email.upper(), admin.id):
        response = client.get(f"/digests/?recipient={quote(str(typed))}&week={PERIOD}")
        assert response.status_code == 200, typed
        assert f"{admin.full_name} &lt;{admin.email}&gt;</dd>" in response.get_data(
            as_text=True
        )
    for typed in ("Nobody <nobody@example.org>", "999999"):
        response = client.get(f"/digests/?recipient={quote(typed)}&week={PERIOD}")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Choose a recipient from the list." in html
        assert f'value="{typed.replace("<", "&lt;").replace(">", "&gt;")}"' in html
