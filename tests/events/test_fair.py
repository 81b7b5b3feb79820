"""The talent fair: employers register and are approved, the fair page counts
them by kind, and booth staff record students with respect for consent."""

from sqlalchemy import select

from envoycrm.events import attendance, booths, tokens
from envoycrm.events import services as events
from envoycrm.extensions import db
from envoycrm.models import (
    BoothMeeting,
    ConsentScope,
    EmployerInterest,
    EmployerKind,
    EventKind,
    FairEmployerRegistration,
    FairRegistrationStatus,
    Role,
    Task,
    TaskKind,
)
from tests.conftest import post, sign_in


def _fair(factory, people):
    return factory.event(
        people["coordinator"],
        kind=EventKind.TALENT_FAIR,
        title_en="Autumn Talent Fair",
        title_zh="秋季人才交流会",
        time_zone="Asia/Shanghai",
    )


def _approved(event, employer_user, openings=()):
    booth, _ = booths.register_employer(
        event, employer_user, [o.id for o in openings], ["Zhang Min"], ""
    )
    booths.decide(booth, employer_user, approve=True)
    db.session.commit()
    return booth


def test_an_employer_asks_to_take_part_and_the_bureau_approves_once(
    app, client, login_as, factory, people
):
    fair = _fair(factory, people)
    employer = people["employer"]
    opening = factory.opening(employer.employer_id, title_en="Coatings Engineer")
    other = factory.opening(factory.employer().id)  # not theirs
    login_as("employer")

    url = f"/events/{fair.id}/fair/register"
    foreign = post(client, url, {"openings": [str(opening.id), str(other.id)]})
    assert foreign.status_code == 422
    assert db.session.scalar(select(FairEmployerRegistration)) is None

    sent = post(
        client, url, {"openings": [str(opening.id)], "staff": "Zhang Min\nLi Hua"}
    )

    assert sent.status_code == 302
    booth = db.session.scalar(select(FairEmployerRegistration))
    assert booth.status is FairRegistrationStatus.PENDING
    assert [o.id for o in booth.openings] == [opening.id]
    assert [s.name for s in booth.staff][1:] == ["Zhang Min", "Li Hua"]
    assert booth.staff[0].user_id == employer.id
    page = client.get(f"/events/{fair.id}/fair/register").get_data(as_text=True)
    assert "Waiting for approval" in page

    coordinator = app.test_client()
    sign_in(coordinator, people["coordinator"].email)
    queue = coordinator.get(f"/events/{fair.id}/fair/queue").get_data(as_text=True)
    assert employer.employer.name_en in queue
    url = f"/events/fair-registrations/{booth.id}/decide"
    assert post(coordinator, url, {"decision": "approve"}).status_code == 302
    post(coordinator, url, {"decision": "reject"})
    db.session.expire_all()
    assert db.session.get(FairEmployerRegistration, booth.id).status is (
        FairRegistrationStatus.APPROVED
    )
    mine = client.get(f"/events/{fair.id}/fair").get_data(as_text=True)
    assert "Coatings Engineer" in mine and "Open your booth" in mine


def test_the_fair_page_counts_employers_by_kind_with_their_openings(
    client, login_as, factory, people
):
    fair = _fair(factory, people)
    kinds = [EmployerKind.PRIVATE] * 3 + [EmployerKind.INSTITUTE, EmployerKind.SOE]
    for n, kind in enumerate(kinds):
        employer = factory.employer(f"Fair Employer {n}", kind=kind)
        user = factory.user(Role.EMPLOYER, f"hr{n}@fair.example.org")
        user.employer_id = employer.id
        opening = factory.opening(employer.id, title_en=f"Role {n}")
        _approved(fair, user, [opening])
    pending_employer = factory.employer("Still Waiting Ltd")
    waiting = factory.user(Role.EMPLOYER, "hr@waiting.example.org")
    waiting.employer_id = pending_employer.id
    booths.register_employer(fair, waiting, [], [], "")
    db.session.commit()
    login_as("envoy")

    page = client.get(f"/events/{fair.id}/fair").get_data(as_text=True)

    assert "5 employers" in page
    assert "Private enterprise 3" in page
    assert "University or institute 1" in page
    assert "State-owned enterprise 1" in page
    assert "Other 0" in page
    assert "Role 4" in page and "Still Waiting" not in page


def test_employers_cannot_open_a_draft_fair_or_another_event(
    client, login_as, factory, people
):
    from envoycrm.models import EventStatus

    draft = factory.event(
        people["coordinator"], kind=EventKind.TALENT_FAIR, status=EventStatus.DRAFT
    )
    session = factory.event_of(people)
    login_as("employer")
    assert client.get(f"/events/{draft.id}/fair").status_code == 404
    assert client.get(f"/events/{session.id}/fair").status_code == 404


def _registrant(factory, people, fair, scope, name):
    link = events.link_for(people["envoy"], fair)
    db.session.commit()
    registration = factory.registration(fair, link, name=name, consent_scope=scope)
    attendance.check_in(registration, people["coordinator"])
    db.session.commit()
    return registration


def test_the_booth_flow_respects_consent(app, client, login_as, factory, people):
    fair = _fair(factory, people)
    employer = people["employer"]
    opening = factory.opening(employer.employer_id)
    booth = _approved(fair, employer, [opening])
    sharing = _registrant(factory, people, fair, ConsentScope.EMPLOYERS, "Gao Yan")
    private = _registrant(factory, people, fair, ConsentScope.BUREAU, "Hu Jun")
    login_as("employer")
    url = f"/events/fair-registrations/{booth.id}/booth"

    found = client.get(url, query_string={"q": "gao"}).get_data(as_text=True)
    assert "Gao Yan" in found
    # The booth finds only those who agreed to be shared with employers.
    assert "Hu Jun" not in client.get(url, query_string={"q": "hu"}).text
    meeting = {"interest": "HIGH", "opening_id": str(opening.id)}
    assert post(client, f"{url}/{sharing.id}", meeting).status_code == 302
    # Anyone else: not by id (not even a form error names them) ...
    for sent in (meeting, {"interest": "NOT-A-LEVEL"}):
        refused = post(client, f"{url}/{private.id}", sent)
        assert refused.status_code == 404 and "Hu Jun" not in refused.text
    # ... but by the booth code from their registration, which names no one.
    code = tokens.booth_code(private)
    wrong = post(client, f"{url}/code", {**meeting, "code": "AAAA-AAAA"})
    assert wrong.status_code == 422 and "No one who came" in wrong.text
    recorded = post(client, f"{url}/code", {**meeting, "code": code.lower()})
    assert recorded.status_code == 302
    answer = client.get(recorded.headers["Location"]).text
    assert code in answer and "Hu Jun" not in answer
    interests = db.session.scalars(select(EmployerInterest)).all()
    assert [(i.student_id, i.opening_id) for i in interests] == [
        (sharing.student_id, opening.id)
    ]
    tasks = db.session.scalars(
        select(Task).where(Task.kind == TaskKind.FAIR_CONSENT)
    ).all()
    assert [(t.student_id, t.assignee_id) for t in tasks] == [
        (private.student_id, people["envoy"].id)
    ]
    assert (
        db.session.scalar(
            select(BoothMeeting.task_id).where(
                BoothMeeting.registration_id == private.id
            )
        )
        == tasks[0].id
    )

    # Recording again keeps one meeting, one task, one interest.
    post(client, f"{url}/code", {"interest": "LOW", "opening_id": "", "code": code})
    assert len(db.session.scalars(select(BoothMeeting)).all()) == 2
    assert (
        len(
            db.session.scalars(
                select(Task).where(Task.kind == TaskKind.FAIR_CONSENT)
            ).all()
        )
        == 1
    )

    page = client.get(url).get_data(as_text=True)
    met = page.split("Students you met", 1)[1]
    assert "Gao Yan" in met and "Hu Jun" not in met

    coordinator = app.test_client()
    sign_in(coordinator, people["coordinator"].email)
    everyone = coordinator.get(url).get_data(as_text=True).split("Students you met")[1]
    assert "Gao Yan" in everyone and "Hu Jun" in everyone


def test_another_employer_or_an_unapproved_booth_gets_404(
    app, client, login_as, factory, people
):
    fair = _fair(factory, people)
    employer = people["employer"]
    booth, _ = booths.register_employer(fair, employer, [], [], "")
    db.session.commit()
    registrant = _registrant(factory, people, fair, ConsentScope.EMPLOYERS, "Gao Yan")
    login_as("employer")
    url = f"/events/fair-registrations/{booth.id}/booth"
    assert client.get(url).status_code == 404  # still pending
    assert (
        post(client, f"{url}/{registrant.id}", {"interest": "HIGH"}).status_code == 404
    )

    booths.decide(booth, people["coordinator"], approve=True)
    db.session.commit()
    rival = factory.user(Role.EMPLOYER, "hr@rival.example.org")
    rival.employer_id = factory.employer("Rival Co").id
    db.session.commit()
    other = app.test_client()
    sign_in(other, rival.email)
    assert other.get(url).status_code == 404
    assert (
        post(other, f"{url}/{registrant.id}", {"interest": "HIGH"}).status_code == 404
    )
    assert db.session.scalars(select(BoothMeeting)).all() == []


def test_the_booth_lists_only_checked_in_registrants_for_two_letters_or_more(
    client, login_as, factory, people
):
    fair = _fair(factory, people)
    booth = _approved(fair, people["employer"])
    factory.registration(fair, name="Absent Student")
    login_as("employer")
    url = f"/events/fair-registrations/{booth.id}/booth"
    assert "Absent Student" not in client.get(
        url, query_string={"q": "absent"}
    ).get_data(as_text=True)
    assert "at least 2 letters" in client.get(url, query_string={"q": "a"}).get_data(
        as_text=True
    )


def _wishes_path(registration) -> str:
    from envoycrm.events import tokens

    return f"/e/wishes/{tokens.sign(registration.token, tokens.CANCEL)}"


def test_a_registered_student_marks_the_employers_to_meet(app, factory, people):
    from envoycrm.models import FairWish

    fair = _fair(factory, people)
    first = _approved(fair, people["employer"])
    other_employer = factory.employer("Haier Biomedical", kind=EmployerKind.PRIVATE)
    other_user = factory.user(Role.EMPLOYER, "hr@haier.example.org")
    other_user.employer_id = other_employer.id
    second = _approved(fair, other_user)
    waiting_user = factory.user(Role.EMPLOYER, "hr@wait.example.org")
    waiting_user.employer_id = factory.employer("Waiting Co").id
    pending, _ = booths.register_employer(fair, waiting_user, [], [], "")
    db.session.commit()
    registration = factory.registration(fair, name="Xu Lan")
    client = app.test_client()
    path = _wishes_path(registration)

    page = client.get(path).get_data(as_text=True)
    assert "Haier Biomedical" in page and "Waiting Co" not in page
    assert f"Your booth code: {tokens.booth_code(registration)}" in page
    assert post(client, path, {"employers": [str(first.id)]}).status_code == 302
    assert post(client, path, {"employers": [str(second.id)]}).status_code == 302
    refused = post(client, path, {"employers": [str(pending.id)]})
    assert refused.status_code == 422

    wished = db.session.scalars(select(FairWish.fair_registration_id)).all()
    assert wished == [second.id]
    assert 'value="%d" checked' % second.id in client.get(path).get_data(as_text=True)


def test_wishes_need_the_registrants_own_valid_link(app, factory, people):
    from envoycrm.events import registration as event_registration

    fair = _fair(factory, people)
    registration = factory.registration(fair)
    client = app.test_client()
    assert client.get(_wishes_path(registration)[:-3] + "abc").status_code == 404
    event_registration.cancel_registration(registration)
    db.session.commit()
    assert client.get(_wishes_path(registration)).status_code == 404


def test_the_employers_navigation_leads_to_the_latest_fair(
    client, login_as, factory, people
):
    fair = _fair(factory, people)
    login_as("employer")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/events/fair"' in home
    response = client.get("/events/fair")
    assert response.headers["Location"].endswith(f"/events/{fair.id}/fair")


def test_a_fair_registrants_mail_carries_their_booth_code(factory, people, smtp):
    from envoycrm.events import mails

    registration = factory.registration(_fair(factory, people), language="en")
    mails.send_due()
    [message] = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Your booth code: {tokens.booth_code(registration)}" in text
    code = tokens.booth_code(registration)
    assert len(code) == 9 and code == tokens.normalise_booth_code(code.lower())
