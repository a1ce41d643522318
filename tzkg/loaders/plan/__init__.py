"""The plan loader: a plan text of the genre → quads, each fact in its source sentence's graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Quad

from tzkg.config import Settings
from tzkg.iris import IriMinter, LabelBook
from tzkg.loaders.plan.emit import PlanGraph
from tzkg.loaders.plan.industry import IndustryContext, read_tasks
from tzkg.loaders.plan.measures import DepartmentReader, read_measures, read_mechanisms
from tzkg.loaders.plan.structure import read_structure
from tzkg.loaders.plan.text import read_plan
from tzkg.loaders.reference import Divisions, known_enterprise_names

__all__ = ["load_plan", "plan_slug"]


def plan_slug(path: Path) -> str:
    """The plan's id in IRIs: its file name without extension."""
    return path.stem


def load_plan(path: Path, settings: Settings) -> Iterator[Quad]:
    """Read one plan file and yield its quads.

    :raises SourceError: when the file cannot be read or has no paragraphs.
    """
    text = read_plan(path)
    labels = LabelBook.load(settings.data_dir)
    minter = IriMinter(settings.base_iri, labels)
    graph = PlanGraph(text, minter, plan_slug(path))
    document = read_structure(graph, text.paragraphs)
    divisions = Divisions.load(settings.data_dir, minter, document.city)
    context = IndustryContext(divisions=divisions.counties)
    for name in known_enterprise_names(settings.data_dir, labels):
        context.enterprises.setdefault(name, minter.entity("enterprise", name))
    read_tasks(graph, document.items, context)
    reader = DepartmentReader(document.city, list(divisions.counties))
    read_measures(graph, document.items, reader, divisions.counties)
    read_mechanisms(graph, document.items)
    yield from graph.finish()
