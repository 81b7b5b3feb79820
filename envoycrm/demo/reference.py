"""Reference data for the EnvoyCRM demo dataset.

The demo models a coastal city's talent bureau (Qingdao-like): overseas campus
envoys studying at foreign universities, and employers in the city that hope to
recruit them. Everything here is plain data plus small pure functions, so the
demo generator stays deterministic and the module imports nothing.
"""

# --------------------------------------------------------------------------
# Countries and regions (ISO 3166-1 alpha-2)
# --------------------------------------------------------------------------

COUNTRIES: tuple[str, ...] = (
    "GB",
    "US",
    "AU",
    "NZ",
    "CA",
    "DE",
    "FR",
    "NL",
    "IT",
    "ES",
    "SE",
    "CH",
    "IE",
    "DK",
    "BE",
    "JP",
    "KR",
    "SG",
    "MY",
    "HK",
    "RU",
)

# --------------------------------------------------------------------------
# Universities: (country_code, name_en, name_zh, city_en)
# --------------------------------------------------------------------------

UNIVERSITIES: tuple[tuple[str, str, str, str], ...] = (
    # United Kingdom
    ("GB", "University of Oxford", "牛津大学", "Oxford"),
    ("GB", "University of Cambridge", "剑桥大学", "Cambridge"),
    ("GB", "Imperial College London", "帝国理工学院", "London"),
    ("GB", "University College London", "伦敦大学学院", "London"),
    (
        "GB",
        "London School of Economics and Political Science",
        "伦敦政治经济学院",
        "London",
    ),
    ("GB", "King's College London", "伦敦国王学院", "London"),
    ("GB", "University of Edinburgh", "爱丁堡大学", "Edinburgh"),
    ("GB", "University of Manchester", "曼彻斯特大学", "Manchester"),
    ("GB", "University of Bristol", "布里斯托大学", "Bristol"),
    ("GB", "University of Warwick", "华威大学", "Coventry"),
    ("GB", "University of Glasgow", "格拉斯哥大学", "Glasgow"),
    ("GB", "University of Leeds", "利兹大学", "Leeds"),
    ("GB", "University of Sheffield", "谢菲尔德大学", "Sheffield"),
    ("GB", "University of Southampton", "南安普顿大学", "Southampton"),
    # United States
    ("US", "Harvard University", "哈佛大学", "Cambridge"),
    ("US", "Stanford University", "斯坦福大学", "Stanford"),
    ("US", "Massachusetts Institute of Technology", "麻省理工学院", "Cambridge"),
    ("US", "Columbia University", "哥伦比亚大学", "New York"),
    ("US", "University of California, Berkeley", "加州大学伯克利分校", "Berkeley"),
    (
        "US",
        "University of California, Los Angeles",
        "加州大学洛杉矶分校",
        "Los Angeles",
    ),
    ("US", "Cornell University", "康奈尔大学", "Ithaca"),
    ("US", "University of Pennsylvania", "宾夕法尼亚大学", "Philadelphia"),
    ("US", "Carnegie Mellon University", "卡内基梅隆大学", "Pittsburgh"),
    ("US", "University of Southern California", "南加州大学", "Los Angeles"),
    ("US", "New York University", "纽约大学", "New York"),
    ("US", "University of Michigan", "密歇根大学", "Ann Arbor"),
    ("US", "Johns Hopkins University", "约翰斯·霍普金斯大学", "Baltimore"),
    (
        "US",
        "University of Illinois Urbana-Champaign",
        "伊利诺伊大学厄巴纳-香槟分校",
        "Urbana-Champaign",
    ),
    # Australia
    ("AU", "University of Melbourne", "墨尔本大学", "Melbourne"),
    ("AU", "University of Sydney", "悉尼大学", "Sydney"),
    ("AU", "Australian National University", "澳大利亚国立大学", "Canberra"),
    ("AU", "University of New South Wales", "新南威尔士大学", "Sydney"),
    ("AU", "University of Queensland", "昆士兰大学", "Brisbane"),
    ("AU", "Monash University", "莫纳什大学", "Melbourne"),
    ("AU", "University of Adelaide", "阿德莱德大学", "Adelaide"),
    ("AU", "University of Western Australia", "西澳大学", "Perth"),
    ("AU", "University of Technology Sydney", "悉尼科技大学", "Sydney"),
    # New Zealand
    ("NZ", "University of Auckland", "奥克兰大学", "Auckland"),
    ("NZ", "University of Otago", "奥塔哥大学", "Dunedin"),
    ("NZ", "Victoria University of Wellington", "惠灵顿维多利亚大学", "Wellington"),
    # Canada
    ("CA", "University of Toronto", "多伦多大学", "Toronto"),
    ("CA", "University of British Columbia", "不列颠哥伦比亚大学", "Vancouver"),
    ("CA", "McGill University", "麦吉尔大学", "Montreal"),
    ("CA", "University of Waterloo", "滑铁卢大学", "Waterloo"),
    ("CA", "McMaster University", "麦克马斯特大学", "Hamilton"),
    ("CA", "University of Alberta", "阿尔伯塔大学", "Edmonton"),
    # Germany
    ("DE", "Technical University of Munich", "慕尼黑工业大学", "Munich"),
    ("DE", "Ludwig Maximilian University of Munich", "慕尼黑大学", "Munich"),
    ("DE", "Heidelberg University", "海德堡大学", "Heidelberg"),
    ("DE", "RWTH Aachen University", "亚琛工业大学", "Aachen"),
    # France
    ("FR", "Sorbonne University", "索邦大学", "Paris"),
    ("FR", "Paris-Saclay University", "巴黎萨克雷大学", "Gif-sur-Yvette"),
    ("FR", "École Polytechnique", "巴黎综合理工学院", "Palaiseau"),
    ("FR", "PSL University", "巴黎文理研究大学", "Paris"),
    # Netherlands
    ("NL", "Delft University of Technology", "代尔夫特理工大学", "Delft"),
    ("NL", "University of Amsterdam", "阿姆斯特丹大学", "Amsterdam"),
    ("NL", "Leiden University", "莱顿大学", "Leiden"),
    ("NL", "Erasmus University Rotterdam", "鹿特丹伊拉斯姆斯大学", "Rotterdam"),
    # Italy
    ("IT", "Politecnico di Milano", "米兰理工大学", "Milan"),
    ("IT", "University of Bologna", "博洛尼亚大学", "Bologna"),
    ("IT", "Sapienza University of Rome", "罗马大学", "Rome"),
    # Spain
    ("ES", "University of Barcelona", "巴塞罗那大学", "Barcelona"),
    ("ES", "Complutense University of Madrid", "马德里康普顿斯大学", "Madrid"),
    # Sweden
    ("SE", "KTH Royal Institute of Technology", "瑞典皇家理工学院", "Stockholm"),
    ("SE", "Lund University", "隆德大学", "Lund"),
    # Switzerland
    ("CH", "ETH Zurich", "苏黎世联邦理工学院", "Zurich"),
    (
        "CH",
        "École Polytechnique Fédérale de Lausanne",
        "洛桑联邦理工学院",
        "Lausanne",
    ),
    # Ireland
    ("IE", "Trinity College Dublin", "都柏林圣三一大学", "Dublin"),
    ("IE", "University College Dublin", "都柏林大学", "Dublin"),
    # Denmark
    ("DK", "University of Copenhagen", "哥本哈根大学", "Copenhagen"),
    ("DK", "Technical University of Denmark", "丹麦技术大学", "Kongens Lyngby"),
    # Belgium
    ("BE", "KU Leuven", "鲁汶大学", "Leuven"),
    ("BE", "Ghent University", "根特大学", "Ghent"),
    # Japan
    ("JP", "University of Tokyo", "东京大学", "Tokyo"),
    ("JP", "Kyoto University", "京都大学", "Kyoto"),
    ("JP", "Osaka University", "大阪大学", "Osaka"),
    ("JP", "Waseda University", "早稻田大学", "Tokyo"),
    # South Korea
    ("KR", "Seoul National University", "首尔大学", "Seoul"),
    (
        "KR",
        "Korea Advanced Institute of Science and Technology",
        "韩国科学技术院",
        "Daejeon",
    ),
    ("KR", "Yonsei University", "延世大学", "Seoul"),
    # Singapore
    ("SG", "National University of Singapore", "新加坡国立大学", "Singapore"),
    ("SG", "Nanyang Technological University", "南洋理工大学", "Singapore"),
    # Malaysia
    ("MY", "University of Malaya", "马来亚大学", "Kuala Lumpur"),
    ("MY", "Universiti Putra Malaysia", "马来西亚博特拉大学", "Serdang"),
    ("MY", "Universiti Kebangsaan Malaysia", "马来西亚国民大学", "Bangi"),
    # Hong Kong
    ("HK", "University of Hong Kong", "香港大学", "Hong Kong"),
    ("HK", "Chinese University of Hong Kong", "香港中文大学", "Hong Kong"),
    (
        "HK",
        "Hong Kong University of Science and Technology",
        "香港科技大学",
        "Hong Kong",
    ),
    # Russia
    ("RU", "Lomonosov Moscow State University", "莫斯科国立大学", "Moscow"),
    ("RU", "Saint Petersburg State University", "圣彼得堡国立大学", "Saint Petersburg"),
)

# --------------------------------------------------------------------------
# Employers
# --------------------------------------------------------------------------

EMPLOYER_KIND_COUNTS: dict[str, int] = {
    "private": 129,
    "institute": 34,
    "soe": 27,
    "other": 15,
}

INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("marine_materials", "Marine new materials", "海洋新材料"),
    ("marine_biomedicine", "Marine biomedicine", "海洋生物医药"),
    ("home_appliances", "Smart home appliances", "智能家电"),
    ("rail_transit", "Rail transit equipment", "轨道交通装备"),
    ("shipbuilding", "Shipbuilding & offshore engineering", "船舶与海洋工程装备"),
    ("port_logistics", "Port & shipping logistics", "港航物流"),
    ("software_it", "Software & information technology", "软件与信息技术"),
    ("integrated_circuits", "Integrated circuits", "集成电路"),
    ("new_energy", "New energy", "新能源"),
    ("finance", "Finance", "金融"),
    ("higher_education", "Higher education", "高等教育"),
    ("scientific_research", "Scientific research", "科学研究"),
    ("healthcare", "Healthcare", "医疗卫生"),
    ("food_beverage", "Food & beverage (brewing)", "食品饮料（啤酒酿造）"),
    ("textiles_apparel", "Textiles & apparel", "纺织服装"),
    ("tourism_culture", "Tourism & culture", "文化旅游"),
)

# Brand-like words for private companies: (en, zh). No word's Chinese form is a
# prefix of another's, so "青岛<词><行业>有限公司" names never collide.
_PRIVATE_WORDS: tuple[tuple[str, str], ...] = (
    ("Blue Ocean", "蓝海"),
    ("Golden Coast", "金岸"),
    ("Sea Star", "海星"),
    ("Laoshan", "崂山"),
    ("Jiaozhou Bay", "胶州湾"),
    ("Seagull", "海鸥"),
    ("Coral", "珊瑚"),
    ("Lighthouse", "灯塔"),
    ("Pearl", "明珠"),
    ("Tidewater", "潮汐"),
    ("Far Sail", "远帆"),
    ("Evergreen", "长青"),
)

# Industry nouns for private companies: (industry_key, en, zh).
_PRIVATE_NOUNS: tuple[tuple[str, str, str], ...] = (
    ("marine_materials", "New Materials", "新材料"),
    ("marine_biomedicine", "Marine Biotech", "海洋生物科技"),
    ("home_appliances", "Smart Appliances", "智能家电"),
    ("rail_transit", "Rail Equipment", "轨道装备"),
    ("shipbuilding", "Offshore Engineering", "海洋工程"),
    ("port_logistics", "International Logistics", "国际物流"),
    ("software_it", "Software", "软件"),
    ("integrated_circuits", "Microelectronics", "微电子"),
    ("new_energy", "New Energy", "新能源"),
    ("finance", "Financial Services", "金融服务"),
    ("healthcare", "Medical Technology", "医疗科技"),
    ("food_beverage", "Brewing", "酿造"),
    ("textiles_apparel", "Apparel", "服饰"),
    ("tourism_culture", "Cultural Tourism", "文旅"),
)

# Local universities, used as a few of the "institute" employers.
_LOCAL_UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("Ocean University of China", "中国海洋大学"),
    ("Qingdao University", "青岛大学"),
    ("China University of Petroleum (East China)", "中国石油大学（华东）"),
    ("Shandong University of Science and Technology", "山东科技大学"),
    ("Qingdao University of Science and Technology", "青岛科技大学"),
    ("Qingdao University of Technology", "青岛理工大学"),
    ("Qingdao Agricultural University", "青岛农业大学"),
)

# Research fields for "Qingdao Institute of <Field>": (en, zh, industry_key).
_INSTITUTE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Marine Science", "海洋科学", "scientific_research"),
    ("Marine Drug Discovery", "海洋药物", "marine_biomedicine"),
    ("Advanced Marine Materials", "海洋先进材料", "marine_materials"),
    ("Marine Geology", "海洋地质", "scientific_research"),
    ("Polar Science", "极地科学", "scientific_research"),
    ("Fisheries Science", "水产科学", "scientific_research"),
    ("Ocean Engineering", "海洋工程", "scientific_research"),
    ("Intelligent Manufacturing", "智能制造", "scientific_research"),
    ("Artificial Intelligence", "人工智能", "software_it"),
    ("Big Data", "大数据", "software_it"),
    ("Microelectronics", "微电子", "integrated_circuits"),
    ("Energy Storage", "储能技术", "new_energy"),
    ("Hydrogen Energy", "氢能", "new_energy"),
    ("Rail Transit Technology", "轨道交通技术", "rail_transit"),
    ("Port Automation", "港口自动化", "port_logistics"),
    ("Biomedical Engineering", "生物医学工程", "healthcare"),
    ("Public Health", "公共卫生", "healthcare"),
    ("Food Science", "食品科学", "food_beverage"),
    ("Textile Innovation", "纺织创新", "textiles_apparel"),
    ("Environmental Science", "环境科学", "scientific_research"),
    ("Applied Mathematics", "应用数学", "scientific_research"),
    ("Photonics", "光电技术", "scientific_research"),
    ("Quantum Technology", "量子技术", "scientific_research"),
    ("Industrial Design", "工业设计", "scientific_research"),
    ("Economic Development", "经济发展", "scientific_research"),
    ("Cultural Heritage", "文化遗产", "tourism_culture"),
    ("Higher Education Studies", "高等教育", "higher_education"),
)

# State-owned enterprise groups: (en, zh, industry_key).
_SOE_WORDS: tuple[tuple[str, str, str], ...] = (
    ("Ocean Investment", "海洋投资", "finance"),
    ("Maritime Logistics", "海运物流", "port_logistics"),
    ("Harbour Shipping", "港航", "port_logistics"),
    ("Rail Transit", "轨道交通", "rail_transit"),
    ("Metro", "地铁", "rail_transit"),
    ("Shipbuilding Heavy Industry", "船舶重工", "shipbuilding"),
    ("Offshore Equipment", "海工装备", "shipbuilding"),
    ("Energy", "能源", "new_energy"),
    ("Clean Power", "清洁电力", "new_energy"),
    ("Hydrogen Energy", "氢能", "new_energy"),
    ("Financial Holdings", "金融控股", "finance"),
    ("State Capital Investment", "国有资本投资", "finance"),
    ("Urban Development Investment", "城市发展投资", "finance"),
    ("Digital Technology", "数字科技", "software_it"),
    ("Information Industry", "信息产业", "software_it"),
    ("Chip Industry", "芯片产业", "integrated_circuits"),
    ("Marine Bioindustry", "海洋生物产业", "marine_biomedicine"),
    ("Pharmaceutical", "医药", "healthcare"),
    ("Health Industry", "健康产业", "healthcare"),
    ("Food Industry", "食品工业", "food_beverage"),
    ("Malt & Brewing", "麦芽酿造", "food_beverage"),
    ("Textile", "纺织", "textiles_apparel"),
    ("Culture & Tourism", "文化旅游", "tourism_culture"),
    ("Conference & Exhibition", "会展", "tourism_culture"),
    ("Appliance Industry", "家电产业", "home_appliances"),
    ("Electronic Appliances", "电子电器", "home_appliances"),
    ("Marine Materials", "海洋材料", "marine_materials"),
)

# Other employers (hospitals, foundations, parks, centres): (en, zh, key).
_OTHER_EMPLOYERS: tuple[tuple[str, str, str], ...] = (
    ("Qingdao Municipal Hospital", "青岛市市立医院", "healthcare"),
    ("Qingdao Central Hospital", "青岛市中心医院", "healthcare"),
    (
        "Qingdao Women and Children's Hospital",
        "青岛市妇女儿童医院",
        "healthcare",
    ),
    (
        "Qingdao Marine Science and Technology Park",
        "青岛海洋科技园",
        "scientific_research",
    ),
    ("Qingdao Blue Valley Innovation Park", "青岛蓝谷创新园", "scientific_research"),
    ("Qingdao Software Industrial Park", "青岛软件产业园", "software_it"),
    (
        "Qingdao Integrated Circuit Industrial Park",
        "青岛集成电路产业园",
        "integrated_circuits",
    ),
    (
        "Qingdao Marine Biomedicine Industrial Park",
        "青岛海洋生物医药产业园",
        "marine_biomedicine",
    ),
    ("Qingdao Rail Transit Industrial Park", "青岛轨道交通产业园", "rail_transit"),
    ("Qingdao Talent Development Foundation", "青岛人才发展基金会", "higher_education"),
    (
        "Qingdao Science and Technology Innovation Foundation",
        "青岛科技创新基金会",
        "scientific_research",
    ),
    (
        "Qingdao Marine Conservation Foundation",
        "青岛海洋保护基金会",
        "scientific_research",
    ),
    (
        "Qingdao International Conference Center",
        "青岛国际会议中心",
        "tourism_culture",
    ),
    ("Qingdao Museum of Marine Culture", "青岛海洋文化博物馆", "tourism_culture"),
    ("Qingdao Technology Transfer Center", "青岛技术转移中心", "scientific_research"),
)


def _private_rows(count: int) -> list[tuple[str, str, str, str]]:
    """Return ``count`` private companies, cycling industries and words.

    Row ``i`` uses industry ``i % n`` and word ``(i // n + i % n) % w``; the
    pairs are distinct while ``count <= n * w``.
    """
    rows: list[tuple[str, str, str, str]] = []
    n_nouns = len(_PRIVATE_NOUNS)
    n_words = len(_PRIVATE_WORDS)
    for i in range(count):
        round_no, noun_no = divmod(i, n_nouns)
        word_en, word_zh = _PRIVATE_WORDS[(round_no + noun_no) % n_words]
        key, noun_en, noun_zh = _PRIVATE_NOUNS[noun_no]
        rows.append(
            (
                "private",
                f"Qingdao {word_en} {noun_en} Co., Ltd.",
                f"青岛{word_zh}{noun_zh}有限公司",
                key,
            )
        )
    return rows


def employer_rows() -> list[tuple[str, str, str, str]]:
    """Return the 205 demo employers as ``(kind, name_en, name_zh, industry_key)``.

    The result is deterministic: the same rows in the same order on every call.
    The first row is "Qingdao Blue Ocean New Materials Co., Ltd.", a marine
    new-materials company.
    """
    rows = _private_rows(EMPLOYER_KIND_COUNTS["private"])
    rows.extend(
        ("institute", en, zh, "higher_education") for en, zh in _LOCAL_UNIVERSITIES
    )
    rows.extend(
        ("institute", f"Qingdao Institute of {en}", f"青岛{zh}研究院", key)
        for en, zh, key in _INSTITUTE_FIELDS
    )
    rows.extend(
        ("soe", f"Qingdao {en} Group Co., Ltd.", f"青岛{zh}集团有限公司", key)
        for en, zh, key in _SOE_WORDS
    )
    rows.extend(("other", en, zh, key) for en, zh, key in _OTHER_EMPLOYERS)
    return rows


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

PERSON_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("高", "Gao"),
    ("罗", "Luo"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("谢", "Xie"),
    ("宋", "Song"),
    ("唐", "Tang"),
    ("韩", "Han"),
    ("冯", "Feng"),
    ("邓", "Deng"),
    ("曹", "Cao"),
    ("彭", "Peng"),
    ("曾", "Zeng"),
    ("肖", "Xiao"),
    ("田", "Tian"),
    ("董", "Dong"),
    ("潘", "Pan"),
    ("袁", "Yuan"),
    ("蔡", "Cai"),
    ("蒋", "Jiang"),
    ("于", "Yu"),
    ("杜", "Du"),
)

PERSON_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("婷", "Ting"),
    ("晓明", "Xiaoming"),
    ("子涵", "Zihan"),
    ("欣怡", "Xinyi"),
    ("浩然", "Haoran"),
    ("梓轩", "Zixuan"),
    ("雨桐", "Yutong"),
    ("宇轩", "Yuxuan"),
    ("思远", "Siyuan"),
    ("嘉怡", "Jiayi"),
    ("俊杰", "Junjie"),
    ("佳琪", "Jiaqi"),
    ("一鸣", "Yiming"),
    ("子墨", "Zimo"),
    ("诗涵", "Shihan"),
    ("博文", "Bowen"),
    ("梦瑶", "Mengyao"),
    ("天宇", "Tianyu"),
    ("雅琳", "Yalin"),
    ("志远", "Zhiyuan"),
    ("晨曦", "Chenxi"),
    ("文博", "Wenbo"),
    ("若曦", "Ruoxi"),
    ("明哲", "Mingzhe"),
    ("欣然", "Xinran"),
    ("思琪", "Siqi"),
    ("家豪", "Jiahao"),
    ("雨欣", "Yuxin"),
    ("泽宇", "Zeyu"),
    ("可馨", "Kexin"),
    ("昊天", "Haotian"),
    ("语嫣", "Yuyan"),
    ("晓东", "Xiaodong"),
    ("海涛", "Haitao"),
    ("建华", "Jianhua"),
    ("丽娟", "Lijuan"),
    ("国强", "Guoqiang"),
    ("慧敏", "Huimin"),
    ("鹏飞", "Pengfei"),
    ("春燕", "Chunyan"),
    ("立新", "Lixin"),
)

# --------------------------------------------------------------------------
# Study programmes: (en, zh)
# --------------------------------------------------------------------------

PROGRAMMES: tuple[tuple[str, str], ...] = (
    ("MSc Materials Science", "材料科学硕士"),
    ("PhD Materials Science", "材料科学博士"),
    ("PhD Marine Biology", "海洋生物学博士"),
    ("MSc Marine Biotechnology", "海洋生物技术硕士"),
    ("MSc Oceanography", "海洋学硕士"),
    ("PhD Physical Oceanography", "物理海洋学博士"),
    ("MSc Naval Architecture and Ocean Engineering", "船舶与海洋工程硕士"),
    ("MSc Computer Science", "计算机科学硕士"),
    ("PhD Computer Science", "计算机科学博士"),
    ("MSc Data Science", "数据科学硕士"),
    ("MSc Artificial Intelligence", "人工智能硕士"),
    ("MSc Electrical and Electronic Engineering", "电气与电子工程硕士"),
    ("MSc Microelectronics", "微电子学硕士"),
    ("MSc Mechanical Engineering", "机械工程硕士"),
    ("BEng Mechanical Engineering", "机械工程学士"),
    ("MSc Chemical Engineering", "化学工程硕士"),
    ("PhD Chemistry", "化学博士"),
    ("MSc Renewable Energy", "可再生能源硕士"),
    ("MSc Civil Engineering", "土木工程硕士"),
    ("MSc Transport Engineering", "交通运输工程硕士"),
    ("MSc Logistics and Supply Chain Management", "物流与供应链管理硕士"),
    ("MSc Finance", "金融学硕士"),
    ("MSc Business Analytics", "商业分析硕士"),
    ("MBA", "工商管理硕士"),
    ("MSc Pharmacology", "药理学硕士"),
    ("PhD Biomedical Engineering", "生物医学工程博士"),
    ("MPH Public Health", "公共卫生硕士"),
    ("MSc Food Science", "食品科学硕士"),
    ("MA Fashion and Textile Design", "时装与纺织设计硕士"),
    ("MA Tourism Management", "旅游管理硕士"),
    ("MA Education", "教育学硕士"),
    ("MSc Environmental Science", "环境科学硕士"),
    ("MSc Applied Mathematics", "应用数学硕士"),
)
