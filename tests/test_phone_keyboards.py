"""Phone numbers bring up a phone's number pad and e-mail addresses the
e-mail keyboard, in every form that asks for them."""

import re

import pytest


def _input(html: str, name: str) -> str:
    """The ``<input>`` tag named ``name`` in ``html``."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    return match.group(0)


@pytest.mark.parametrize(
    ("role", "url", "phone", "email"),
    [
        ("envoy", "/", "phone", "email"),
        ("envoy", "/students/{student}/edit", "phone", "email"),
        ("coordinator", "/jobs/employers/new", "contact_phone", "contact_email"),
    ],
)
def test_phone_and_email_fields_use_the_right_keyboards(
    client, login_as, student, role, url, phone, email
):
    login_as(role)
    html = client.get(url.format(student=student.id)).get_data(as_text=True)
    tel = _input(html, phone)
    assert 'type="tel"' in tel and 'inputmode="tel"' in tel
    assert 'type="email"' in _input(html, email)
