"""The demo's fair and study tours: the programme's numbers, deterministic."""

from sqlalchemy import func, select

from envoycrm.demo.fair import FAIR_TITLE, load_fair_and_tours
from envoycrm.extensions import db
from envoycrm.models import (
    BoothMeeting,
    BoothStaff,
    Employer,
    EmployerKind,
    Event,
    EventInvitation,
    EventKind,
    EventRegistration,
    FairEmployerRegistration,
    FairRegistrationStatus,
    FairWish,
    Intention,
    RegistrationStatus,
    TourStatus,
)


def _fingerprint() -> list:
    registrations = db.session.execute(
        select(
            EventRegistration.id,
            EventRegistration.event_id,
            EventRegistration.student_id,
            EventRegistration.email,
            EventRegistration.status,
            EventRegistration.tour_status,
            EventRegistration.credited_envoy_id,
            EventRegistration.token,
        ).order_by(EventRegistration.id)
    ).all()
    meetings = db.session.execute(
        select(
            BoothMeeting.registration_id,
            BoothMeeting.fair_registration_id,
            BoothMeeting.opening_id,
            BoothMeeting.interest,
        ).order_by(BoothMeeting.id)
    ).all()
    return [registrations, meetings]


class _Report:
    def count(self, kind: str, n: int = 1) -> None:
        pass


def test_demo_fair_and_tours_are_true_to_the_programme_and_deterministic(demo):
    result = demo.first_load
    assert result.exit_code == 0, result.output
    fair = db.session.scalar(select(Event).where(Event.title_en == FAIR_TITLE))
    assert fair.kind is EventKind.TALENT_FAIR

    kinds = dict(
        db.session.execute(
            select(Employer.kind, func.count())
            .join(FairEmployerRegistration)
            .where(
                FairEmployerRegistration.event_id == fair.id,
                FairEmployerRegistration.status == FairRegistrationStatus.APPROVED,
            )
            .group_by(Employer.kind)
        ).all()
    )
    assert kinds[EmployerKind.PRIVATE] == 129
    assert kinds[EmployerKind.INSTITUTE] == 34
    assert kinds[EmployerKind.SOE] == 27
    assert 200 <= sum(kinds.values()) <= 210
    assert db.session.scalar(select(func.count(BoothStaff.id))) >= 205

    statuses = dict(
        db.session.execute(
            select(EventRegistration.status, func.count())
            .where(EventRegistration.event_id == fair.id)
            .group_by(EventRegistration.status)
        ).all()
    )
    assert 2_900 <= sum(statuses.values()) <= 3_100
    assert 1_700 <= statuses[RegistrationStatus.ATTENDED] <= 1_900
    assert db.session.scalar(select(func.count(FairWish.id))) > 1_000
    assert db.session.scalar(select(func.count(BoothMeeting.id))) > 1_000
    assert db.session.scalar(select(func.count(EventInvitation.id))) > 2_000

    tours = db.session.scalars(
        select(Event).where(Event.kind == EventKind.STUDY_TOUR).order_by(Event.id)
    ).all()
    assert len(tours) == 2
    selected = db.session.execute(
        select(EventRegistration.student_id).where(
            EventRegistration.event_id == tours[0].id,
            EventRegistration.tour_status.in_(
                (TourStatus.SELECTED, TourStatus.ATTENDED)
            ),
        )
    ).scalars()
    selected = list(selected)
    assert selected
    # A selected founder's start-up interest is in their intention history.
    founders = db.session.scalar(
        select(func.count(func.distinct(Intention.student_id))).where(
            Intention.student_id.in_(selected), Intention.startup_interest.is_(True)
        )
    )
    assert founders == len(selected)

    before = _fingerprint()
    load_fair_and_tours(_Report())  # a second run adds nothing
    assert _fingerprint() == before
