"""`/api/entities/{id}`: any resource, every fact about it and every link to it, with sources."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pyoxigraph import BlankNode, NamedNode
from pyoxigraph import Literal as RdfLiteral

from tzkg.api.common import (
    SPARQL_PREFIXES,
    Lang,
    NotFoundError,
    SourceCatalog,
    SourcePublic,
    labels_source,
    load_nodes,
    pick_label,
    plain,
    resource_id,
)
from tzkg.config import Settings
from tzkg.store import OxigraphStore
from tzkg.vocab import PREFIXES


class TermPublic(BaseModel):
    """An RDF term: a resource (iri, id, label) or a value (value, lang, datatype)."""

    iri: str | None = None
    id: str | None = None
    label: str | None = None
    value: Any = None
    lang: str | None = None
    datatype: str | None = None


class FactPublic(BaseModel):
    """One statement, with its primary source and every graph that states it."""

    predicate: str
    property: str = Field(description="The predicate as a prefixed name where one fits.")
    subject: TermPublic | None = Field(default=None, description="Set for incoming links.")
    object: TermPublic | None = Field(default=None, description="Set for outgoing facts.")
    source: SourcePublic | None
    sources: list[SourcePublic]


class EntityPublic(BaseModel):
    """Everything the graph says about one resource."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    aliases: list[str]
    types: list[TermPublic]
    source: SourcePublic | None
    facts: list[FactPublic]
    incoming: list[FactPublic]
    incoming_count: int
    truncated: bool = Field(description="True when `incoming` holds fewer links than exist.")


_INCOMING = """SELECT ?focus ?s ?p ?g ?sl WHERE {
  GRAPH ?g { ?s ?p ?focus }
  OPTIONAL { ?s rdfs:label|skos:prefLabel ?sl }
} ORDER BY ?p ?s"""


def prefixed(iri: str) -> str:
    """A prefixed name for an IRI in a known namespace, else the IRI."""
    for name, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def describe_entity(
    store: OxigraphStore,
    iri: NamedNode,
    *,
    lang: Lang,
    settings: Settings,
    catalog: SourceCatalog,
    cap: int,
) -> EntityPublic:
    """The facts about `iri` and the links to it (at most `cap`).

    :raises NotFoundError: if the graph has no statement about or to it.
    """
    nodes = load_nodes(store, iri)
    node = nodes.get(iri.value)
    incoming_rows = store.query(SPARQL_PREFIXES + _INCOMING, substitutions={"focus": iri}).rows
    if node is None and not incoming_rows:
        raise NotFoundError(f"the graph says nothing about {iri.value}", where=iri.value)
    facts: list[FactPublic] = []
    if node is not None:
        for predicate in sorted(node.facts):
            for obj, graphs in sorted(node.facts[predicate].items(), key=lambda kv: str(kv[0])):
                facts.append(
                    FactPublic(
                        predicate=predicate,
                        property=prefixed(predicate),
                        object=_object(obj, node.object_labels, lang, settings),
                        source=catalog.best(graphs, iri.value),
                        sources=sorted((catalog.source(g) for g in graphs), key=lambda s: s.graph),
                    )
                )
    incoming = _incoming(incoming_rows, lang, settings, catalog)
    literal_objects = _literal_objects(store, iri)
    for fact in facts:
        if fact.object is not None and fact.object.iri is None:
            key = (fact.predicate, str(fact.object.value))
            if key in literal_objects:
                fact.object.lang, fact.object.datatype = literal_objects[key]
    labels = node.labels if node is not None else {}
    return EntityPublic(
        id=resource_id(iri.value, settings),
        iri=iri.value,
        label=pick_label(labels, lang),
        labels={k: v for k, v in labels.items() if k},
        aliases=[alias for _, alias in node.alt_labels] if node is not None else [],
        types=[
            TermPublic(iri=t, id=resource_id(t, settings), label=prefixed(t))
            for t in (node.types if node is not None else [])
        ],
        source=labels_source(node, catalog) if node is not None else None,
        facts=facts,
        incoming=incoming[:cap],
        incoming_count=len(incoming),
        truncated=len(incoming) > cap,
    )


def _object(
    obj: Any, object_labels: dict[str, dict[str, str]], lang: Lang, settings: Settings
) -> TermPublic:
    if isinstance(obj, str) and (obj.startswith(("http://", "https://", "urn:", "_:"))):
        return TermPublic(
            iri=obj,
            id=resource_id(obj, settings),
            label=pick_label(object_labels.get(obj, {}), lang),
        )
    return TermPublic(value=obj)


def _literal_objects(
    store: OxigraphStore, iri: NamedNode
) -> dict[tuple[str, str], tuple[str | None, str]]:
    """Language and datatype of each literal object (load_nodes keeps plain values only)."""
    rows = store.query(
        "SELECT ?focus ?p ?o WHERE { ?focus ?p ?o FILTER(isLiteral(?o)) }",
        substitutions={"focus": iri},
    ).rows
    found: dict[tuple[str, str], tuple[str | None, str]] = {}
    for row in rows:
        obj = row["o"]
        if isinstance(obj, RdfLiteral):
            predicate = row["p"]
            if isinstance(predicate, NamedNode):
                found[(predicate.value, str(plain(obj)))] = (obj.language, obj.datatype.value)
    return found


def _incoming(
    rows: list[dict[str, Any]], lang: Lang, settings: Settings, catalog: SourceCatalog
) -> list[FactPublic]:
    grouped: dict[tuple[str, str], tuple[set[str], dict[str, str]]] = {}
    for row in rows:
        subject, predicate, graph = row["s"], row["p"], row["g"]
        if isinstance(subject, BlankNode) or not isinstance(predicate, NamedNode):
            continue
        graphs, labels = grouped.setdefault((predicate.value, subject.value), (set(), {}))
        if isinstance(graph, NamedNode):
            graphs.add(graph.value)
        label = row.get("sl")
        if isinstance(label, RdfLiteral):
            labels.setdefault(label.language or "", label.value)
    return [
        FactPublic(
            predicate=predicate,
            property=prefixed(predicate),
            subject=TermPublic(
                iri=subject, id=resource_id(subject, settings), label=pick_label(labels, lang)
            ),
            source=catalog.best(graphs, subject),
            sources=sorted((catalog.source(g) for g in graphs), key=lambda s: s.graph),
        )
        for (predicate, subject), (graphs, labels) in grouped.items()
    ]
