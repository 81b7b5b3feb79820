"""Every edit form carries the version it was loaded at; an edit from another
version, or from none, is refused with 409, the form re-shown with the user's
input and one clear message, and nothing saved."""

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import Employer, JobOpening, Student, User
from tests.conftest import post

STALE_MESSAGE = "Someone else saved this record while you were editing."


class FormFields(HTMLParser):
    """The values a browser would send with the page's form that posts to ``url``
    (its own URL when the form names no action)."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.values: dict[str, str] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._first_option = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = a.get("action") in (None, "", self.url)
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.values[name] = a.get("value") or ("y" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._first_option = name, True
        elif tag == "option" and self._select:
            # A select with no option marked sends its first one.
            if "selected" in a or self._first_option:
                self.values[self._select] = a.get("value") or ""
            self._first_option = False
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_values(page: str, url: str) -> dict[str, str]:
    parser = FormFields(url)
    parser.feed(page)
    return parser.values


@dataclass
class EditCase:
    """An edit form: who opens it, its row and the field the test changes."""

    role: str
    model: type
    row: object  # a callable (people, factory) -> the row
    url: str  # formatted with the row's id
    changed: str  # a field the test types into
    value: str
    attribute: str = ""  # where the field is stored, when not under its name


def _student(people, factory):
    return factory.student(people["envoy"], name_latin="Wang Wei")


def _opening(people, factory):
    return factory.opening(people["employer"].employer_id)


CASES = {
    "student": EditCase(
        "envoy", Student, _student, "/students/{}/edit", "programme", "MSc Robotics"
    ),
    "opening": EditCase(
        "coordinator",
        JobOpening,
        _opening,
        "/jobs/{}/edit",
        "title_en",
        "Senior Materials Engineer",
    ),
    "envoy": EditCase(
        "coordinator",
        User,
        lambda people, factory: people["envoy"],
        "/network/envoys/{}",
        "full_name",
        "Zhao Lei",
    ),
    "employer user": EditCase(
        "coordinator",
        User,
        lambda people, factory: people["employer"],
        "/network/employer-users/{}",
        "full_name",
        "Zhao Min",
    ),
    "employer organisation": EditCase(
        "coordinator",
        Employer,
        lambda people, factory: factory.employer("Qingdao Harbour Robotics"),
        "/jobs/employers/{}",
        "contact_name",
        "Sun Li",
    ),
    "role": EditCase(
        "admin",
        User,
        lambda people, factory: people["coordinator"],
        "/admin/users/{}/role",
        "role",
        "ADMIN",
    ),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def edit(request, client, login_as, people, factory):
    """An edit form of one kind, opened by a user who may use it."""
    case = CASES[request.param]
    row = case.row(people, factory)
    login_as(case.role)
    url = case.url.format(row.id)
    page = client.get(url)
    assert page.status_code == 200
    return case, row, url, form_values(page.get_data(as_text=True), url)


def _stored(case: EditCase, row) -> str:
    db.session.expire_all()
    current = db.session.get(case.model, row.id)
    value = getattr(current, case.attribute or case.changed)
    return getattr(value, "name", value)


def test_every_edit_form_carries_the_version_it_was_loaded_at(edit):
    case, row, _url, values = edit
    assert values["version"] == str(db.session.get(case.model, row.id).version)


def test_an_edit_from_the_current_version_is_saved(client, edit):
    case, row, url, values = edit
    response = post(client, url, {**values, case.changed: case.value})
    assert response.status_code in (200, 302)
    assert _stored(case, row) == case.value


def test_an_edit_without_a_version_is_refused_like_a_stale_one(client, edit):
    case, row, url, values = edit
    before = _stored(case, row)
    sent = {**values, case.changed: case.value}
    del sent["version"]
    response = post(client, url, sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert STALE_MESSAGE in page
    assert form_values(page, url)[case.changed] == case.value  # the input is kept
    assert _stored(case, row) == before


def test_an_edit_from_an_older_version_is_refused_and_can_be_sent_again(client, edit):
    case, row, url, values = edit
    db.session.execute(  # someone else saves the row after the form was loaded
        sa.update(case.model)
        .where(case.model.id == row.id)
        .values(version=case.model.version + 1)
    )
    db.session.commit()
    response = post(client, url, {**values, case.changed: case.value})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert STALE_MESSAGE in page
    again = form_values(page, url)
    assert again[case.changed] == case.value
    # The re-shown form holds the current version: sending it again saves.
    assert again["version"] == str(db.session.get(case.model, row.id).version)
    assert post(client, url, again).status_code in (200, 302)
    assert _stored(case, row) == case.value


def test_an_employer_edit_after_someone_elses_shows_both_versions(
    client, login_as, factory
):
    login_as("coordinator")
    employer = factory.employer("Qingdao Harbour Robotics")
    url = f"/jobs/employers/{employer.id}"
    values = form_values(client.get(url).get_data(as_text=True), url)
    employer.contact_name = "Saved By Someone Else"
    db.session.commit()
    response = post(client, url, {**values, "contact_name": "My Edit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert STALE_MESSAGE in page
    assert "Saved By Someone Else" in page  # the saved values, shown
    assert 'value="My Edit"' in page
    db.session.expire_all()
    assert db.session.get(Employer, employer.id).contact_name == "Saved By Someone Else"
