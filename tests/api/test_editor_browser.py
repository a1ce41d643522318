"""The YASGUI query editor in real headless Chromium: it loads offline from /static, lists every
named query as an example, runs a query against /sparql and shows the results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import CHROMIUM
from tests.api.live import live_server
from tzkg.config import PROJECT_ROOT

pytestmark = [pytest.mark.http, pytest.mark.slow]

QUERY = (
    "PREFIX tzo: <https://w3id.org/tzkg/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?name WHERE { ?p tzo:supports ?f ; rdfs:label ?name } ORDER BY ?name"
)


@pytest.fixture(scope="module")
def base(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("editor") / "uvicorn.log"
    env = {"TZKG_QUERY_WORKERS": "2", "TZKG_QUERIES_DIR": str(PROJECT_ROOT / "queries")}
    with live_server(built_store, log, env) as url:
        yield url


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_the_editor_runs_a_query_in_chromium(base: str, browser: Any, tmp_path: Path) -> None:
    outside: list[str] = []
    page = browser.new_page()
    page.on(
        "request",
        lambda request: None if request.url.startswith(base) else outside.append(request.url),
    )
    page.goto(f"{base}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    examples = page.locator("button.example")
    rq = sorted(p.stem for p in (PROJECT_ROOT / "queries").glob("*.rq"))
    assert examples.count() == len(rq)
    # the first tab starts with every project prefix declared
    text = page.evaluate("window.tzkg.yasgui.getTab().getYasqe().getValue()")
    assert "PREFIX tzo: <https://w3id.org/tzkg/ontology#>" in text
    assert "PREFIX prov: <http://www.w3.org/ns/prov#>" in text

    page.evaluate(
        "q => { const tab = window.tzkg.yasgui.getTab(); tab.setQuery(q); tab.query(); }",
        QUERY,
    )
    page.wait_for_function(
        "() => document.querySelector('.yasr') && "
        "document.querySelector('.yasr').innerText.includes('船舶实验室')",
        timeout=20_000,
    )
    results = page.locator(".yasr").inner_text()
    assert "船舶中心" in results and "船舶实验室" in results
    page.screenshot(path=str(tmp_path / "editor.png"))

    # an example opens in a tab of its own, with the query text of its .rq file
    examples.filter(has_text="laboratories.rq").click()
    opened = page.evaluate("window.tzkg.yasgui.getTab().getYasqe().getValue()")
    source = (PROJECT_ROOT / "queries" / "laboratories.rq").read_text(encoding="utf-8")
    assert opened.strip() == source.strip()
    assert not [url for url in outside if not url.startswith(("data:", "about:"))], outside
