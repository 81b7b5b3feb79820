"""Translated labels for every enumeration, kept in one place."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from envoycrm.models import (
    AmountKind,
    CityTie,
    ConsentMethod,
    ConsentScope,
    DataRequestKind,
    DegreeLevel,
    DigestKind,
    EmployerKind,
    EnvoyStatus,
    FieldOfStudy,
    ImportStatus,
    IntentionLevel,
    InteractionKind,
    InterestSource,
    OpeningStatus,
    OutboxStatus,
    PolicyCategory,
    PolicyStatus,
    ReplyStatus,
    Role,
    Sector,
    Stage,
    TaskKind,
)

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
    FieldOfStudy.MATERIALS: _l("Materials science"),
    FieldOfStudy.MARINE: _l("Marine science and ocean engineering"),
    FieldOfStudy.COMPUTING: _l("Computer science and software"),
    FieldOfStudy.ELECTRONICS: _l("Electronics and communications"),
    FieldOfStudy.MECHANICAL: _l("Mechanical engineering"),
    FieldOfStudy.CIVIL: _l("Civil engineering and architecture"),
    FieldOfStudy.CHEMISTRY: _l("Chemistry and chemical engineering"),
    FieldOfStudy.BIOLOGY: _l("Biology and biotechnology"),
    FieldOfStudy.MEDICINE: _l("Medicine and pharmacy"),
    FieldOfStudy.MATHEMATICS: _l("Mathematics and statistics"),
    FieldOfStudy.PHYSICS: _l("Physics"),
    FieldOfStudy.ENVIRONMENT: _l("Environmental science"),
    FieldOfStudy.ENERGY: _l("Energy and power"),
    FieldOfStudy.ECONOMICS: _l("Economics and finance"),
    FieldOfStudy.MANAGEMENT: _l("Business and management"),
    FieldOfStudy.LAW: _l("Law"),
    FieldOfStudy.EDUCATION: _l("Education"),
    FieldOfStudy.ARTS: _l("Arts and design"),
    FieldOfStudy.HUMANITIES: _l("Humanities"),
    FieldOfStudy.SOCIAL: _l("Social sciences"),
    FieldOfStudy.AGRICULTURE: _l("Agriculture and food"),
    FieldOfStudy.OTHER: _l("Other field"),
    Sector.MARINE_ECONOMY: _l("Marine economy"),
    Sector.NEW_MATERIALS: _l("New materials"),
    Sector.ADVANCED_MANUFACTURING: _l("Advanced manufacturing"),
    Sector.INFORMATION_TECHNOLOGY: _l("Information technology"),
    Sector.INTEGRATED_CIRCUITS: _l("Integrated circuits"),
    Sector.BIOMEDICINE: _l("Biomedicine"),
    Sector.NEW_ENERGY: _l("New energy"),
    Sector.FINANCE: _l("Finance"),
    Sector.EDUCATION_RESEARCH: _l("Education and research"),
    Sector.HEALTHCARE: _l("Healthcare"),
    Sector.MODERN_SERVICES: _l("Modern services"),
    Sector.CULTURE_TOURISM: _l("Culture and tourism"),
    Sector.AGRICULTURE_FOOD: _l("Agriculture and food industry"),
    Sector.PUBLIC_SECTOR: _l("Public sector"),
    Stage.CONTACTED: _l("Contacted"),
    Stage.INTERESTED: _l("Interested"),
    Stage.MATCHED: _l("Matched"),
    Stage.IN_PROCESS: _l("In process"),
    Stage.OFFER: _l("Offer"),
    Stage.RETURNED: _l("Returned"),
    Stage.CLOSED: _l("Closed"),
    IntentionLevel.NOT_RETURNING: _l("Not returning"),
    IntentionLevel.UNDECIDED: _l("Undecided"),
    IntentionLevel.CONSIDERING: _l("Considering"),
    IntentionLevel.LIKELY: _l("Likely"),
    IntentionLevel.COMMITTED: _l("Committed"),
    InteractionKind.MEETING: _l("Meeting"),
    InteractionKind.EVENT: _l("Event"),
    InteractionKind.INFO_SESSION: _l("Info session"),
    InteractionKind.CHAT: _l("Chat"),
    InteractionKind.CALL: _l("Call"),
    InteractionKind.EMAIL: _l("Email exchange"),
    InteractionKind.PUSH: _l("Opening sent"),
    ConsentScope.BUREAU: _l("Bureau only"),
    ConsentScope.EMPLOYERS: _l("Bureau and employers"),
    ConsentMethod.IN_PERSON: _l("In person"),
    ConsentMethod.FORM: _l("Signed form"),
    OpeningStatus.DRAFT: _l("Draft"),
    OpeningStatus.PENDING: _l("Waiting for approval"),
    OpeningStatus.OPEN: _l("Open"),
    OpeningStatus.CLOSED: _l("Closed opening"),
    InterestSource.REFERRAL: _l("Referral link"),
    InterestSource.ENVOY: _l("Recorded by the envoy"),
    InterestSource.COORDINATOR: _l("Recorded by a coordinator"),
    TaskKind.EMPLOYER_INTEREST: _l("Employer interested"),
    TaskKind.DATA_EXPORT: _l("Data export request"),
    TaskKind.DATA_ERASURE: _l("Erasure request"),
    TaskKind.RETENTION_REVIEW: _l("Retention review"),
    TaskKind.REFERRAL_REPLY: _l("Referral reply to confirm"),
    TaskKind.POLICY_QUESTION: _l("Question about a policy"),
    TaskKind.OTHER: _l("Other task"),
    PolicyCategory.HOUSING: _l("Housing subsidy"),
    PolicyCategory.RESEARCH_FUNDING: _l("Research funding"),
    PolicyCategory.START_UP: _l("Start-up support"),
    PolicyCategory.TALENT_APARTMENT: _l("Talent apartment"),
    PolicyCategory.SETTLEMENT: _l("Settlement (hukou)"),
    PolicyCategory.FAMILY_SCHOOLING: _l("Family and schooling"),
    PolicyCategory.OTHER: _l("Other support"),
    PolicyStatus.DRAFT: _l("Draft"),
    PolicyStatus.PUBLISHED: _l("Published"),
    PolicyStatus.EXPIRED: _l("Expired"),
    AmountKind.ONE_OFF: _l("A one-off sum"),
    AmountKind.MONTHLY: _l("A monthly sum for some months"),
    AmountKind.RANGE: _l("A range"),
    AmountKind.NONE: _l("No sum (a service or a right)"),
    CityTie.NONE: _l("No condition"),
    CityTie.WORK: _l("Works for an employer in the city"),
    CityTie.FOUND: _l("Founds a company in the city"),
    CityTie.WORK_OR_FOUND: _l("Works for an employer or founds a company in the city"),
    ReplyStatus.HELD: _l("Waiting for confirmation"),
    ReplyStatus.CONFIRMED: _l("Confirmed"),
    ReplyStatus.DISMISSED: _l("Dismissed"),
    DataRequestKind.EXPORT: _l("Copy of my data"),
    DataRequestKind.ERASURE: _l("Erase my data"),
    DigestKind.BUREAU: _l("Bureau digest"),
    DigestKind.EMPLOYER: _l("Employer digest"),
    DigestKind.ENVOY: _l("Envoy digest"),
    OutboxStatus.PENDING: _l("Pending"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.SKIPPED: _l("Skipped"),
    ImportStatus.UPLOADED: _l("Uploaded"),
    ImportStatus.PREVIEWED: _l("Previewed"),
    ImportStatus.CONFIRMED: _l("Imported"),
    ImportStatus.FAILED: _l("Import failed"),
}


def label(member) -> str:
    """The translated label of an enum member ('' for None)."""
    if member is None:
        return ""
    return str(LABELS.get(member, member.value))


def choices(enum_cls, exclude: tuple = ()) -> list[SelectChoice]:
    """Form choices for an enum: stored name → translated label."""
    return [
        SelectChoice(member.name, str(LABELS.get(member, member.value)))
        for member in enum_cls
        if member not in exclude
    ]


def sector_label(name: str) -> str:
    """The label of a sector stored by name in a JSON list."""
    member = Sector.__members__.get(name)
    return label(member) if member else name


def field_label(name: str) -> str:
    """The label of a field of study stored by name in a JSON list."""
    member = FieldOfStudy.__members__.get(name)
    return label(member) if member else name
