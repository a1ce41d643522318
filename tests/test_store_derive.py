"""derive_store: a new build from a checkpoint of the current one, swapped in only when complete."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from tzkg.errors import StoreMissingError
from tzkg.store import (
    OxigraphStore,
    build_store,
    derive_store,
    iter_builds,
    open_store,
    read_build_info,
)

G = NamedNode("https://example.org/graph")
S = NamedNode("https://example.org/s")
P = NamedNode("https://example.org/p")


def quad(value: str, graph: NamedNode = G) -> Quad:
    return Quad(S, P, Literal(value), graph)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(path, [quad("a"), quad("b")])
    return path


def values(store_dir: Path) -> set[str]:
    with open_store(store_dir) as store:
        return {q.object.value for q in store.raw.quads_for_pattern(None, None, None, None)}


def test_change_is_swapped_in(store_dir: Path) -> None:
    before = read_build_info(store_dir)

    def change(store: OxigraphStore) -> None:
        store.raw.remove(quad("a"))
        store.raw.add(quad("c"))

    info = derive_store(store_dir, change)
    assert values(store_dir) == {"b", "c"}
    assert before is not None and info.build != before.build
    assert read_build_info(store_dir) == info and info.quads == 2
    assert [p.name for p in iter_builds(store_dir)] == [before.build, info.build]  # previous kept


def test_before_swap_sees_the_change(store_dir: Path) -> None:
    seen: list[int] = []
    derive_store(
        store_dir, lambda s: s.raw.add(quad("c")), before_swap=lambda s: seen.append(len(s))
    )
    assert seen == [3]


@pytest.mark.parametrize("where", ["change", "before_swap"])
def test_a_failure_leaves_the_store_as_it_was(store_dir: Path, where: str) -> None:
    before = read_build_info(store_dir)

    def fail(store: OxigraphStore) -> None:
        store.raw.add(quad("half-done"))
        raise RuntimeError("refused")

    def add(store: OxigraphStore) -> None:
        store.raw.add(quad("c"))

    with pytest.raises(RuntimeError):
        if where == "change":
            derive_store(store_dir, fail)
        else:
            derive_store(store_dir, add, before_swap=fail)
    assert values(store_dir) == {"a", "b"}
    assert read_build_info(store_dir) == before
    builds = store_dir.parent / "store.builds"
    assert (
        sorted(p.name for p in builds.iterdir() if p.is_dir()) == [before.build] if before else []
    )


def test_no_store_yet(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError):
        derive_store(tmp_path / "none", lambda s: None)


def test_concurrent_derivations_both_count(store_dir: Path) -> None:
    """Each derivation starts from the result of the one before it: no change is lost."""
    errors: list[BaseException] = []

    def add(value: str) -> None:
        try:
            derive_store(store_dir, lambda s: s.raw.add(quad(value)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(v,)) for v in ("x", "y", "z")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert values(store_dir) == {"a", "b", "x", "y", "z"}


def test_a_legacy_plain_directory_store(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy"
    store = OxigraphStore(legacy)
    store.raw.add(quad("a"))
    store.close()
    derive_store(legacy, lambda s: s.raw.add(quad("b")))
    assert legacy.is_symlink()
    assert values(legacy) == {"a", "b"}


@pytest.mark.parametrize("threshold", [1000, 1], ids=["checkpoint", "copy"])
def test_without_leaves_graphs_out(
    tmp_path: Path, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small graphs are deleted from the checkpoint, big ones left out of a copy: same result."""
    import tzkg.store

    monkeypatch.setattr(tzkg.store, "REBUILD_QUADS", threshold)
    other = NamedNode("https://example.org/other")
    empty = NamedNode("https://example.org/empty")
    store_dir = tmp_path / "store"
    build_store(store_dir, [quad("a"), quad("b"), quad("c", other), Quad(S, P, Literal("d"))])
    with open_store(store_dir, read_only=False) as store:
        store.raw.add_graph(empty)
    derive_store(store_dir, lambda s: s.raw.add(quad("new")), without=[G])
    with open_store(store_dir) as store:
        got = {(q.object.value, q.graph_name) for q in store.raw}
        graphs = set(store.raw.named_graphs())
    assert {value for value, _ in got} == {"c", "d", "new"}
    assert graphs == {G, other, empty}


def test_a_big_derived_store_leaves_its_triple_count_for_later(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tzkg import store as store_module
    from tzkg.store import record_triples, store_location

    other = NamedNode("https://example.org/other")

    def change(store: OxigraphStore) -> None:
        store.raw.add(quad("a", other))  # the same triple in a second graph: counted once

    monkeypatch.setattr(store_module, "COUNT_NOW", 1)  # every store is "big"
    info = derive_store(store_dir, change)
    assert info.quads == 3 and info.triples is None
    assert read_build_info(store_dir) == info
    location = store_location(store_dir)
    with open_store(store_dir) as opened:
        counted = record_triples(location, opened)
    assert counted.triples == 2
    assert read_build_info(store_dir) == counted


def test_a_build_read_by_a_background_process_is_not_pruned(store_dir: Path) -> None:
    import os

    from tzkg.store import BACKGROUND_MARK, store_location

    first = store_location(store_dir)
    (first / BACKGROUND_MARK).write_text(f"{os.getppid()}\n")  # a live process reads it

    def change(store: OxigraphStore) -> None:
        store.raw.add(quad("c"))

    derive_store(store_dir, change)
    derive_store(store_dir, change)  # `first` is neither current nor previous now
    assert first.is_dir()
    (first / BACKGROUND_MARK).write_text("999999999\n")  # its reader is gone
    derive_store(store_dir, change)
    assert not first.exists()
