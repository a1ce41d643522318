"""Writes: off by default, bearer token when configured; SPARQL Update on /sparql and the Graph
Store Protocol on /store, through the single writer, seen by the query workers afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from tests.conftest import PLAN_GRAPH
from tzkg.api.updates import with_using
from tzkg.config import Settings
from tzkg.errors import ProtocolError
from tzkg.server import create_app

TOKEN = "s3cret-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
G = "http://example.org/g1"
TTL = b"@prefix ex: <http://example.org/> .\nex:a ex:p 1 .\nex:b ex:p 2 .\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(client: TestClient, graph: str | None = None) -> int:
    params = {"query": COUNT, **({"default-graph-uri": graph} if graph else {})}
    response = client.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def writable(store_dir: Path) -> Iterator[TestClient]:
    settings = Settings(store_dir=store_dir, write_token=TOKEN, query_workers=2)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def read_only(store_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store_dir=store_dir, query_workers=2))) as client:
        yield client


def test_writes_are_off_without_a_configured_token(read_only: TestClient) -> None:
    before = count(read_only)
    attempts = [
        read_only.post("/sparql", data={"update": "CLEAR ALL"}),
        read_only.post(
            "/sparql",
            content=b"CLEAR ALL",
            headers={"content-type": "application/sparql-update", **AUTH},
        ),
        read_only.put(f"/store?graph={G}", content=TTL, headers={"content-type": "text/turtle"}),
        read_only.post("/store?default", content=TTL, headers={"content-type": "text/turtle"}),
        read_only.delete("/store", params={"graph": PLAN_GRAPH.value}, headers=AUTH),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "writes-disabled"
    assert count(read_only) == before
    assert read_only.get("/health").json()["writable"] is False


def test_writes_need_the_right_bearer_token(writable: TestClient) -> None:
    before = count(writable)
    missing = writable.post("/sparql", data={"update": "CLEAR ALL"})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = writable.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
    basic = writable.delete(
        "/store", params={"graph": PLAN_GRAPH.value}, headers={"authorization": "Basic eDp5"}
    )
    assert basic.status_code == 401
    assert count(writable) == before


def test_sparql_update_by_form_and_direct(writable: TestClient) -> None:
    assert writable.get("/health").json()["writable"] is True
    insert = (
        'INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/x> rdfs:label "x" } }'
    )
    form = writable.post("/sparql", data={"update": insert}, headers=AUTH)
    assert form.status_code == 204, form.text
    assert count(writable, "http://example.org/new") == 1
    direct = writable.post(
        "/sparql",
        content=b"DROP GRAPH <http://example.org/new>",
        headers={"content-type": "application/sparql-update", **AUTH},
    )
    assert direct.status_code == 204, direct.text
    assert count(writable, "http://example.org/new") == 0
    bad = writable.post("/sparql", data={"update": "CLEAR XYZ"}, headers=AUTH)
    assert bad.status_code == 400 and bad.json()["code"] == "query-syntax"
    assert bad.json()["where"].startswith("1:")


def test_graph_store_put_get_post_delete(writable: TestClient) -> None:
    turtle = {"content-type": "text/turtle", **AUTH}
    created = writable.put("/store", params={"graph": G}, content=TTL, headers=turtle)
    assert created.status_code == 201, created.text
    got = writable.get("/store", params={"graph": G})
    assert got.status_code == 200
    assert len(list(parse(got.content, RdfFormat.TURTLE))) == 2
    head = writable.head("/store", params={"graph": G})
    assert head.status_code == 200 and head.content == b""
    replaced = writable.put(
        "/store",
        params={"graph": G},
        content=b'<http://example.org/c> <http://example.org/p> "3" .\n',
        headers={"content-type": "application/n-triples", **AUTH},
    )
    assert replaced.status_code == 204
    assert count(writable, G) == 1
    added = writable.post("/store", params={"graph": G}, content=TTL, headers=turtle)
    assert added.status_code == 204
    assert count(writable, G) == 3
    jsonld = writable.get("/store", params={"graph": G}, headers={"accept": "application/ld+json"})
    assert len(list(parse(jsonld.content, RdfFormat.JSON_LD))) == 3
    deleted = writable.delete("/store", params={"graph": G}, headers=AUTH)
    assert deleted.status_code == 204
    assert writable.get("/store", params={"graph": G}).status_code == 404
    assert writable.delete("/store", params={"graph": G}, headers=AUTH).status_code == 404


def test_graph_store_default_graph_and_errors(writable: TestClient) -> None:
    turtle = {"content-type": "text/turtle", **AUTH}
    assert writable.post("/store?default", content=TTL, headers=turtle).status_code == 204
    default = writable.get("/store?default", headers={"accept": "application/n-triples"})
    assert len(list(parse(default.content, RdfFormat.N_TRIPLES))) == 2
    assert writable.delete("/store?default", headers=AUTH).status_code == 204
    assert writable.get("/store?default").content.strip() == b""
    neither = writable.get("/store")
    assert neither.status_code == 400 and neither.json()["code"] == "protocol-error"
    broken = writable.put("/store", params={"graph": G}, content=b"ex:a ex:b", headers=turtle)
    assert broken.status_code == 400 and broken.json()["code"] == "rdf-syntax"
    assert broken.json()["where"]
    csv = writable.put(
        "/store", params={"graph": G}, content=b"a,b", headers={"content-type": "text/csv", **AUTH}
    )
    assert csv.status_code == 415


def test_request_body_cap(store_dir: Path) -> None:
    settings = Settings(store_dir=store_dir, write_token=TOKEN, max_body_bytes=1000)
    with TestClient(create_app(settings)) as client:
        big = b"<http://example.org/s> <http://example.org/p> " + b'"' + b"x" * 2000 + b'" .\n'
        response = client.put(
            "/store",
            params={"graph": G},
            content=big,
            headers={"content-type": "application/n-triples", **AUTH},
        )
        assert response.status_code == 413
        assert response.json()["code"] == "request-too-large"
        assert client.get("/store", params={"graph": G}).status_code == 404


def test_using_parameters_become_using_clauses() -> None:
    update = (
        "PREFIX ex: <http://example.org/> # where? {\n"
        "DELETE WHERE { ?a ex:where ?b } ;\n"
        'INSERT { GRAPH <http://example.org/o> { ?s a ex:Where } } WHERE { ?s ex:p "WHERE {" }'
    )
    rewritten = with_using(update, ["http://example.org/g1"], ["http://example.org/g2"])
    assert rewritten.count("USING <http://example.org/g1> USING NAMED <http://example.org/g2>") == 1
    assert "DELETE WHERE" in rewritten
    assert rewritten.index("USING") > rewritten.index("INSERT")
    with pytest.raises(ProtocolError):
        with_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g2"], [])
    assert with_using("CLEAR ALL", [], []) == "CLEAR ALL"
