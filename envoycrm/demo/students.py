"""Demo students: 20,000 contacts and 100,000 touchpoints per unit of scale.

Students are spread over the demo envoys (the two fixed envoy sign-ins own a
realistic ~150 each at scale 1), with their consent, pipeline history,
intentions, interactions and tags. Everything is derived from fixed seeds and
a fixed reference "today", so two loads of the same scale are identical.

Rows are generated in chunks and written with Core ``INSERT``s (executemany),
primary keys assigned here, so scale 10 loads in minutes in bounded memory.
Students are loaded only into an empty ``students`` table.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from envoycrm.demo import reference
from envoycrm.demo import student_tables as tables
from envoycrm.extensions import db
from envoycrm.models import (
    OPEN_STAGES,
    Consent,
    ConsentMethod,
    ConsentScope,
    DegreeLevel,
    EnvoyProfile,
    EnvoyStatus,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    Interaction,
    InteractionKind,
    Role,
    Sector,
    Stage,
    StageChange,
    Student,
    StudentSearchToken,
    StudentTag,
    University,
    User,
)
from envoycrm.models.base import table_of
from envoycrm.students.names import name_key
from envoycrm.students.search import SEARCHED, token_rows

SEED = 20261123
TODAY = date(2026, 11, 23)
# The reference "now": every generated time lies at or before it.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FIRST_DAY = date(2024, 1, 1)
STUDENTS_PER_SCALE = 20_000
INTERACTIONS_PER_SCALE = 100_000
CHUNK = 2_000
NOTICE_VERSION = "2026-01"
# Students owned by the fixed envoy sign-ins, per unit of scale.
FIXED_OWNERSHIP = {"envoy@example.com": 168, "envoy2@example.com": 152}
TAGS = (
    "fair-2026",
    "phd-track",
    "policy-express",
    "study-tour",
    "archive-service",
    "startup",
)

_NOW_TS = int(NOW.timestamp())
_DAY = 86_400
_EARLIEST_RETURN = int(datetime(2025, 7, 1, tzinfo=UTC).timestamp())
_GRADUATION_FLOOR = date(2025, 6, 30)
_GRADUATION_CEILING = date(2029, 12, 31)
_MONTH_END = {6: 30, 7: 31, 9: 30, 12: 31}

D = DegreeLevel
# Usual age on finishing each degree abroad.
_GRADUATION_AGE = {D.BACHELOR: 22, D.MASTER: 24, D.PHD: 29, D.POSTDOC: 33}
S = Stage
IL = IntentionLevel
SE = Sector
K = InteractionKind


@lru_cache(maxsize=200_000)
def _name_key(latin: str | None, hanzi: str | None) -> str:
    return name_key(latin, hanzi)


# --- months and times ------------------------------------------------------------


def _months() -> list[date]:
    months, day = [], FIRST_DAY
    while day <= TODAY:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


_MONTHS = _months()


def _month_weight(index: int, month: date) -> float:
    """More students as the network grows; autumn fairs and spring galas peak."""
    season = {9: 1.5, 10: 1.6, 11: 1.4, 3: 1.2, 4: 1.2, 2: 1.1, 7: 0.6, 8: 0.6}
    weight = (1 + 1.6 * index / len(_MONTHS)) * season.get(month.month, 1.0)
    if month.year == TODAY.year and month.month == TODAY.month:
        weight *= (TODAY.day - 1) / 30
    return weight


_MONTH_WEIGHTS = [_month_weight(i, m) for i, m in enumerate(_MONTHS)]


def _ts(seconds: int) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def _day(seconds: int) -> date:
    """The UTC date of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC).date()


@dataclass
class _Envoy:
    """What the generator needs to know about one envoy."""

    id: int
    email: str
    university_id: int | None
    country: str | None
    recruited_on: date
    zone: ZoneInfo
    english: bool
    status: EnvoyStatus
    field: FieldOfStudy | None

    def local_ts(self, day: int, seconds: int) -> int:
        """Epoch seconds of ``seconds`` after local midnight of ordinal ``day``."""
        d = date.fromordinal(day)
        local = datetime(d.year, d.month, d.day, tzinfo=self.zone)
        return int((local + timedelta(seconds=seconds)).timestamp())

    def local_day(self, seconds: int) -> date:
        """The envoy's calendar day at epoch ``seconds``."""
        return datetime.fromtimestamp(seconds, self.zone).date()


# --- the loader ------------------------------------------------------------------


def load_students(report, scale: int = 1) -> None:
    """Add the demo students, unless the students table already has rows.

    Commits chunk by chunk, so a large demo set never sits in one transaction.
    """
    if db.session.scalar(select(Student.id).limit(1)) is not None:
        return
    envoys = _envoys()
    universities = _universities_by_country()
    if not envoys or not universities:
        return
    coordinators = list(
        db.session.scalars(
            select(User.id).where(User.role == Role.COORDINATOR).order_by(User.id)
        )
    )
    total = STUDENTS_PER_SCALE * scale
    plan = _plan(envoys, total, scale, random.Random(SEED))
    _fit_counts(plan, INTERACTIONS_PER_SCALE * scale, random.Random(SEED + 2))
    generator = _Generator(envoys, universities, coordinators, random.Random(SEED + 1))
    for start in range(0, total, CHUNK):
        rows = generator.chunk(plan, start, min(start + CHUNK, total))
        for table, kind in _TABLES:
            if rows[table.name]:
                db.session.execute(insert(table), rows[table.name])
                report.count(kind, len(rows[table.name]))
        # Core inserts bypass the ORM events that keep search tokens.
        tokens = [
            token
            for student in rows["students"]
            for token in token_rows(
                student["id"], **{name: student.get(name) for name in SEARCHED}
            )
        ]
        db.session.execute(insert(StudentSearchToken), tokens)
        _reset_sequences()
        db.session.commit()


_TABLES = (
    (table_of(Student), "students"),
    (table_of(Consent), "consents"),
    (table_of(StageChange), "stage changes"),
    (table_of(Intention), "intentions"),
    (table_of(Interaction), "interactions"),
    (table_of(StudentTag), "student tags"),
)


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids we assigned ourselves."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table, _kind in _TABLES:
        name = table.name  # one of ours, never user input
        sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"  # noqa: E501, S608
        db.session.execute(text(sql))


def _envoys() -> list[_Envoy]:
    rows = db.session.execute(
        select(
            User.id,
            User.email,
            User.locale,
            User.timezone,
            EnvoyProfile.university_id,
            University.country_code,
            EnvoyProfile.recruited_on,
            EnvoyProfile.status,
            EnvoyProfile.programme,
        )
        .select_from(User)
        .outerjoin(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .outerjoin(University, University.id == EnvoyProfile.university_id)
        .where(User.role == Role.ENVOY)
        .order_by(User.id)
    ).all()
    envoys = []
    for row in rows:
        try:
            zone = ZoneInfo(row.timezone or "Asia/Shanghai")
        except (KeyError, ValueError):
            zone = ZoneInfo("Asia/Shanghai")
        envoys.append(
            _Envoy(
                id=row.id,
                email=row.email,
                university_id=row.university_id,
                country=row.country_code,
                recruited_on=max(row.recruited_on or FIRST_DAY, FIRST_DAY),
                zone=zone,
                english=row.locale == "en",
                status=row.status or EnvoyStatus.ACTIVE,
                field=tables.PROGRAMME_FIELDS.get(row.programme or ""),
            )
        )
    return envoys


def _universities_by_country() -> dict[str | None, list[int]]:
    by_country: dict[str | None, list[int]] = {}
    for uid, country in db.session.execute(
        select(University.id, University.country_code).order_by(University.id)
    ):
        by_country.setdefault(country, []).append(uid)
        by_country.setdefault(None, []).append(uid)
    return by_country


def _quotas(envoys: list[_Envoy], total: int, scale: int, rng: random.Random):
    """How many students each envoy owns; fixed sign-ins get fixed numbers."""
    fixed = {
        i: FIXED_OWNERSHIP[e.email] * scale
        for i, e in enumerate(envoys)
        if e.email in FIXED_OWNERSHIP
    }
    rest = total - sum(fixed.values())
    weights = []
    for envoy in envoys:
        active_months = sum(
            1 for m in _MONTHS if m >= envoy.recruited_on.replace(day=1)
        )
        weights.append(
            rng.uniform(0.55, 1.45)
            * tables.STATUS_WEIGHT.get(envoy.status, 1.0)
            * max(active_months, 1)
        )
    free = [i for i in range(len(envoys)) if i not in fixed]
    if not free:
        return [fixed.get(i, 0) for i in range(len(envoys))]
    weight_sum = sum(weights[i] for i in free)
    exact = {i: rest * weights[i] / weight_sum for i in free}
    quotas = {i: int(exact[i]) for i in free}
    short = rest - sum(quotas.values())
    for i in sorted(free, key=lambda i: quotas[i] - exact[i])[:short]:
        quotas[i] += 1
    quotas.update(fixed)
    return [quotas[i] for i in range(len(envoys))]


@dataclass
class _Plan:
    """Per student, in creation order: time and owner, stage, interaction count.

    ``packed`` holds ``epoch_seconds * 65536 + envoy_index``; the other two are
    compact arrays so even scale 20 stays small in memory.
    """

    packed: list[int]
    stages: bytearray
    counts: bytearray
    caps: bytearray


_STAGE_LIST = list(Stage)


def _plan(envoys: list[_Envoy], total: int, scale: int, rng: random.Random) -> _Plan:
    """Every student's creation time and owner, sorted by time, and stage."""
    quotas = _quotas(envoys, total, scale, rng)
    first_ordinal = FIRST_DAY.toordinal()
    last_ordinal = TODAY.toordinal() - 1  # logged yesterday at the latest
    plan = []
    for index, (envoy, quota) in enumerate(zip(envoys, quotas, strict=True)):
        start = envoy.recruited_on.replace(day=1)
        first_month = next(
            (i for i, m in enumerate(_MONTHS) if m >= start), len(_MONTHS) - 1
        )
        months = tables.Pick(
            [(i, _MONTH_WEIGHTS[i]) for i in range(first_month, len(_MONTHS))]
        )
        floor = max(envoy.recruited_on.toordinal(), first_ordinal)
        for _ in range(quota):
            month = _MONTHS[months(rng)]
            first = month.toordinal()
            day = first + rng.randrange(28 if month.month == 2 else 30)
            if day < floor:
                day = rng.randint(floor, max(floor, first + 29))
            day = min(day, last_ordinal)
            ts = envoy.local_ts(day, rng.randrange(9 * 3600, 22 * 3600))
            plan.append(min(ts, _NOW_TS - _DAY) * 65536 + index)
    plan.sort()
    stages, counts, caps = bytearray(total), bytearray(total), bytearray(total)
    for i, packed in enumerate(plan):
        age_days = (_NOW_TS - packed // 65536) / _DAY
        stage = tables.STAGES(rng)
        if stage is S.CLOSED:
            stage = stage if age_days >= 14 else S.CONTACTED
        else:
            stage = _capped(stage, age_days)
        cap = 10 if age_days > 21 else 2 + int(age_days // 4)
        n = round(rng.gauss(tables.INTERACTION_MEAN[stage], 1.9))
        stages[i] = _STAGE_LIST.index(stage)
        counts[i] = min(max(n, 1), cap)
        caps[i] = cap
    return _Plan(plan, stages, counts, caps)


def _fit_counts(plan: _Plan, target: int, rng: random.Random) -> None:
    """Nudge interaction counts (each 1..cap) so they add up to ``target``."""
    counts, caps = plan.counts, plan.caps
    total = sum(counts)
    size = len(counts)
    if not sum(caps) >= target >= size:
        raise ValueError(f"cannot spread {target} interactions over {size} students")
    while total != target:
        i = rng.randrange(size)
        if total < target and counts[i] < caps[i]:
            counts[i] += 1
            total += 1
        elif total > target and counts[i] > 1:
            counts[i] -= 1
            total -= 1


class _Generator:
    """Makes the rows of one chunk of students at a time."""

    def __init__(self, envoys, universities, coordinators, rng: random.Random):
        self.envoys = envoys
        self.universities = universities
        self.coordinators = coordinators
        self.rng = rng
        # Its own stream, so that adding years of birth left every other
        # value of the demo data as it was.
        self.births = random.Random(SEED + 5)
        self.next_id = {
            table.name: (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            for table, _kind in _TABLES
        }

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # --- one chunk -----------------------------------------------------------

    def chunk(self, plan: _Plan, start: int, end: int) -> dict[str, list[dict]]:
        """The rows of students ``start`` to ``end`` (exclusive) of the plan."""
        rows: dict[str, list[dict]] = {table.name: [] for table, _kind in _TABLES}
        for i in range(start, end):
            person = self._person(
                plan.packed[i], _STAGE_LIST[plan.stages[i]], plan.counts[i]
            )
            self._rows(person, rows)
        return rows

    # --- one student, first pass: who, and how far they got -------------------

    def _person(self, packed: int, stage: Stage, n: int) -> dict:
        rng = self.rng
        created_ts, index = divmod(packed, 65536)
        envoy = self.envoys[index]
        field = envoy.field if envoy.field and rng.random() < 0.3 else None
        field = field or tables.FIELD_WEIGHTS(rng)
        degree = tables.DEGREES(rng)
        if stage is S.RETURNED and degree is D.BACHELOR:
            degree = D.MASTER
        pre_close = None
        if stage is S.CLOSED:
            pre_close = _capped(tables.CLOSED_FROM(rng), (_NOW_TS - created_ts) / _DAY)
        return {
            "id": self._id("students"),
            "envoy": envoy,
            "created": created_ts,
            "field": field,
            "degree": degree,
            "stage": stage,
            "moves": self._moves(stage, pre_close, created_ts),
            "n": n,
        }

    def _moves(self, stage: Stage, pre_close: Stage | None, created: int):
        """The (from, to, time) moves after CONTACTED, fitted before "now"."""
        rng = self.rng
        last = pre_close if stage is S.CLOSED and pre_close else stage
        path = tables.PIPELINE[: tables.PIPELINE.index(last) + 1]
        if stage is S.CLOSED:
            path.append(S.CLOSED)
        steps = list(zip(path, path[1:], strict=False))
        if not steps:
            return []
        gaps = [rng.uniform(5, 60) * _DAY for _ in steps]
        if stage is S.RETURNED:
            gaps[-1] = rng.uniform(40, 220) * _DAY
        available = _NOW_TS - created - 3600
        if sum(gaps) > available:
            factor = available / sum(gaps) * rng.uniform(0.6, 0.97)
            gaps = [g * factor for g in gaps]
        moves, at = [], created
        for (old, new), gap in zip(steps, gaps, strict=True):
            at += max(int(gap), 60)
            moves.append((old, new, at))
        if stage is S.RETURNED and at < _EARLIEST_RETURN:
            # Returning means having graduated: not before summer 2025.
            at = rng.randrange(_EARLIEST_RETURN, _NOW_TS - _DAY)
            moves[-1] = (moves[-1][0], S.RETURNED, max(at, moves[-2][2] + 60))
        return moves

    # --- one student, second pass: the rows -------------------------------------

    def _rows(self, p: dict, rows: dict[str, list[dict]]) -> None:
        rng = self.rng
        envoy: _Envoy = p["envoy"]
        sid, created, stage = p["id"], p["created"], p["stage"]
        field, degree = p["field"], p["degree"]
        created_at = _ts(created)
        stage_ts = p["moves"][-1][2] if p["moves"] else created

        # Stage history: None -> CONTACTED at creation, then every move.
        rows["stage_changes"].append(
            self._stage_change(sid, None, S.CONTACTED, created, envoy.id, None)
        )
        closed_reason = None
        for old, new, at in p["moves"]:
            reason = None
            if new is S.CLOSED:
                closed_reason = reason = rng.choice(tables.CLOSED_REASONS)
            by = envoy.id
            if new in (S.MATCHED, S.IN_PROCESS, S.OFFER, S.RETURNED):
                if self.coordinators and rng.random() < 0.5:
                    by = rng.choice(self.coordinators)
            rows["stage_changes"].append(
                self._stage_change(sid, old, new, at, by, reason)
            )

        # Interactions: the first meeting at creation, then until now (or closing).
        how_met, first_kind = tables.HOW_MET(rng)
        end = stage_ts if stage is S.CLOSED else _NOW_TS
        times = self._interaction_times(envoy, created, end, p["n"])
        topic = rng.choice(tables.TOPICS.get(field, tables.GENERIC_TOPICS))
        sectors = tables.SECTORS_BY_FIELD[field]
        logged = 0
        for i, at in enumerate(times):
            kind = first_kind if i == 0 else tables.KINDS(rng)
            logged = at if i == 0 else min(at + rng.randrange(300, 2 * _DAY), _NOW_TS)
            rows["interactions"].append(
                {
                    "id": self._id("interactions"),
                    "student_id": sid,
                    "author_id": envoy.id,
                    "kind": kind,
                    "occurred_on": envoy.local_day(at),
                    "notes": self._note(kind, envoy, topic, rng.choice(sectors)),
                    "created_at": _ts(logged),
                }
            )
        last_activity = times[-1]
        last_logged = logged

        # Intentions: recorded during some of those touchpoints; the latest counts.
        level = None
        startup = False
        graduation = self._graduation(degree, created, stage, stage_ts)
        if rng.random() < tables.INTENTION_SHARE[stage]:
            count = min(rng.choice((1, 1, 1, 2, 2, 3)), len(times))
            when = sorted(rng.sample(times, count))
            level = tables.LEVELS_BY_STAGE[stage](rng)
            levels = [level]
            for _ in range(count - 1):
                step = rng.choice((0, 0, 1)) * (-1 if stage is not S.CLOSED else 1)
                position = tables.LEVEL_ORDER.index(levels[0]) + step
                levels.insert(0, tables.LEVEL_ORDER[min(max(position, 0), 4)])
            salary = self._salary(degree)
            for at, lvl in zip(when, levels, strict=True):
                row = self._intention(sid, envoy.id, at, lvl, field, graduation, salary)
                startup = startup or row["startup_interest"]
                rows["intentions"].append(row)

        # Consent, given when the student was logged; a few withdrew it later.
        scope = ConsentScope.EMPLOYERS if rng.random() < 0.6 else ConsentScope.BUREAU
        withdrawn_at = None
        if rng.random() < 0.03:
            withdrawn_at = _ts(rng.randrange(last_activity + 60, _NOW_TS + 61))
        rows["consents"].append(
            {
                "id": self._id("consents"),
                "student_id": sid,
                "scope": scope,
                "method": ConsentMethod.IN_PERSON
                if first_kind in (K.MEETING, K.EVENT) or rng.random() < 0.3
                else ConsentMethod.FORM,
                "notice_version": NOTICE_VERSION,
                "notice_language": "en"
                if rng.random() < (0.6 if envoy.english else 0.15)
                else "zh_Hans",
                "recorded_by_id": envoy.id,
                "recorded_at": created_at,
                "withdrawn_at": withdrawn_at,
                "withdrawn_by_id": envoy.id if withdrawn_at else None,
            }
        )

        # Tags.
        if rng.random() < 0.25:
            for tag in self._tags(degree, how_met, created_at, startup):
                rows["student_tags"].append(
                    {"id": self._id("student_tags"), "student_id": sid, "tag": tag}
                )

        follow_up = None
        if stage in OPEN_STAGES and rng.random() < 0.15:
            follow_up = TODAY + timedelta(days=rng.randint(-30, 45))
        latin, hanzi = self._name()
        rows["students"].append(
            {
                "id": sid,
                "owner_id": envoy.id,
                "name_latin": latin,
                "name_hanzi": hanzi,
                "name_key": _name_key(None if hanzi else latin, hanzi),
                "email": f"s{sid:06d}@students.example.org"
                if rng.random() < 0.92
                else None,
                "wechat_id": self._wechat(sid, latin, hanzi)
                if rng.random() < 0.7
                else None,
                "phone": self._phone(envoy) if rng.random() < 0.4 else None,
                "university_id": self._university(envoy),
                "programme": self._programme(field, degree),
                "field": field,
                "degree": degree,
                "expected_graduation": graduation,
                "birth_year": self._birth_year(degree, graduation),
                "how_met": how_met,
                "stage": stage,
                "stage_changed_at": _ts(stage_ts),
                "closed_reason": closed_reason,
                "intention_level": level,
                "consent_scope": None if withdrawn_at else scope,
                "follow_up_on": follow_up,
                "last_activity_on": envoy.local_day(last_activity),
                "last_activity_at": _ts(last_logged),
                "possible_duplicate_of_id": None,
                "created_by_id": envoy.id,
                "created_at": created_at,
                "updated_at": _ts(max(stage_ts, last_activity)),
                "version": 1,
            }
        )

    # --- pieces --------------------------------------------------------------------

    def _stage_change(self, sid, old, new, at, by, reason) -> dict:
        return {
            "id": self._id("stage_changes"),
            "student_id": sid,
            "from_stage": old,
            "to_stage": new,
            "reason": reason,
            "changed_by_id": by,
            "changed_at": _ts(at),
        }

    def _interaction_times(self, envoy: _Envoy, start: int, end: int, n: int):
        """``n`` distinct times: ``start``, then later ones in the envoy's day."""
        rng = self.rng
        times = {start}
        first_day = _day(start).toordinal()
        span = max(_day(end).toordinal() - first_day, 0)
        while len(times) < n:
            day = first_day + int(span * rng.random() ** 1.5)
            at = envoy.local_ts(day, rng.randrange(8 * 3600, 23 * 3600))
            if not start < at <= end:
                at = rng.randrange(start + 1, max(end, start + 2) + 1)
            times.add(at)
        return sorted(times)

    def _note(self, kind, envoy: _Envoy, topic, sector) -> str:
        rng = self.rng
        chinese = rng.random() < (0.1 if envoy.english else 0.55)
        if chinese:
            template = rng.choice(tables.NOTES_ZH[kind])
            return template.format(topic=topic[1], sector=tables.SECTOR_ZH[sector])
        template = rng.choice(tables.NOTES_EN[kind])
        return template.format(topic=topic[0], sector=sector.value.replace("_", " "))

    def _graduation(self, degree, created: int, stage, stage_ts: int) -> date:
        rng = self.rng
        if stage is S.RETURNED:
            returned = _day(stage_ts)
            candidates = [
                date(year, month, day)
                for year in range(2025, returned.year + 1)
                for month, day in _MONTH_END.items()
                if _GRADUATION_FLOOR <= date(year, month, day) <= returned
            ]
            return rng.choice(candidates[-3:])
        met = _day(created)
        low, high = tables.STUDY_YEARS[degree]
        month = tables.GRADUATION_MONTHS(rng)
        graduation = date(met.year + rng.randint(low, high), month, _MONTH_END[month])
        if graduation < met + timedelta(days=60):
            graduation = graduation.replace(year=graduation.year + 1)
        return min(max(graduation, _GRADUATION_FLOOR), _GRADUATION_CEILING)

    def _birth_year(self, degree, graduation: date) -> int | None:
        """Most students' year of birth: the usual age at the degree's end."""
        births = self.births
        if births.random() < 0.15:
            return None  # never asked
        age = _GRADUATION_AGE[degree] + births.choice((-1, 0, 0, 0, 1, 1, 2, 4))
        return graduation.year - age

    def _salary(self, degree) -> int | None:
        rng = self.rng
        if rng.random() < 0.1:
            return None
        low, high = tables.SALARY[degree]
        value = rng.triangular(low, high, low + 0.3 * (high - low))
        return min(max(round(value / 5000) * 5000, low), high)

    def _intention(self, sid, envoy_id, at, level, field, graduation, salary) -> dict:
        rng = self.rng
        pool = tables.SECTORS_BY_FIELD[field]
        sectors = [pool[0] if rng.random() < 0.6 else rng.choice(pool)]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            extra = rng.choice(pool) if rng.random() < 0.7 else rng.choice(list(SE))
            if extra not in sectors:
                sectors.append(extra)
        recorded = _day(at)
        start = None
        if rng.random() < 0.9:
            start = graduation + timedelta(days=rng.randint(0, 120))
            if start < recorded:
                start = recorded + timedelta(days=rng.randint(30, 180))
        roles = None
        if rng.random() < 0.85:
            roles = rng.choice(tables.ROLES.get(field, tables.GENERIC_ROLES))
        return {
            "id": self._id("intentions"),
            "student_id": sid,
            "recorded_by_id": envoy_id,
            "recorded_at": _ts(at),
            "level": level,
            "target_sectors": [sector.name for sector in sectors],
            "preferred_roles": roles,
            "earliest_start": start,
            "salary_expectation": salary if level is not IL.NOT_RETURNING else None,
            "startup_interest": rng.random() < 0.1,
            "notes": rng.choice(tables.INTENTION_NOTES)
            if rng.random() < 0.25
            else None,
        }

    def _tags(self, degree, how_met, created_at: datetime, startup: bool):
        rng = self.rng
        likely = []
        if degree in (D.PHD, D.POSTDOC):
            likely.append("phd-track")
        if startup:
            likely.append("startup")
        if how_met and ("study tour" in how_met or "游学" in how_met):
            likely.append("study-tour")
        if created_at.year == 2026 and created_at.month >= 9:
            likely.append("fair-2026")
        tags = [
            rng.choice(likely) if likely and rng.random() < 0.7 else rng.choice(TAGS)
        ]
        if rng.random() < 0.2:
            extra = rng.choice(TAGS)
            if extra not in tags:
                tags.append(extra)
        return tags

    def _name(self) -> tuple[str | None, str | None]:
        rng = self.rng
        surname_zh, surname_en = tables.SURNAMES(rng)
        if rng.random() < 0.25:
            (a_zh, a_en), (b_zh, b_en) = rng.sample(tables.SINGLE_GIVEN, 2)
            given_zh, given_en = a_zh + b_zh, a_en + b_en.lower()
        else:
            given_zh, given_en = rng.choice(reference.PERSON_GIVEN_NAMES)
        roll = rng.random()
        if roll < 0.05:
            latin = f"{rng.choice(tables.ENGLISH_NAMES)} {surname_en}"
        elif roll < 0.18:
            latin = f"{given_en} {surname_en}"
        else:
            latin = f"{surname_en} {given_en}"
        hanzi = f"{surname_zh}{given_zh}"
        form = rng.random()
        if form < 0.08:
            return latin, None
        if form < 0.12:
            return None, hanzi
        return latin, hanzi

    def _wechat(self, sid: int, latin: str | None, hanzi: str | None) -> str:
        """A lower-case WeChat ID; the student id in it keeps it unique."""
        rng = self.rng
        base = "".join((latin or _name_key(None, hanzi)).lower().split())
        base = "".join(ch for ch in base if ch.isalnum())[:10]
        style = rng.random()
        if style < 0.35:
            return f"wxid_{_base36(36**7 + sid * 7919)}"
        if style < 0.7:
            return f"{base}_{sid}"
        return f"{base}{sid}"

    def _phone(self, envoy: _Envoy) -> str:
        rng = self.rng
        if rng.random() < 0.55 or envoy.country not in tables.DIAL_CODES:
            prefix = rng.choice(("138", "139", "135", "150", "186", "187", "177"))
            return (
                f"+86 {prefix} {rng.randrange(10_000):04d} {rng.randrange(10_000):04d}"
            )
        return (
            f"{tables.DIAL_CODES[envoy.country]} {rng.randrange(100, 1000)} "
            f"{rng.randrange(1000, 10_000)} {rng.randrange(100, 1000)}"
        )

    def _university(self, envoy: _Envoy) -> int:
        rng = self.rng
        if envoy.university_id is None:
            return rng.choice(self.universities[None])
        if rng.random() < 0.8:
            return envoy.university_id
        others = [
            u
            for u in self.universities.get(envoy.country, [])
            if u != envoy.university_id
        ]
        return rng.choice(others) if others else envoy.university_id

    def _programme(self, field, degree) -> str | None:
        choices = tables.PROGRAMMES_BY_FIELD.get(field)
        if not choices:
            return None
        programme = self.rng.choice(choices)
        return _degree_programme(programme, degree)


def _capped(stage: Stage, age_days: float) -> Stage:
    """The stage, held back when the student was met too recently for it."""
    for days, most in tables.STAGE_BY_AGE:
        if age_days < days:
            return stage if stage.rank <= most.rank else most
    return stage


def _degree_programme(programme: str, degree) -> str:
    """A reference programme named for the student's degree ("PhD Finance")."""
    if programme == "MBA":
        prefix, subject = "MBA", "Business Administration"
    else:
        prefix, _space, subject = programme.partition(" ")
    if degree is D.MASTER:
        return programme if prefix in ("MSc", "MA", "MBA", "MPH") else f"MSc {subject}"
    if degree is D.PHD:
        return f"PhD {subject}"
    if degree is D.POSTDOC:
        return f"Postdoctoral Fellow, {subject}"
    if prefix == "MA":
        return f"BA {subject}"
    if prefix == "MBA":
        return "BBA Business Administration"
    return f"BEng {subject}" if "Engineering" in subject else f"BSc {subject}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
