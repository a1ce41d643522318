"""/dataset: the DCAT 3 + VoID description and the GB/T 21063.3 record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from tests.conftest import ONTOLOGY_GRAPH, PLAN_GRAPH, tiny_quads
from tzkg.api.dataset import group_graphs
from tzkg.config import Settings
from tzkg.dumps import write_dumps
from tzkg.server import create_app
from tzkg.store import build_store

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store_dir = tmp_path_factory.mktemp("dataset") / "store"
    settings = Settings(store_dir=store_dir)
    build_store(store_dir, tiny_quads(), before_swap=lambda store: write_dumps(store, settings))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def load(response_body: bytes, fmt: RdfFormat) -> Store:
    store = Store()
    store.extend(q for q in parse(response_body, fmt))
    return store


def one(store: Store, sparql: str) -> str:
    rows = list(store.query(sparql))  # type: ignore[arg-type]
    assert rows, sparql
    value: str = rows[0][0].value
    return value


def test_dcat_and_void_in_turtle(client: TestClient) -> None:
    response = client.get("/dataset")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = load(response.content, RdfFormat.TURTLE)
    prefixes = (
        f"PREFIX dcat: <{DCAT}> PREFIX void: <{VOID}> PREFIX dct: <http://purl.org/dc/terms/>"
    )
    assert one(graph, prefixes + " SELECT ?d { ?c a dcat:Catalog ; dcat:dataset ?d }") == (
        "https://w3id.org/tzkg/dataset"
    )
    assert (
        one(graph, prefixes + " SELECT ?n { <https://w3id.org/tzkg/dataset> void:triples ?n }")
        == "13"
    )
    assert one(graph, prefixes + " SELECT ?e { ?d void:sparqlEndpoint ?e }").endswith("/sparql")
    assert one(graph, prefixes + " SELECT ?l { ?d a dcat:Dataset ; dct:license ?l }").startswith(
        "https://creativecommons.org/"
    )
    entities = one(
        graph,
        prefixes
        + " SELECT ?n { ?d void:classPartition [ void:class "
        + "<https://w3id.org/tzkg/ontology#IndustrialField> ; void:entities ?n ] }",
    )
    assert entities == "1"
    dumps = list(graph.query(prefixes + " SELECT ?u { ?d void:dataDump ?u }"))  # type: ignore[union-attr]
    assert len(dumps) == 3
    assert one(graph, prefixes + " SELECT ?s { ?x dcat:byteSize ?s }")
    subsets = {
        row[0].value: row[1].value
        for row in graph.query(
            prefixes + " SELECT ?g ?n { ?d void:subset ?g . ?g void:triples ?n }"
        )  # type: ignore[union-attr]
    }
    assert subsets == {PLAN_GRAPH.value: "12", ONTOLOGY_GRAPH.value: "2"}
    assert one(graph, "SELECT ?t { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?t }")


def test_dcat_in_json_ld_and_by_format(client: TestClient) -> None:
    jsonld = client.get("/dataset", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert len(load(jsonld.content, RdfFormat.JSON_LD)) > 30
    nt = client.get("/dataset", params={"format": "nt"})
    assert nt.headers["content-type"] == "application/n-triples"
    assert client.get("/dataset", headers={"accept": "image/png"}).status_code == 406


def test_gbt_21063_record(client: TestClient) -> None:
    response = client.get("/dataset", headers={"accept": "application/json"})
    assert response.status_code == 200
    record = response.json()
    for field in (
        "信息资源名称",
        "信息资源摘要",
        "信息资源提供方",
        "信息资源格式",
        "共享属性",
        "更新周期",
        "发布日期",
        "信息资源代码",
    ):
        assert record[field], field
    assert record["共享属性"] == "无条件共享"
    assert record["统计"]["三元组"] == 13
    assert len(record["下载"]) == 3 and record["下载"][0]["sha256"]
    assert client.get("/dataset", params={"format": "json"}).json() == record


def test_many_sibling_graphs_are_described_as_one_group() -> None:
    counts = {f"https://w3id.org/tzkg/graph/roster/x/row/{i}": 3 for i in range(12)}
    counts["https://w3id.org/tzkg/graph/labels"] = 7
    sources = {"https://w3id.org/tzkg/graph/labels": {"labels.csv"}}
    groups = {g.iri: g for g in group_graphs(counts, sources)}
    rows = groups["https://w3id.org/tzkg/graph/roster/x/row/"]
    assert (rows.graphs, rows.triples) == (12, 36)
    assert groups["https://w3id.org/tzkg/graph/labels"].sources == {"labels.csv"}


def test_dataset_over_a_store_without_dumps(built_store: Path) -> None:
    with TestClient(create_app(Settings(store_dir=built_store))) as client:
        response = client.get("/dataset", params={"format": "json"})
        assert response.status_code == 200
        assert response.json()["下载"] == []
        assert NamedNode("https://w3id.org/tzkg/dataset")
