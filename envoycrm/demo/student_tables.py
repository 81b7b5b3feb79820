"""The demo students' reference tables: weights, programmes, topics and notes.

Weighted choices (``Pick``) and the bilingual phrases the generator in
``envoycrm.demo.students`` draws from; data only, no database access.
"""

import bisect
import random
from itertools import accumulate

from envoycrm.demo import reference
from envoycrm.models import (
    DegreeLevel,
    EnvoyStatus,
    FieldOfStudy,
    IntentionLevel,
    InteractionKind,
    Sector,
    Stage,
)


class Pick:
    """A weighted choice with precomputed cumulative weights (fast, seeded)."""

    def __init__(self, pairs):
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


F = FieldOfStudy
FIELD_WEIGHTS = Pick(
    [
        (F.MATERIALS, 13),
        (F.MARINE, 10),
        (F.COMPUTING, 14),
        (F.ELECTRONICS, 9),
        (F.BIOLOGY, 8),
        (F.ECONOMICS, 9),
        (F.MECHANICAL, 5),
        (F.CHEMISTRY, 5),
        (F.ENERGY, 4),
        (F.CIVIL, 3),
        (F.MANAGEMENT, 6),
        (F.MEDICINE, 4),
        (F.ENVIRONMENT, 3),
        (F.MATHEMATICS, 2),
        (F.EDUCATION, 2),
        (F.ARTS, 1.5),
        (F.AGRICULTURE, 1.5),
        (F.PHYSICS, 1),
        (F.LAW, 0.6),
        (F.SOCIAL, 0.6),
        (F.HUMANITIES, 0.5),
        (F.OTHER, 0.3),
    ]
)

# The field each reference programme belongs to.
PROGRAMME_FIELDS = {
    "MSc Materials Science": F.MATERIALS,
    "PhD Materials Science": F.MATERIALS,
    "PhD Marine Biology": F.BIOLOGY,
    "MSc Marine Biotechnology": F.BIOLOGY,
    "MSc Oceanography": F.MARINE,
    "PhD Physical Oceanography": F.MARINE,
    "MSc Naval Architecture and Ocean Engineering": F.MARINE,
    "MSc Computer Science": F.COMPUTING,
    "PhD Computer Science": F.COMPUTING,
    "MSc Data Science": F.COMPUTING,
    "MSc Artificial Intelligence": F.COMPUTING,
    "MSc Electrical and Electronic Engineering": F.ELECTRONICS,
    "MSc Microelectronics": F.ELECTRONICS,
    "MSc Mechanical Engineering": F.MECHANICAL,
    "BEng Mechanical Engineering": F.MECHANICAL,
    "MSc Chemical Engineering": F.CHEMISTRY,
    "PhD Chemistry": F.CHEMISTRY,
    "MSc Renewable Energy": F.ENERGY,
    "MSc Civil Engineering": F.CIVIL,
    "MSc Transport Engineering": F.CIVIL,
    "MSc Logistics and Supply Chain Management": F.MANAGEMENT,
    "MSc Finance": F.ECONOMICS,
    "MSc Business Analytics": F.ECONOMICS,
    "MBA": F.MANAGEMENT,
    "MSc Pharmacology": F.MEDICINE,
    "PhD Biomedical Engineering": F.MEDICINE,
    "MPH Public Health": F.MEDICINE,
    "MSc Food Science": F.AGRICULTURE,
    "MA Fashion and Textile Design": F.ARTS,
    "MA Tourism Management": F.MANAGEMENT,
    "MA Education": F.EDUCATION,
    "MSc Environmental Science": F.ENVIRONMENT,
    "MSc Applied Mathematics": F.MATHEMATICS,
}
PROGRAMMES_BY_FIELD: dict[FieldOfStudy, list[str]] = {}
for _en, _zh in reference.PROGRAMMES:
    PROGRAMMES_BY_FIELD.setdefault(PROGRAMME_FIELDS.get(_en, F.OTHER), []).append(_en)
PROGRAMMES_BY_FIELD[F.MARINE].append("PhD Marine Biology")
PROGRAMMES_BY_FIELD[F.MARINE].append("MSc Marine Biotechnology")

D = DegreeLevel
DEGREES = Pick([(D.MASTER, 56), (D.PHD, 28), (D.BACHELOR, 13), (D.POSTDOC, 3)])
# Years from the first meeting to graduation, by degree.
STUDY_YEARS = {D.BACHELOR: (0, 3), D.MASTER: (0, 1), D.PHD: (0, 4), D.POSTDOC: (0, 2)}
GRADUATION_MONTHS = Pick([(6, 40), (7, 15), (9, 20), (12, 25)])
SALARY = {
    D.BACHELOR: (80_000, 150_000),
    D.MASTER: (110_000, 250_000),
    D.PHD: (150_000, 500_000),
    D.POSTDOC: (200_000, 600_000),
}

S = Stage
STAGES = Pick(
    [
        (S.CONTACTED, 44),
        (S.INTERESTED, 31),
        (S.MATCHED, 8),
        (S.IN_PROCESS, 5),
        (S.OFFER, 3.5),
        (S.RETURNED, 3),
        (S.CLOSED, 5.5),
    ]
)
CLOSED_FROM = Pick(
    [(S.CONTACTED, 50), (S.INTERESTED, 35), (S.MATCHED, 10), (S.IN_PROCESS, 5)]
)
# The most advanced stage a student met this many days ago can plausibly be in.
STAGE_BY_AGE = (
    (7, S.CONTACTED),
    (30, S.INTERESTED),
    (75, S.MATCHED),
    (120, S.IN_PROCESS),
    (180, S.OFFER),
)
PIPELINE = [S.CONTACTED, S.INTERESTED, S.MATCHED, S.IN_PROCESS, S.OFFER, S.RETURNED]
CLOSED_REASONS = (
    "Accepted a job in Shanghai",
    "Accepted a job in Shenzhen",
    "Staying abroad for a postdoc",
    "Decided to stay abroad after graduation",
    "No reply for six months",
    "Family settled in Beijing",
    "Going on to a PhD abroad",
    "已在杭州就业",
    "决定留在海外工作",
    "继续海外深造",
    "联系不上",
)

IL = IntentionLevel
LEVELS_BY_STAGE = {
    S.CONTACTED: Pick(
        [
            (IL.UNDECIDED, 40),
            (IL.CONSIDERING, 38),
            (IL.LIKELY, 10),
            (IL.NOT_RETURNING, 12),
        ]
    ),
    S.INTERESTED: Pick(
        [(IL.CONSIDERING, 45), (IL.LIKELY, 38), (IL.UNDECIDED, 10), (IL.COMMITTED, 7)]
    ),
    S.MATCHED: Pick([(IL.LIKELY, 60), (IL.COMMITTED, 28), (IL.CONSIDERING, 12)]),
    S.IN_PROCESS: Pick([(IL.LIKELY, 55), (IL.COMMITTED, 38), (IL.CONSIDERING, 7)]),
    S.OFFER: Pick([(IL.COMMITTED, 62), (IL.LIKELY, 38)]),
    S.RETURNED: Pick([(IL.COMMITTED, 1)]),
    S.CLOSED: Pick([(IL.NOT_RETURNING, 70), (IL.UNDECIDED, 20), (IL.CONSIDERING, 10)]),
}
LEVEL_ORDER = list(IntentionLevel)
# Share of students with intention records, by stage (about 70% overall).
INTENTION_SHARE = {
    S.CONTACTED: 0.5,
    S.INTERESTED: 0.82,
    S.MATCHED: 0.95,
    S.IN_PROCESS: 0.95,
    S.OFFER: 0.97,
    S.RETURNED: 1.0,
    S.CLOSED: 0.6,
}
# Mean number of interactions, by stage (about 5 overall).
INTERACTION_MEAN = {
    S.CONTACTED: 3.9,
    S.INTERESTED: 5.6,
    S.MATCHED: 6.8,
    S.IN_PROCESS: 7.4,
    S.OFFER: 8.0,
    S.RETURNED: 8.2,
    S.CLOSED: 3.4,
}

SE = Sector
SECTORS_BY_FIELD = {
    F.MATERIALS: (SE.NEW_MATERIALS, SE.MARINE_ECONOMY, SE.ADVANCED_MANUFACTURING),
    F.MARINE: (SE.MARINE_ECONOMY, SE.EDUCATION_RESEARCH, SE.NEW_MATERIALS),
    F.COMPUTING: (SE.INFORMATION_TECHNOLOGY, SE.INTEGRATED_CIRCUITS, SE.FINANCE),
    F.ELECTRONICS: (
        SE.INTEGRATED_CIRCUITS,
        SE.INFORMATION_TECHNOLOGY,
        SE.ADVANCED_MANUFACTURING,
        SE.NEW_ENERGY,
    ),
    F.MECHANICAL: (SE.ADVANCED_MANUFACTURING, SE.MARINE_ECONOMY, SE.NEW_ENERGY),
    F.CIVIL: (SE.PUBLIC_SECTOR, SE.MODERN_SERVICES, SE.ADVANCED_MANUFACTURING),
    F.CHEMISTRY: (SE.NEW_MATERIALS, SE.BIOMEDICINE, SE.NEW_ENERGY),
    F.BIOLOGY: (SE.BIOMEDICINE, SE.MARINE_ECONOMY, SE.HEALTHCARE, SE.AGRICULTURE_FOOD),
    F.MEDICINE: (SE.HEALTHCARE, SE.BIOMEDICINE, SE.EDUCATION_RESEARCH),
    F.ENERGY: (SE.NEW_ENERGY, SE.ADVANCED_MANUFACTURING, SE.MARINE_ECONOMY),
    F.ECONOMICS: (SE.FINANCE, SE.MODERN_SERVICES, SE.PUBLIC_SECTOR),
    F.MANAGEMENT: (SE.MODERN_SERVICES, SE.FINANCE, SE.CULTURE_TOURISM),
    F.EDUCATION: (SE.EDUCATION_RESEARCH, SE.PUBLIC_SECTOR),
    F.ENVIRONMENT: (SE.MARINE_ECONOMY, SE.NEW_ENERGY, SE.PUBLIC_SECTOR),
    F.MATHEMATICS: (SE.FINANCE, SE.INFORMATION_TECHNOLOGY, SE.EDUCATION_RESEARCH),
    F.ARTS: (SE.CULTURE_TOURISM, SE.MODERN_SERVICES),
    F.AGRICULTURE: (SE.AGRICULTURE_FOOD, SE.BIOMEDICINE),
    F.PHYSICS: (SE.EDUCATION_RESEARCH, SE.INTEGRATED_CIRCUITS, SE.NEW_ENERGY),
    F.LAW: (SE.PUBLIC_SECTOR, SE.FINANCE, SE.MODERN_SERVICES),
    F.SOCIAL: (SE.PUBLIC_SECTOR, SE.EDUCATION_RESEARCH, SE.MODERN_SERVICES),
    F.HUMANITIES: (SE.CULTURE_TOURISM, SE.EDUCATION_RESEARCH, SE.PUBLIC_SECTOR),
    F.OTHER: (SE.MODERN_SERVICES, SE.PUBLIC_SECTOR),
}
SECTOR_ZH = {
    SE.MARINE_ECONOMY: "海洋经济",
    SE.NEW_MATERIALS: "新材料",
    SE.ADVANCED_MANUFACTURING: "高端制造",
    SE.INFORMATION_TECHNOLOGY: "信息技术",
    SE.INTEGRATED_CIRCUITS: "集成电路",
    SE.BIOMEDICINE: "生物医药",
    SE.NEW_ENERGY: "新能源",
    SE.FINANCE: "金融",
    SE.EDUCATION_RESEARCH: "教育科研",
    SE.HEALTHCARE: "医疗健康",
    SE.MODERN_SERVICES: "现代服务业",
    SE.CULTURE_TOURISM: "文化旅游",
    SE.AGRICULTURE_FOOD: "农业食品",
    SE.PUBLIC_SECTOR: "机关事业单位",
}
# (English, Chinese) research topics by field, used in notes and roles.
TOPICS = {
    F.MATERIALS: (
        ("marine anti-corrosion coatings", "海洋防腐涂层"),
        ("graphene composites", "石墨烯复合材料"),
        ("battery materials", "电池材料"),
    ),
    F.MARINE: (
        ("ocean observation", "海洋观测"),
        ("offshore engineering", "海洋工程"),
        ("marine ecology", "海洋生态"),
    ),
    F.COMPUTING: (
        ("machine learning", "机器学习"),
        ("distributed systems", "分布式系统"),
        ("computer vision", "计算机视觉"),
    ),
    F.ELECTRONICS: (
        ("chip design", "芯片设计"),
        ("power electronics", "电力电子"),
        ("RF circuits", "射频电路"),
    ),
    F.BIOLOGY: (
        ("marine drug discovery", "海洋药物"),
        ("synthetic biology", "合成生物学"),
        ("aquaculture genetics", "水产遗传育种"),
    ),
    F.ECONOMICS: (
        ("quantitative finance", "量化金融"),
        ("trade economics", "国际贸易"),
        ("risk management", "风险管理"),
    ),
    F.CHEMISTRY: (("catalysis", "催化"), ("polymer chemistry", "高分子化学")),
    F.MEDICINE: (
        ("drug development", "药物研发"),
        ("public health data", "公共卫生数据"),
    ),
    F.ENERGY: (("hydrogen energy", "氢能"), ("offshore wind", "海上风电")),
    F.MECHANICAL: (("robotics", "机器人"), ("rail vehicle design", "轨道车辆设计")),
}
GENERIC_TOPICS = (("their research", "研究方向"), ("career plans", "职业规划"))
ROLES = {
    F.MATERIALS: ("Materials R&D engineer", "材料研发工程师", "Coatings scientist"),
    F.MARINE: (
        "Ocean engineer",
        "海洋观测研究员",
        "Research assistant, marine institute",
    ),
    F.COMPUTING: (
        "Algorithm engineer",
        "算法工程师",
        "Backend developer",
        "Data scientist",
    ),
    F.ELECTRONICS: ("IC design engineer", "芯片设计工程师", "Hardware engineer"),
    F.BIOLOGY: ("Biotech R&D scientist", "生物医药研发", "Lab manager"),
    F.ECONOMICS: ("Risk analyst", "金融分析师", "Investment associate"),
    F.MECHANICAL: ("Mechanical design engineer", "机械设计工程师"),
    F.CHEMISTRY: ("Process chemist", "化工工艺工程师"),
    F.ENERGY: ("Energy systems engineer", "新能源工程师"),
    F.MEDICINE: ("Clinical research associate", "临床研究"),
    F.MANAGEMENT: ("Supply chain analyst", "管理培训生", "Project manager"),
}
GENERIC_ROLES = (
    "University lecturer",
    "高校教师",
    "Civil service",
    "Research assistant",
)
INTENTION_NOTES = (
    "Partner is also looking for work in Qingdao.",
    "Wants details of the housing subsidy.",
    "Parents live in Shandong; keen to be near home.",
    "Comparing offers from Qingdao and Suzhou.",
    "关注人才公寓政策。",
    "希望了解科研启动经费。",
    "配偶也考虑来青岛工作。",
    "Would consider a start-up incubator place.",
)

K = InteractionKind
KINDS = Pick(
    [
        (K.MEETING, 24),
        (K.CHAT, 32),
        (K.EMAIL, 16),
        (K.CALL, 12),
        (K.EVENT, 9),
        (K.INFO_SESSION, 7),
    ]
)
NOTES_EN = {
    K.MEETING: (
        "Coffee after the seminar; talked about {topic}.",
        "Met on campus; asked about the talent apartment policy.",
        "Lunch together; wants to know which Qingdao employers work on {topic}.",
        "Met in the library; graduation plans still open.",
    ),
    K.CHAT: (
        "WeChat: sent the latest {sector} openings.",
        "WeChat: asked about the 2026 talent fair dates.",
        "Shared the policy express summary on WeChat.",
        "WeChat: asked how the personnel file (档案) service works.",
    ),
    K.EMAIL: (
        "Emailed the fair registration link.",
        "Sent two openings in {sector} by email.",
        "Forwarded CV to the bureau for matching.",
        "Follow-up email with research funding details.",
    ),
    K.CALL: (
        "Call: discussed graduation timing and earliest start.",
        "Call about family considerations and housing.",
        "Call to prepare for an interview with a {sector} employer.",
    ),
    K.EVENT: (
        "Came to the Qingdao booth at the careers fair.",
        "Attended the Spring Festival gala; chatted about {topic}.",
        "Joined the CSSA careers evening.",
    ),
    K.INFO_SESSION: (
        "Joined the online policy briefing.",
        "Attended the info session on start-up support.",
        "Asked about research funding at the info session.",
    ),
}
NOTES_ZH = {
    K.MEETING: (
        "见面聊了{topic}方向的工作机会。",
        "校园里面谈，对落户政策很感兴趣。",
        "一起吃饭，了解了毕业时间安排。",
    ),
    K.CHAT: (
        "微信沟通，推送了{sector}岗位。",
        "微信：询问档案托管服务。",
        "微信发送了人才政策汇编。",
        "微信聊了{topic}相关的企业。",
    ),
    K.EMAIL: ("邮件发送了招聘会报名链接。", "邮件推荐了两个{sector}岗位。"),
    K.CALL: ("电话沟通了面试安排。", "电话了解家庭情况和住房需求。"),
    K.EVENT: ("参加了青岛专场招聘活动。", "参加学联活动，聊到{topic}。"),
    K.INFO_SESSION: ("参加了线上政策宣讲会。", "宣讲会上咨询了创业扶持政策。"),
}
# How the envoy met the student, and the kind of that first touchpoint.
HOW_MET = Pick(
    [
        (("CSSA careers fair", K.EVENT), 9),
        (("中国学联招聘会", K.EVENT), 7),
        (("Qingdao talent policy info session", K.INFO_SESSION), 8),
        (("青岛人才政策宣讲会", K.INFO_SESSION), 7),
        (("Online briefing on working in Qingdao", K.INFO_SESSION), 4),
        (("线上回国就业说明会", K.INFO_SESSION), 3),
        (("Introduced by a classmate", K.MEETING), 8),
        (("同学介绍", K.MEETING), 8),
        (("Same research group", K.MEETING), 5),
        (("同一课题组", K.MEETING), 4),
        (("Spring Festival gala", K.EVENT), 5),
        (("春节联欢晚会", K.EVENT), 4),
        (("中秋联谊会", K.EVENT), 3),
        (("Chinese students' WeChat group", K.CHAT), 6),
        (("留学生微信群", K.CHAT), 6),
        (("Recommended by supervisor", K.MEETING), 2),
        (("导师推荐", K.MEETING), 2),
        (("Alumni dinner", K.EVENT), 2),
        (("Qingdao study tour", K.EVENT), 2),
        (("青岛游学团", K.EVENT), 2),
        ((None, K.MEETING), 8),
    ]
)
ENGLISH_NAMES = ("Kevin", "Amy", "Jason", "Grace", "Eric", "Lily", "David", "Cindy")
DIAL_CODES = {
    "GB": "+44",
    "US": "+1",
    "CA": "+1",
    "AU": "+61",
    "NZ": "+64",
    "DE": "+49",
    "FR": "+33",
    "NL": "+31",
    "IT": "+39",
    "ES": "+34",
    "SE": "+46",
    "CH": "+41",
    "IE": "+353",
    "DK": "+45",
    "BE": "+32",
    "JP": "+81",
    "KR": "+82",
    "SG": "+65",
    "MY": "+60",
    "HK": "+852",
    "RU": "+7",
}
STATUS_WEIGHT = {
    EnvoyStatus.ACTIVE: 1.0,
    EnvoyStatus.PAUSED: 0.55,
    EnvoyStatus.GRADUATED: 0.7,
    EnvoyStatus.RETURNED: 0.8,
}
SURNAMES = Pick(
    [(pair, 10 - 0.2 * i) for i, pair in enumerate(reference.PERSON_SURNAMES)]
)
SINGLE_GIVEN = [g for g in reference.PERSON_GIVEN_NAMES if len(g[0]) == 1]
