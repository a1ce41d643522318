"""/dumps: gzipped N-Quads, Turtle and JSON-LD with sha256, written by the build step next to
the store, and one graph by the Graph Store Protocol."""

from __future__ import annotations

import gzip
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse
from typer.testing import CliRunner

from tests.conftest import ONTOLOGY_GRAPH, PLAN_GRAPH, tiny_quads
from tzkg.build import FINISH_STEPS
from tzkg.cli import app
from tzkg.config import Settings
from tzkg.dumps import PENDING, pending_writer, read_manifest, write_dumps, write_dumps_later
from tzkg.server import create_app
from tzkg.store import build_store, store_location


@pytest.fixture(scope="module")
def dumped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store, built with the dumps step."""
    store_dir = tmp_path_factory.mktemp("dumps") / "store"
    settings = Settings(store_dir=store_dir)
    build_store(store_dir, tiny_quads(), before_swap=lambda store: write_dumps(store, settings))
    return store_dir


@pytest.fixture(scope="module")
def client(dumped: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store_dir=dumped))) as test_client:
        yield test_client


def test_the_dumps_step_is_registered_last() -> None:
    assert FINISH_STEPS[-1] is write_dumps


def test_dumps_are_written_in_the_build_directory(dumped: Path) -> None:
    location = store_location(dumped)
    files = read_manifest(location)
    assert files is not None
    assert [f.file for f in files] == ["tzkg.nq.gz", "tzkg.ttl.gz", "tzkg.jsonld.gz"]
    for dump in files:
        path = location / "dumps" / dump.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == dump.sha256
        assert path.stat().st_size == dump.bytes
    sums = (location / "dumps" / "SHA256SUMS").read_text()
    assert sums.splitlines()[0] == f"{files[0].sha256}  tzkg.nq.gz"


def test_listing_and_files(client: TestClient) -> None:
    listing = client.get("/dumps")
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 3 and body["built_at"].endswith("Z")
    by_format = {d["format"]: d for d in body["data"]}
    quads = by_format["N-Quads"]
    assert quads["graphs"] is True and by_format["Turtle"]["graphs"] is False
    response = client.get(quads["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(response.content).hexdigest() == quads["sha256"]
    assert response.headers["x-checksum-sha256"] == quads["sha256"]
    parsed = list(parse(gzip.decompress(response.content), RdfFormat.N_QUADS))
    assert len(parsed) == 14
    assert {q.graph_name for q in parsed} == {PLAN_GRAPH, ONTOLOGY_GRAPH}
    turtle = client.get(by_format["Turtle"]["url"])
    assert len(list(parse(gzip.decompress(turtle.content), RdfFormat.TURTLE))) == 13  # the union
    jsonld = client.get(by_format["JSON-LD"]["url"])
    assert len(list(parse(gzip.decompress(jsonld.content), RdfFormat.JSON_LD))) == 14
    sha = client.get(quads["sha256_url"])
    assert sha.text == f"{quads['sha256']}  tzkg.nq.gz\n"
    assert client.head(quads["url"]).status_code == 200
    missing = client.get("/dumps/nothing.gz")
    assert missing.status_code == 404 and missing.json()["code"] == "dumps-missing"


def test_one_graph_by_the_graph_store_protocol(client: TestClient) -> None:
    plan = client.get("/dumps", params={"graph": PLAN_GRAPH.value})
    assert plan.status_code == 200
    assert plan.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(list(parse(plan.content, RdfFormat.TURTLE))) == 12
    nt = client.get(
        "/dumps",
        params={"graph": ONTOLOGY_GRAPH.value},
        headers={"accept": "application/n-triples"},
    )
    assert len(list(parse(nt.content, RdfFormat.N_TRIPLES))) == 2
    nq = client.get("/dumps", params={"graph": ONTOLOGY_GRAPH.value, "format": "nq"})
    assert {q.graph_name for q in parse(nq.content, RdfFormat.N_QUADS)} == {ONTOLOGY_GRAPH}
    default = client.get("/dumps?default")
    assert default.status_code == 200 and default.content.strip() == b""
    unknown = client.get("/dumps", params={"graph": "http://example.org/none"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-graph"
    both = client.get("/dumps", params={"graph": PLAN_GRAPH.value, "default": ""})
    assert both.status_code == 400
    png = client.get("/dumps", params={"graph": PLAN_GRAPH.value}, headers={"accept": "image/png"})
    assert png.status_code == 406


def test_a_build_without_dumps_says_how_to_get_them(built_store: Path) -> None:
    with TestClient(create_app(Settings(store_dir=built_store))) as client:
        response = client.get("/dumps")
        assert response.status_code == 404
        assert "tzkg build" in response.json()["message"]


# --- dumps written after a roster load, in the background --------------------------------------


@pytest.fixture
def undumped(tmp_path: Path) -> Path:
    """The tiny store, built without the dumps step."""
    store_dir = tmp_path / "store"
    build_store(store_dir, tiny_quads())
    return store_dir


def test_dumps_written_by_a_background_process(undumped: Path) -> None:
    location = store_location(undumped)
    assert read_manifest(location) is None
    pid = write_dumps_later(location)
    assert pid != os.getpid()
    deadline = time.monotonic() + 60
    while read_manifest(location) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    files = read_manifest(location)
    assert files is not None and len(files) == 3
    while (location / PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the marker goes right after the manifest
    assert not (location / PENDING).exists()
    assert pending_writer(location) is None


def test_pending_dumps_answer_503_with_retry_after_then_404_when_abandoned(
    undumped: Path,
) -> None:
    location = store_location(undumped)
    (location / PENDING).write_text(f"{os.getpid()}\n")  # a live "writer": this process
    with TestClient(create_app(Settings(store_dir=undumped))) as client:
        for path in ("/dumps", "/dumps/tzkg.nq.gz"):
            pending = client.get(path)
            assert pending.status_code == 503, path
            assert pending.json()["code"] == "dumps-pending"
            assert pending.headers["retry-after"] == "60"
        (location / PENDING).write_text("999999999\n")  # its writer is gone
        missing = client.get("/dumps")
        assert missing.status_code == 404
        assert missing.json()["code"] == "dumps-missing"
        assert "tzkg dumps" in missing.json()["message"]


def test_tzkg_dumps_writes_the_dumps_of_the_current_build(undumped: Path) -> None:
    done = CliRunner().invoke(app, ["dumps", "--store", str(undumped)])
    assert done.exit_code == 0, done.output
    files = read_manifest(store_location(undumped))
    assert files is not None
    assert [line.split("  ")[0].rsplit("/", 1)[1] for line in done.output.splitlines()] == [
        f.file for f in files
    ]
