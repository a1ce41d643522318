"""Search: one box for every entity, Chinese first, from the index built with the store."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tzkg.build import build
from tzkg.config import PROJECT_ROOT, Settings
from tzkg.search.index import INDEX_DIR, SearchIndex
from tzkg.server import create_app
from tzkg.store import open_store, store_location

YAXING = "enterprise/asian-star-anchor-chain"
YAXING_PLATFORMS = {
    "platform/asian-star-anchor-chain-national-technology-centre",
    "platform/asian-star-anchor-chain-provincial-key-laboratory",
}


def search(api: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["data"]
    return hits


@pytest.mark.parametrize("q", ["亚星", "yaxing", "Asian Star", "YaXing", "亚星锚链"])
def test_yaxing_and_its_platforms_lead(api: TestClient, q: str) -> None:
    hits = search(api, q)
    assert hits[0]["id"] == YAXING
    assert {h["id"] for h in hits[1:3]} == YAXING_PLATFORMS


def test_legal_name_finds_the_enterprise(api: TestClient) -> None:
    hits = search(api, "江苏亚星锚链股份有限公司")
    assert hits[0]["id"] == YAXING
    assert hits[0]["matched"] == "江苏亚星锚链股份有限公司"
    assert hits[0]["score"] > 2 * hits[1]["score"]


def test_shipbuilding_field_first(api: TestClient) -> None:
    hits = search(api, "船舶")
    assert hits[0]["id"] == "field/shipbuilding"
    assert "cluster/high-end-equipment-and-shipbuilding" in {h["id"] for h in hits[:6]}


@pytest.mark.parametrize("q", ["市科技局", "泰州市科学技术局", "科技局"])
def test_science_and_technology_bureau(api: TestClient, q: str) -> None:
    assert search(api, q)[0]["id"] == "body/science-technology-bureau"


def test_codes_and_initials(api: TestClient) -> None:
    assert search(api, "321282")[0]["id"] == "division/321282"
    assert search(api, "yxml")[0]["id"] == YAXING


def test_kind_filter_lang_and_pages(api: TestClient) -> None:
    only = search(api, "亚星", kind="platform")
    assert {h["id"] for h in only} == YAXING_PLATFORMS
    english = search(api, "亚星", lang="en")
    assert english[0]["label"] == "Jiangsu Asian Star Anchor Chain"
    assert english[0]["labels"]["zh"] == "亚星锚链"
    body = api.get("/api/search", params={"q": "船", "limit": 2}).json()
    assert len(body["data"]) == 2 and body["count"] > 2 and body["truncated"] is True
    rest = api.get(body["next"]).json()
    assert {h["id"] for h in rest["data"]}.isdisjoint({h["id"] for h in body["data"]})


@pytest.mark.parametrize("q", ["", "   ", "x" * 201])
def test_empty_or_huge_query_is_400(api: TestClient, q: str) -> None:
    response = api.get("/api/search", params={"q": q})
    assert response.status_code == 400
    assert response.json()["where"] == "q"


@pytest.mark.parametrize("q", ['"', "AND OR NOT", "title:x", "*", "亚星 -锚链 +(", "\\"])
def test_query_syntax_is_just_text(api: TestClient, q: str) -> None:
    assert api.get("/api/search", params={"q": q}).status_code == 200


def test_index_is_in_the_build_and_matches_the_store(api_settings: Settings) -> None:
    """The finish step wrote the index beside the store data; it names every labelled entity."""
    build_dir = store_location(api_settings.store_dir)
    assert (build_dir / INDEX_DIR).is_dir()
    index = SearchIndex.open(build_dir)
    store = open_store(api_settings.store_dir)
    try:
        rebuilt = SearchIndex.in_memory(store, api_settings)
    finally:
        store.close()
    assert len(index) == len(rebuilt) > 300


def test_a_new_build_brings_its_own_index(tmp_path: Path) -> None:
    """Built with a different label book, the served index changes with the store."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    settings = Settings(store_dir=tmp_path / "store", data_dir=data)
    build(settings)
    with TestClient(create_app(settings)) as client:
        assert search(client, "亚星")[0]["id"] == YAXING
        labels = (data / "labels.csv").read_text(encoding="utf-8")
        (data / "labels.csv").write_text(
            labels.replace("Asian Star Anchor Chain", "Morning Star Anchor Chain"),
            encoding="utf-8",
        )
        build(settings)
        assert search(client, "Morning Star")[0]["id"] == YAXING
        assert YAXING not in {h["id"] for h in search(client, "Asian")}
