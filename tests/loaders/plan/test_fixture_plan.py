"""Another city's plan of the same genre loads with no code change and gives the right graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from tzkg.config import Settings
from tzkg.loaders.plan import load_plan

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "yangzhou"
PLAN = FIXTURE / "data" / "plan" / "yangzhou-digital-2022-2024.txt"
BASE = "https://example.org/kg/"
PREFIXES = """PREFIX tzo: <https://w3id.org/tzkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""


@pytest.fixture(scope="module")
def store() -> Store:
    settings = Settings(data_dir=FIXTURE / "data", base_iri=BASE)
    store = Store()
    store.extend(load_plan(PLAN, settings))
    return store


def rows(store: Store, where: str, *names: str) -> set[tuple[str, ...]]:
    query = f"{PREFIXES} SELECT DISTINCT {' '.join('?' + n for n in names)} WHERE {{ {where} }}"
    return {
        tuple(s[n].value if s[n] is not None else "" for n in names)
        for s in store.query(query, use_default_graph_as_union=True)
    }


def test_iris_use_the_configured_base(store: Store) -> None:
    subjects = rows(store, "?s a tzo:Plan", "s")
    assert subjects == {(BASE + "id/plan/yangzhou-digital-2022-2024",)}


def test_document(store: Store) -> None:
    assert rows(
        store,
        "?p a tzo:Plan ; eli:title ?t ; eli:date_document ?d ; eli:date_publication ?pub ;"
        " tzo:approvedAt/rdfs:label ?m ; tzo:periodStartYear ?a ; tzo:periodEndYear ?b",
        "t",
        "d",
        "pub",
        "m",
        "a",
        "b",
    ) == {
        (
            "扬州市数字经济创新发展三年行动计划(2022-2024年)",
            "2022-03-01",
            "2022-03-15",
            "市政府第12次常务会议",
            "2022",
            "2024",
        )
    }


def test_clusters_fields_and_their_structure(store: Store) -> None:
    assert rows(
        store, "?f tzo:inCluster/rdfs:label ?c ; rdfs:label ?fl FILTER(LANG(?fl)='zh')", "c", "fl"
    ) == {("软件和信息服务产业集群", "工业软件"), ("高端装备产业集群", "智能电网装备")}
    assert rows(store, "?c tzo:coreZone/rdfs:label ?z", "z") == {("扬州经济技术开发区",)}
    assert rows(store, "?f tzo:reliesOn ?d . ?d rdfs:label ?l", "l") == {("广陵软件园",)}
    assert rows(
        store, "?f tzo:reliesOn ?d . FILTER(STRSTARTS(STR(?d), '" + BASE + "id/division/'))", "d"
    ) == {(BASE + "id/division/321003",), (BASE + "id/division/321084",)}


def test_enterprises_and_roles(store: Store) -> None:
    assert rows(store, "?s tzo:hasLeadEnterprise/rdfs:label ?e ; rdfs:label ?sl", "sl", "e") == {
        ("软件和信息服务产业集群", "金陵软件"),
        ("软件和信息服务产业集群", "运河数据"),
        ("工业软件", "维扬智控"),
    }
    assert rows(store, "?s tzo:hasBackboneEnterprise/rdfs:label ?e", "e") == {
        ("瘦西湖电气",),
        ("古运河机电",),
    }


def test_platforms_with_distribution_hosts_types_and_levels(store: Store) -> None:
    got = rows(
        store,
        "?p a tzo:InnovationPlatform ; rdfs:label ?l ; a ?c ; tzo:supports/rdfs:label ?s ."
        " FILTER(?c != tzo:InnovationPlatform)"
        " OPTIONAL { ?p tzo:level ?lv } OPTIONAL { ?p tzo:hostedBy/rdfs:label ?h }",
        "l",
        "c",
        "lv",
        "h",
        "s",
    )
    tzo = "https://w3id.org/tzkg/ontology#"
    assert got == {
        (
            "运河数据国家级企业技术中心",
            tzo + "NationalEnterpriseTechnologyCentre",
            tzo + "National",
            "运河数据",
            "软件和信息服务产业集群",
        ),
        (
            "江苏省数字孪生创新中心",
            tzo + "IndustryInnovationCentre",
            tzo + "Provincial",
            "",
            "软件和信息服务产业集群",
        ),
        (
            "瘦西湖电气省级工程技术研究中心",
            tzo + "ProvincialEngineeringCentre",
            tzo + "Provincial",
            "瘦西湖电气",
            "智能电网装备",
        ),
        (
            "瘦西湖电气省级重点实验室",
            tzo + "ProvincialKeyLaboratory",
            tzo + "Provincial",
            "瘦西湖电气",
            "智能电网装备",
        ),
    }


def test_partners_and_technologies(store: Store) -> None:
    assert rows(store, "?f tzo:hasResearchPartner/rdfs:label ?o", "o") == {
        ("东南大学",),
        ("德国弗劳恩霍夫研究所",),
    }
    assert rows(store, "?f tzo:hasKeyTechnology/rdfs:label ?t ; rdfs:label ?fl", "fl", "t") == {
        ("工业软件", "实时操作系统"),
        ("工业软件", "工业仿真引擎"),
        ("智能电网装备", "柔性直流输电"),
        ("智能电网装备", "智能开关"),
    }


def test_targets(store: Store) -> None:
    got = rows(
        store,
        "?t a tzo:Target ; tzo:indicator/rdfs:label ?i ; tzo:targetKind ?k ; tzo:bound ?b ;"
        " schema:unitText ?u ; tzo:isAspirational ?a ."
        " OPTIONAL { ?t schema:value ?v } OPTIONAL { ?t schema:minValue ?lo }"
        " OPTIONAL { ?t schema:maxValue ?hi } OPTIONAL { ?t tzo:deadlineYear ?d }"
        " OPTIONAL { ?t tzo:recurrence ?r }",
        "i",
        "k",
        "b",
        "v",
        "lo",
        "hi",
        "u",
        "d",
        "r",
        "a",
    )
    tzo = "https://w3id.org/tzkg/ontology#"
    short = {tuple(x.removeprefix(tzo) for x in row) for row in got}
    assert short == {
        ("全社会研发经费支出占GDP比重", "Stock", "Exact", "3.1", "", "", "%", "2024", "", "false"),
        ("高新技术企业数量", "Stock", "Exact", "2500", "", "", "家", "2024", "", "false"),
        ("新增省级以上研发机构", "Flow", "AtLeast", "", "30", "", "家", "2024", "", "true"),
        ("科技型中小企业", "Stock", "Exact", "3000", "", "", "家", "2024", "", "false"),
        ("瞪羚企业", "Stock", "Exact", "20", "", "", "家", "2024", "", "false"),
        ("新增高新技术企业", "Flow", "Exact", "300", "", "", "家", "", "Annual", "false"),
        ("新增瞪羚企业", "Flow", "Exact", "5", "", "", "家", "", "Annual", "false"),
        (
            "规上工业企业数字化改造覆盖率",
            "Increase",
            "Exact",
            "2",
            "",
            "",
            "%",
            "",
            "Annual",
            "false",
        ),
        ("上市数字经济企业", "Flow", "Range", "", "1", "2", "家", "", "Annual", "true"),
    }


def test_departments_with_county_shorthand_and_sticky_units(store: Store) -> None:
    counties = {
        f"{c}人民政府" for c in ("广陵区", "邗江区", "江都区", "宝应县", "仪征市", "高邮市")
    }
    got = rows(
        store,
        "?m a tzo:KeyMeasure ; tzo:order ?o ; tzo:responsibleDepartment/rdfs:label ?d",
        "o",
        "d",
    )
    assert {d for o, d in got if o == "1"} == {
        "市科技局",
        "市财政局",
        "市人力资源社会保障局",
    } | counties
    assert {d for o, d in got if o == "2"} == {"市科技局", "人行扬州市中心支行"} | counties
    assert rows(store, "?m tzo:leadDepartment/rdfs:label ?d ; tzo:order ?o", "o", "d") == {
        ("1", "市工业和信息化局"),
        ("2", "市地方金融监管局"),
    }


def test_mechanisms_and_programmes(store: Store) -> None:
    assert rows(store, "?m a tzo:WorkMechanism ; tzo:establishes/rdfs:label ?c", "c") == {
        ("市数字经济发展委员会",)
    }
    assert rows(store, "?m tzo:hasProgramme/rdfs:label ?p", "p") == {("绿扬金凤计划",)}
