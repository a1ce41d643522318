"""A store built from data/ once per session, for the competency questions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tzkg.build import build_quads
from tzkg.config import PROJECT_ROOT, Settings
from tzkg.queries import NamedQuery, load_named_queries
from tzkg.reasoning import inferred_graph, materialise
from tzkg.store import OxigraphStore


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings (base IRI, data/ of the repository)."""
    return Settings()


@pytest.fixture(scope="session")
def plan_store(settings: Settings) -> Iterator[OxigraphStore]:
    """The graph of data/ in an in-memory store, with the inferred graph as a build makes it."""
    store = OxigraphStore.in_memory()
    store.bulk_load(build_quads(settings))
    materialise(store, inferred_graph(settings.base_iri))
    yield store
    store.close()


@pytest.fixture(scope="session")
def named_queries() -> dict[str, NamedQuery]:
    """Every queries/*.rq."""
    return load_named_queries(PROJECT_ROOT / "queries")
