"""Real SPARQL clients against a real uvicorn process: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.api.live import live_server
from tests.conftest import LAB

pytestmark = pytest.mark.http

TZO = "https://w3id.org/tzkg/ontology#"
NAMES = (
    f"PREFIX tzo: <{TZO}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?name WHERE { ?p tzo:supports ?f ; rdfs:label ?name } ORDER BY ?name"
)
LEVELS = f"PREFIX tzo: <{TZO}>\nCONSTRUCT WHERE {{ ?s tzo:level ?o }}"


@pytest.fixture(scope="module")
def endpoint(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("clients") / "uvicorn.log"
    with live_server(built_store, log, {"TZKG_QUERY_WORKERS": "2"}) as base:
        yield f"{base}/sparql"


def test_sparqlwrapper_select_by_get_and_post(endpoint: str) -> None:
    for method in ("GET", POST):
        client = SPARQLWrapper(endpoint)
        client.setMethod(method)
        client.setQuery(NAMES)
        client.setReturnFormat(JSON)
        result = client.query().convert()
        assert isinstance(result, dict)
        assert [b["name"]["value"] for b in result["results"]["bindings"]] == [
            "船舶中心",
            "船舶实验室",
        ]


def test_sparqlwrapper_xml_ask_and_construct(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    client.setQuery(LEVELS)
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert isinstance(turtle, bytes)
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == 2


def test_sparqlwrapper_reports_a_syntax_error(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as caught:
        client.query()
    assert "query-syntax" in str(caught.value)


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = rdflib.Graph(SPARQLStore(endpoint, returnFormat="json"))
    rows = list(graph.query(NAMES))
    assert [str(row[0]) for row in rows] == ["船舶中心", "船舶实验室"]  # type: ignore[index]
    level = rdflib.URIRef(TZO + "level")
    objects = set(graph.objects(rdflib.URIRef(LAB.value), level))
    assert objects == {rdflib.URIRef(TZO + "National")}
    assert graph.query(f"ASK {{ <{LAB.value}> ?p ?o }}").askAnswer is True
    # rdflib's default return format (xml) accepts RDF/XML too, so CONSTRUCT works through it
    default = rdflib.Graph(SPARQLStore(endpoint))
    assert [str(row[0]) for row in default.query(NAMES)] == ["船舶中心", "船舶实验室"]  # type: ignore[index]
    described = default.query(LEVELS)
    assert described.graph is not None and len(described.graph) == 2


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl(endpoint: str) -> None:
    def curl(*args: str) -> str:
        done = subprocess.run(
            ["curl", "-sS", "--fail-with-body", *args], capture_output=True, check=True, timeout=30
        )
        return done.stdout.decode()

    csv = curl("-G", endpoint, "--data-urlencode", f"query={NAMES}", "-H", "Accept: text/csv")
    assert csv.splitlines() == ["name", "船舶中心", "船舶实验室"]
    form = curl(endpoint, "--data-urlencode", f"query={NAMES}")
    assert len(json.loads(form)["results"]["bindings"]) == 2
    direct = curl(
        endpoint,
        "-H",
        "Content-Type: application/sparql-query",
        "-H",
        "Accept: application/n-triples",
        "--data-binary",
        LEVELS,
    )
    assert len(direct.strip().splitlines()) == 2
    described = curl(endpoint, "-H", "Accept: text/turtle")
    assert "sparql-service-description" in described
    refused = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            endpoint,
            "--data-urlencode",
            "update=CLEAR ALL",
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert refused.stdout.decode() == "403"
