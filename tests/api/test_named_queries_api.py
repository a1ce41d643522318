"""Named queries as REST: `/api/queries/{name}` with typed, documented, bound parameters."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tzkg.config import PROJECT_ROOT
from tzkg.queries import load_named_queries

QUERIES = load_named_queries(PROJECT_ROOT / "queries")
TZO = "https://w3id.org/tzkg/ontology#"
NATIONAL_CENTRE = (
    "https://w3id.org/tzkg/id/platform/asian-star-anchor-chain-national-technology-centre"
)


def test_list_names_every_query_file(api: TestClient) -> None:
    body = api.get("/api/queries").json()
    assert body["count"] == len(QUERIES) > 20
    by_name = {q["name"]: q for q in body["data"]}
    assert set(by_name) == set(QUERIES)
    level = by_name["platforms-by-level"]["params"][0]
    assert level["name"] == "level"
    assert level["type"] == "iri"
    assert level["required"] is True
    assert f"{TZO}National" in level["enum"]
    assert by_name["platforms-by-level"]["url"].endswith("/api/queries/platforms-by-level")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_answers_with_its_examples(api: TestClient, name: str) -> None:
    query = QUERIES[name]
    response = api.get(f"/api/queries/{name}", params=query.examples())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == name
    assert body["count"] == len(body["data"]) > 0
    assert body["truncated"] is False
    assert body["next"] is None


def test_openapi_documents_each_query_with_typed_parameters(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for name, query in QUERIES.items():
        operation = paths[f"/api/queries/{name}"]["get"]
        assert operation["summary"] == f"{query.title_zh} · {query.title_en}"
        documented = {p["name"]: p for p in operation["parameters"]}
        assert {"format", "limit", "offset"} <= set(documented)
        for param in query.params:
            assert documented[param.name]["example"] == param.example
            assert documented[param.name]["required"] is not param.optional
    year = {p["name"]: p for p in paths["/api/queries/targets-by-year"]["get"]["parameters"]}
    assert year["year"]["schema"] == {"type": "integer"}
    level = {p["name"]: p for p in paths["/api/queries/platforms-by-level"]["get"]["parameters"]}
    levels = [f"{TZO}National", f"{TZO}Provincial", f"{TZO}Municipal"]
    assert level["level"]["schema"]["enum"] == levels


def test_values_are_bound_as_terms(api: TestClient) -> None:
    by_prefix = api.get("/api/queries/platforms-by-level", params={"level": "tzo:National"})
    by_iri = api.get("/api/queries/platforms-by-level", params={"level": f"{TZO}National"})
    assert by_prefix.json()["data"] == by_iri.json()["data"]
    assert NATIONAL_CENTRE in {row["platform"] for row in by_iri.json()["data"]}
    hosted = api.get("/api/queries/platforms-by-host", params={"host_label": "亚星锚链"}).json()
    assert {row["label"] for row in hosted["data"]} == {
        "亚星锚链国家级技术中心",
        "亚星锚链省级重点实验室",
    }


@pytest.mark.parametrize(
    "attack",
    [
        '亚星锚链"@zh } UNION { ?platform ?p ?o } #',
        "亚星锚链> } ; DROP ALL ; #",
        "x\\u0022 ) } #",
    ],
)
def test_quotes_and_braces_stay_values(api: TestClient, attack: str) -> None:
    response = api.get("/api/queries/platforms-by-host", params={"host_label": attack})
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"year": "twenty"}, "year"),
        ({}, "year"),
        ({"year": "2023", "colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    api: TestClient, params: dict[str, str], where: str
) -> None:
    response = api.get("/api/queries/targets-by-year", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "query-parameter"
    assert body["where"] == where


def test_enum_is_enforced_and_repeats_refused(api: TestClient) -> None:
    outside = api.get("/api/queries/platforms-by-level", params={"level": "tzo:Stock"})
    assert outside.status_code == 400
    assert outside.json()["where"] == "level"
    twice = api.get("/api/queries/targets-by-year?year=2023&year=2022")
    assert twice.status_code == 400
    assert twice.json()["where"] == "year"


def test_unknown_query_is_404(api: TestClient) -> None:
    response = api.get("/api/queries/no-such-query")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown-query"


def test_pages_and_next_links(api: TestClient) -> None:
    whole = api.get("/api/queries/targets-by-year", params={"year": "2023"}).json()
    assert whole["count"] > 4
    first = api.get("/api/queries/targets-by-year", params={"year": "2023", "limit": 3}).json()
    assert first["data"] == whole["data"][:3]
    assert first["truncated"] is True
    assert first["count"] == whole["count"]
    second = api.get(first["next"]).json()
    assert second["data"] == whole["data"][3:6]


def test_row_cap_truncates(capped_api: TestClient) -> None:
    body = capped_api.get(
        "/api/queries/targets-by-year", params={"year": "2023", "limit": 1000}
    ).json()
    assert len(body["data"]) == 5
    assert body["truncated"] is True
    assert body["next"] is not None


def test_csv_format(api: TestClient) -> None:
    response = api.get(
        "/api/queries/platforms-by-host", params={"host_label": "亚星锚链", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["platform", "label", "level", "host_label"]
    assert sorted(r[1] for r in rows[1:]) == ["亚星锚链国家级技术中心", "亚星锚链省级重点实验室"]
    assert response.headers["x-total-count"] == "2"


def test_jsonld_format(api: TestClient) -> None:
    response = api.get(
        "/api/queries/platforms-by-host", params={"host_label": "亚星锚链", "format": "jsonld"}
    )
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert document["@context"]["@vocab"].endswith("query/platforms-by-host#")
    ids = {node["platform"]["@id"] for node in document["@graph"]}
    assert NATIONAL_CENTRE in ids
    labels = {node["label"]["@value"] for node in document["@graph"]}
    assert "亚星锚链国家级技术中心" in labels
    assert {node["label"]["@language"] for node in document["@graph"]} == {"zh"}
