"""Demo policies: about thirty published policies of the city, some in two versions.

The same set at every scale (a city has some thirty policies, whatever the
number of students): housing and living subsidies, research funding,
start-up support, talent apartments, settlement, family and schooling,
with amounts in CNY in the range such policies pay. Every fifth policy
has an earlier version of the year before, still readable; two end soon
after the demo's reference day, so the bureau digest has something to warn
about. Deterministic and idempotent (nothing is added when policies exist).
"""

from datetime import date

from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import (
    AmountKind,
    CityTie,
    DegreeLevel,
    Policy,
    PolicyCategory,
    PolicyStatus,
    PolicyVersion,
)

C, A, D, T = PolicyCategory, AmountKind, DegreeLevel, CityTie
BUREAU = (
    "Qingdao Human Resources and Social Security Bureau",
    "青岛市人力资源和社会保障局",
)
SCIENCE = ("Qingdao Science and Technology Bureau", "青岛市科学技术局")
HOUSING = (
    "Qingdao Housing and Urban-Rural Development Bureau",
    "青岛市住房和城乡建设局",
)
SOURCE = "https://hrss.qingdao.gov.cn/policies/{}"
MARINE = ["MARINE", "MATERIALS", "ENVIRONMENT", "BIOLOGY"]
DIGITAL = ["COMPUTING", "ELECTRONICS", "MATHEMATICS", "PHYSICS"]

# (category, English title, Chinese title, how it pays, amounts, minimum
# degree, fields, max age, years since graduation, returned within, city tie,
# issuing body)
# fmt: off
POLICIES = [
    (C.HOUSING, "Living subsidy for doctoral graduates", "博士毕业生生活补贴",
     A.MONTHLY, (1_500, 36), D.PHD, [], 40, 3, None, T.WORK, BUREAU),
    (C.HOUSING, "Living subsidy for master's graduates", "硕士毕业生生活补贴",
     A.MONTHLY, (800, 36), D.MASTER, [], 35, 3, None, T.WORK, BUREAU),
    (C.HOUSING, "Living subsidy for bachelor's graduates", "本科毕业生生活补贴",
     A.MONTHLY, (500, 36), D.BACHELOR, [], 30, 3, None, T.WORK, BUREAU),
    (C.HOUSING, "Home purchase subsidy for new doctors", "博士购房补贴",
     A.ONE_OFF, (150_000,), D.PHD, [], 45, 5, None, T.WORK, HOUSING),
    (C.HOUSING, "Home purchase subsidy for new masters", "硕士购房补贴",
     A.ONE_OFF, (50_000,), D.MASTER, [], 35, 3, None, T.WORK, HOUSING),
    (C.HOUSING, "Rent subsidy for returnees", "留学回国人员租房补贴",
     A.MONTHLY, (1_200, 24), D.MASTER, [], 35, None, 2, T.WORK_OR_FOUND, HOUSING),
    (C.HOUSING, "Settling-in allowance for overseas doctors", "海外博士安家费",
     A.ONE_OFF, (100_000,), D.PHD, [], 40, 2, 1, T.WORK, BUREAU),
    (C.RESEARCH_FUNDING, "Research start-up grant for young scientists",
     "青年科学家科研启动经费", A.RANGE, (300_000, 1_000_000), D.PHD, [], 40, 5,
     None, T.WORK, SCIENCE),
    (C.RESEARCH_FUNDING, "Marine science research fund", "海洋科学研究基金",
     A.RANGE, (200_000, 800_000), D.PHD, MARINE, 45, None, None, T.WORK, SCIENCE),
    (C.RESEARCH_FUNDING, "New materials innovation grant", "新材料创新资助",
     A.RANGE, (100_000, 500_000), D.MASTER, ["MATERIALS", "CHEMISTRY"], None,
     None, None, T.WORK, SCIENCE),
    (C.RESEARCH_FUNDING, "Postdoctoral research allowance", "博士后科研资助",
     A.MONTHLY, (10_000, 24), D.POSTDOC, [], 35, 3, None, T.WORK, BUREAU),
    (C.RESEARCH_FUNDING, "Postdoctoral stay-on bonus", "博士后留青奖励",
     A.ONE_OFF, (200_000,), D.POSTDOC, [], 40, None, None, T.WORK, BUREAU),
    (C.RESEARCH_FUNDING, "Digital economy research grant", "数字经济研究资助",
     A.RANGE, (100_000, 600_000), D.PHD, DIGITAL, 45, None, None, T.WORK, SCIENCE),
    (C.RESEARCH_FUNDING, "Biomedicine lab funding", "生物医药实验室资助",
     A.RANGE, (500_000, 2_000_000), D.PHD, ["BIOLOGY", "MEDICINE"], None, None,
     None, T.WORK, SCIENCE),
    (C.START_UP, "Start-up grant for returnee founders", "留学人员创业资助",
     A.RANGE, (100_000, 500_000), D.MASTER, [], None, None, 5, T.FOUND, BUREAU),
    (C.START_UP, "Graduate entrepreneurship subsidy", "高校毕业生一次性创业补贴",
     A.ONE_OFF, (12_000,), D.BACHELOR, [], None, 5, None, T.FOUND, BUREAU),
    (C.START_UP, "Guaranteed start-up loan", "创业担保贷款",
     A.RANGE, (200_000, 3_000_000), D.BACHELOR, [], None, None, None, T.FOUND,
     BUREAU),
    (C.START_UP, "Incubator rent waiver", "孵化器场地租金减免",
     A.MONTHLY, (3_000, 36), D.BACHELOR, [], None, None, None, T.FOUND, SCIENCE),
    (C.START_UP, "Marine technology venture fund", "海洋科技创业基金",
     A.RANGE, (500_000, 5_000_000), D.MASTER, MARINE, None, None, 5, T.FOUND,
     SCIENCE),
    (C.TALENT_APARTMENT, "Talent apartment for doctors, rent-free for three years",
     "博士人才公寓三年免租", A.NONE, (), D.PHD, [], 45, None, None,
     T.WORK_OR_FOUND, HOUSING),
    (C.TALENT_APARTMENT, "Talent apartment at reduced rent", "人才公寓租金优惠",
     A.MONTHLY, (1_000, 36), D.MASTER, [], 40, 5, None, T.WORK, HOUSING),
    (C.TALENT_APARTMENT, "West Coast New Area youth apartments",
     "西海岸新区青年人才公寓", A.NONE, (), D.BACHELOR, [], 35, 3, None, T.WORK,
     HOUSING),
    (C.SETTLEMENT, "Hukou for graduates on arrival", "毕业生先落户后就业",
     A.NONE, (), D.BACHELOR, [], 45, None, None, T.NONE, BUREAU),
    (C.SETTLEMENT, "Settlement for returnees from abroad", "留学回国人员落户",
     A.NONE, (), D.BACHELOR, [], None, None, 5, T.NONE, BUREAU),
    (C.SETTLEMENT, "Talent green card", "青岛人才绿卡",
     A.NONE, (), D.MASTER, [], None, None, None, T.WORK_OR_FOUND, BUREAU),
    (C.FAMILY_SCHOOLING, "School places for talents' children", "人才子女入学保障",
     A.NONE, (), D.PHD, [], None, None, None, T.WORK, BUREAU),
    (C.FAMILY_SCHOOLING, "Employment help for spouses", "人才配偶就业安置",
     A.NONE, (), D.PHD, [], None, None, None, T.WORK, BUREAU),
    (C.FAMILY_SCHOOLING, "Childcare subsidy for young talents", "青年人才育儿补贴",
     A.MONTHLY, (500, 36), D.MASTER, [], 40, None, None, T.WORK, BUREAU),
    (C.OTHER, "Fair travel subsidy for overseas students", "海外学子来青参会交通补贴",
     A.ONE_OFF, (3_000,), D.MASTER, [], 35, 1, None, T.NONE, BUREAU),
    (C.OTHER, "Free health check on arrival", "来青人才免费体检",
     A.NONE, (), D.MASTER, [], None, 2, 2, T.WORK, BUREAU),
]
# fmt: on

VALID_FROM = date(2026, 1, 1)
VALID_TO = date(2027, 12, 31)
# Two policies end soon after the demo's reference day (the bureau digest
# warns about them); every fifth one was revised this year.
ENDING_SOON = {6, 17}
ENDS_SOON_ON = date(2026, 12, 15)


def _version(entry, number: int, valid_from, valid_to, revised: bool) -> dict:
    category, title_en, title_zh, kind, amounts, degree = entry[:6]
    fields, age, since, returned, tie, body = entry[6:]
    values = {
        "number": number,
        "title_en": title_en,
        "title_zh": title_zh,
        "summary_en": f"{title_en} for students who come to work in Qingdao.",
        "summary_zh": f"面向来青就业创业学子的{title_zh}政策。",
        "body_en": (
            f"{title_en}. Apply to the {body[0]} with your degree certificate, "
            "passport and employment contract or business licence."
        ),
        "body_zh": f"{title_zh}。持学位证书、护照及劳动合同或营业执照向{body[1]}申请。",
        "issuing_body_en": body[0],
        "issuing_body_zh": body[1],
        "source_url": SOURCE.format(f"{category.value}-{number}"),
        "amount_kind": kind,
        "amount": None,
        "months": None,
        "amount_min": None,
        "amount_max": None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "min_degree": degree,
        "fields": sorted(fields),
        "max_age": age,
        "max_years_since_graduation": since,
        "returned_within_years": returned,
        "city_tie": tie,
    }
    # The earlier version paid four fifths of today's sums.
    scale = 1.0 if revised else 0.8
    if kind is A.ONE_OFF:
        values["amount"] = int(amounts[0] * scale)
    elif kind is A.MONTHLY:
        values["amount"], values["months"] = int(amounts[0] * scale), amounts[1]
    elif kind is A.RANGE:
        values["amount_min"] = int(amounts[0] * scale)
        values["amount_max"] = int(amounts[1] * scale)
    return values


def load_policies(report) -> None:
    """Add the demo policies, unless policies exist; the caller commits."""
    if db.session.scalar(select(Policy.id).limit(1)) is not None:
        return
    versions = 0
    for index, entry in enumerate(POLICIES):
        policy = Policy(category=entry[0], status=PolicyStatus.PUBLISHED)
        ends = ENDS_SOON_ON if index in ENDING_SOON else VALID_TO
        if index % 5 == 0:
            old = _version(
                entry, 1, date(2025, 1, 1), date(2025, 12, 31), revised=False
            )
            policy.versions.append(PolicyVersion(**old))
            policy.versions.append(
                PolicyVersion(**_version(entry, 2, VALID_FROM, ends, revised=True))
            )
            versions += 2
        else:
            policy.versions.append(
                PolicyVersion(**_version(entry, 1, VALID_FROM, ends, revised=True))
            )
            versions += 1
        db.session.add(policy)
    db.session.flush()
    report.count("policies", len(POLICIES))
    report.count("policy versions", versions)
