"""Before the fair, registered students mark the employers they want to meet.

A registrant does it through their own signed link (the one in their mail
that also cancels), so the set of wishes belongs to the registration; only
approved employers of the same fair can be wished for.
"""

from datetime import datetime

from sqlalchemy import delete, select

from envoycrm.extensions import db
from envoycrm.models import (
    EventKind,
    EventRegistration,
    FairEmployerRegistration,
    FairRegistrationStatus,
    FairWish,
    RegistrationStatus,
)


def may_wish(registrant: EventRegistration, now: datetime) -> bool:
    """Wishes are made before the fair, by a registrant who has not cancelled."""
    return (
        registrant.event.kind is EventKind.TALENT_FAIR
        and registrant.event.starts_at > now
        and registrant.status is not RegistrationStatus.CANCELLED
    )


def wished_ids(registrant: EventRegistration) -> set[int]:
    """The fair registrations (employers) the registrant wants to meet."""
    return set(
        db.session.scalars(
            select(FairWish.fair_registration_id).where(
                FairWish.registration_id == registrant.id
            )
        )
    )


def set_wishes(registrant: EventRegistration, fair_registration_ids) -> None:
    """Make the registrant's wishes exactly ``fair_registration_ids``.

    Only approved employers of the same fair count; sending the same set
    again changes nothing.
    """
    allowed = set(
        db.session.scalars(
            select(FairEmployerRegistration.id).where(
                FairEmployerRegistration.event_id == registrant.event_id,
                FairEmployerRegistration.status == FairRegistrationStatus.APPROVED,
                FairEmployerRegistration.id.in_(list(fair_registration_ids)),
            )
        )
    )
    current = wished_ids(registrant)
    if current - allowed:
        db.session.execute(
            delete(FairWish).where(
                FairWish.registration_id == registrant.id,
                FairWish.fair_registration_id.in_(list(current - allowed)),
            )
        )
    for fair_registration_id in sorted(allowed - current):
        db.session.add(
            FairWish(
                registration_id=registrant.id,
                fair_registration_id=fair_registration_id,
            )
        )
    db.session.flush()
