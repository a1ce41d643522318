"""The query time limit really stops a runaway query while other requests keep being answered,
in-process and against a real uvicorn process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad

from tests.api.live import live_server
from tzkg.config import Settings
from tzkg.server import create_app
from tzkg.store import build_store

EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK { ?s <http://example.org/p> 7 }"
LIMIT = 1.0


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 triples: the four-way cartesian product has 1.6e13 rows."""
    store_dir = tmp_path_factory.mktemp("timeout") / "store"
    graph = NamedNode("http://example.org/g")
    build_store(
        store_dir,
        (
            Quad(
                NamedNode(f"http://example.org/s{i}"),
                NamedNode("http://example.org/p"),
                Literal(
                    str(i % 50), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                ),
                graph,
            )
            for i in range(2000)
        ),
    )
    return store_dir


def race(explosive: Callable[[], httpx.Response], simple: Callable[[], httpx.Response]) -> None:
    """Start the explosive query, then time simple ones while it runs; check both outcomes."""
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        outcome["response"] = explosive()
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)  # the runaway query is now burning its worker
    timings = []
    for _ in range(5):
        started = time.monotonic()
        answer = simple()
        timings.append(time.monotonic() - started)
        assert answer.status_code == 200, answer.text
        assert answer.json()["boolean"] is True
    thread.join(30)
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503, response.text
    error = response.json()
    assert error["code"] == "query-timeout"
    assert "stopped" in error["message"]
    assert float(str(outcome["seconds"])) < LIMIT + 1.0
    assert min(timings) < 0.2, timings  # answered while the runaway query was running


@pytest.fixture(scope="module")
def client(big_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store_dir=big_store, query_workers=2))) as test_client:
        yield test_client


def test_runaway_query_is_stopped_in_process(client: TestClient) -> None:
    pool = client.app.state.pool  # type: ignore[attr-defined]
    before = set(pool.pids())
    race(
        lambda: client.get("/sparql", params={"query": EXPLOSIVE, "timeout": str(LIMIT)}),
        lambda: client.get("/sparql", params={"query": SIMPLE}),
    )
    deadline = time.monotonic() + 10
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the killed worker is replaced in the background
    assert len(pool.pids()) == 2
    assert set(pool.pids()) != before
    assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_timeout_can_only_lower_the_limit(client: TestClient, big_store: Path) -> None:
    settings = Settings(store_dir=big_store, query_workers=2, query_timeout=0.5)
    with TestClient(create_app(settings)) as short:
        started = time.monotonic()
        response = short.get("/sparql", params={"query": EXPLOSIVE, "timeout": "60"})
        assert response.status_code == 503
        assert time.monotonic() - started < 1.5
        assert response.headers["retry-after"] == "1"


@pytest.mark.http
def test_runaway_query_is_stopped_by_a_real_server(big_store: Path, tmp_path: Path) -> None:
    env = {"TZKG_QUERY_WORKERS": "2"}
    with (
        live_server(big_store, tmp_path / "uvicorn.log", env) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        race(
            lambda: http.get("/sparql", params={"query": EXPLOSIVE, "timeout": str(LIMIT)}),
            lambda: http.get("/sparql", params={"query": SIMPLE}),
        )
        assert http.get("/health").json()["query_workers"] >= 1
