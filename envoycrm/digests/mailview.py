"""What a digest mail says, as plain data both of its bodies render.

A ``Mail`` holds the subject, a preheader, the "Needs you" items, the
headline figures and the sections, every line already worded and formatted
in the recipient's language and zone (this runs inside ``force_locale``).
``_mail.html`` and ``_mail.txt`` render the same ``Mail``, so the text part
has every line and link the HTML has. No HTML is built here.

Every link goes to the exact view in EnvoyCRM that shows what the line
counts (a stage on the board, a filtered list, an opening, a candidate);
lists stop at ``content.LIST_LIMIT`` rows and link to the rest.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date, format_interval, format_time, get_datetime_format
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _

from envoycrm.i18n import format_cny, format_number
from envoycrm.labels import label
from envoycrm.models import OpeningStatus, OutboxStatus, Stage

from .content import BureauDigest, EmployerDigest, EnvoyDigest
from .trends import Trend

# A candidate matching many openings names the best few; the rest are counted.
MATCHES_SHOWN = 3


@dataclass
class Item:
    """One line: what it is, where it leads, and what more to say about it."""

    title: str
    url: str | None = None
    details: list[str] = field(default_factory=list)
    action: str | None = None  # the label of its one button, if it has one


@dataclass
class Section:
    """A titled list; ``total`` counts all there are when more than are shown."""

    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    total: int = 0
    more_url: str | None = None

    @property
    def more(self) -> str | None:
        """The "see all N in EnvoyCRM" words, when the list was cut."""
        if self.more_url and self.total > len(self.items):
            return _("See all %(count)s in EnvoyCRM", count=format_number(self.total))
        return None


@dataclass
class Figure:
    """A headline number with its trend in words and marks."""

    label: str
    value: str
    url: str | None = None
    trend: list[str] = field(default_factory=list)


@dataclass
class Mail:
    """Everything one digest mail says."""

    subject: str
    preheader: str
    period: str
    covers: str = ""
    intro: str = ""
    needs_you: list[Item] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


# --- formatting ------------------------------------------------------------------


def when(value: datetime | None) -> str:
    """A date with hours and minutes, no seconds, in the recipient's zone."""
    if value is None:
        return ""
    locale, zone = get_locale(), get_timezone()
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace(
        "{0}", format_time(value, "short", tzinfo=zone, locale=locale)
    ).replace("{1}", format_date(value.astimezone(zone), "medium", locale=locale))


def day(value: date | None) -> str:
    """A date in the recipient's language."""
    return format_date(value, "medium", locale=get_locale()) if value else ""


def days(first: date, last: date) -> str:
    """The days a digest covers, such as "Nov 23 – 30, 2026"."""
    return format_interval(first, last, "yMMMd", locale=get_locale())


def _trend(trend: Trend) -> list[str]:
    change = trend.change
    vs_week = _(
        "%(mark)s %(change)s on last week (%(last)s)",
        mark=Trend.mark(change),
        change=f"{change:+d}",
        last=format_number(trend.last_week),
    )
    average = round(trend.average, 1)
    vs_average = _(
        "%(mark)s 4-week average %(average)s",
        mark=Trend.mark(trend.value - trend.average),
        average=format_number(average),
    )
    return [vs_week, vs_average]


def _covered(digest) -> str:
    window = digest.window
    return days(window.first_day, window.today)


def _subject(news: list[str], digest) -> str:
    return " · ".join([*news, _covered(digest)])


def _covers(digest) -> str:
    return _(
        "Activity from %(start)s to %(end)s (%(zone)s).",
        start=when(digest.window.start),
        end=when(digest.window.end),
        zone=digest.window.zone,
    )


# --- bureau ----------------------------------------------------------------------


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
        subject=_subject(news, digest),
        preheader=_preheader(needs, digest),
        period=_covered(digest),
        covers=_covers(digest),
        needs_you=needs,
    )
    if trends:
        mail.figures = [
            Figure(
                _("New students"),
                format_number(trends.new_students.value),
                link("pipeline.student_list", sort="created"),
                _trend(trends.new_students),
            ),
            Figure(
                _("Stage moves"),
                format_number(trends.moves.value),
                link("pipeline.board"),
                _trend(trends.moves),
            ),
            Figure(
                _("Replies through envoy links"),
                format_number(trends.replies.value),
                link("pipeline.envoys", sort="replies"),
                _trend(trends.replies),
            ),
            Figure(
                label(Stage.RETURNED),
                format_number(trends.returned.value),
                link("pipeline.student_list", stage=Stage.RETURNED.name),
                _trend(trends.returned),
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
                    [s.university.name_for(get_locale_name()), when(c.changed_at)],
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
    ]
    return mail


def get_locale_name() -> str:
    """The forced locale as the models' ``name_for`` wants it."""
    return str(get_locale())


def _bureau_needs(digest: BureauDigest, link) -> list[Item]:
    needs = []
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
                link("tasks.index"),
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
                link("pipeline.student_list", stage=stage.name, stage_age=60),
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
                link("pipeline.envoys", sort="inactive"),
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
                link("digests.outbox_list", status=OutboxStatus.FAILED.name),
                action=_("Open the outbox"),
            )
        )
    return needs


def _preheader(needs: list[Item], digest) -> str:
    """The line a mail client shows after the subject: never the subject again."""
    if needs:
        return " · ".join(item.title for item in needs[:3])
    return _covers(digest)


# --- employer --------------------------------------------------------------------


def employer_mail(digest: EmployerDigest, link) -> Mail:
    """The employer's digest: candidates (each once), replies, expiring openings."""
    locale = get_locale_name()
    needs = []
    news = []
    if digest.candidate_total:
        candidates = ngettext(
            "%(num)s new candidate",
            "%(num)s new candidates",
            digest.candidate_total,
        )
        openings = ngettext(
            "%(num)s opening",
            "%(num)s openings",
            digest.openings_with_candidates,
        )
        news.append(
            _(
                "%(candidates)s for %(openings)s",
                candidates=candidates,
                openings=openings,
            )
        )
        needs.append(
            Item(
                _("%(candidates)s to look at", candidates=candidates),
                link("jobs.index", status=OpeningStatus.OPEN.name),
                action=_("Look at the candidates"),
            )
        )
    if digest.reply_total:
        replies = ngettext(
            "%(num)s reply through envoy links",
            "%(num)s replies through envoy links",
            digest.reply_total,
        )
        news.append(replies)
        needs.append(
            Item(
                replies,
                link("jobs.index", status=OpeningStatus.OPEN.name),
                action=_("Read the replies"),
            )
        )
    for opening in digest.expiring:
        needs.append(
            Item(
                _(
                    "%(opening)s closes on %(day)s",
                    opening=opening.title_for(locale),
                    day=day(opening.deadline),
                ),
                link("jobs.show", opening_id=opening.id),
                action=_("Extend or close it"),
            )
        )
    if digest.expiring and not news:
        news.append(
            ngettext(
                "%(num)s opening about to expire",
                "%(num)s openings about to expire",
                len(digest.expiring),
            )
        )
    mail = Mail(
        subject=_subject(news or [_("A quiet week")], digest),
        preheader=_employer_preheader(digest, locale),
        period=_covered(digest),
        covers=_covers(digest),
        intro=_(
            "Candidates who agreed to be shared with employers and match your "
            "open openings. Contact details stay with the bureau: say you are "
            "interested and an envoy or coordinator will put you in touch."
        ),
        needs_you=needs,
    )
    more = link("jobs.index", status=OpeningStatus.OPEN.name)
    mail.sections = [
        Section(
            _("New matching candidates"),
            [_candidate_item(c, link, locale) for c in digest.candidates],
            empty=_("No new matching candidates this week."),
            total=digest.candidate_total,
            more_url=more,
        ),
        Section(
            _("Replies through envoy links"),
            [
                Item(
                    r.student.display_name,
                    link(
                        "jobs.candidate",
                        opening_id=r.opening_id,
                        student_id=r.student_id,
                    ),
                    [
                        r.opening.title_for(locale),
                        when(r.created_at)
                        + (
                            " · " + _("through %(envoy)s", envoy=r.push.envoy.full_name)
                            if r.push
                            else ""
                        ),
                    ],
                )
                for r in digest.replies
            ],
            empty=_("No replies this week."),
            total=digest.reply_total,
            more_url=more,
        ),
    ]
    return mail


def _candidate_item(candidate, link, locale: str) -> Item:
    student = candidate.student
    opening, result = candidate.best
    studies = f"{label(student.degree)}, {label(student.field)}, "
    studies += student.university.name_for(locale)
    if student.expected_graduation:
        studies += " · " + _("graduates %(day)s", day=day(student.expected_graduation))
    matches = ", ".join(
        f"{o.title_for(locale)} ({r.score}/100)"
        for o, r in candidate.matches[:MATCHES_SHOWN]
    )
    hidden = len(candidate.matches) - MATCHES_SHOWN
    if hidden > 0:
        matches += " " + ngettext("and %(num)s more", "and %(num)s more", hidden)
    return Item(
        student.display_name,
        link("jobs.candidate", opening_id=opening.id, student_id=student.id),
        [studies, _("Matches %(openings)s", openings=matches), result.explanation()],
    )


def _employer_preheader(digest: EmployerDigest, locale: str) -> str:
    if digest.candidates:
        opening, result = digest.candidates[0].best
        return _(
            "Best match: %(candidate)s for %(opening)s (%(score)s/100)",
            candidate=digest.candidates[0].student.display_name,
            opening=opening.title_for(locale),
            score=result.score,
        )
    return _("Your open openings: %(count)s", count=format_number(len(digest.openings)))


# --- envoy -----------------------------------------------------------------------


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
    mail = Mail(
        subject=_subject(news or [_("A quiet week")], digest),
        preheader=_(
            "You logged %(students)s students and %(touchpoints)s touchpoints "
            "last week.",
            students=format_number(numbers.students_week),
            touchpoints=format_number(numbers.interactions_week),
        ),
        period=_covered(digest),
        covers=_covers(digest),
        needs_you=needs,
        figures=[
            Figure(
                _("Students logged last week"), format_number(numbers.students_week)
            ),
            Figure(
                _("Touchpoints last week"), format_number(numbers.interactions_week)
            ),
            Figure(
                _("Students logged this month"), format_number(numbers.students_month)
            ),
            Figure(
                _("Your students in all"),
                format_number(numbers.owned),
                link("students.index"),
            ),
        ],
    )
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
                        else _("last contact %(when)s", when=when(s.last_activity_at))
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
    ]
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
