"""Roster fixtures: real stores on disk built from data/, settings pointing at them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import Quad
from roster_helpers import ROOT

from tzkg import build
from tzkg.build import build_quads
from tzkg.config import Settings
from tzkg.store import OxigraphStore, build_store, open_store


@pytest.fixture(scope="session")
def plan_quads() -> list[Quad]:
    """The quads of a build of data/ (plan, reference, sample rosters), computed once."""
    return list(build_quads(Settings(store_dir=Path("/nonexistent/store"))))


@pytest.fixture
def own_data(tmp_path: Path) -> Path:
    """A copy of data/ that a test may extend (mappings, labels) without touching the real one."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.fixture
def roster_settings(tmp_path: Path) -> Settings:
    """The repository's data/ with a store of our own in tmp_path (not built yet)."""
    return Settings(store_dir=tmp_path / "var" / "store")


@pytest.fixture
def no_finish_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the build's finish steps (reasoning, search index, dumps): they are tested apart."""
    monkeypatch.setattr(build, "FINISH_STEPS", [])


@pytest.fixture
def built(roster_settings: Settings, plan_quads: list[Quad], no_finish_steps: None) -> Settings:
    """Settings whose store is built from the plan, the reference tables and the samples."""
    build_store(roster_settings.store_dir, plan_quads)
    return roster_settings


@pytest.fixture
def store_of(built: Settings) -> Iterator[Callable[[], OxigraphStore]]:
    """Open the current store of `built` read-only (call it again after each load)."""
    opened: list[OxigraphStore] = []

    def opener() -> OxigraphStore:
        store = open_store(built.store_dir)
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()
