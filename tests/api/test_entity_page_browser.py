"""The JSON API and resource pages from a real uvicorn process, and the page in real Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from tests.api.conftest import CHROMIUM
from tests.api.live import live_server
from tzkg.config import Settings

pytestmark = [pytest.mark.http]

CENTRE = "id/platform/asian-star-anchor-chain-national-technology-centre"


@pytest.fixture(scope="module")
def base(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("pages") / "uvicorn.log"
    with live_server(api_settings.store_dir, log, {"TZKG_QUERY_WORKERS": "1"}) as url:
        yield url


def test_api_search_and_dereferencing_over_http(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        hits = client.get("/api/search", params={"q": "亚星"}).json()["data"]
        assert hits[0]["id"] == "enterprise/asian-star-anchor-chain"
        rows = client.get("/api/queries/platforms-by-host", params={"host_label": "亚星锚链"})
        assert rows.json()["count"] == 2
        see_other = client.get(f"/{CENTRE}", headers={"accept": "text/turtle"})
        assert see_other.status_code == 303
        turtle = client.get(see_other.headers["location"])
        assert turtle.headers["content-type"].startswith("text/turtle")
        assert len(list(parse(turtle.content, RdfFormat.TURTLE))) > 5
        detail = client.get("/api/platforms/asian-star-anchor-chain-national-technology-centre")
        assert detail.json()["hosts"][0]["label"] == "亚星锚链"


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_entity_page_reads_well_in_chromium(base: str, browser: Any, tmp_path: Path) -> None:
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1100, "height": 1400}, locale="zh-CN")
    page.on(
        "request",
        lambda request: None if request.url.startswith(base) else outside.append(request.url),
    )
    response = page.goto(f"{base}/{CENTRE}")  # the browser follows the 303
    assert response is not None and response.ok
    assert page.url == f"{base}/page/{CENTRE}"
    assert page.locator("h1#title").inner_text() == "亚星锚链国家级技术中心"
    # the stylesheet applied: the facts table is laid out, not raw
    assert (
        page.locator("table#facts").evaluate("t => getComputedStyle(t).borderCollapse")
        == "collapse"
    )
    quote = page.locator("ol#sources blockquote").first.inner_text()
    assert "亚星锚链国家级技术中心" in quote
    assert page.locator("table#facts a[href='#source-1']").count() >= 1
    shot = tmp_path / "entity.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("TZKG_SCREENSHOT_DIR"):
        page.screenshot(
            path=str(Path(os.environ["TZKG_SCREENSHOT_DIR"]) / "entity.png"),
            full_page=False,
        )
    assert shot.stat().st_size > 10_000
    # follow a link to the host enterprise, then switch the language
    page.locator("table#facts a", has_text="亚星锚链").first.click()
    page.wait_for_url(f"{base}/page/id/enterprise/asian-star-anchor-chain")
    assert page.locator("h1#title").inner_text() == "亚星锚链"
    page.locator("a.lang").click()
    page.wait_for_selector("h1#title:has-text('Jiangsu Asian Star Anchor Chain')")
    assert outside == [], f"the page fetched from outside: {outside}"
