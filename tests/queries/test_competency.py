"""Competency questions: every queries/*.rq answers exactly what the plan says."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from pyoxigraph import Literal

from tzkg.config import Settings
from tzkg.queries import NamedQuery
from tzkg.store import OxigraphStore

Ask = Callable[..., list[dict[str, Any]]]
TZO = "https://w3id.org/tzkg/ontology#"


def values(rows: list[dict[str, object]], *names: str) -> set[tuple[str, ...]]:
    """The set of value tuples of some variables (a missing value as '')."""
    return {tuple(getattr(row.get(n), "value", "") for n in names) for row in rows}


SHIPBUILDING_CLUSTER = "高端装备和高技术船舶产业集群"
COUNTY_GOVERNMENTS = {
    "海陵区人民政府",
    "高港区人民政府",
    "姜堰区人民政府",
    "兴化市人民政府",
    "靖江市人民政府",
    "泰兴市人民政府",
}


def run(
    store: OxigraphStore,
    queries: Mapping[str, NamedQuery],
    settings: Settings,
    name: str,
    **params: str,
) -> list[dict[str, object]]:
    """Run a named query with parameters (the file's examples when none are given)."""
    query = queries[name]
    result = query.run(store, params or query.examples(), base_iri=settings.base_iri)
    return result.rows  # type: ignore[return-value]


@pytest.fixture
def ask(
    plan_store: OxigraphStore, named_queries: Mapping[str, NamedQuery], settings: Settings
) -> Ask:
    """ask(name, **params) → rows."""
    return lambda name, **params: run(plan_store, named_queries, settings, name, **params)


def test_every_query_has_a_test(named_queries: Mapping[str, NamedQuery]) -> None:
    tested = {
        name.removeprefix("test_").replace("_", "-")
        for name in globals()
        if name.startswith("test_")
    }
    assert len(named_queries) >= 20
    assert set(named_queries) <= tested, set(named_queries) - tested


def test_platforms_supporting_field(ask: Ask) -> None:
    rows = ask("platforms-supporting-field", field_label="高技术船舶")
    assert values(rows, "supporterLabel", "relation") == {
        ("扬子江船业技术中心", "platform"),
        ("亚星锚链国家级技术中心", "platform"),
        ("亚星锚链省级重点实验室", "platform"),
        ("中船708研究所", "partner"),
        ("德国汉堡水池", "partner"),
    }
    assert values(rows, "clusterLabel") == {(SHIPBUILDING_CLUSTER,)}
    assert not any("药物制剂" in label for (label,) in values(rows, "supporterLabel"))


def test_measure_departments(ask: Ask) -> None:
    rows = ask("measure-departments")
    by_measure: dict[tuple[str, str], set[str]] = {}
    for order, role, dept in values(rows, "order", "role", "departmentLabel"):
        by_measure.setdefault((order, role), set()).add(dept)
    always = COUNTY_GOVERNMENTS | {"泰州医药高新区管委会"}
    assert by_measure[("1", "lead")] == {"市科技局"}
    assert (
        by_measure[("1", "responsible")]
        == {
            "市发展改革委",
            "市工业和信息化局",
            "市财政局",
            "市人力资源社会保障局",
            "市自然资源规划局",
            "市应急管理局",
            "市行政审批局",
            "市市场监管局",
            "市地方金融监管局",
            "市税务局",
            "市人才办",
        }
        | always
    )
    assert (
        by_measure[("2", "responsible")]
        == {
            "市发展改革委",
            "市工业和信息化局",
            "市财政局",
            "市人力资源社会保障局",
            "市自然资源规划局",
            "市应急管理局",
            "市行政审批局",
            "市市场监管局",
            "市税务局",
        }
        | always
    )
    assert (
        by_measure[("3", "responsible")]
        == {
            "市发展改革委",
            "市工业和信息化局",
            "市财政局",
            "市人力资源社会保障局",
            "市市场监管局",
        }
        | always
    )
    assert by_measure[("4", "lead")] == {"市人才办"}
    assert (
        by_measure[("4", "responsible")]
        == {
            "市发展改革委",
            "市科技局",
            "市财政局",
            "市人力资源社会保障局",
            "市自然资源规划局",
            "市行政审批局",
        }
        | always
    )
    assert by_measure[("5", "lead")] == {"市地方金融监管局"}
    assert (
        by_measure[("5", "responsible")]
        == {
            "市科技局",
            "市财政局",
            "人行泰州中支",
            "泰州银保监分局",
            "金控集团",
        }
        | always
    )
    assert by_measure[("6", "lead")] == {"市科技局", "市市场监管局"}
    assert (
        by_measure[("6", "responsible")]
        == {
            "市发展改革委",
            "市工业和信息化局",
            "市财政局",
            "市人力资源社会保障局",
            "市自然资源规划局",
            "市应急管理局",
            "市行政审批局",
        }
        | always
    )
    assert len({k[0] for k in by_measure}) == 6


def test_department_responsibilities(ask: Ask) -> None:
    assert values(ask("department-responsibilities", department_label="市财政局"), "order") == {
        (str(n),) for n in range(1, 7)
    }
    assert values(ask("department-responsibilities", department_label="市税务局"), "order") == {
        ("1",),
        ("2",),
    }
    assert values(ask("department-responsibilities", department_label="金控集团"), "order") == {
        ("5",)
    }
    assert values(
        ask("department-responsibilities", department_label="靖江市人民政府"), "order"
    ) == {(str(n),) for n in range(1, 7)}


def test_measures_led_by(ask: Ask) -> None:
    assert values(ask("measures-led-by", department_label="市科技局"), "order") == {
        ("1",),
        ("2",),
        ("3",),
        ("6",),
    }
    assert values(ask("measures-led-by", department_label="市人才办"), "measureLabel") == {
        ("实施科技人才强链强企行动",)
    }


GOALS_2023 = {
    ("全社会研发经费支出占GDP比重", "Stock", "Exact", "2.76", "", "", "%"),
    ("规模以上工业企业中有研发活动企业数占比", "Stock", "Exact", "70", "", "", "%"),
    ("科技进步贡献率", "Stock", "Exact", "66.5", "", "", "%"),
    ("万人高价值发明专利拥有量", "Stock", "AtLeast", "", "7", "", "件"),
    ("高新技术产业产值占规模以上工业产值比重", "Stock", "Exact", "47", "", "", "%"),
    ("三大先进制造业集群规模以上工业企业研发投入强度", "Stock", "Exact", "3", "", "", "%"),
    ("科技型中小企业", "Stock", "Exact", "2000", "", "", "家"),
    ("高新技术企业", "Stock", "Exact", "1800", "", "", "家"),
    ("瞪羚企业", "Stock", "Exact", "35", "", "", "家"),
    ("入选省创新型百强企业", "Flow", "Exact", "8", "", "", "家"),
    ("新增三大先进制造业集群高新技术企业", "Flow", "Exact", "450", "", "", "家"),
    ("龙头企业、社会资本、人才团队混合所有制新型研发机构", "Stock", "Exact", "20", "", "", "家"),
    ("省级以上科技孵化器", "Stock", "Exact", "35", "", "", "家"),
    ("众创空间", "Stock", "Exact", "40", "", "", "家"),
    ("省级企业研发机构", "Stock", "Exact", "450", "", "", "家"),
    ("三大先进制造业集群规模以上工业企业研发机构覆盖率", "Stock", "AtLeast", "", "90", "", "%"),
    ("突破关键核心技术", "Flow", "Exact", "50", "", "", "项"),
    ("实施重大科技成果产业化项目", "Flow", "Exact", "50", "", "", "项"),
    ("达成科技合作项目", "Flow", "Exact", "1000", "", "", "项"),
}
MEASURE_TARGETS_2023 = {
    ("全市新型研发机构累计申请发明专利", "Flow", "Exact", "1000", "", "", "件"),
    ("转化高价值科技成果", "Flow", "Exact", "300", "", "", "项"),
    ("新增省级以上科技创新创业载体", "Flow", "Exact", "10", "", "", "家"),
    ("孵化科技型中小企业", "Flow", "Exact", "150", "", "", "家"),
    ("孵化高新技术企业", "Flow", "Exact", "60", "", "", "家"),
    ("全国高新区排名", "Stock", "AtMost", "", "", "50", "名"),
}


def test_targets_by_year(ask: Ask) -> None:
    rows = ask("targets-by-year", year="2023")
    got = {
        (ind, kind.removeprefix(TZO), bound.removeprefix(TZO), v, lo, hi, unit)
        for ind, kind, bound, v, lo, hi, unit in values(
            rows, "indicatorLabel", "kind", "bound", "value", "minValue", "maxValue", "unit"
        )
    }
    assert got == GOALS_2023 | MEASURE_TARGETS_2023
    goals = [row for row in rows if "/target/1." in row["target"].value]  # type: ignore[attr-defined]
    assert len(goals) == 19


def test_annual_targets(ask: Ask) -> None:
    got = {
        (label, kind.removeprefix(TZO), v, lo, hi, unit)
        for label, kind, v, lo, hi, unit in values(
            ask("annual-targets"), "label", "kind", "value", "minValue", "maxValue", "unit"
        )
    }
    assert got == {
        ("龙头(标杆)企业研发投入强度达6%", "Stock", "6", "", "", "%"),
        ("入选省创新型百强企业2家", "Flow", "2", "", "", "家"),
        ("新增高新技术企业200家", "Flow", "200", "", "", "家"),
        ("新增瞪羚企业10家", "Flow", "10", "", "", "家"),
        ("新增潜在独角兽和独角兽企业1-2家", "Flow", "", "1", "2", "家"),
        ("高新技术产值占规模以上工业产值比重提高0.5%", "Increase", "0.5", "", "", "%"),
        ("新增科技型中小企业200家", "Flow", "200", "", "", "家"),
        ("解决技术难题100项", "Flow", "100", "", "", "项"),
        ("上市2-3家科技型企业", "Flow", "", "2", "3", "家"),
    }


def test_aspirational_targets(ask: Ask) -> None:
    assert values(ask("aspirational-targets"), "label") == {
        ("入选省百强创新型企业8家",),
        ("入选省创新型百强企业2家",),
        ("进入全国高新区前50强",),
        ("上市2-3家科技型企业",),
    }


def test_targets_by_indicator(ask: Ask) -> None:
    assert values(ask("targets-by-indicator", indicator_label="高新技术企业"), "value") == {
        ("1800",)
    }
    # the reviewed alias file merges the two wordings of one indicator
    assert values(ask("targets-by-indicator", indicator_label="入选省百强创新型企业"), "value") == {
        ("8",),
        ("2",),
    }


NATIONAL = {
    ("扬子江药业药物制剂新技术国家重点实验室", "扬子江药业"),
    ("太平洋精锻国家级技术中心", "太平洋精锻"),
    ("林海动力国家级技术中心", "林海动力"),
    ("双登集团国家级企业技术中心", "双登集团"),
    ("亚星锚链国家级技术中心", "亚星锚链"),
}


def test_national_platforms(ask: Ask) -> None:
    assert values(ask("national-platforms"), "label", "hostLabel") == NATIONAL


def test_platforms_by_level(ask: Ask) -> None:
    assert values(ask("platforms-by-level", level=TZO + "Provincial"), "label") == {
        ("江苏省疫苗产业创新中心",),
        ("华达汽车省级研发中心",),
        ("新程汽车省级研发中心",),
        ("春兰清洁能源研究院省级重点实验室",),
        ("亚星锚链省级重点实验室",),
    }


def test_laboratories(ask: Ask) -> None:
    assert values(ask("laboratories"), "label") == {
        ("扬子江药业药物制剂新技术国家重点实验室",),
        ("春兰清洁能源研究院省级重点实验室",),
        ("亚星锚链省级重点实验室",),
    }


def test_cluster_platforms(ask: Ask) -> None:
    assert values(ask("cluster-platforms", cluster_label=SHIPBUILDING_CLUSTER), "label") == {
        ("太平洋精锻国家级技术中心",),
        ("林海动力国家级技术中心",),
        ("华达汽车省级研发中心",),
        ("新程汽车省级研发中心",),
        ("双登集团国家级企业技术中心",),
        ("春兰清洁能源研究院省级重点实验室",),
        ("扬子江船业技术中心",),
        ("亚星锚链国家级技术中心",),
        ("亚星锚链省级重点实验室",),
    }
    assert values(
        ask("cluster-platforms", cluster_label="生物医药和新型医疗器械产业集群"), "label"
    ) == {
        ("扬子江药业药物制剂新技术国家重点实验室",),
        ("江苏省疫苗产业创新中心",),
        ("中国医药城疫苗工程中心",),
        ("ICGEB-中国区域研究中心",),
    }


def test_clusters_and_fields(ask: Ask) -> None:
    assert values(ask("clusters-and-fields"), "clusterLabel", "fieldLabel") == {
        ("生物医药和新型医疗器械产业集群", "生物医药"),
        ("生物医药和新型医疗器械产业集群", "新型医疗器械"),
        (SHIPBUILDING_CLUSTER, "汽车及零部件"),
        (SHIPBUILDING_CLUSTER, "新能源"),
        (SHIPBUILDING_CLUSTER, "高技术船舶"),
        ("化工及新材料产业集群", "精细化工"),
        ("化工及新材料产业集群", "石油化工"),
    }


def test_parks_per_cluster(ask: Ask) -> None:
    assert values(ask("parks-per-cluster"), "clusterLabel", "zoneLabel", "role") == {
        ("生物医药和新型医疗器械产业集群", "泰州医药高新区", "core"),
        (SHIPBUILDING_CLUSTER, "泰州汽车科技产业园", "base"),
        (SHIPBUILDING_CLUSTER, "泰州新能源产业园", "base"),
        (SHIPBUILDING_CLUSTER, "姜堰经济开发区", "base"),
        ("化工及新材料产业集群", "泰兴经济开发区", "base"),
        ("化工及新材料产业集群", "滨江工业园区", "base"),
    }


def test_division_reliance(ask: Ask) -> None:
    assert values(ask("division-reliance"), "subjectLabel", "divisionLabel", "code") == {
        ("高技术船舶", "靖江市", "321282"),
        ("高技术船舶", "泰兴市", "321283"),
        ("高技术船舶", "高港区", "321203"),
    }


def test_technologies_per_field(ask: Ask) -> None:
    got = values(ask("technologies-per-field"), "fieldLabel", "technologyLabel")
    assert got == {
        ("汽车及零部件", "整车综合控制系统"),
        ("汽车及零部件", "高性能低成本动力电池"),
        ("汽车及零部件", "电机电控"),
        ("新能源", "钙钛矿电池及钙钛矿晶硅集成电池的核心关键技术"),
        ("新能源", "高效能风力发电机组关键零部件自主设计和制造技术"),
        ("新能源", "生物质能利用技术"),
        ("高技术船舶", "超级节能环保船舶"),
        ("高技术船舶", "智能船舶"),
        ("高技术船舶", "大型LNG双燃料动力船舶"),
        ("高技术船舶", "海上作业保障装备"),
        ("精细化工", "氢气、氯气、乙烯、丙烯等化学品的深加工技术"),
    }


def test_focus_areas(ask: Ask) -> None:
    got = values(ask("focus-areas"), "subjectLabel", "areaLabel")
    assert {area for field, area in got if field == "新型医疗器械"} == {
        "POCT床边快速诊疗",
        "分子诊断",
        "基因芯片",
        "肿瘤早期诊断",
        "药物作用靶点测试",
        "PET-MR",
        "数字化可穿戴及远程诊疗",
    }
    assert {area for field, area in got if field == "石油化工"} == {
        "特种油",
        "茂金属三元共聚",
        "高端润滑油",
        "高端聚烯烃",
    }
    assert {area for field, area in got if field == "生物医药"} == {
        "化学药",
        "生物药",
        "疫苗",
        "中药",
    }


def test_enterprise_cluster(ask: Ask) -> None:
    rows = ask("enterprise-cluster", enterprise_label="太平洋精锻")
    assert values(rows, "clusterLabel", "fieldLabel") == {(SHIPBUILDING_CLUSTER, "汽车及零部件")}
    rows = ask("enterprise-cluster", enterprise_label="扬子江药业集团有限公司")  # legal name
    assert values(rows, "clusterLabel", "fieldLabel") == {("生物医药和新型医疗器械产业集群", "")}
    rows = ask("enterprise-cluster", enterprise_label="亚星锚链")  # through its platforms
    assert values(rows, "fieldLabel", "via") == {("高技术船舶", "platform")}


def test_lead_enterprises(ask: Ask) -> None:
    got = values(ask("lead-enterprises"), "subjectLabel", "enterpriseLabel", "role")
    assert {(s, e) for s, e, r in got if r == "backbone"} == {
        ("汽车及零部件", "太平洋精锻"),
        ("汽车及零部件", "林海动力"),
        ("汽车及零部件", "罡阳股份"),
    }
    assert {e for s, e, r in got if r == "lead" and s == "高技术船舶"} == {
        "新时代造船",
        "新扬子造船",
        "扬子鑫福",
    }
    assert {e for s, e, r in got if r == "lead" and s == "生物医药和新型医疗器械产业集群"} == {
        "扬子江药业",
        "济川药业",
        "苏中药业",
    }
    assert {e for s, e, r in got if s == "石油化工"} == {"中海油气(泰州)有限公司"}
    assert len(got) == 15


def test_platforms_by_host(ask: Ask) -> None:
    assert values(ask("platforms-by-host", host_label="亚星锚链"), "label", "level") == {
        ("亚星锚链国家级技术中心", TZO + "National"),
        ("亚星锚链省级重点实验室", TZO + "Provincial"),
    }
    assert values(ask("platforms-by-host", host_label="春兰清洁能源研究院"), "label") == {
        ("春兰清洁能源研究院省级重点实验室",)
    }


def test_research_partners(ask: Ask) -> None:
    assert values(ask("research-partners"), "partnerLabel", "subjectLabel") == {
        ("中船708研究所", "高技术船舶"),
        ("德国汉堡水池", "高技术船舶"),
    }


def test_programmes(ask: Ask) -> None:
    got = {
        (label, kind.removeprefix(TZO))
        for label, kind in values(ask("programmes"), "label", "kind")
    }
    assert got == {
        ("113人才计划", "TalentProgramme"),
        ("双创人才计划", "TalentProgramme"),
        ("人才安居保障工程", "TalentProgramme"),
        ("孵育计划", "EnterpriseProgramme"),
        ("小升高培育工程", "EnterpriseProgramme"),
        ("科技型企业上市培育计划", "FinanceProgramme"),
        ("苏科贷", "FinanceProgramme"),
    }


def test_plan_metadata(ask: Ask) -> None:
    rows = ask("plan-metadata")
    assert values(
        rows, "title", "issuerLabel", "signed", "published", "meetingLabel", "start", "end"
    ) == {
        (
            "泰州市聚焦产业强市构建科技创新生态体系三年行动方案(2021-2023年)",
            "泰州市人民政府办公室",
            "2021-05-05",
            "2021-06-08",
            "市政府第55次常务会议",
            "2021",
            "2023",
        )
    }


def test_section_tree(ask: Ask) -> None:
    rows = ask("section-tree")
    top = [row["title"].value for row in rows if "parentNumber" not in row]  # type: ignore[attr-defined]
    assert top == ["工作目标", "主要任务", "重点举措", "工作机制"]
    assert len(rows) == 4 + 4 + 3 + 6 + 4


def test_fact_source(ask: Ask, plan_store: OxigraphStore, settings: Settings) -> None:
    platform = next(
        iter(
            plan_store.query(
                "SELECT ?p ?label WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                substitutions={"label": Literal("亚星锚链国家级技术中心", language="zh")},
            ).rows
        )
    )["p"].value
    rows = ask("fact-source", subject=platform, predicate=TZO + "hostedBy")
    ((sentence, start, end),) = values(rows, "sentence", "start", "end")
    plan_text = (settings.data_dir / "plan" / "taizhou-sti-plan-2021-2023.txt").read_text("utf-8")
    assert plan_text[int(start) : int(end)] == sentence
    assert sentence.startswith("高技术船舶领域,以靖江、泰兴、高港等沿江板块为依托")
    assert "亚星锚链国家级技术中心和省级重点实验室" in sentence


def test_hosting_source(ask: Ask) -> None:
    ((platform, sentence),) = values(
        ask("hosting-source", host_label="亚星锚链"), "platform", "sentence"
    )
    assert platform.endswith("/id/platform/asian-star-anchor-chain-national-technology-centre")
    assert "亚星锚链国家级技术中心" in sentence and sentence.endswith("船舶出口基地。")


def test_county_governments(ask: Ask) -> None:
    assert values(ask("county-governments"), "label", "code", "measures") == {
        ("海陵区人民政府", "321202", "6"),
        ("高港区人民政府", "321203", "6"),
        ("姜堰区人民政府", "321204", "6"),
        ("兴化市人民政府", "321281", "6"),
        ("靖江市人民政府", "321282", "6"),
        ("泰兴市人民政府", "321283", "6"),
    }
