"""Every route × every role, walked from the app's URL map.

A new route must be added to ``EXPECTED`` or this suite fails, and a route
that declares no access at all is refused by the app itself.
"""

import pytest

from envoycrm.access import PUBLIC, access_of
from envoycrm.extensions import db
from tests.conftest import ROLE_NAMES, csrf_token, sign_in
from tests.routes import routes, url_for_rule

STAFF = {"admin", "coordinator"}
EVERYONE = set(ROLE_NAMES)

# endpoint -> roles that may use it ("public" for everyone, signed in or not)
EXPECTED: dict[str, set[str] | str] = {
    "static": "public",
    "auth.login": "public",
    "auth.logout": "public",
    "auth.forgot_password": "public",
    "auth.reset_password": "public",
    "auth.set_password": "public",
    "main.switch_language": "public",
    "main.home": EVERYONE,
    "main.settings": EVERYONE,
    "main.sign_out_everywhere": EVERYONE,
    "network.envoys": STAFF,
    "network.envoy_new": STAFF,
    "network.envoy_edit": STAFF,
    "network.employer_users": STAFF,
    "network.employer_user_new": STAFF,
    "network.employer_user_edit": STAFF,
    "network.employers": STAFF,
    "network.user_deactivate": STAFF,
    "network.user_activate": STAFF,
    "network.user_invite": STAFF,
    "main.privacy_default": "public",
    "main.privacy": "public",
    "students.quick_log": {"envoy", "envoy2"},
    "students.duplicates": {"envoy", "envoy2", "coordinator", "admin"},
    "students.index": {"envoy", "envoy2", "coordinator", "admin"},
    **dict.fromkeys(
        [
            "students.show",
            "students.edit",
            "students.add_interaction",
            "students.add_intention",
            "students.record_consent",
            "students.withdraw_consent",
            "students.move_stage",
            "students.add_tag",
            "students.remove_tag",
        ],
        {"envoy", "coordinator", "admin"},  # envoy2 gets 404: not their student
    ),
    "students.reassign": STAFF,
    "students.merge": STAFF,
    **dict.fromkeys(
        [
            "pipeline.board",
            "pipeline.move",
            "pipeline.student_list",
            "pipeline.bulk",
            "pipeline.save_view",
            "pipeline.open_view",
            "pipeline.delete_view",
            "pipeline.export_csv",
            "pipeline.export_xlsx",
            "pipeline.envoys",
            "pipeline.import_upload",
            "pipeline.import_mapping",
            "pipeline.import_preview",
            "pipeline.import_confirm",
            "pipeline.import_errors",
            "dashboards.index",
        ],
        STAFF,
    ),
    "admin.users": {"admin"},
    "privacy.audit_log": STAFF,
    "privacy.student_export": STAFF,
    "privacy.student_export_json": STAFF,
    "privacy.student_erase": STAFF,
    "privacy.retention": STAFF,
    "privacy.retention_purge": STAFF,
    "privacy.retention_keep": STAFF,
    "data_requests.request_form": "public",
    "tasks.index": {"envoy", "envoy2", "coordinator", "admin"},
    "tasks.done": {"envoy", "coordinator", "admin"},  # envoy2: 404, not assigned
    "admin.user_role": {"admin"},
    "admin.scheduler": {"admin"},
    "admin.scheduler_test_mail": {"admin"},
    "digests.index": STAFF,
    "digests.preview_html": STAFF,
    "digests.send_now": STAFF,
    "digests.outbox_list": STAFF,
    "digests.retry": STAFF,
    "digests.retry_failed": STAFF,
    "unsubscribe.confirm": "public",
    "unsubscribe.one_click": "public",
    # jobs (issue #4); employer = the organisation owning the test opening
    "jobs.index": {"envoy", "envoy2", "coordinator", "admin", "employer"},
    "jobs.show": {"envoy", "envoy2", "coordinator", "admin", "employer"},
    "jobs.new": {"coordinator", "admin", "employer"},
    "jobs.edit": {"coordinator", "admin", "employer"},
    "jobs.approve": STAFF,
    "jobs.reject": STAFF,
    "jobs.close": STAFF,
    "jobs.push": {"envoy", "envoy2"},
    "jobs.pushes": {"envoy", "envoy2"},
    "jobs.push_show": {"envoy"},  # envoy2: 404, not their push
    "jobs.push_qr": {"envoy"},
    "jobs.push_to_student": {"envoy"},  # envoy2: 404, not their push
    "jobs.for_student": {"envoy", "coordinator", "admin"},
    "jobs.candidate": {"employer"},
    "jobs.new_for_you": {"employer"},
    "jobs.candidate_interest": {"employer"},
    "jobs.held_reply": {"envoy", "coordinator", "admin"},  # envoy2: 404, not theirs
    "jobs.employer_new": STAFF,
    "jobs.employer_edit": STAFF,
    "referral.opening": "public",
    "referral.reply": "public",
    "referral.thanks": "public",
    # policies (issue #16): everyone signed in reads; coordinators manage
    "policies.index": EVERYONE,
    "policies.show": EVERYONE,
    "policies.version": EVERYONE,
    "policies.new": STAFF,
    "policies.edit": STAFF,
    "policies.publish": STAFF,
    "policies.expire": STAFF,
    "policies.reach": STAFF,
    "policies.push": {"envoy", "envoy2"},
    "policies.pushes": {"envoy", "envoy2"},
    "policies.push_show": {"envoy"},  # envoy2: 404, not their push
    "policies.push_qr": {"envoy"},
    "policies.for_student": {"envoy", "coordinator", "admin"},
    "policy_page.policy": "public",
    "policy_page.ask": "public",
    "policy_page.thanks": "public",
    "policy_page.checker": "public",
    # personnel files (issue #16)
    **dict.fromkeys(
        [
            "files.index",
            "files.bulk",
            "files.show",
            "files.step",
            "files.details",
            "files.open_new",
            "files.open_for",
            "files.import_upload",
            "files.import_preview",
            "files.import_confirm",
            "files.import_errors",
        ],
        STAFF,
    ),
    "file_status.request_link": "public",
    "file_status.show": "public",
    # events (issue #15); the event is the first envoy's published info
    # session, so the second envoy sees it but may not edit it (404)
    "events.index": {"envoy", "envoy2", "coordinator", "admin"},
    "events.show": {"envoy", "envoy2", "coordinator", "admin"},
    "events.new": {"envoy", "envoy2", "coordinator", "admin"},
    "events.edit": {"envoy", "coordinator", "admin"},
    "events.status": {"envoy", "coordinator", "admin"},
    "events.cancel": {"envoy", "coordinator", "admin"},
    "events.link": {"envoy", "envoy2"},
    "events.invite": {"envoy", "envoy2"},
    "events.link_show": {"envoy"},  # envoy2: 404, not their link
    "events.link_qr": {"envoy"},
    # a registration held for the first envoy's student: envoy2 (who hosts
    # the event) may not decide it
    "events.held": {"envoy", "coordinator", "admin"},
    "event_public.register_page": "public",
    "event_public.register": "public",
    "event_public.thanks": "public",
    "event_public.cancel": "public",
    # the door (check-in): the host and coordinators; anyone else signed in
    # gets 404 from the check-in link, whose token here is not a real one
    "events.checkin": EVERYONE,
    "events.door": {"envoy", "coordinator", "admin"},
    "events.door_check_in": {"envoy", "coordinator", "admin"},
    "events.walk_in": {"envoy", "coordinator", "admin"},
    "events.cancel_registrant": {"envoy", "coordinator", "admin"},
    # the fair: the event here is an info session, so the fair pages are 404
    # to everyone who may reach them; the booth is 999999, missing
    "events.fair_page": EVERYONE,
    "events.fair_latest": EVERYONE,
    "events.fair_register": {"employer"},
    "events.fair_queue": STAFF,
    "events.fair_decide": STAFF,
    "events.booth": {"employer", "coordinator", "admin"},
    "events.booth_meet": {"employer", "coordinator", "admin"},
    "events.booth_meet_by_code": {"employer", "coordinator", "admin"},
    "event_public.wishes": "public",
    # the report: the host (the first envoy) and coordinators; the export and
    # a study tour's applications are the bureau's (on the info session the
    # applications page is a 404 even for staff: it is no study tour)
    "events.event_report": {"envoy", "coordinator", "admin"},
    "events.event_report_xlsx": STAFF,
    "events.applications": STAFF,
}


def test_every_route_declares_its_access_and_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(EXPECTED)
    assert not missing, f"add these endpoints to EXPECTED: {sorted(missing)}"
    with app.test_request_context():
        undeclared = [e for e in endpoints if access_of(e) is None]
    assert not undeclared
    stale = set(EXPECTED) - endpoints
    assert not stale, f"these endpoints no longer exist: {sorted(stale)}"


def _call(client, method, url, with_csrf=True):
    data = {"csrf_token": csrf_token(client)} if with_csrf and method == "POST" else {}
    response = client.open(url, method=method, data=data)
    # Streamed responses (exports) hold a request context until closed.
    response.close()
    return response


@pytest.mark.parametrize("role", ["anonymous", *ROLE_NAMES])
def test_route_matrix(app, factory, people, student, role):
    """Anonymous → sign-in; wrong role → 403; right role → served."""
    failures = []
    for endpoint, method, rule in routes(app):
        client = app.test_client()
        if role != "anonymous":
            assert sign_in(client, people[role].email).status_code == 302
        url = url_for_rule(factory, app, rule, people, student)
        response = _call(client, method, url)
        allowed = EXPECTED[endpoint]
        location = response.headers.get("Location", "")
        if allowed == "public" or (role != "anonymous" and role in allowed):
            ok = (
                response.status_code not in (401, 403)
                and response.status_code < 500
                and "/auth/login?next" not in location
            )
        elif role == "anonymous":
            ok = response.status_code == 302 and "/auth/login" in location
        else:
            ok = response.status_code in (403, 404)
        if not ok:
            failures.append(
                f"{role} {method} {url} -> {response.status_code} {location}"
            )
    assert not failures, "\n".join(failures)


# RFC 8058 one-click unsubscribe: mail clients post without our token; the
# signed token in the URL is the authority (tests/digests/test_unsubscribe.py).
CSRF_EXEMPT = {"unsubscribe.one_click"}


@pytest.mark.parametrize("role", ["anonymous", *ROLE_NAMES])
def test_no_post_works_without_the_csrf_token(app, factory, people, student, role):
    failures = []
    for endpoint, method, rule in routes(app):
        if method != "POST" or endpoint in CSRF_EXEMPT:
            continue
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, people[role].email)
        response = _call(
            client,
            method,
            url_for_rule(factory, app, rule, people, student),
            with_csrf=False,
        )
        allowed = EXPECTED[endpoint]
        may_use = allowed == "public" or (role != "anonymous" and role in allowed)
        # Whoever may use the route is refused for the missing token; anyone
        # else is refused by the token check or the role gate, whichever runs first.
        expected = {400} if may_use else {302, 400, 403, 404}
        if response.status_code not in expected:
            failures.append(f"{role} POST {rule.rule} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_csrf_token_in_the_htmx_header_is_accepted(app, client, people):
    sign_in(client, people["coordinator"].email)
    token = csrf_token(client)
    response = client.post(
        f"/network/users/{people['envoy'].id}/deactivate",
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302
    db.session.refresh(people["envoy"])
    assert people["envoy"].active is False


def test_static_files_are_public(app):
    with app.test_request_context():
        assert access_of("static") == PUBLIC


def test_coordinator_cannot_open_an_admin_only_page(client, login_as):
    login_as("coordinator")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_envoy_edit_url_with_an_employer_id_is_404(client, login_as, people):
    login_as("coordinator")
    assert client.get(f"/network/envoys/{people['employer'].id}").status_code == 404
    assert client.get("/network/envoys/999999").status_code == 404
