"""The audit trail in words: "Coordinator Li Ming exported 1,204 students".

The trail stores codes (``export``, ``student.stage``) and ids, never names,
so erasing a person leaves it intact. A reader wants sentences in their own
language with names, so a page of events is described here: the names
behind it are loaded in a fixed number of queries (people, students,
openings, employers), and each action has one translatable sentence. An
action without a sentence reads as its code, so nothing is ever hidden; the
codes themselves stay on the page in each row's detail view.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.i18n import format_number
from envoycrm.labels import label
from envoycrm.models import AuditEvent, Employer, JobOpening, Role, Stage, Student, User

# Sentences of one record. %(actor)s is who did it, %(record)s what it was done to.
SENTENCES = {
    "auth.login": _l("%(actor)s signed in"),
    "auth.login_failed": _l("A sign-in as %(record)s failed"),
    "auth.login_deactivated": _l(
        "%(record)s tried to sign in to a deactivated account"
    ),
    "auth.logout": _l("%(actor)s signed out"),
    "auth.logout_everywhere": _l("%(actor)s signed out on every device"),
    "auth.reset_requested": _l("A new password was asked for %(record)s"),
    "auth.password_set": _l("%(record)s set a password"),
    "student.create": _l("%(actor)s added %(record)s"),
    "student.create_by_referral": _l("%(record)s was added from a referral reply"),
    "student.view": _l("%(actor)s opened %(record)s"),
    "student.edit_view": _l("%(actor)s opened the edit form of %(record)s"),
    "student.update": _l("%(actor)s edited %(record)s"),
    "student.stage": _l("%(actor)s moved %(record)s from %(old)s to %(new)s"),
    "student.reassign": _l("%(actor)s gave %(record)s to %(new)s (was %(old)s)"),
    "student.tag_add": _l("%(actor)s tagged %(record)s"),
    "student.tag_remove": _l("%(actor)s removed a tag from %(record)s"),
    "student.merge": _l("%(actor)s merged a duplicate into %(record)s"),
    "student.export": _l("%(actor)s exported the data held about %(record)s"),
    "student.erased": _l("%(actor)s erased the data of a student"),
    "interaction.create": _l("%(actor)s logged a touchpoint with %(record)s"),
    "intention.create": _l("%(actor)s recorded an intention of %(record)s"),
    "consent.record": _l("%(actor)s recorded the consent of %(record)s"),
    "consent.withdraw": _l("%(actor)s recorded that %(record)s withdrew consent"),
    "pipeline.move_menu_view": _l("%(actor)s opened the move menu of %(record)s"),
    "retention.kept": _l("%(actor)s kept %(record)s past the retention period"),
    "import.mapping_view": _l("%(actor)s opened the column mapping of an import"),
    "import.preview_view": _l("%(actor)s opened the preview of an import"),
    "import.errors_download": _l("%(actor)s downloaded the error report of an import"),
    "opening.create": _l("%(actor)s created the opening %(record)s"),
    "opening.update": _l("%(actor)s edited the opening %(record)s"),
    "opening.approve": _l("%(actor)s approved the opening %(record)s"),
    "opening.reject": _l("%(actor)s rejected the opening %(record)s"),
    "opening.close": _l("%(actor)s closed the opening %(record)s"),
    "opening.close_expired": _l("The opening %(record)s closed at its deadline"),
    "candidate.view": _l("%(actor)s opened the candidate %(record)s"),
    "employer.interest": _l("%(actor)s said they are interested in %(record)s"),
    "employer.create": _l("%(actor)s added the employer %(record)s"),
    "employer.update": _l("%(actor)s edited the employer %(record)s"),
    "push.create": _l("%(actor)s pushed an opening"),
    "push.to_student": _l("%(actor)s pushed an opening to %(student)s"),
    "referral.reply": _l("%(student)s replied through a referral link"),
    "referral.reply_confirm": _l("%(actor)s confirmed a referral reply as %(record)s"),
    "referral.reply_dismiss": _l(
        "%(actor)s dismissed a referral reply that looked like %(record)s"
    ),
    "task.done": _l("%(actor)s marked a task done"),
    "digest.preview": _l("%(actor)s previewed the digest of %(record)s"),
    "digest.send_now": _l("%(actor)s sent a digest at once"),
    "digest.retry": _l("%(actor)s sent a failed digest again"),
    "digest.retry_failed": _l("%(actor)s sent the failed digests again"),
    "digest.sent": _l("A digest was sent to %(recipient)s"),
    "digest.subscribe": _l("%(record)s subscribed to digests"),
    "digest.unsubscribe": _l("%(record)s unsubscribed from digests"),
    "digests.outbox_list": _l("%(actor)s viewed the digest outbox"),
    "user.invited": _l("%(actor)s invited %(record)s"),
    "user.invitation_failed": _l("The invitation of %(record)s could not be sent"),
    "user.role": _l("%(actor)s changed the role of %(record)s from %(old)s to %(new)s"),
    "user.activate": _l("%(actor)s reactivated %(record)s"),
    "user.deactivate": _l("%(actor)s deactivated %(record)s"),
    "user.settings": _l("%(actor)s changed their settings"),
    "envoy.create": _l("%(actor)s added the envoy %(record)s"),
    "envoy.update": _l("%(actor)s edited the envoy %(record)s"),
    "employer_user.create": _l("%(actor)s added the employer user %(record)s"),
    "employer_user.update": _l("%(actor)s edited the employer user %(record)s"),
    "mail.test": _l("%(actor)s sent a test mail"),
    "data_request.create": _l("A data request was received"),
    "main.home": _l("%(actor)s opened their home page"),
}


# Sentences with a number in them: the detail that holds it, and the sentence.
# The number is %(count)s, formatted for the reader (``%(num)s`` would not be).
COUNTED: dict[str, tuple[str, Callable[..., str]]] = {
    "export": (
        "rows",
        lambda n, **v: ngettext(
            "%(actor)s exported %(count)s student",
            "%(actor)s exported %(count)s students",
            n,
            **v,
        ),
    ),
    "import": (
        "rows",
        lambda n, **v: ngettext(
            "%(actor)s imported %(count)s student",
            "%(actor)s imported %(count)s students",
            n,
            **v,
        ),
    ),
    "pipeline.bulk": (
        "rows",
        lambda n, **v: ngettext(
            "%(actor)s changed %(count)s student at once",
            "%(actor)s changed %(count)s students at once",
            n,
            **v,
        ),
    ),
    "pipeline.board": (
        "count",
        lambda n, **v: ngettext(
            "%(actor)s viewed the pipeline board of %(count)s student",
            "%(actor)s viewed the pipeline board of %(count)s students",
            n,
            **v,
        ),
    ),
    "pipeline.list": (
        "count",
        lambda n, **v: ngettext(
            "%(actor)s viewed a pipeline list of %(count)s student",
            "%(actor)s viewed a pipeline list of %(count)s students",
            n,
            **v,
        ),
    ),
    "students.list": (
        "count",
        lambda n, **v: ngettext(
            "%(actor)s viewed a list of %(count)s student",
            "%(actor)s viewed a list of %(count)s students",
            n,
            **v,
        ),
    ),
    "opening.candidates": (
        "count",
        lambda n, **v: ngettext(
            "%(actor)s viewed %(count)s candidate of an opening",
            "%(actor)s viewed %(count)s candidates of an opening",
            n,
            **v,
        ),
    ),
    "employer.new_candidates": (
        "count",
        lambda n, **v: ngettext(
            "%(actor)s viewed %(count)s new candidate",
            "%(actor)s viewed %(count)s new candidates",
            n,
            **v,
        ),
    ),
    "retention.flagged": (
        "count",
        lambda n, **v: ngettext(
            "%(count)s student was flagged for the end of retention",
            "%(count)s students were flagged for the end of retention",
            n,
            **v,
        ),
    ),
    "import.files_forgotten": (
        "count",
        lambda n, **v: ngettext(
            "%(count)s kept import file was dropped",
            "%(count)s kept import files were dropped",
            n,
            **v,
        ),
    ),
}


@dataclass
class Names:
    """The names behind a page of events, by id."""

    users: dict[int, User] = field(default_factory=dict)
    students: dict[int, str] = field(default_factory=dict)
    openings: dict[int, JobOpening] = field(default_factory=dict)
    employers: dict[int, Employer] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_names(events: Iterable[AuditEvent]) -> Names:
    """Everyone and everything a page of events names, in at most four queries."""
    user_ids: set[int] = set()
    student_ids: set[int] = set()
    opening_ids: set[int] = set()
    employer_ids: set[int] = set()
    for event in events:
        details = event.details or {}
        if event.actor_id:
            user_ids.add(event.actor_id)
        wanted = {
            "user": user_ids,
            "student": student_ids,
            "job_opening": opening_ids,
            "employer": employer_ids,
        }.get(event.record_type or "")
        if wanted is not None and event.record_id:
            wanted.add(event.record_id)
        for key, ids in (
            ("recipient_id", user_ids),
            ("student_id", student_ids),
            ("opening_id", opening_ids),
        ):
            if (found := _int(details.get(key))) is not None:
                ids.add(found)
        if event.action == "student.reassign":
            user_ids.update(
                i for i in (_int(details.get("old")), _int(details.get("new"))) if i
            )
    names = Names()
    if user_ids:
        names.users = {
            u.id: u
            for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    if student_ids:
        names.students = {
            row.id: " ".join(p for p in (row.name_latin, row.name_hanzi) if p)
            for row in db.session.execute(
                select(Student.id, Student.name_latin, Student.name_hanzi).where(
                    Student.id.in_(student_ids)
                )
            )
        }
    if opening_ids:
        names.openings = {
            o.id: o
            for o in db.session.scalars(
                select(JobOpening).where(JobOpening.id.in_(opening_ids))
            )
        }
    if employer_ids:
        names.employers = {
            e.id: e
            for e in db.session.scalars(
                select(Employer).where(Employer.id.in_(employer_ids))
            )
        }
    return names


def person(user: User | None) -> str:
    """ "Coordinator Li Ming 李明", or who it was when no one signed in."""
    if user is None:
        return _("The system or an anonymous visitor")
    return _("%(role)s %(name)s", role=label(user.role), name=user.display_name)


def _user(names: Names, user_id: int | None) -> str:
    if user_id is None:
        return _("someone")
    user = names.users.get(user_id)
    return person(user) if user else _("a removed user")


def _student(names: Names, student_id: int | None) -> str:
    if student_id is None:
        return _("a student")
    return names.students.get(student_id) or _("a student whose data was erased")


def record_name(event: AuditEvent, names: Names, locale: str) -> str:
    """What the event was done to, by name."""
    kind, record_id = event.record_type, event.record_id
    if kind == "student":
        return _student(names, record_id)
    if kind == "user":
        return _user(names, record_id)
    if kind == "job_opening" and record_id in names.openings:
        return "“" + names.openings[record_id].title_for(locale) + "”"
    if kind == "employer" and record_id in names.employers:
        return names.employers[record_id].name_for(locale)
    if kind and record_id:
        return f"{kind} #{record_id}"
    return kind or ""


def _enum_label(enum_cls, value: Any) -> str:
    try:
        return label(enum_cls(value))
    except ValueError:
        return str(value)


def describe(event: AuditEvent, names: Names, locale: str) -> str:
    """The event as one sentence in the reader's language."""
    details = event.details or {}
    values = {
        "actor": person(names.users.get(event.actor_id or 0)),
        "record": record_name(event, names, locale),
        "student": _student(names, _int(details.get("student_id"))),
        "recipient": _user(names, _int(details.get("recipient_id"))),
    }
    action = event.action
    if action == "student.stage":
        values["old"] = _enum_label(Stage, details.get("old"))
        values["new"] = _enum_label(Stage, details.get("new"))
    elif action == "user.role":
        values["old"] = _enum_label(Role, details.get("old"))
        values["new"] = _enum_label(Role, details.get("new"))
    elif action == "student.reassign":
        values["old"] = _user(names, _int(details.get("old")))
        values["new"] = _user(names, _int(details.get("new")))
    if action in COUNTED:
        key, sentence_of = COUNTED[action]
        number = _int(details.get(key)) or 0
        return sentence_of(number, count=format_number(number), **values)
    if action.startswith("auth.password_set"):
        action = "auth.password_set"
    sentence = SENTENCES.get(action)
    if sentence is None:
        return _("%(actor)s: %(action)s", actor=values["actor"], action=event.action)
    return str(sentence) % values
