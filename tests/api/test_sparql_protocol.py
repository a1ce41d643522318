"""/sparql: the SPARQL 1.1 Protocol cases, content negotiation, errors and the Service Description,
in-process over the tiny store (queries still run in real worker processes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from tests.conftest import ONTOLOGY_GRAPH, PLAN_GRAPH
from tzkg.api.service import negotiate
from tzkg.config import PROJECT_ROOT, Settings
from tzkg.server import create_app

NAMES = "SELECT ?name WHERE { ?p tzo:supports ?f ; rdfs:label ?name } ORDER BY ?name"
LEVELS = "CONSTRUCT WHERE { ?s tzo:level ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[TestClient]:
    settings = Settings(store_dir=built_store, queries_dir=PROJECT_ROOT / "queries")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def names(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [b["name"]["value"] for b in body["results"]["bindings"]]


# --- the three ways to send a query ---------------------------------------------------------


def test_get_post_form_and_post_direct_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": NAMES})
    by_form = client.post("/sparql", data={"query": NAMES})
    by_direct = client.post(
        "/sparql", content=NAMES.encode(), headers={"content-type": "application/sparql-query"}
    )
    for response in (by_get, by_form, by_direct):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert names(response) == ["船舶中心", "船舶实验室"]


def test_default_and_named_graphs_by_get_form_and_url(client: TestClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_ontology = client.get(
        "/sparql", params={"query": count, "default-graph-uri": ONTOLOGY_GRAPH.value}
    )
    assert only_ontology.json()["results"]["bindings"][0]["n"]["value"] == "2"
    both = client.post(
        "/sparql",
        data={"query": count, "default-graph-uri": [ONTOLOGY_GRAPH.value, PLAN_GRAPH.value]},
    )
    assert both.json()["results"]["bindings"][0]["n"]["value"] == "14"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.post(
        "/sparql",
        params={"named-graph-uri": PLAN_GRAPH.value},
        content=graphs.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [PLAN_GRAPH.value]
    # dataset parameters in the URL of a form POST are fine (W3C query_post_form)
    form = client.post(
        f"/sparql?default-graph-uri={ONTOLOGY_GRAPH.value}",
        content=f"query={count}".encode(),
        headers={"content-type": FORM},
    )
    assert form.json()["results"]["bindings"][0]["n"]["value"] == "2"


# --- malformed requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "content_type", "status", "where"),
    [
        ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, None, 400, "query"),
        ("GET", "/sparql?update=CLEAR%20ALL", None, None, 400, "update"),
        ("POST", "/sparql", "query=ASK%7B%7D&update=CLEAR%20ALL", FORM, 400, None),
        ("POST", "/sparql", "query=ASK%7B%7D&query=ASK%7B%7D", FORM, 400, "query"),
        ("POST", "/sparql", "update=CLEAR%20ALL&update=CLEAR%20ALL", FORM, 400, "update"),
        ("POST", "/sparql?query=ASK%7B%7D", "", FORM, 400, "query"),
        ("POST", "/sparql?query=ASK%7B%7D", "ASK {}", "application/sparql-query", 400, "query"),
        ("POST", "/sparql", "query=ASK%7B%7D", None, 400, "content-type"),
        ("POST", "/sparql", "ASK {}", None, 400, "content-type"),
        ("POST", "/sparql", "ASK {}", "application/sparql-query; charset=UTF-16", 400, "charset"),
        ("POST", "/sparql", "ASK {}", "text/plain", 415, "text/plain"),
        ("POST", "/sparql", "CLEAR NAMED", "text/plain", 415, "text/plain"),
        ("POST", "/sparql", "foo=bar", FORM, 400, "body"),
        ("GET", "/sparql?query=ASK%20%7B", None, None, 400, "1:6"),
        ("GET", "/sparql?query=ASK%7B%7D&timeout=soon", None, None, 400, "timeout"),
        ("GET", "/sparql?query=ASK%7B%7D&timeout=-1", None, None, 400, "timeout"),
        ("PUT", "/sparql?query=ASK%7B%7D", "", FORM, 405, None),
    ],
)
def test_malformed_requests(
    client: TestClient,
    method: str,
    url: str,
    body: str | None,
    content_type: str | None,
    status: int,
    where: str | None,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    data = body.encode() if body is not None else None
    if content_type and "UTF-16" in content_type and body is not None:
        data = body.encode("utf-16")
    response = client.request(method, url, content=data, headers=headers)
    assert response.status_code == status, response.text
    if status != 405:
        error = response.json()
        assert error["code"] and error["message"]
        if where is not None:
            assert error["where"] == where


def test_non_utf8_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400
    assert response.json()["where"] == "body"


def test_syntax_error_as_json_or_plain_text(client: TestClient) -> None:
    query = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
    as_json = client.get("/sparql", params={"query": query})
    assert as_json.status_code == 400
    assert as_json.json()["code"] == "query-syntax"
    assert as_json.json()["where"].startswith("4:")
    as_text = client.get("/sparql", params={"query": query}, headers={"accept": "text/plain"})
    assert as_text.status_code == 400
    assert as_text.headers["content-type"].startswith("text/plain")
    assert as_text.text.startswith("error[query-syntax]: 4:")
    assert as_text.text.count("\n") == 1


# --- content negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt", "media", "start"),
    [
        ("application/sparql-results+json", None, "application/sparql-results+json", '{"head"'),
        ("application/json", None, "application/sparql-results+json", '{"head"'),
        ("application/sparql-results+xml", None, "application/sparql-results+xml", "<?xml"),
        ("application/xml", None, "application/sparql-results+xml", "<?xml"),
        ("text/csv", None, "text/csv; charset=utf-8", "name\r\n"),
        ("text/tab-separated-values", None, "text/tab-separated-values; charset=utf-8", "?name\n"),
        ("*/*", None, "application/sparql-results+json", '{"head"'),
        (None, None, "application/sparql-results+json", '{"head"'),
        ("text/turtle, text/csv;q=0.1", None, "text/csv; charset=utf-8", "name"),
        ("text/turtle", "csv", "text/csv; charset=utf-8", "name"),
        (None, "tsv", "text/tab-separated-values; charset=utf-8", "?name"),
        (None, "xml", "application/sparql-results+xml", "<?xml"),
        ("text/csv", "json", "application/sparql-results+json", '{"head"'),
        (None, "text/csv", "text/csv; charset=utf-8", "name"),
    ],
)
def test_select_negotiation(
    client: TestClient, accept: str | None, fmt: str | None, media: str, start: str
) -> None:
    params = {"query": NAMES, **({"format": fmt} if fmt else {})}
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media
    assert response.text.startswith(start)
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "fmt", "media", "rdf_format"),
    [
        (None, None, "text/turtle; charset=utf-8", RdfFormat.TURTLE),
        ("text/turtle", None, "text/turtle; charset=utf-8", RdfFormat.TURTLE),
        ("application/n-triples", None, "application/n-triples", RdfFormat.N_TRIPLES),
        ("application/rdf+xml", None, "application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json", None, "application/ld+json", RdfFormat.JSON_LD),
        ("application/json", None, "application/ld+json", RdfFormat.JSON_LD),
        ("application/trig", None, "application/trig", RdfFormat.TRIG),
        ("application/n-quads", None, "application/n-quads", RdfFormat.N_QUADS),
        (
            "application/sparql-results+json, text/turtle;q=0.5",
            None,
            "text/turtle; charset=utf-8",
            RdfFormat.TURTLE,
        ),
        ("text/csv", "nt", "application/n-triples", RdfFormat.N_TRIPLES),
        (None, "jsonld", "application/ld+json", RdfFormat.JSON_LD),
        (None, "json", "application/ld+json", RdfFormat.JSON_LD),
        (None, "rdfxml", "application/rdf+xml", RdfFormat.RDF_XML),
        (None, "nq", "application/n-quads", RdfFormat.N_QUADS),
        (None, "trig", "application/trig", RdfFormat.TRIG),
    ],
)
def test_construct_negotiation(
    client: TestClient, accept: str | None, fmt: str | None, media: str, rdf_format: RdfFormat
) -> None:
    params = {"query": LEVELS, **({"format": fmt} if fmt else {})}
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media
    assert len(list(parse(response.content, rdf_format))) == 2


def test_describe_and_ask(client: TestClient) -> None:
    describe = client.get(
        "/sparql",
        params={"query": "DESCRIBE <https://w3id.org/tzkg/id/platform/chuanbo-zhongxin>"},
        headers={"accept": "application/n-triples"},
    )
    assert describe.status_code == 200
    assert len(list(parse(describe.content, RdfFormat.N_TRIPLES))) >= 4
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ask.json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "application/xml"})
    assert "<boolean>true</boolean>" in xml.text


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        (NAMES, "image/png", None),
        (NAMES, "application/ld+json", None),
        (NAMES, "text/turtle", None),
        (LEVELS, "text/csv", None),
        (LEVELS, "application/sparql-results+json", None),
        (LEVELS, None, "csv"),
        (NAMES, None, "ttl"),
        (NAMES, None, "yaml"),
    ],
)
def test_nothing_acceptable_is_406(
    client: TestClient, query: str, accept: str | None, fmt: str | None
) -> None:
    params = {"query": query, **({"format": fmt} if fmt else {})}
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 406, response.text
    error = response.json()
    assert error["code"] == "not-acceptable"
    assert "available" in error["message"] or "unknown format" in error["message"]


def test_negotiate_ranks_by_q_then_specificity() -> None:
    offers = {"application/json": 1, "text/csv": 2, "text/tab-separated-values": 3}
    assert negotiate(None, offers) == ("application/json", 1)
    assert negotiate("text/*", offers) == ("text/csv", 2)
    assert negotiate("text/*;q=0.5, text/tab-separated-values", offers) == (
        "text/tab-separated-values",
        3,
    )
    assert negotiate("text/csv;q=0, text/*", offers) == ("text/tab-separated-values", 3)
    assert negotiate("image/*", offers) is None
    assert negotiate("*/*;q=0", offers) is None


# --- GET without a query ----------------------------------------------------------------------


def test_service_description_in_turtle_and_json_ld(client: TestClient) -> None:
    turtle = client.get("/sparql", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200
    triples = list(parse(turtle.content, RdfFormat.TURTLE))
    service = [t for t in triples if t.object.value == SD + "Service"]
    assert service and service[0].subject.value == "http://testserver/sparql"
    assert any(t.object.value == SD + "SPARQL11Query" for t in triples)
    assert not any(t.object.value == SD + "SPARQL11Update" for t in triples)  # writes are off
    assert any(t.object.value == SD + "UnionDefaultGraph" for t in triples)
    default = client.get("/sparql")
    assert default.headers["content-type"].startswith("text/turtle")
    jsonld = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert len(list(parse(jsonld.content, RdfFormat.JSON_LD))) == len(triples)
    assert json.loads(jsonld.text)


def test_a_browser_gets_the_editor(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"accept": browser})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "/static/yasgui/yasgui.min.js" in html
    rq = sorted(p.stem for p in (PROJECT_ROOT / "queries").glob("*.rq"))
    assert len(rq) > 20
    for name in rq:
        assert f'data-name="{name}"' in html
    assert '"tzo": "https://w3id.org/tzkg/ontology#"' in html  # the prefixes, as JSON
    assert "PREFIX tzo: \\u003chttps://w3id.org/tzkg/ontology#\\u003e" in html
    script = client.get("/static/yasgui/yasgui.min.js")
    assert script.status_code == 200 and len(script.content) > 500_000
    assert client.get("/static/yasgui/yasgui.min.css").status_code == 200
    assert "MIT" in client.get("/static/yasgui/LICENSE").text
