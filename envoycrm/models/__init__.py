"""The data model, one module per aggregate."""

from envoycrm.models.audit import AuditEvent
from envoycrm.models.base import utcnow
from envoycrm.models.geo import Country, University
from envoycrm.models.organisations import Employer, EmployerKind
from envoycrm.models.students import (
    OPEN_STAGES,
    Consent,
    ConsentMethod,
    ConsentScope,
    FieldOfStudy,
    IdempotencyKey,
    Intention,
    IntentionLevel,
    Interaction,
    InteractionKind,
    Sector,
    Stage,
    StageChange,
    Student,
    StudentTag,
)
from envoycrm.models.users import (
    DegreeLevel,
    EnvoyProfile,
    EnvoyStatus,
    LoginFailure,
    Role,
    User,
)

__all__ = [
    "OPEN_STAGES",
    "Consent",
    "ConsentMethod",
    "ConsentScope",
    "FieldOfStudy",
    "IdempotencyKey",
    "Intention",
    "IntentionLevel",
    "Interaction",
    "InteractionKind",
    "Sector",
    "Stage",
    "StageChange",
    "Student",
    "StudentTag",
    "AuditEvent",
    "Country",
    "DegreeLevel",
    "Employer",
    "EmployerKind",
    "EnvoyProfile",
    "EnvoyStatus",
    "LoginFailure",
    "Role",
    "University",
    "User",
    "utcnow",
]
