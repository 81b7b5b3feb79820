"""The coordinators' digest, worded: what needs them, the numbers, the lists."""

from flask_babel import gettext as _
from flask_babel import ngettext

from envoycrm.i18n import format_number
from envoycrm.labels import label
from envoycrm.main.needs import STUCK_DAYS, kinds_arg
from envoycrm.models import OpeningStatus, OutboxStatus, Stage

from ..content import BureauDigest
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
    when,
)


def bureau_mail(digest: BureauDigest, link) -> Mail:
    """The coordinators' digest: what needs them, the numbers, the lists."""
    needs = _bureau_needs(digest, link)
    trends = digest.trends
    returned = trends.returned.value if trends else len(digest.returned)
    news = []
    if returned:
        news.append(
            ngettext(
                "%(num)s student moved to %(stage)s",
                "%(num)s students moved to %(stage)s",
                returned,
                stage=label(Stage.RETURNED),
            )
        )
    elif digest.new_students:
        news.append(
            ngettext(
                "%(num)s new student",
                "%(num)s new students",
                digest.new_students,
            )
        )
    if needs:
        news.append(
            ngettext(
                "%(num)s needs you",
                "%(num)s need you",
                len(needs),
            )
        )
    if not news:
        news.append(_("A quiet week"))
    mail = Mail(
        subject=subject(news, digest),
        preheader=_preheader(needs, digest),
        period=covered(digest),
        covers=covers(digest),
        needs_you=needs,
    )
    if trends:
        mail.figures = [
            Figure(
                _("New students"),
                format_number(trends.new_students.value),
                link("pipeline.student_list", sort="created"),
                trend_lines(trends.new_students),
            ),
            Figure(
                _("Stage moves"),
                format_number(trends.moves.value),
                link("pipeline.board"),
                trend_lines(trends.moves),
            ),
            Figure(
                _("Replies through envoy links"),
                format_number(trends.replies.value),
                link("pipeline.envoys", sort="replies"),
                trend_lines(trends.replies),
            ),
            Figure(
                label(Stage.RETURNED),
                format_number(trends.returned.value),
                link("pipeline.student_list", stage=Stage.RETURNED.name),
                trend_lines(trends.returned),
            ),
        ]
    mail.figures += [
        Figure(_("New or changed intentions"), format_number(digest.intentions)),
        Figure(_("Openings pushed by envoys"), format_number(digest.pushes)),
    ]
    mail.sections = [
        Section(
            _("Returned to work in the city"),
            [
                Item(
                    s.display_name,
                    link("students.show", student_id=s.id),
                    [s.university_name(get_locale_name()), when(c.changed_at)],
                )
                for s, c in digest.returned
            ],
            empty=_("No one this week."),
            total=returned,
            more_url=link("pipeline.student_list", stage=Stage.RETURNED.name),
        ),
        Section(
            _("Stage moves"),
            [
                Item(
                    f"{label(stage)}: {format_number(count)}",
                    link("pipeline.student_list", stage=stage.name),
                )
                for stage, count in digest.moves_by_stage
            ],
            empty=_("No stage moves this week."),
        ),
        Section(
            _("New students"),
            [
                Item(
                    s.display_name,
                    link("students.show", student_id=s.id),
                    [
                        f"{label(s.degree)}, {label(s.field)}",
                        _("logged by %(envoy)s", envoy=s.owner.full_name),
                        _("last contact %(when)s", when=day(s.last_activity_on)),
                    ],
                )
                for s in digest.new_student_list
            ],
            empty=_("No new students this week."),
            total=digest.new_students,
            more_url=link("pipeline.student_list", sort="created"),
        ),
        Section(
            _("New or changed intentions"),
            [
                Item(
                    s.display_name,
                    link("students.show", student_id=s.id),
                    [f"{label(i.level)} · {when(i.recorded_at)}"],
                )
                for s, i in digest.intention_list
            ],
            empty=_("No intentions recorded this week."),
            total=digest.intentions,
            more_url=link("pipeline.student_list", sort="activity"),
        ),
        upcoming_section(digest.upcoming, link, seats=True),
    ]
    return mail


def _bureau_needs(digest: BureauDigest, link) -> list[Item]:
    needs = []
    for version in digest.expiring_policies:
        needs.append(
            Item(
                _(
                    "%(title)s ends on %(day)s",
                    title=version.title_for(get_locale_name()),
                    day=day(version.valid_to),
                ),
                link("policies.show", policy_id=version.policy_id),
                action=_("Renew or let it expire"),
            )
        )
    if digest.awaiting_approval:
        needs.append(
            Item(
                ngettext(
                    "%(num)s opening awaits approval",
                    "%(num)s openings await approval",
                    digest.awaiting_approval,
                ),
                link("jobs.index", status=OpeningStatus.PENDING.name),
                action=_("Review openings"),
            )
        )
    if digest.open_follow_ups:
        needs.append(
            Item(
                ngettext(
                    "%(num)s reply not followed up",
                    "%(num)s replies not followed up",
                    digest.open_follow_ups,
                ),
                link("tasks.index", kind=kinds_arg()),
                action=_("Open the tasks"),
            )
        )
    for stage, count in digest.stuck_by_stage:
        needs.append(
            Item(
                ngettext(
                    "%(num)s student in %(stage)s for over 60 days",
                    "%(num)s students in %(stage)s for over 60 days",
                    count,
                    stage=label(stage),
                ),
                link("pipeline.student_list", stage=stage.name, stage_age=STUCK_DAYS),
                action=_("Show them"),
            )
        )
    if digest.quiet_envoy_count:
        needs.append(
            Item(
                ngettext(
                    "%(num)s envoy quiet for 30 days",
                    "%(num)s envoys quiet for 30 days",
                    digest.quiet_envoy_count,
                ),
                link("pipeline.envoys", quiet=1, sort="inactive"),
                [", ".join(u.full_name for u in digest.quiet_envoys[:5])],
                action=_("Show the envoys"),
            )
        )
    if digest.failed_digests:
        needs.append(
            Item(
                ngettext(
                    "%(num)s digest failed this week",
                    "%(num)s digests failed this week",
                    digest.failed_digests,
                ),
                link(
                    "digests.outbox_list",
                    status=OutboxStatus.FAILED.name,
                    period=digest.window.period,
                ),
                action=_("Open the outbox"),
            )
        )
    return needs


def _preheader(needs: list[Item], digest) -> str:
    """The line a mail client shows after the subject: never the subject again."""
    if needs:
        return " · ".join(item.title for item in needs[:3])
    return covers(digest)
