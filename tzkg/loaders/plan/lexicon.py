"""The phrasing of the genre (Chinese municipal action plans), not the facts of any one plan.

Everything here would hold for another city's plan of the same kind: section roles by title,
platform types by name suffix, the verbs that make a target a stock or a flow, units, and the
shorthand of department lists.
"""

from __future__ import annotations

import re

# --- section roles, by the title of a top-level section ---------------------------------------
SECTION_ROLES: list[tuple[str, str]] = [
    (r"目标", "goals"),
    (r"任务", "tasks"),
    (r"举措|措施", "measures"),
    (r"机制|保障", "mechanisms"),
]

# --- platform types: the suffix of a name gives the class; a level word gives the level ----
# (pattern on the type part, class if national, class if provincial, class otherwise)
PLATFORM_TYPES: list[tuple[str, str, str, str]] = [
    (r"重点实验室", "NationalKeyLaboratory", "ProvincialKeyLaboratory", "KeyLaboratory"),
    (r"实验室", "Laboratory", "Laboratory", "Laboratory"),
    (
        r"(?:企业)?技术中心",
        "NationalEnterpriseTechnologyCentre",
        "ProvincialEnterpriseTechnologyCentre",
        "EnterpriseTechnologyCentre",
    ),
    (
        r"(?:工程技术研究中心|工程研究中心|工程中心)",
        "EngineeringCentre",
        "ProvincialEngineeringCentre",
        "EngineeringCentre",
    ),
    (r"研发中心", "RDCentre", "ProvincialRDCentre", "RDCentre"),
    (
        r"(?:产业|技术)?创新中心",
        "IndustryInnovationCentre",
        "IndustryInnovationCentre",
        "IndustryInnovationCentre",
    ),
    (r"研究中心", "ResearchCentre", "ResearchCentre", "ResearchCentre"),
    (r"(?:研究院|研究所)", "ResearchInstitute", "ResearchInstitute", "ResearchInstitute"),
    (r"新型研发机构", "NewTypeRDInstitution", "NewTypeRDInstitution", "NewTypeRDInstitution"),
    (r"孵化器", "Incubator", "Incubator", "Incubator"),
    (r"众创空间", "MakerSpace", "MakerSpace", "MakerSpace"),
    (
        r"(?:公共服务平台|服务平台|检验检测平台|测试中心)",
        "PublicServicePlatform",
        "PublicServicePlatform",
        "PublicServicePlatform",
    ),
]

LEVEL_WORDS = r"(?:国家级|国家|全国|省级|[\u4e00-\u9fff]{2}省|省|市级)"
NATIONAL = re.compile(r"国家|全国")
PROVINCIAL = re.compile(r"省级|^[\u4e00-\u9fff]{2}省|^省|[^\u4e00-\u9fff]省")
MUNICIPAL = re.compile(r"市级|^市")

TYPE_PART = re.compile(
    LEVEL_WORDS + "?(?:" + "|".join(pattern for pattern, *_ in PLATFORM_TYPES) + r")$"
)

# short names that end like this are organisations that can host a platform
ENTERPRISE_SUFFIX = re.compile(r"(?:集团|股份|公司|药业|船业|汽车|化学|动力|精锻|电子|科技)$")
RESEARCH_ORG_SUFFIX = re.compile(r"(?:研究院|研究所|大学|学院|水池|研究中心)$")

# --- zones and divisions ----------------------------------------------------------------
ZONE_TYPES: list[tuple[str, str]] = [
    (r"高新区|高新技术产业开发区", "HighTechZone"),
    (r"开发区|经济区|新区", "DevelopmentZone"),
    (r"产业园|工业园区|工业园|园区|软件园|科技园|基地", "IndustrialPark"),
]

# --- list phrases ---------------------------------------------------------------------------
LIST_SEPARATORS = re.compile(r"[、]")
PLATFORM_LIST_SEPARATORS = re.compile(
    r"[、]|和(?=.*?(?:中心|实验室|研究院|研究所|平台|空间|孵化器|机构)$)"
)
TRAILING_ETC = re.compile(r"等[^、]*$")

# --- targets --------------------------------------------------------------------------------
UNITS = r"%|家|件|项|个|名|人|亿元|万元|倍|所|座|条"
NUMBER = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)"
    r"(?:\s*[-~—–至到]\s*(?P<num2>\d+(?:\.\d+)?))?"
    r"\s*(?P<unit>" + UNITS + r")"
    r"(?P<floor>以上)?"
)
RANK = re.compile(r"进入(?P<indicator>[^,。]*?)前(?P<num>\d+)(?:强|名|位)")
DEADLINE = re.compile(r"到(?P<year>\d{4})年(?:底|末)?")
ANNUAL = re.compile(r"每年")
ASPIRATIONAL = re.compile(r"力争|争创|努力|争取")
SCOPE_WORDS = re.compile(r"^(?:[,、]|到\d{4}年(?:底|末)?|每年|力争|争取|努力)+")
STOCK_VERBS = ("拥有", "建成", "达到", "实现", "保持", "培育")
FLOW_VERBS = (
    "新增",
    "突破",
    "实施",
    "达成",
    "孵化",
    "转化",
    "解决",
    "引进",
    "入选",
    "上市",
    "累计",
    "申请",
)
INCREASE_VERBS = ("提高", "提升", "增长", "增加")
LEVEL_VERBS_AT_END = ("达到", "达", "为")
PERCENT_UNIT_CODE = "P1"  # UN/CEFACT Common Code for percent, as used by schema:unitCode

# --- departments --------------------------------------------------------------------------
DEPARTMENT_NOTE = re.compile(r"\(牵头(?:部门|单位)[:]")
ALL_COUNTY_GOVERNMENTS = re.compile(r"^各(?:[县市区]|[(、)])+人民政府$")
STICKY_UNITS = re.compile(r"^以下责任(?:单位|部门)均包含(?P<units>.+)$")
CITY_DEPARTMENT_SUFFIX = re.compile(r"(?:局|委|办|办公室|委员会|中心)$")


def body_class(name: str) -> str:
    """The ontology class of a public body (or company) named in a department list."""
    if name.endswith("人民政府"):
        return "LocalGovernment"
    if name.endswith(("管委会", "管理委员会")):
        return "AdministrativeCommittee"
    if name.startswith("人行") or "人民银行" in name or re.search("银保监|证监|银监|保监", name):
        return "FinancialRegulator"
    if name.endswith(("集团", "公司")):
        return "Enterprise"
    if name.endswith("委员会") and not name.endswith("改革委员会"):
        return "CoordinationBody"
    if CITY_DEPARTMENT_SUFFIX.search(name):
        return "GovernmentDepartment"
    return "PublicBody"


def platform_class_and_level(name: str) -> tuple[str, str | None] | None:
    """The class and level (National/Provincial/Municipal or None) of a platform name."""
    for pattern, national, provincial, other in PLATFORM_TYPES:
        match = re.search(LEVEL_WORDS + "?" + pattern + "$", name)
        if not match:
            continue
        head = name[: match.end()]
        if NATIONAL.search(head):
            return national, "National"
        if PROVINCIAL.search(head):
            return provincial, "Provincial"
        if MUNICIPAL.search(head):
            return other, "Municipal"
        return other, None
    return None


def zone_class(name: str) -> str | None:
    """The class of a park or zone by the suffix of its name, or None."""
    for pattern, cls in ZONE_TYPES:
        if re.search(f"(?:{pattern})$", name):
            return cls
    return None


def programme_kind(name: str) -> str:
    """Talent, finance or enterprise programme, by its name."""
    if "人才" in name or "英才" in name:
        return "TalentProgramme"
    if re.search("贷|金融|基金|上市|投资|保险", name):
        return "FinanceProgramme"
    return "EnterpriseProgramme"
