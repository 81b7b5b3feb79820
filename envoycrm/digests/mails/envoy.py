"""The envoy's digest, worded: who waits, what to push, their own numbers."""

from flask_babel import gettext as _
from flask_babel import ngettext

from envoycrm.i18n import format_cny, format_number
from envoycrm.models import OpeningStatus
from envoycrm.policies.services import describe_amount

from ..content import EnvoyDigest
from . import (
    Figure,
    Item,
    Mail,
    Section,
    covered,
    covers,
    day,
    get_locale_name,
    subject,
    trend_lines,
    upcoming_section,
)


def envoy_mail(digest: EnvoyDigest, link) -> Mail:
    """The envoy's digest: who waits, what to push, their own numbers."""
    locale = get_locale_name()
    needs = []
    news = []
    waiting = len(digest.followups)
    if waiting:
        text = ngettext(
            "%(num)s student waits for a follow-up",
            "%(num)s students wait for a follow-up",
            waiting,
        )
        news.append(text)
        needs.append(Item(text, link("main.home"), action=_("Follow up")))
    fitting = sum(1 for _o, matching in digest.openings if matching)
    if digest.openings:
        text = ngettext(
            "%(num)s new opening to push",
            "%(num)s new openings to push",
            len(digest.openings),
        )
        news.append(text)
        if fitting:
            needs.append(
                Item(
                    ngettext(
                        "%(num)s new opening in your students' fields",
                        "%(num)s new openings in your students' fields",
                        fitting,
                    ),
                    link("jobs.index", status=OpeningStatus.OPEN.name),
                    action=_("Push them"),
                )
            )
    numbers = digest.numbers
    trends = digest.trends
    students = trends.students.value if trends else numbers.students_week
    touchpoints = trends.touchpoints.value if trends else numbers.interactions_week
    mail = Mail(
        subject=subject(news or [_("A quiet week")], digest),
        preheader=_(
            "You logged %(students)s students and %(touchpoints)s touchpoints "
            "last week.",
            students=format_number(students),
            touchpoints=format_number(touchpoints),
        ),
        period=covered(digest),
        covers=covers(digest),
        needs_you=needs,
    )
    if trends:
        mail.figures = [
            Figure(
                _("Students logged last week"),
                format_number(trends.students.value),
                link("students.index"),
                trend_lines(trends.students),
            ),
            Figure(
                _("Touchpoints last week"),
                format_number(trends.touchpoints.value),
                trend=trend_lines(trends.touchpoints),
            ),
            Figure(
                _("Replies through your links"),
                format_number(trends.replies.value),
                link("jobs.pushes"),
                trend_lines(trends.replies),
            ),
        ]
    mail.figures += [
        Figure(_("Students logged this month"), format_number(numbers.students_month)),
        Figure(
            _("Your students in all"),
            format_number(numbers.owned),
            link("students.index"),
        ),
    ]
    mail.sections = [
        Section(
            _("Waiting for a follow-up"),
            [
                Item(
                    s.display_name,
                    link("students.show", student_id=s.id),
                    [
                        _("follow up on %(day)s", day=day(s.follow_up_on))
                        if s.follow_up_on
                        else _("last contact %(when)s", when=day(s.last_activity_on))
                    ],
                )
                for s in digest.followups
            ],
            empty=_("No one is waiting. Well done."),
        ),
        Section(
            _("New openings worth pushing"),
            [
                _opening_item(o, matching, link, locale)
                for o, matching in digest.openings
            ],
            empty=_("No new openings this week."),
            total=digest.opening_total,
            more_url=link("jobs.index", status=OpeningStatus.OPEN.name),
        ),
        upcoming_section(digest.upcoming, link, seats=False),
    ]
    if digest.policies:
        mail.sections.append(
            Section(
                _("New or changed policies"),
                [
                    _policy_item(policy, version, link, locale)
                    for policy, version in digest.policies
                ],
                more_url=link("policies.index"),
            )
        )
    return mail


def _opening_item(opening, matching: int, link, locale: str) -> Item:
    details = [
        opening.employer.name_for(locale),
        f"{format_cny(opening.salary_min)}–{format_cny(opening.salary_max)}",
    ]
    if matching:
        details.append(
            ngettext(
                "%(num)s of your students studies this field",
                "%(num)s of your students study this field",
                matching,
            )
        )
    return Item(
        opening.title_for(locale), link("jobs.show", opening_id=opening.id), details
    )


def _policy_item(policy, version, link, locale: str) -> Item:
    amount = describe_amount(version)
    return Item(
        version.title_for(locale),
        link("policies.show", policy_id=policy.id),
        [amount] if amount else [],
    )
