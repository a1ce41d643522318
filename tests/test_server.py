"""The HTTP service: SPARQL protocol cases in-process, and one real uvicorn process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from tests.api.live import live_server
from tests.conftest import ONTOLOGY_GRAPH, tiny_quads
from tzkg.config import Settings
from tzkg.server import create_app, negotiate
from tzkg.store import build_store

NAMES = (
    "PREFIX tzo: <https://w3id.org/tzkg/ontology#>\n"
    "SELECT ?name WHERE { ?p tzo:supports ?f ; rdfs:label ?name } ORDER BY ?name"
)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def names(response: httpx.Response) -> list[str]:
    return [b["name"]["value"] for b in response.json()["results"]["bindings"]]


def test_get_select_defaults_to_sparql_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NAMES})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert names(response) == ["船舶中心", "船舶实验室"]


def test_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": NAMES})
    assert form.status_code == 200, form.text
    assert names(form) == ["船舶中心", "船舶实验室"]
    direct = client.post(
        "/sparql",
        content=NAMES.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8"},
    )
    assert direct.status_code == 200, direct.text
    assert names(direct) == ["船舶中心", "船舶实验室"]


@pytest.mark.parametrize(
    ("accept", "media", "start"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "<?xml"),
        ("text/csv", "text/csv; charset=utf-8", "name\r\n船舶中心"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            '?name\n"船舶中心"@zh',
        ),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv; charset=utf-8", "name"),
    ],
)
def test_results_by_accept(client: TestClient, accept: str, media: str, start: str) -> None:
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.text.startswith(start)
    assert response.headers["vary"] == "Accept"


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["code"] == "not-acceptable"


def test_ask(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.json() == {"head": {}, "boolean": True}


def test_construct_as_turtle_or_ntriples(client: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?s <https://w3id.org/tzkg/ontology#level> ?o }"
    turtle = client.get("/sparql", params={"query": query})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(list(parse(turtle.content, RdfFormat.TURTLE))) == 2
    nt = client.get("/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    assert nt.headers["content-type"] == "application/n-triples"
    assert len(list(parse(nt.content, RdfFormat.N_TRIPLES))) == 2


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = client.get("/sparql", params={"query": query})
    # the union default graph is a bag: the triple stated in both graphs counts twice
    assert everything.json()["results"]["bindings"][0]["n"]["value"] == "14"
    ontology = client.get(
        "/sparql", params={"query": query, "default-graph-uri": ONTOLOGY_GRAPH.value}
    )
    assert ontology.json()["results"]["bindings"][0]["n"]["value"] == "2"


def test_malformed_query_is_400_with_where(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s\nWHERE {\n  ?s ?p\n}"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "query-syntax"
    assert body["where"].startswith("4:")
    assert body["message"]


def test_empty_query_and_wrong_content_type(client: TestClient) -> None:
    missing = client.get("/sparql", params={"query": " "})
    assert missing.status_code == 400
    assert missing.json()["code"] == "query-parameter"
    wrong = client.post("/sparql", content=b"{}", headers={"content-type": "application/json"})
    assert wrong.status_code == 415
    assert wrong.json()["code"] == "unsupported-media-type"


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["quads"], body["triples"], body["graphs"]) == ("ok", 14, 13, 2)
    assert body["built_at"].endswith("Z")


def test_root_redirects_to_docs(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/docs"
    assert client.get("/docs").status_code == 200


def test_missing_store_is_503_with_the_build_hint(settings: Settings, tmp_path: Path) -> None:
    missing = settings.model_copy(update={"store_dir": tmp_path / "none"})
    with TestClient(create_app(missing)) as client:
        for response in (client.get("/sparql", params={"query": "ASK {}"}), client.get("/health")):
            assert response.status_code == 503
            assert response.json()["code"] == "store-missing"
            assert "tzkg build" in response.json()["message"]
        build_store(tmp_path / "none", tiny_quads())  # built while the server runs
        assert client.get("/health").status_code == 200


def test_a_rebuild_is_picked_up(settings: Settings, store_dir: Path) -> None:
    own = settings.model_copy(update={"store_dir": store_dir})
    with TestClient(create_app(own)) as client:
        assert client.get("/health").json()["quads"] == 14
        build_store(store_dir, tiny_quads()[:3])
        assert client.get("/health").json()["quads"] == 3
        response = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) {?s ?p ?o}"})
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "3"


def test_negotiate() -> None:
    offers = {"application/json": 1, "text/csv": 2, "text/tab-separated-values": 3}
    assert negotiate(None, offers) == ("application/json", 1)
    assert negotiate("text/*", offers) == ("text/csv", 2)
    assert negotiate("text/csv;q=0, */*;q=0.1", offers) == ("application/json", 1)
    assert negotiate("text/tab-separated-values;q=0.8, text/csv", offers) == ("text/csv", 2)


@pytest.mark.http
def test_real_uvicorn_answers_ask(built_store: Path, tmp_path: Path) -> None:
    with live_server(built_store, tmp_path / "uvicorn.log") as base:
        response = httpx.get(f"{base}/sparql", params={"query": "ASK{?s ?p ?o}"}, timeout=10)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert response.json() == {"head": {}, "boolean": True}


def test_health_shows_the_triple_count_once_it_is_recorded(tmp_path: Path) -> None:
    from dataclasses import replace

    from tzkg.store import open_store, read_build_info, record_triples, store_location

    store_dir = tmp_path / "store"
    build_store(store_dir, tiny_quads())
    location = store_location(store_dir)
    info = read_build_info(store_dir)
    assert info is not None
    (location / "build.json").write_text(replace(info, triples=None).to_json())
    with TestClient(create_app(Settings(store_dir=store_dir))) as client:
        assert client.get("/health").json()["triples"] is None  # a roster load's: counted later
        with open_store(store_dir) as store:
            record_triples(location, store)
        assert client.get("/health").json()["triples"] == 13
