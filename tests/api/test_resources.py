"""The JSON API's resources: ids, filters, pages, labels by language, and a source per fact."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PLAN = "plan/taizhou-sti-plan-2021-2023"
SHIPBUILDING_CLUSTER = "cluster/high-end-equipment-and-shipbuilding"
YAXING = "enterprise/asian-star-anchor-chain"
YAXING_CENTRE = "platform/asian-star-anchor-chain-national-technology-centre"
YAXING_LAB = "platform/asian-star-anchor-chain-provincial-key-laboratory"


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def assert_plan_source(source: dict[str, Any], *, containing: str) -> None:
    """A plan source: the sentence's named graph, its text, offsets, paragraph and plan."""
    assert source["kind"] == "plan"
    assert f"/id/{PLAN}/span/" in source["graph"]
    assert containing in source["text"]
    assert 0 <= source["start"] < source["end"]
    assert source["end"] - source["start"] == len(source["text"])
    assert "/paragraph/" in source["paragraph"]
    assert source["document"].endswith(f"id/{PLAN}")


def test_clusters_list(api: TestClient) -> None:
    body = api.get("/api/clusters").json()
    assert body["count"] == 3
    assert SHIPBUILDING_CLUSTER in ids(body["data"])
    for item in body["data"]:
        assert_plan_source(item["source"], containing="产业集群")


def test_cluster_detail_gathers_through_fields(api: TestClient) -> None:
    body = api.get(f"/api/clusters/{SHIPBUILDING_CLUSTER}").json()
    assert body["label"] == "高端装备和高技术船舶产业集群"
    assert set(ids(body["fields"])) == {
        "field/shipbuilding",
        "field/automotive",
        "field/new-energy",
    }
    platforms = {p["id"]: p for p in body["platforms"]}
    assert {YAXING_CENTRE, YAXING_LAB} <= set(platforms)
    assert platforms[YAXING_CENTRE]["via"] == "field/shipbuilding"
    assert_plan_source(platforms[YAXING_CENTRE]["source"], containing="亚星锚链国家级技术中心")
    assert "technology/smart-ships" in ids(body["technologies"])
    roles = {(e["id"], e["role"]) for e in body["lead_enterprises"]}
    assert ("enterprise/great-wall-motor", "lead") in roles or any(r == "lead" for _, r in roles)
    assert body["parks"], "the fields of the cluster rely on parks"
    for group in ("fields", "parks", "lead_enterprises", "platforms", "technologies"):
        assert all(ref["source"] is not None for ref in body[group]), group


def test_short_and_full_ids_agree(api: TestClient) -> None:
    short = api.get("/api/clusters/high-end-equipment-and-shipbuilding").json()
    full = api.get(f"/api/clusters/{SHIPBUILDING_CLUSTER}").json()
    assert short == full


def test_enterprise_detail_with_reference_row_source(api: TestClient) -> None:
    body = api.get(f"/api/enterprises/{YAXING}").json()
    assert body["label"] == "亚星锚链"
    assert body["legal_name"]["value"] == "江苏亚星锚链股份有限公司"
    source = body["legal_name"]["source"]  # a roster row when a roster names it, else reference
    assert source["kind"] in ("roster", "reference")
    assert source["file"].endswith(".csv") and source["row"] >= 2
    assert len(source["sha256"]) == 64
    if source["kind"] == "roster":
        assert "江苏亚星锚链股份有限公司" in source["text"]  # the row as read
    districts = {d["id"]: d["source"]["kind"] for d in body["district"]}
    assert districts["division/321282"] in ("roster", "reference")
    # the city, if there, is the reasoner's conclusion (locatedIn is transitive), and says so
    assert districts.get("division/321200", "inferred") == "inferred"
    assert set(ids(body["platforms"])) == {YAXING_CENTRE, YAXING_LAB}
    assert_plan_source(body["platforms"][0]["source"], containing="亚星锚链")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "field/shipbuilding"}, YAXING),
        ({"cluster": SHIPBUILDING_CLUSTER}, YAXING),
        ({"district": "321282"}, YAXING),
        ({"district": "靖江市"}, YAXING),
        ({"district": "division/321282", "field": "shipbuilding"}, YAXING),
        ({"q": "yaxing"}, YAXING),
        ({"q": "亚星", "cluster": SHIPBUILDING_CLUSTER}, YAXING),
    ],
)
def test_enterprise_filters(api: TestClient, params: dict[str, str], expected: str) -> None:
    body = api.get("/api/enterprises", params=params).json()
    assert expected in ids(body["data"]), body
    assert body["count"] == len(body["data"])


def test_enterprise_filters_exclude(api: TestClient) -> None:
    other = api.get(
        "/api/enterprises", params={"q": "亚星", "cluster": "biomedicine-and-medical-devices"}
    ).json()
    assert other["count"] == 0
    pharma = api.get(
        "/api/enterprises", params={"cluster": "cluster/biomedicine-and-medical-devices"}
    ).json()
    assert YAXING not in ids(pharma["data"])
    assert "enterprise/yangtze-river-pharmaceutical" in ids(pharma["data"])


def test_pages_and_next(api: TestClient) -> None:
    whole = api.get("/api/enterprises", params={"limit": 100}).json()
    assert whole["count"] == len(whole["data"]) > 10
    assert whole["next"] is None and whole["truncated"] is False
    first = api.get("/api/enterprises", params={"limit": 4}).json()
    assert first["truncated"] is True and first["count"] == whole["count"]
    second = api.get(first["next"]).json()
    assert ids(first["data"]) + ids(second["data"]) == ids(whole["data"])[:8]


def test_row_cap(capped_api: TestClient) -> None:
    body = capped_api.get("/api/enterprises", params={"limit": 100}).json()
    assert len(body["data"]) == 5
    assert body["truncated"] is True
    assert body["next"].endswith("limit=5&offset=5")


def test_labels_by_lang_and_accept_language(api: TestClient) -> None:
    url = f"/api/enterprises/{YAXING}"
    assert api.get(url).json()["label"] == "亚星锚链"
    assert api.get(url, params={"lang": "en"}).json()["label"] == "Jiangsu Asian Star Anchor Chain"
    english = api.get(url, headers={"accept-language": "en-GB,en;q=0.9,zh;q=0.5"}).json()
    assert english["label"] == "Jiangsu Asian Star Anchor Chain"
    chinese = api.get(url, headers={"accept-language": "zh-CN,en;q=0.5"}).json()
    assert chinese["label"] == "亚星锚链"
    # fallback: a resource without an English label answers in Chinese
    towns = api.get("/api/entities/division/321282001", params={"lang": "en"})
    if towns.status_code == 200:
        assert towns.json()["label"]


def test_platform_filters_and_detail(api: TestClient) -> None:
    national = api.get("/api/platforms", params={"level": "National", "limit": 100}).json()
    assert YAXING_CENTRE in ids(national["data"]) and YAXING_LAB not in ids(national["data"])
    labs = api.get("/api/platforms", params={"type": "KeyLaboratory", "limit": 100}).json()
    assert YAXING_LAB in ids(labs["data"]) and YAXING_CENTRE not in ids(labs["data"])
    ships = api.get("/api/platforms", params={"supports": "field/shipbuilding"}).json()
    assert {YAXING_CENTRE, YAXING_LAB} <= set(ids(ships["data"]))
    detail = api.get(f"/api/platforms/{YAXING_CENTRE}").json()
    assert "NationalEnterpriseTechnologyCentre" in detail["types"]
    assert ids(detail["hosts"]) == [YAXING]
    assert detail["level"][0]["iri"].endswith("#National")
    assert_plan_source(detail["hosts"][0]["source"], containing="亚星锚链国家级技术中心")


def test_measures_and_departments(api: TestClient) -> None:
    measures = api.get("/api/measures").json()
    assert measures["count"] == 6
    assert ids(measures["data"])[0] == f"{PLAN}/measure/1"
    measure = api.get(f"/api/measures/{PLAN}/measure/2").json()
    assert ids(measure["lead_departments"]) == ["body/science-technology-bureau"]
    assert_plan_source(measure["lead_departments"][0]["source"], containing="牵头部门")
    assert measure["targets"]
    bureau = api.get("/api/departments/science-technology-bureau").json()
    assert bureau["label"] == "市科技局"
    assert f"{PLAN}/measure/2" in ids(bureau["measures_led"])
    assert bureau["measures_responsible"]
    assert "泰州市科学技术局" in bureau["aliases"]


def test_targets_by_indicator_and_kind(api: TestClient) -> None:
    flows = api.get("/api/targets", params={"kind": "Flow", "limit": 100}).json()
    assert flows["count"] == len(flows["data"]) > 0
    assert all(t["kind"][0]["iri"].endswith("#Flow") for t in flows["data"])
    every = api.get("/api/targets", params={"limit": 100}).json()
    assert every["count"] == 34
    indicator = every["data"][0]["indicator"][0]["id"]
    one = api.get("/api/targets", params={"indicator": indicator}).json()
    assert one["count"] >= 1
    assert all(t["indicator"][0]["id"] == indicator for t in one["data"])
    for target in every["data"]:
        assert target["source"]["kind"] == "plan"


def test_entity_has_every_fact_with_a_source(api: TestClient) -> None:
    body = api.get(f"/api/entities/{YAXING_CENTRE}").json()
    properties = {f["property"] for f in body["facts"]}
    assert {"rdf:type", "rdfs:label", "tzo:hostedBy", "tzo:supports", "tzo:level"} <= properties
    assert all(f["source"] is not None and f["sources"] for f in body["facts"])
    incoming = {(f["property"], f["subject"]["id"]) for f in body["incoming"]}
    assert ("tzo:hosts", YAXING) in incoming
    english = [f for f in body["facts"] if f["object"].get("lang") == "en"]
    assert english and english[0]["source"]["kind"] == "labels"


@pytest.mark.parametrize(
    "url",
    [
        "/api/enterprises/no-such-enterprise",
        "/api/clusters/field/shipbuilding",
        "/api/entities/nothing/here",
        f"/api/departments/{YAXING}",
    ],
)
def test_not_found(api: TestClient, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not-found"


@pytest.mark.parametrize("bad", ["a b", "x>y", 'q"', "x/../y"])
def test_bad_ids_are_400(api: TestClient, bad: str) -> None:
    response = api.get("/api/entities/" + bad)
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("query-parameter", "not-found")
