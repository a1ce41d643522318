"""Linked data: IRIs under the base dereference (303 or direct) to HTML or RDF by Accept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, parse

from tzkg.config import Settings
from tzkg.server import create_app

BASE = "https://w3id.org/tzkg/"
TZO = BASE + "ontology#"
CENTRE = "id/platform/asian-star-anchor-chain-national-technology-centre"
SPAN = "id/plan/taizhou-sti-plan-2021-2023/span/23-4"


@pytest.fixture(scope="module")
def direct(api_settings: Settings) -> Iterator[TestClient]:
    """The same store served with `deref_redirect` off: resources answer at their own path."""
    settings = api_settings.model_copy(update={"deref_redirect": False})
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", f"/page/{CENTRE}"),
        ("text/turtle", f"/data/{CENTRE}.ttl"),
        ("application/ld+json", f"/data/{CENTRE}.jsonld"),
        ("application/n-triples", f"/data/{CENTRE}.nt"),
        ("application/n-quads", f"/data/{CENTRE}.nq"),
        ("text/turtle;q=0.5, application/ld+json", f"/data/{CENTRE}.jsonld"),
    ],
)
def test_303_by_accept(api: TestClient, accept: str, location: str) -> None:
    response = api.get(f"/{CENTRE}", headers={"accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == location
    assert "Accept" in response.headers["vary"]


def test_turtle_document_parses_with_the_facts(api: TestClient) -> None:
    response = api.get(f"/{CENTRE}", headers={"accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(parse(response.content, RdfFormat.TURTLE))
    subject = NamedNode(BASE + CENTRE)
    assert all(t.subject == subject for t in triples)
    predicates = {t.predicate.value for t in triples}
    assert {TZO + "hostedBy", TZO + "supports", TZO + "level"} <= predicates


def test_jsonld_and_ntriples_agree(api: TestClient) -> None:
    nt = {q.triple for q in parse(api.get(f"/data/{CENTRE}.nt").content, RdfFormat.N_TRIPLES)}
    jsonld = {q.triple for q in parse(api.get(f"/data/{CENTRE}.jsonld").content, RdfFormat.JSON_LD)}
    assert nt == jsonld and len(nt) > 5


def test_quads_keep_the_source_graph(api: TestClient) -> None:
    quads = list(parse(api.get(f"/data/{CENTRE}.nq").content, RdfFormat.N_QUADS))
    hosted = {q.graph_name for q in quads if q.predicate.value == TZO + "hostedBy"}
    assert NamedNode(BASE + SPAN) in hosted  # the plan sentence that states it


def test_span_resource_with_its_selectors(api: TestClient) -> None:
    triples = list(parse(api.get(f"/data/{SPAN}.ttl").content, RdfFormat.TURTLE))
    exact = [t.object.value for t in triples if t.predicate.value.endswith("#exact")]
    assert exact and "亚星锚链国家级技术中心" in exact[0]


def test_direct_mode_answers_in_place(direct: TestClient) -> None:
    page = direct.get(f"/{CENTRE}", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    turtle = direct.get(f"/{CENTRE}", headers={"accept": "text/turtle"}, follow_redirects=False)
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert (
        direct.get(f"/{CENTRE}", params={"format": "nt"})
        .headers["content-type"]
        .startswith("application/n-triples")
    )


def test_html_page_has_labels_links_and_sources(api: TestClient) -> None:
    html = api.get(f"/page/{CENTRE}").text
    assert '<h1 id="title">亚星锚链国家级技术中心</h1>' in html
    assert 'href="/page/id/enterprise/asian-star-anchor-chain"' in html  # the host, linked
    assert '<blockquote lang="zh">高技术船舶领域' in html  # the source sentence, quoted
    assert 'type="text/turtle"' in html
    english = api.get(f"/page/{CENTRE}", params={"lang": "en"}).text
    assert "Asian Star Anchor Chain National Enterprise Technology Centre</h1>" in english


def test_ontology_at_its_namespace(api: TestClient) -> None:
    turtle = api.get("/ontology", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200
    triples = list(parse(turtle.content, RdfFormat.TURTLE))
    subjects = {t.subject.value for t in triples if hasattr(t.subject, "value")}
    assert TZO + "InnovationPlatform" in subjects and BASE + "ontology" in subjects
    page = api.get("/ontology", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "/ontology#" in page.text


@pytest.mark.parametrize("path", ["/id/nothing/here", "/data/id/nothing/here.ttl"])
def test_unknown_is_404(api: TestClient, path: str) -> None:
    response = api.get(path, headers={"accept": "text/turtle"})
    assert response.status_code == 404
    assert response.json()["code"] == "not-found"


def test_unacceptable_is_406(api: TestClient) -> None:
    response = api.get(f"/{CENTRE}", headers={"accept": "image/png"}, follow_redirects=False)
    assert response.status_code == 406
    assert response.json()["code"] == "not-acceptable"
