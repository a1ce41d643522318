"""Compose the graph from data/: the ontology, reference tables, reviewed labels and the plan(s)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pyoxigraph import Quad

from tzkg.config import Settings


def default_plan_files(settings: Settings) -> list[Path]:
    """Every plan text in data/plan/."""
    return sorted((settings.data_dir / "plan").glob("*.txt"))


def build_quads(settings: Settings, plan_files: Sequence[Path] | None = None) -> Iterator[Quad]:
    """All quads of a fresh build, each in the named graph of its source."""
    from tzkg.loaders.ontology import load_ontology
    from tzkg.loaders.plan import load_plan
    from tzkg.loaders.reference import load_reference

    yield from load_ontology(settings)
    yield from load_reference(settings)
    for path in plan_files if plan_files is not None else default_plan_files(settings):
        yield from load_plan(path, settings)
