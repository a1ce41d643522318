"""Shared fixtures: a tiny handmade dataset, built into real stores on disk in tmp dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from tzkg.config import Settings, get_settings
from tzkg.store import build_store
from tzkg.vocab import LABEL, XSD, A, tzo

BASE = "https://w3id.org/tzkg/"
PLAN_GRAPH = NamedNode(BASE + "graph/plan")
ONTOLOGY_GRAPH = NamedNode(BASE + "graph/ontology")
SHIPBUILDING = NamedNode(BASE + "id/field/gaojishuchuanbo")
LAB = NamedNode(BASE + "id/platform/chuanbo-shiyanshi")
CENTRE = NamedNode(BASE + "id/platform/chuanbo-zhongxin")


def tiny_quads() -> list[Quad]:
    """A field, two platforms supporting it, and a line of ontology, in two named graphs."""
    plan: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (SHIPBUILDING, A, tzo("IndustrialField")),
        (SHIPBUILDING, LABEL, Literal("高技术船舶", language="zh")),
        (SHIPBUILDING, LABEL, Literal("High-tech shipbuilding", language="en")),
        (LAB, A, tzo("NationalKeyLaboratory")),
        (LAB, LABEL, Literal("船舶实验室", language="zh")),
        (LAB, tzo("supports"), SHIPBUILDING),
        (LAB, tzo("level"), tzo("National")),
        (CENTRE, A, tzo("ProvincialEngineeringCentre")),
        (CENTRE, LABEL, Literal("船舶中心", language="zh")),
        (CENTRE, tzo("supports"), SHIPBUILDING),
        (CENTRE, tzo("level"), tzo("Provincial")),
        (CENTRE, tzo("order"), Literal("2", datatype=NamedNode(XSD + "integer"))),
    ]
    ontology: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (tzo("IndustrialField"), LABEL, Literal("产业领域", language="zh")),
        # the same triple in two graphs: the union counts it once
        (SHIPBUILDING, A, tzo("IndustrialField")),
    ]
    return [Quad(s, p, o, PLAN_GRAPH) for s, p, o in plan] + [
        Quad(s, p, o, ONTOLOGY_GRAPH) for s, p, o in ontology
    ]


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once from `tiny_quads()`; tests must only read it."""
    store_dir = tmp_path_factory.mktemp("shared") / "store"
    build_store(store_dir, tiny_quads())
    return store_dir


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A fresh store of `tiny_quads()` that the test may change or rebuild."""
    path = tmp_path / "store"
    build_store(path, tiny_quads())
    return path


@pytest.fixture
def settings(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings (read from the environment, as in production) that point at the shared store."""
    monkeypatch.setenv("TZKG_STORE_DIR", str(built_store))
    monkeypatch.setenv("TZKG_QUERIES_DIR", str(tmp_path / "queries"))
    (tmp_path / "queries").mkdir()
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
