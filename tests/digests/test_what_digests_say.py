"""What a digest says: the right rows, once each, bounded, and nothing empty."""

import re
from datetime import timedelta

from sqlalchemy import select

from envoycrm.digests import content, outbox, render
from envoycrm.extensions import db
from envoycrm.models import (
    DigestKind,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    OutboxMessage,
    OutboxStatus,
)
from tests.digests.conftest import (
    IN_WEEK,
    NOW,
    PERIOD,
    html_of,
    make_opening,
    opt_in,
    set_times,
)
from tests.digests.conftest import text_of as crlf_text_of


def text_of(message) -> str:
    """The text part with its lines as Python reads them."""
    return crlf_text_of(message).replace("\r\n", "\n")


def _new_candidate(factory, envoy, name, **fields):
    student = factory.student(envoy, name_latin=name, **fields)
    set_times(student, created_at=IN_WEEK)
    return student


def _intention(student, actor, level):
    db.session.add(
        Intention(
            student_id=student.id,
            recorded_by_id=actor.id,
            level=level,
            recorded_at=IN_WEEK,
        )
    )
    db.session.commit()


def _row(kind, user) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == kind, OutboxMessage.recipient_id == user.id
        )
    )


def test_bureau_digest_ranks_intentions_by_the_levels_real_order(
    mailserver, factory, people
):
    envoy, coordinator = people["envoy"], people["coordinator"]
    coordinator.locale = "en"
    db.session.commit()
    # Alphabetically UNDECIDED sorts after COMMITTED and LIKELY; by level it
    # ranks below them, so with more undecided than fit, none may show.
    for n in range(content.LIST_LIMIT + 2):
        _intention(
            factory.student(envoy, name_latin=f"Undecided {n}"),
            envoy,
            IntentionLevel.UNDECIDED,
        )
    _intention(
        factory.student(envoy, name_latin="Sure Committed"),
        envoy,
        IntentionLevel.COMMITTED,
    )
    _intention(
        factory.student(envoy, name_latin="Fairly Likely"), envoy, IntentionLevel.LIKELY
    )

    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    section = text_of(message).split("== New or changed intentions ==")[1]
    names = re.findall(r"^- (.+)$", section.split("==")[0], re.MULTILINE)
    assert names[:2] == ["Sure Committed", "Fairly Likely"]
    assert len(names) == content.LIST_LIMIT
    assert f"See all {content.LIST_LIMIT + 4} in EnvoyCRM" in section


def test_an_employer_with_nothing_new_gets_no_digest(mailserver, people):
    employer = people["employer"]
    make_opening(employer.employer_id)  # open, but no candidate and no reply

    outbox.run(NOW)

    assert mailserver.handler.to(employer.email) == []
    row = _row(DigestKind.EMPLOYER, employer)
    assert row.status is OutboxStatus.SKIPPED
    assert row.last_error == outbox.SKIPPED_EMPTY == "nothing new"


def test_each_candidate_is_listed_once_with_every_opening_they_match(
    mailserver, factory, people
):
    employer, envoy = people["employer"], people["envoy"]
    employer.locale = "en"
    db.session.commit()
    make_opening(employer.employer_id, title_en="Materials Engineer")
    make_opening(employer.employer_id, title_en="Coatings Researcher")
    _new_candidate(factory, envoy, "Only Once")

    outbox.run(NOW)

    [message] = mailserver.handler.to(employer.email)
    text, html = text_of(message), html_of(message)
    assert text.count("- Only Once") == 1
    assert html.count(">Only Once<") == 1
    matches = next(line for line in text.splitlines() if "Matches " in line)
    assert "Materials Engineer" in matches and "Coatings Researcher" in matches
    assert "1 new candidate for 2 openings" in message["Subject"]


def test_a_long_list_shows_the_top_rows_and_links_to_all_of_them(
    mailserver, factory, people
):
    employer, envoy = people["employer"], people["envoy"]
    employer.locale = "en"
    db.session.commit()
    make_opening(employer.employer_id)
    total = content.LIST_LIMIT + 5
    for n in range(total):
        _new_candidate(factory, envoy, f"Candidate {n:02d}")

    outbox.run(NOW)

    [message] = mailserver.handler.to(employer.email)
    text, html = text_of(message), html_of(message)
    assert len(re.findall(r"^- Candidate \d\d$", text, re.MULTILINE)) == (
        content.LIST_LIMIT
    )
    assert f"See all {total} in EnvoyCRM: https://envoy.example.gov.cn/jobs/" in text
    assert f">See all {total} in EnvoyCRM</a>" in html


def test_the_largest_employer_digest_stays_under_90_kb(factory, people):
    """Every list at its limit, long names, a candidate matching every opening."""
    employer, envoy = people["employer"], people["envoy"]
    long_title = "Senior Research Engineer for Marine Corrosion-Resistant Alloys " * 2
    for n in range(30):
        make_opening(
            employer.employer_id,
            title_en=f"{long_title}{n}",
            title_zh=f"海洋防腐合金高级研发工程师{n}" * 3,
            deadline=NOW.date() + timedelta(days=7),
        )
    for n in range(40):
        _new_candidate(
            factory,
            envoy,
            f"Candidate With A Rather Long Latin Name Number {n}",
            name_hanzi="欧阳诸葛司马" + str(n),
        )
    for locale in ("en", "zh_Hans"):
        employer.locale = locale
        db.session.commit()
        composed = render.compose(DigestKind.EMPLOYER, employer, PERIOD)
        size = len(composed.html.encode("utf-8"))
        assert size < 90 * 1024, f"{locale}: {size} bytes"


def test_the_text_part_has_no_runs_of_blank_lines_and_every_link_of_the_html(
    mailserver, factory, people
):
    employer, envoy = people["employer"], people["envoy"]
    make_opening(employer.employer_id)
    for n in range(3):
        _new_candidate(factory, envoy, f"Linked {n}", field=FieldOfStudy.MATERIALS)

    outbox.run(NOW)

    for message in mailserver.messages:
        text, html = text_of(message), html_of(message)
        assert "\n\n\n" not in text
        links = set(re.findall(r'href="([^"]+)"', html))
        assert links, "the HTML has links"
        for link in links:
            assert link.replace("&amp;", "&") in text, link


def test_the_mail_is_a_600px_table_frame_with_bgcolor_and_a_dark_mode_hint(
    factory, people
):
    employer = people["employer"]
    make_opening(employer.employer_id)
    _new_candidate(factory, people["envoy"], "Framed")
    html = render.compose(DigestKind.EMPLOYER, employer, PERIOD).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert re.search(r'<table[^>]+width="600"[^>]+bgcolor="#ffffff"', html)
    assert "max-width: 600px" in html
    assert "<div" not in html.split("<body")[1].replace(
        '<div style="display:none', ""
    )  # only the hidden preheader is a div: Outlook keeps tables
    assert "<img" not in html


def test_an_envoy_with_no_one_waiting_and_no_new_opening_gets_no_digest(
    mailserver, people
):
    envoy = people["envoy"]
    opt_in(envoy)

    outbox.run(NOW)

    assert mailserver.handler.to(envoy.email) == []
    row = _row(DigestKind.ENVOY, envoy)
    assert row.status is OutboxStatus.SKIPPED and row.last_error == "nothing new"
