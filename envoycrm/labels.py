"""Translated labels for every enumeration, kept in one place."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from envoycrm.models import DegreeLevel, EmployerKind, EnvoyStatus, Role

LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ENVOY: _l("Envoy"),
    Role.EMPLOYER: _l("Employer"),
    EnvoyStatus.ACTIVE: _l("Active"),
    EnvoyStatus.PAUSED: _l("Paused"),
    EnvoyStatus.GRADUATED: _l("Graduated"),
    EnvoyStatus.RETURNED: _l("Returned to the city"),
    DegreeLevel.BACHELOR: _l("Bachelor"),
    DegreeLevel.MASTER: _l("Master"),
    DegreeLevel.PHD: _l("PhD"),
    DegreeLevel.POSTDOC: _l("Postdoc"),
    EmployerKind.PRIVATE: _l("Private enterprise"),
    EmployerKind.INSTITUTE: _l("University or institute"),
    EmployerKind.SOE: _l("State-owned enterprise"),
    EmployerKind.OTHER: _l("Other"),
}


def label(member) -> str:
    """The translated label of an enum member ('' for None)."""
    if member is None:
        return ""
    return str(LABELS.get(member, member.value))


def choices(enum_cls) -> list[SelectChoice]:
    """Form choices for an enum: stored name → translated label."""
    return [
        SelectChoice(member.name, str(LABELS.get(member, member.value)))
        for member in enum_cls
    ]
