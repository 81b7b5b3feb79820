"""The app's routes as concrete URLs, shared by the route matrix and the
browser tests.

``tests/test_access.py`` walks every route × role with these URLs, and the
phone and accessibility checks in ``tests/e2e/`` open every page a role may
reach, so a new page is checked everywhere without being listed twice.
"""

import re

from flask import url_for

from envoycrm.access import PUBLIC, SIGNED_IN, access_of
from envoycrm.extensions import db
from envoycrm.models import Task, TaskKind, User

# Not pages: files, signing out and the mail-only unsubscribe answer; and any
# route whose path ends in a file's extension (images, exports, downloads).
NOT_PAGES = {"static", "auth.logout", "unsubscribe.one_click"}
FILE_PATH = re.compile(r"\.(png|svg|csv|xlsx|json|pdf|ics|txt|zip)$")


def routes(app):
    """(endpoint, method, rule) for every route, HEAD/OPTIONS aside."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def url_for_rule(factory, app, rule, people, student) -> str:
    """A concrete URL for ``rule`` with arguments that exist in the database."""
    values = {}
    for arg in rule.arguments:
        if arg in (rule.defaults or {}):
            values[arg] = rule.defaults[arg]  # one of a view's several rules
        elif arg == "user_id":
            target = "employer" if "employer_user" in rule.endpoint else "envoy"
            values[arg] = people[target].id
        elif arg == "filename":
            values[arg] = "css/app.css"
        elif arg == "student_id":
            values[arg] = student.id
        elif arg == "lang":
            values[arg] = "en"
        elif arg == "tag":
            values[arg] = "fair-2026"
        elif arg in ("saved_view_id", "import_id"):
            values[arg] = 1  # staff get 404 for a row that is not theirs
        elif arg == "task_id":
            values[arg] = task_for(people["envoy"], student).id
        elif arg == "opening_id":
            values[arg] = factory.opening_of(people).id
        elif arg == "push_id":
            values[arg] = factory.push(people).id
        elif arg == "reply_id":
            values[arg] = factory.held_reply(people, student).id
        elif arg == "employer_id":
            values[arg] = people["employer"].employer_id
        elif arg == "policy_id":
            values[arg] = factory.policy_of().id
        elif arg == "version_id":
            values[arg] = factory.policy_of().latest.id
        elif arg == "policy_push_id":
            values[arg] = factory.policy_push(people).id
        elif arg == "file_id":
            values[arg] = factory.personnel_file(student, people["coordinator"]).id
        elif arg == "event_id":
            values[arg] = factory.event_of(people).id
        elif arg == "link_id":
            values[arg] = factory.event_link(people).id
        elif arg == "registration_id":
            values[arg] = factory.held_registration(people, student).id
        elif arg == "fair_registration_id":
            values[arg] = 999999  # the fair's routes: a missing booth is a 404
        elif arg == "row_id":
            values[arg] = 999999  # digests.retry: a missing row is a 404
        else:
            values[arg] = "not-a-real-token"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def task_for(envoy: User, student) -> Task:
    """A task assigned to ``envoy`` (created once per test)."""
    task = db.session.scalar(db.select(Task).where(Task.assignee_id == envoy.id))
    if task is None:
        task = Task(
            kind=TaskKind.OTHER,
            title="Call back",
            student_id=student.id,
            assignee_id=envoy.id,
        )
        db.session.add(task)
        db.session.commit()
    return task


def may_open(app, endpoint: str, user: User | None) -> bool:
    """Whether ``user`` (None: signed out) passes ``endpoint``'s declaration."""
    with app.test_request_context():
        access = access_of(endpoint)
    if access == PUBLIC:
        return True
    if user is None or access is None:
        return False
    return access == SIGNED_IN or user.has_role(*access)


def pages_of(app, factory, people, student, role: str) -> list[str]:
    """The URLs of every page (GET, HTML) that ``role`` may open.

    ``role`` is a key of ``people`` or ``"anonymous"``; the audience comes from
    the routes' own declarations, which ``tests/test_access.py`` holds to the
    route matrix. Public pages behind a token (``not-a-real-token``) are left
    out: the caller visits them with a real one.
    """
    user = None if role == "anonymous" else people[role]
    urls = set()
    for endpoint, method, rule in routes(app):
        if method != "GET" or endpoint in NOT_PAGES or FILE_PATH.search(rule.rule):
            continue
        if not may_open(app, endpoint, user):
            continue
        url = url_for_rule(factory, app, rule, people, student)
        if "not-a-real-token" not in url:
            urls.add(url)
    return sorted(urls)
