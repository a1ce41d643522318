"""Compose the graph from data/: the ontology, reference tables, reviewed labels and the plan(s)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pyoxigraph import Quad

from tzkg.config import Settings
from tzkg.store import BuildInfo, OxigraphStore, build_store

FinishStep = Callable[[OxigraphStore, Settings], None]
"""A step run on the complete new store before it is swapped in; raising aborts the build."""

FINISH_STEPS: list[FinishStep] = []
"""Steps in order (reasoning, then validation); a failing step leaves the old store in place."""

# Reasoning comes first: the later steps see the inferred graph (tzkg/reasoning).
from tzkg.reasoning.materialise import materialise_step  # noqa: E402

FINISH_STEPS.append(materialise_step)

# Validation next: Violations of ontology/shapes.ttl or queries/checks/ refuse the build.
from tzkg.validation import validation_step  # noqa: E402

FINISH_STEPS.append(validation_step)


def default_plan_files(settings: Settings) -> list[Path]:
    """Every plan text in data/plan/."""
    return sorted((settings.data_dir / "plan").glob("*.txt"))


def build_quads(settings: Settings, plan_files: Sequence[Path] | None = None) -> Iterator[Quad]:
    """All quads of a fresh build, each in the named graph of its source."""
    from tzkg.loaders.ontology import load_ontology
    from tzkg.loaders.plan import load_plan
    from tzkg.loaders.reference import load_reference
    from tzkg.loaders.roster import build_roster_quads

    yield from load_ontology(settings)
    yield from load_reference(settings)
    for path in plan_files if plan_files is not None else default_plan_files(settings):
        yield from load_plan(path, settings)
    yield from build_roster_quads(settings)  # data/rosters/rosters.toml, then load-roster's


def build(settings: Settings, plan_files: Sequence[Path] | None = None) -> BuildInfo:
    """Build the store at settings.store_dir atomically from data/ and ontology/."""

    def finish(store: OxigraphStore) -> None:
        for step in FINISH_STEPS:
            step(store, settings)

    return build_store(settings.store_dir, build_quads(settings, plan_files), before_swap=finish)


# The search index (tzkg/search) is made from the finished graph, into the build directory.
from tzkg.search.index import finish_step as write_search_index  # noqa: E402

FINISH_STEPS.append(write_search_index)

# The dumps (/dumps) are written from the finished graph: keep this the last step registered.
from tzkg.dumps import write_dumps  # noqa: E402

FINISH_STEPS.append(write_dumps)
