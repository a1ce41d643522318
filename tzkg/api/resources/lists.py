"""Lists of resources of one kind, filtered by bound terms, sorted by Chinese label, paged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel, Field
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from tzkg.api.common import (
    SPARQL_PREFIXES,
    Lang,
    SourceCatalog,
    SourcePublic,
    next_link,
    pick_label,
    resource_id,
)
from tzkg.config import Settings
from tzkg.store import OxigraphStore, Term

T = TypeVar("T")


class ItemPublic(BaseModel):
    """One resource in a list: its id, label (in the asked language) and where it is stated."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str] = Field(description="Labels by language tag (zh, en).")
    source: SourcePublic | None = Field(description="Where the resource is stated.")


class PagePublic(BaseModel, Generic[T]):
    """A page of a list: `count` items in all, `next` the URL of the next page."""

    data: list[T]
    count: int
    next: str | None = None
    truncated: bool = Field(description="True when `data` holds fewer items than `count`.")


class ItemsPublic(PagePublic[ItemPublic]):
    """A page of resources."""


_PAGE = """SELECT ?item ?label ?g %(vars)s WHERE {
  { SELECT ?item (MIN(?order) AS ?rank) (MIN(COALESCE(STR(?zh), STR(?item))) AS ?sort) %(vars)s
    WHERE {
      %(pattern)s
      OPTIONAL { ?item rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
      %(ordered)s
    } GROUP BY ?item %(vars)s ORDER BY ?rank ?sort ?item LIMIT %(limit)d OFFSET %(offset)d }
  OPTIONAL { ?item rdfs:label|skos:prefLabel ?label }
  OPTIONAL { GRAPH ?g { ?item a %(type)s } }
}"""

_COUNT = """SELECT (COUNT(DISTINCT ?item) AS ?n) %(vars)s WHERE { %(pattern)s } %(group)s"""


def list_items(
    store: OxigraphStore,
    settings: Settings,
    catalog: SourceCatalog,
    request: Request,
    *,
    pattern: str,
    type_iri: str,
    bound: Mapping[str, Term],
    lang: Lang,
    limit: int,
    offset: int,
    by_order: bool = False,
) -> ItemsPublic:
    """The page of resources matching `pattern` (whose variables in `bound` are substituted),
    sorted by Chinese label, or first by `tzo:order` (the plan's own order) with `by_order`."""
    names = " ".join(f"?{name}" for name in sorted(bound))
    page_query = SPARQL_PREFIXES + _PAGE % {
        "vars": names,
        "pattern": pattern,
        "limit": int(limit),
        "offset": int(offset),
        "type": f"<{NamedNode(type_iri).value}>",
        "ordered": "OPTIONAL { ?item tzo:order ?order }" if by_order else "",
    }
    count_query = SPARQL_PREFIXES + _COUNT % {
        "vars": names,
        "pattern": pattern,
        "group": f"GROUP BY {names}" if names else "",
    }
    counted = store.query(count_query, substitutions=dict(bound)).rows
    count_term = counted[0]["n"] if counted else None
    count = int(count_term.value) if isinstance(count_term, RdfLiteral) else 0
    rows = store.query(page_query, substitutions=dict(bound)).rows
    items = items_from_rows(rows, settings, catalog, lang)
    return ItemsPublic(
        data=items,
        count=count,
        next=next_link(request, limit, offset, count),
        truncated=len(items) < count,
    )


def items_from_rows(
    rows: Sequence[Mapping[str, Term]],
    settings: Settings,
    catalog: SourceCatalog,
    lang: Lang,
) -> list[ItemPublic]:
    """Group (item, label, graph) rows into items, keeping the order of first appearance."""
    labels: dict[str, dict[str, str]] = {}
    graphs: dict[str, set[str]] = {}
    for row in rows:
        item = row.get("item")
        if not isinstance(item, NamedNode):
            continue
        labels.setdefault(item.value, {})
        graphs.setdefault(item.value, set())
        label = row.get("label")
        if isinstance(label, RdfLiteral):
            labels[item.value].setdefault(label.language or "", label.value)
        graph = row.get("g")
        if isinstance(graph, NamedNode):
            graphs[item.value].add(graph.value)
    return [
        ItemPublic(
            id=resource_id(iri, settings),
            iri=iri,
            label=pick_label(found, lang),
            labels={k: v for k, v in found.items() if k},
            source=catalog.best(graphs[iri], iri),
        )
        for iri, found in labels.items()
    ]
