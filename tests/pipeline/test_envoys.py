"""Envoy activity: students, meetings, pushes, replies, last activity, idle envoys."""

import re
import secrets
from datetime import date, timedelta

from envoycrm.extensions import db
from envoycrm.models import (
    EnvoyStatus,
    FieldOfStudy,
    Interaction,
    InteractionKind,
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    Push,
    Role,
    Sector,
    utcnow,
)
from envoycrm.models.users import DegreeLevel


def _row(html: str, name: str) -> str:
    return re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\"><a[^>]*>{name}</a>.*?</tr>", html, re.S
    )[0]


def test_envoy_activity_shows_figures_and_highlights_idle_envoys(
    client, coordinator, factory, people, cohort
):
    envoy, envoy2 = people["envoy"], people["envoy2"]
    factory.user(Role.ENVOY, full_name="Returned Envoy", status=EnvoyStatus.RETURNED)
    opening = JobOpening(
        employer_id=people["employer"].employer_id,
        title_en="Engineer",
        title_zh="工程师",
        sector=Sector.NEW_MATERIALS,
        field=FieldOfStudy.MATERIALS,
        min_degree=DegreeLevel.MASTER,
        salary_min=1,
        salary_max=2,
        deadline=date(2027, 1, 1),
        status=OpeningStatus.OPEN,
    )
    db.session.add(opening)
    db.session.flush()
    push = Push(opening_id=opening.id, envoy_id=envoy.id, token=secrets.token_hex(8))
    db.session.add(push)
    db.session.flush()
    db.session.add(
        JobInterest(
            student_id=cohort["wang"].id,
            opening_id=opening.id,
            push_id=push.id,
            source=InterestSource.REFERRAL,
        )
    )
    # envoy2's only meetings are old: idle for 30 days.
    db.session.execute(
        Interaction.__table__.update()
        .where(Interaction.author_id == envoy2.id)
        .values(occurred_on=(utcnow() - timedelta(days=45)).date())
    )
    db.session.add(
        Interaction(
            student_id=cohort["wang"].id,
            author_id=envoy.id,
            kind=InteractionKind.CALL,
            occurred_on=utcnow().date(),
        )
    )
    db.session.commit()

    html = client.get("/pipeline/envoys").get_data(as_text=True)
    first = _row(html, envoy.full_name)
    cells = re.findall(r"<td>(.*?)</td>", first, re.S)
    assert cells[2:6] == ["3", "4", "1", "1"]  # students, meetings, pushes, replies
    assert "No activity in 30 days" not in first
    second = _row(html, envoy2.full_name)
    assert 'class="inactive-envoy"' in second and "No activity in 30 days" in second
    assert re.findall(r"<td>(.*?)</td>", second, re.S)[2:6] == ["2", "2", "0", "0"]
    idle = _row(html, "Returned Envoy")
    assert "Returned to the city" in idle and "Never" in idle
    assert "Returned to the city 1" in html


def test_the_envoy_list_links_to_the_activity_page(client, coordinator):
    html = client.get("/network/envoys").get_data(as_text=True)
    assert 'href="/pipeline/envoys"' in html


def test_envoy_activity_is_paged_after_sorting_every_envoy(
    client, coordinator, factory, people, cohort, monkeypatch
):
    """The sort runs over every envoy; a page shows its part, and the page
    links keep the sort and leave out empty filters."""
    from envoycrm.pipeline import routes

    monkeypatch.setattr(routes, "ENVOYS_PER_PAGE", 1)
    # envoy has 3 students, envoy2 has 2: by students, envoy comes first.
    url = "/pipeline/envoys?sort=students&envoy=&country="
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}&page=2").get_data(as_text=True)
    assert people["envoy"].full_name in first
    assert people["envoy2"].full_name not in first
    assert people["envoy2"].full_name in second
    assert "2 envoys" in first and "Page 1 of 2" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first)[1]
    assert "sort=students" in next_link and "page=2" in next_link
    assert "quiet" not in next_link and "country" not in next_link
