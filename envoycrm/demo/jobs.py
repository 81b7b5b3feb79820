"""Demo openings, pushes, views and referral replies.

About 500 openings per unit of scale from the demo employers, paid as the
programme reports (master 110,000–250,000, PhD 150,000–500,000 and a few
senior R&D posts up to 600,000 CNY a year), mostly open with deadlines around
the demo's reference day; envoys' pushes with views, and replies linking
existing demo students. Deterministic (fixed seeds, fixed "today"),
idempotent (nothing is added when openings exist) and written with Core
inserts in chunks.
"""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, insert, select

from envoycrm.demo.students import TODAY
from envoycrm.extensions import db
from envoycrm.i18n import bureau_today
from envoycrm.jobs.services import close_expired_openings
from envoycrm.models import (
    DegreeLevel,
    Employer,
    EnvoyProfile,
    EnvoyStatus,
    FieldOfStudy,
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    Push,
    Role,
    Sector,
    Student,
    User,
)
from envoycrm.models.base import table_of

SEED = 20261124
OPENINGS_PER_SCALE = 500
PUSHES_PER_SCALE = 400
CHUNK = 1_000
FIXED_EMPLOYER = "Qingdao Blue Ocean New Materials Co., Ltd."
FIXED_ENVOY = "envoy@example.com"

F, S = FieldOfStudy, Sector
# Field → (English noun, Chinese noun, sectors it usually hires for).
FIELDS = {
    F.MATERIALS: ("Materials", "材料", (S.NEW_MATERIALS, S.MARINE_ECONOMY)),
    F.MARINE: ("Marine Science", "海洋科学", (S.MARINE_ECONOMY, S.EDUCATION_RESEARCH)),
    F.COMPUTING: ("Software", "软件", (S.INFORMATION_TECHNOLOGY, S.FINANCE)),
    F.ELECTRONICS: ("Chip Design", "芯片设计", (S.INTEGRATED_CIRCUITS,)),
    F.MECHANICAL: (
        "Mechanical",
        "机械",
        (S.ADVANCED_MANUFACTURING, S.MARINE_ECONOMY),
    ),
    F.CHEMISTRY: ("Chemical", "化工", (S.NEW_MATERIALS, S.BIOMEDICINE)),
    F.BIOLOGY: ("Bioengineering", "生物工程", (S.BIOMEDICINE, S.AGRICULTURE_FOOD)),
    F.MEDICINE: ("Clinical Research", "临床研究", (S.HEALTHCARE, S.BIOMEDICINE)),
    F.ENERGY: ("Energy Systems", "能源系统", (S.NEW_ENERGY,)),
    F.ECONOMICS: ("Finance", "金融", (S.FINANCE, S.MODERN_SERVICES)),
    F.MANAGEMENT: ("Operations", "运营", (S.MODERN_SERVICES, S.CULTURE_TOURISM)),
    F.ENVIRONMENT: ("Environmental", "环境", (S.MARINE_ECONOMY, S.PUBLIC_SECTOR)),
    F.MATHEMATICS: ("Data Science", "数据科学", (S.INFORMATION_TECHNOLOGY, S.FINANCE)),
    F.CIVIL: ("Civil Engineering", "土木工程", (S.PUBLIC_SECTOR,)),
    F.PHYSICS: ("Photonics", "光电", (S.INTEGRATED_CIRCUITS, S.EDUCATION_RESEARCH)),
}
FIELD_WEIGHTS = [12, 10, 14, 9, 8, 7, 6, 5, 6, 6, 5, 4, 5, 2, 1]
ROLES = (
    ("{} R&D Engineer", "{}研发工程师"),
    ("{} Researcher", "{}研究员"),
    ("Senior {} Specialist", "高级{}专员"),
    ("{} Project Manager", "{}项目经理"),
    ("{} Analyst", "{}分析师"),
    ("Postdoctoral Fellow in {}", "{}博士后"),
)
LOCATIONS = (
    ("Qingdao, Laoshan", "崂山区"),
    ("Qingdao, West Coast New Area", "西海岸新区"),
    ("Qingdao, Shinan", "市南区"),
    ("Qingdao, Licang", "李沧区"),
    ("Qingdao, Chengyang", "城阳区"),
)
_NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def load_jobs(report, scale: int = 1) -> None:
    """Add the demo openings, pushes and replies, unless openings exist; commits."""
    if db.session.scalar(select(JobOpening.id).limit(1)) is not None:
        return
    employers = db.session.execute(
        select(Employer.id, Employer.name_en, Employer.name_zh).order_by(Employer.id)
    ).all()
    if not employers:
        return
    staff_id = db.session.scalar(
        select(User.id).where(User.role == Role.COORDINATOR).order_by(User.id)
    )
    rng = random.Random(SEED)
    rows = [
        _opening(rng, index, employers, staff_id)
        for index in range(OPENINGS_PER_SCALE * scale)
    ]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table_of(JobOpening)), rows[start : start + CHUNK])
    report.count("job openings", len(rows))
    db.session.flush()
    _load_pushes(report, scale, random.Random(SEED + 1))
    # The demo's deadlines are fixed dates: those already past are closed now,
    # as the nightly job would have done, so the stored status is true too.
    closed = close_expired_openings(bureau_today())
    if closed:
        report.count("job openings closed as expired", closed)
    db.session.commit()


def _opening(rng: random.Random, index: int, employers, staff_id) -> dict:
    fixed = index < 8  # the fixed employer's open materials posts come first
    employer = employers[0] if fixed else rng.choice(employers)
    if fixed:
        employer = next((e for e in employers if e.name_en == FIXED_EMPLOYER), employer)
        field = F.MATERIALS
        sector = S.NEW_MATERIALS
    else:
        field = rng.choices(list(FIELDS), weights=FIELD_WEIGHTS)[0]
        sector = rng.choice(FIELDS[field][2])
    noun_en, noun_zh, _sectors = FIELDS[field]
    role_en, role_zh = rng.choice(ROLES)
    degree = rng.choices(
        [DegreeLevel.MASTER, DegreeLevel.PHD, DegreeLevel.BACHELOR], [55, 35, 10]
    )[0]
    if role_en.startswith("Postdoctoral"):
        degree = DegreeLevel.PHD
    low, high = _salary(rng, degree)
    status = (
        OpeningStatus.OPEN
        if fixed
        else rng.choices(list(OpeningStatus), weights=[5, 10, 75, 10])[0]
    )
    if status is OpeningStatus.CLOSED:
        deadline = TODAY - timedelta(days=rng.randrange(1, 120))
    else:
        deadline = TODAY + timedelta(days=rng.randrange(7, 150))
    created = _NOON - timedelta(days=rng.randrange(5, 200))
    location_en, location_zh = rng.choice(LOCATIONS)
    approved = status in (OpeningStatus.OPEN, OpeningStatus.CLOSED)
    return {
        "employer_id": employer.id,
        "title_en": role_en.format(noun_en),
        "title_zh": role_zh.format(noun_zh),
        "description_en": (
            f"{employer.name_en} is hiring in Qingdao ({location_en}). "
            f"You will work on {noun_en.lower()} projects with an experienced "
            "team; housing subsidy and research funding under the city's "
            "talent policy."
        ),
        "description_zh": (
            f"{employer.name_zh}在青岛{location_zh}招聘。加入经验丰富的团队从事"
            f"{noun_zh}相关项目，可享受城市人才政策的住房补贴和科研经费。"
        ),
        "sector": sector,
        "field": field,
        "min_degree": degree,
        "salary_min": low,
        "salary_max": high,
        "headcount": rng.choice([1, 1, 2, 2, 3, 5, 10]),
        "location": location_en,
        "location_zh": f"青岛市{location_zh}",
        "deadline": deadline,
        "status": status,
        "created_by_id": staff_id,
        "approved_by_id": staff_id if approved else None,
        "approved_at": created + timedelta(days=2) if approved else None,
        "closed_at": (
            datetime.combine(deadline + timedelta(days=1), datetime.min.time(), UTC)
            if status is OpeningStatus.CLOSED
            else None
        ),
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }


def _salary(rng: random.Random, degree: DegreeLevel) -> tuple[int, int]:
    """A yearly band in CNY, true to the programme's published ranges."""
    if degree is DegreeLevel.PHD:
        if rng.random() < 0.03:  # senior R&D experts
            return 400_000, 600_000
        low = rng.randrange(150_000, 400_001, 10_000)
        return low, min(500_000, low + rng.randrange(50_000, 150_001, 10_000))
    if degree is DegreeLevel.MASTER:
        low = rng.randrange(110_000, 200_001, 10_000)
        return low, min(250_000, low + rng.randrange(30_000, 80_001, 10_000))
    low = rng.randrange(80_000, 120_001, 10_000)
    return low, low + rng.randrange(20_000, 50_001, 10_000)


def active_envoy_ids() -> list[int]:
    """The ids of the active envoys, in order: who pushes in the demo."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
            .where(User.role == Role.ENVOY, EnvoyProfile.status == EnvoyStatus.ACTIVE)
            .order_by(User.id)
        )
    )


def _load_pushes(report, scale: int, rng: random.Random) -> None:
    envoys = active_envoy_ids()
    fixed = db.session.scalar(select(User.id).where(User.email == FIXED_ENVOY))
    openings = db.session.execute(
        select(JobOpening.id, JobOpening.field, JobOpening.created_at)
        .where(JobOpening.status == OpeningStatus.OPEN)
        .order_by(JobOpening.id)
    ).all()
    if not envoys or not openings:
        return
    plan: list[tuple[int, Row[int, FieldOfStudy, datetime]]] = []
    if fixed is not None:
        plan += [(fixed, o) for o in openings[:8]]
    wanted = PUSHES_PER_SCALE * scale
    seen = {(envoy, o.id) for envoy, o in plan}
    while len(plan) < wanted:
        pair = (rng.choice(envoys), rng.choice(openings))
        if (pair[0], pair[1].id) not in seen:
            seen.add((pair[0], pair[1].id))
            plan.append(pair)
    pushes = []
    for envoy_id, opening in plan:
        pushes.append(
            {
                "opening_id": opening.id,
                "envoy_id": envoy_id,
                "token": f"{rng.getrandbits(128):032x}",
                "views": rng.randrange(3, 150),
                "created_at": opening.created_at + timedelta(days=rng.randrange(3, 5)),
            }
        )
    # The database gives the ids (PostgreSQL's sequence then stays ahead of
    # them, so an envoy's next push gets a free one); the replies need them.
    table = table_of(Push)
    ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), pushes
    ).all()
    for push, push_id in zip(pushes, ids, strict=True):
        push["id"] = push_id
    report.count("pushes", len(pushes))
    _load_replies(report, pushes, plan, rng)


def _load_replies(report, pushes, plan, rng: random.Random) -> None:
    """Credit a few of each envoy's own students to their pushes."""
    envoy_ids = sorted({push["envoy_id"] for push in pushes})
    by_owner: dict[tuple[int, object], list[int]] = {}
    rows = db.session.execute(
        select(Student.id, Student.owner_id, Student.field)
        .where(Student.owner_id.in_(envoy_ids), Student.consent_scope.is_not(None))
        .order_by(Student.id)
    )
    for row in rows:
        by_owner.setdefault((row.owner_id, row.field), []).append(row.id)
    interests, taken = [], set()
    for push, (_envoy, opening) in zip(pushes, plan, strict=True):
        pool = by_owner.get((push["envoy_id"], opening.field), [])
        for student_id in rng.sample(pool, min(len(pool), rng.randrange(0, 4))):
            if (student_id, opening.id) in taken:
                continue
            taken.add((student_id, opening.id))
            interests.append(
                {
                    "student_id": student_id,
                    "opening_id": opening.id,
                    "push_id": push["id"],
                    "source": InterestSource.REFERRAL,
                    "created_at": push["created_at"]
                    + timedelta(days=rng.randrange(0, 20)),
                }
            )
    for start in range(0, len(interests), CHUNK):
        db.session.execute(
            insert(table_of(JobInterest)), interests[start : start + CHUNK]
        )
    report.count("referral replies", len(interests))
