"""The employer's digest, worded: candidates (each once), replies, expiring."""

from flask_babel import gettext as _
from flask_babel import ngettext

from envoycrm.i18n import format_number
from envoycrm.labels import label

from ..content import EmployerDigest
from . import Item, Mail, Section, covered, covers, day, get_locale_name, subject, when

# A candidate matching many openings names the best few; the rest are counted.
MATCHES_SHOWN = 3


def employer_mail(digest: EmployerDigest, link) -> Mail:
    """The employer's digest: candidates (each once), replies, expiring openings."""
    locale = get_locale_name()
    needs = []
    news = []
    # Every candidate and reply of the digest's week, on one page.
    news_link = link("jobs.new_for_you", period=digest.window.period)
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
                news_link,
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
                news_link,
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
        subject=subject(news or [_("A quiet week")], digest),
        preheader=_employer_preheader(digest, locale),
        period=covered(digest),
        covers=covers(digest),
        intro=_(
            "Candidates who agreed to be shared with employers and match your "
            "open openings. Contact details stay with the bureau: say you are "
            "interested and an envoy or coordinator will put you in touch."
        ),
        needs_you=needs,
    )
    more = news_link
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
    studies += student.university_name(locale)
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
