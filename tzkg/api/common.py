"""What the JSON API routes share: dependencies, ids, labels by language, sources, pages.

Stable ids: a resource IRI `{base}id/{path}` has the id `{path}` (e.g.
`platform/asian-star-anchor-chain-national-technology-centre`); routes of one kind also accept
the id without its kind (`asian-star-anchor-chain-national-technology-centre`).
Every fact in a response carries its `source`: the plan sentence (the named graph of a
`tzo:SourceSpan`) or the file and row it was loaded from.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from pyoxigraph import BlankNode, NamedNode, Triple
from pyoxigraph import Literal as RdfLiteral

from tzkg.config import Settings
from tzkg.errors import QueryParameterError, TzkgError
from tzkg.store import OxigraphStore, Term
from tzkg.vocab import OA, PREFIXES, PROV, RDFS, SKOS, TZO, XSD

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())


class NotFoundError(TzkgError):
    """No resource has that id."""

    code = "not-found"
    status = 404


# --- dependencies --------------------------------------------------------------------------


async def get_api_store(request: Request) -> OxigraphStore:
    """The store the app serves (its `StoreHolder` reopens it when a new build is swapped in).

    Dependencies are async: a sync one would cost each request a hop to a worker thread."""
    store: OxigraphStore = request.app.state.stores.get()[0]
    return store


async def get_api_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_lang(
    request: Request,
    lang: Annotated[
        Lang | None,
        Query(description="Language of labels (zh or en); default: Accept-Language, then zh."),
    ] = None,
) -> Lang:
    """The label language: `lang=`, else the first of zh/en in Accept-Language, else zh."""
    if lang is not None:
        return lang
    return accept_language(request.headers.get("accept-language"))


ApiStore = Annotated[OxigraphStore, Depends(get_api_store)]
ApiSettings = Annotated[Settings, Depends(get_api_settings)]
LangDep = Annotated[Lang, Depends(get_lang)]


def accept_language(header: str | None) -> Lang:
    """The first of zh/en that an Accept-Language header prefers (zh when neither).

    >>> accept_language("en-GB,en;q=0.9,zh-CN;q=0.8")
    'en'
    >>> accept_language("fr, zh-Hans;q=0.5")
    'zh'
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.lower().split("-")[0]))
    for _, _, primary in sorted(ranked):
        if primary in LANGS:
            return "en" if primary == "en" else "zh"
    return "zh"


# --- ids -----------------------------------------------------------------------------------


def id_base(settings: Settings) -> str:
    """The namespace of resource IRIs: `{base}id/`."""
    base = settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
    return base + "id/"


def resource_id(iri: str, settings: Settings) -> str | None:
    """The stable id of a resource IRI (None for IRIs outside `{base}id/`)."""
    prefix = id_base(settings)
    return iri[len(prefix) :] if iri.startswith(prefix) else None


_ID = re.compile(r"^[A-Za-z0-9._~\-/%()]+$")


def resource_iri(identifier: str, settings: Settings, kind: str | None = None) -> NamedNode:
    """The IRI of an id; with `kind`, an id without its kind prefix is accepted too.

    :raises QueryParameterError: if the id cannot be part of an IRI.
    """
    ident = identifier.strip().strip("/")
    if not ident or not _ID.match(ident) or ".." in ident.split("/"):
        raise QueryParameterError(f"{identifier!r} is not a resource id", where="id")
    if kind is not None and not ident.startswith(kind + "/") and "/" not in ident:
        ident = f"{kind}/{ident}"
    return NamedNode(id_base(settings) + ident)


def local_path(iri: str, settings: Settings) -> str | None:
    """The server path that serves an IRI under the base (`{base}X` -> `/X`), else None."""
    base = settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
    if iri.startswith(base):
        return "/" + iri[len(base) :]
    if iri.startswith(TZO) or iri == TZO.rstrip("#"):
        return "/ontology"
    return None


# --- RDF terms as JSON -----------------------------------------------------------------------

_INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "gYear",
    )
}
_DECIMALS = {XSD + "decimal", XSD + "double", XSD + "float"}


def plain(term: Term | None) -> Any:
    """A JSON value for an RDF term: IRIs as strings, numbers and booleans typed, text as text."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return str(term)
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype in _DECIMALS:
            return float(term.value)
    except ValueError:
        return term.value
    if datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def pick_label(labels: Mapping[str, str], lang: Lang) -> str | None:
    """The label in `lang`, else in the other language, else any."""
    for tag in (lang, *(other for other in LANGS if other != lang), *labels):
        if tag in labels:
            return labels[tag]
    return None


# --- sources -------------------------------------------------------------------------------

SourceKind = Literal[
    "plan", "roster", "reference", "labels", "ontology", "document", "inferred", "other"
]


class SourcePublic(BaseModel):
    """Where a fact comes from: the plan sentence, or the file (and row) it was loaded from."""

    kind: SourceKind
    graph: str = Field(description="The named graph that holds the fact.")
    text: str | None = Field(
        default=None, description="The plan sentence that states the fact, or the roster row."
    )
    start: int | None = Field(default=None, description="Offset of the sentence in the plan text.")
    end: int | None = Field(
        default=None, description="End offset of the sentence in the plan text."
    )
    paragraph: str | None = Field(default=None, description="The plan paragraph (IRI).")
    document: str | None = Field(default=None, description="The plan (IRI).")
    file: str | None = Field(default=None, description="The source file, relative to data/.")
    row: int | None = Field(default=None, description="The row (line) of the source file.")
    sha256: str | None = None


_SOURCE_RANK = {
    "plan": 0,
    "roster": 1,
    "reference": 2,
    "document": 3,
    "labels": 4,
    "ontology": 5,
    "other": 6,
    "inferred": 7,
}
_ROW = re.compile(r"/row/(\d+)$")

_SOURCE_QUERY = f"""PREFIX tzo: <{TZO}>
PREFIX oa: <{OA}>
PREFIX prov: <{PROV}>
SELECT ?g ?span ?text ?exact ?start ?end ?paragraph ?document ?file ?sha WHERE {{
  OPTIONAL {{ ?g a tzo:SourceSpan BIND(true AS ?span) }}
  OPTIONAL {{ ?g tzo:text ?text }}
  OPTIONAL {{ ?g oa:hasSelector/oa:exact ?exact }}
  OPTIONAL {{ ?g oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }}
  OPTIONAL {{ ?g a tzo:SourceSpan ; prov:wasDerivedFrom ?paragraph }}
  OPTIONAL {{ ?g oa:hasSource ?document }}
  OPTIONAL {{ ?g prov:wasDerivedFrom ?file_source . ?file_source tzo:sourceFile ?file
             OPTIONAL {{ ?file_source tzo:sha256 ?sha }} }}
}} LIMIT 1"""


_ROW_QUERY = f"""PREFIX tzo: <{TZO}>
PREFIX prov: <{PROV}>
SELECT ?g ?s ?n ?file ?sha ?raw WHERE {{
  GRAPH ?g {{ ?row tzo:describes ?s ; tzo:rowNumber ?n .
    OPTIONAL {{ ?row prov:value ?raw }}
    OPTIONAL {{ ?row prov:wasDerivedFrom ?f . ?f tzo:sourceFile ?file
               OPTIONAL {{ ?f tzo:sha256 ?sha }} }} }}
}} ORDER BY ?n LIMIT 1"""


class SourceCatalog:
    """The description of each named graph as a source, looked up once per graph and kept."""

    def __init__(self, store: OxigraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._cache: dict[str, SourcePublic] = {}
        self._lock = threading.Lock()

    def source(self, graph: str) -> SourcePublic:
        """The source a named graph stands for."""
        with self._lock:
            cached = self._cache.get(graph)
        if cached is not None:
            return cached
        found = self._describe(graph)
        with self._lock:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[graph] = found
        return found

    def best(self, graphs: Iterable[str], subject: str | None = None) -> SourcePublic | None:
        """The primary source among the graphs stating one fact about `subject`: the plan
        sentence first; in a roster graph, the row that describes the subject."""
        sources = [self.source(g) for g in set(graphs)]
        if subject is not None:
            sources = [self.row(s, subject) if s.kind == "roster" else s for s in sources]
        if not sources:
            return None
        return min(sources, key=lambda s: (_SOURCE_RANK[s.kind], s.graph))

    def row(self, graph_source: SourcePublic, subject: str) -> SourcePublic:
        """The roster row (file, row number, raw text) of a graph that describes `subject`."""
        key = f"{graph_source.graph} {subject}"
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        rows = self.store.query(
            _ROW_QUERY,
            substitutions={"g": NamedNode(graph_source.graph), "s": NamedNode(subject)},
        ).rows
        found = graph_source
        if rows:
            row = rows[0]
            found = graph_source.model_copy(
                update={
                    "row": _int(row.get("n")),
                    "file": _str(row.get("file")) or graph_source.file,
                    "sha256": _str(row.get("sha")) or graph_source.sha256,
                    "text": _str(row.get("raw")),
                }
            )
        with self._lock:
            self._cache[key] = found
        return found

    def _describe(self, graph: str) -> SourcePublic:
        result = self.store.query(_SOURCE_QUERY, substitutions={"g": NamedNode(graph)})
        row = result.rows[0] if result.rows else {}
        base = self.settings.base_iri
        kind: SourceKind = "other"
        if "span" in row:
            kind = "plan"
        elif graph.startswith(base + "graph/roster/"):
            kind = "roster"
        elif graph.startswith(base + "graph/reference/"):
            kind = "reference"
        elif graph.startswith(base + "graph/labels"):
            kind = "labels"
        elif graph.startswith(base + "graph/ontology") or graph.startswith(TZO.rstrip("#")):
            kind = "ontology"
        elif graph.startswith(base + "graph/plan/"):
            kind = "document"
        elif graph.startswith(base + "graph/inferred"):
            kind = "inferred"
        match = _ROW.search(graph)
        return SourcePublic(
            kind=kind,
            graph=graph,
            text=_str(row.get("text")) or _str(row.get("exact")),
            start=_int(row.get("start")),
            end=_int(row.get("end")),
            paragraph=_str(row.get("paragraph")),
            document=_str(row.get("document")),
            file=_str(row.get("file")),
            row=int(match[1]) if match else None,
            sha256=_str(row.get("sha")),
        )


def _str(term: Term | None) -> str | None:
    return term.value if isinstance(term, NamedNode | RdfLiteral) else None


def _int(term: Term | None) -> int | None:
    value = _str(term)
    return int(value) if value is not None and value.isdigit() else None


_catalogs: dict[str, SourceCatalog] = {}
_catalogs_lock = threading.Lock()


def source_rank(source: SourcePublic | None) -> int:
    """How direct a source is: 0 for a plan sentence, higher for derived ones (inferred last)."""
    return _SOURCE_RANK[source.kind] if source is not None else len(_SOURCE_RANK)


def source_catalog(store: OxigraphStore, settings: Settings) -> SourceCatalog:
    """The catalogue of an open store (one per store object: a new build gets a new one)."""
    with _catalogs_lock:
        key = f"{id(store)}:{store.location}"  # a new build is a new store at a new place
        catalog = _catalogs.get(key)
        if catalog is None or catalog.store is not store:
            if len(_catalogs) > 8:
                _catalogs.clear()
            catalog = SourceCatalog(store, settings)
            _catalogs[key] = catalog
        return catalog


# --- facts of resources ----------------------------------------------------------------------

LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel")
RDF_TYPE = PREFIXES["rdf"] + "type"


class RefPublic(BaseModel):
    """A link to another resource, with its label and the source of the link."""

    id: str | None = Field(description="The stable id (None for resources outside the base).")
    iri: str
    label: str | None
    source: SourcePublic | None = None
    role: str | None = Field(default=None, description="How it relates, where that varies.")
    via: str | None = Field(default=None, description="The id of the resource it comes through.")


@dataclass
class Node:
    """What we know of one resource: its labels, and its facts by predicate."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: list[tuple[str, str]] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    # predicate -> object (IRI or plain value) -> graphs stating it
    facts: dict[str, dict[Any, set[str]]] = field(default_factory=dict)
    object_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def values(self, predicate: str) -> list[Any]:
        """The objects of a predicate, in a stable order."""
        return sorted(self.facts.get(predicate, {}), key=str)

    def first(self, predicate: str) -> Any:
        """One object of a predicate (the first in sort order), or None."""
        found = self.values(predicate)
        return found[0] if found else None


_FACTS_QUERY = """SELECT ?focus ?s ?p ?o ?g ?ol WHERE {
  %s
  OPTIONAL { ?o rdfs:label|skos:prefLabel ?ol FILTER(isIRI(?o)) }
}"""


_LABEL_NODES = tuple(NamedNode(p) for p in (RDFS + "label", SKOS + "prefLabel"))


def load_nodes(
    store: OxigraphStore, focus: NamedNode, *, related: str | None = None
) -> dict[str, Node]:
    """The facts of `focus` and, with `related` (a property path from ?focus to ?s), of the
    resources it leads to, with the labels of every object; keyed by subject IRI.

    The focus is read by quad patterns (no SPARQL to parse: this is every lookup's path);
    the related resources by one query."""
    nodes: dict[str, Node] = {}
    raw = store.raw
    labels: dict[str, list[RdfLiteral]] = {}
    for quad in raw.quads_for_pattern(focus, None, None, None):
        graph = quad.graph_name
        if not isinstance(graph, NamedNode):
            continue  # the default graph holds no sourced fact
        obj = quad.object
        if isinstance(obj, NamedNode):
            found = labels.get(obj.value)
            if found is None:
                found = [
                    q.object
                    for p in _LABEL_NODES
                    for q in raw.quads_for_pattern(obj, p, None, None)
                    if isinstance(q.object, RdfLiteral)
                ]
                labels[obj.value] = found
            if not found:
                _add_fact(nodes, focus, quad.predicate, obj, graph, None)
            for label in found:
                _add_fact(nodes, focus, quad.predicate, obj, graph, label)
        else:
            _add_fact(nodes, focus, quad.predicate, obj, graph, None)
    if related:
        scope = f"{{ ?focus {related} ?s . GRAPH ?g {{ ?s ?p ?o }} }}"
        text = SPARQL_PREFIXES + _FACTS_QUERY % scope
        for row in store.query(text, substitutions={"focus": focus}).rows:
            _add_fact(nodes, row["s"], row["p"], row["o"], row["g"], row.get("ol"))
    return nodes


def _add_fact(
    nodes: dict[str, Node],
    subject: Term,
    predicate: Term,
    obj: Term,
    graph: Term,
    label: Term | None,
) -> None:
    if not isinstance(subject, NamedNode) or not isinstance(predicate, NamedNode):
        return
    node = nodes.setdefault(subject.value, Node(subject.value))
    p = predicate.value
    if isinstance(obj, RdfLiteral) and p in LABEL_PROPERTIES:
        node.labels.setdefault(obj.language or "", obj.value)
    elif isinstance(obj, RdfLiteral) and p == SKOS + "altLabel":
        alt = (obj.language or "", obj.value)
        if alt not in node.alt_labels:
            node.alt_labels.append(alt)
    if p == RDF_TYPE and isinstance(obj, NamedNode) and obj.value not in node.types:
        node.types.append(obj.value)
    value = obj.value if isinstance(obj, NamedNode) else plain(obj)
    node.facts.setdefault(p, {}).setdefault(value, set()).add(_str(graph) or "")
    if isinstance(obj, NamedNode) and isinstance(label, RdfLiteral):
        node.object_labels.setdefault(obj.value, {}).setdefault(label.language or "", label.value)


def require(nodes: Mapping[str, Node], iri: NamedNode, what: str) -> Node:
    """The node of `iri`, or a 404 naming `what` was looked for.

    :raises NotFoundError: if the store says nothing about it.
    """
    node = nodes.get(iri.value)
    if node is None or not node.facts:
        raise NotFoundError(f"no {what} {iri.value}", where=iri.value)
    return node


def require_type(node: Node, types: Sequence[str], what: str) -> None:
    """Check that a node has one of `types` (tzo: local names).

    :raises NotFoundError: if it has none of them.
    """
    if not any(TZO + t in node.types for t in types):
        raise NotFoundError(f"{node.iri} is not a {what}", where=node.iri)


def refs(
    node: Node,
    predicate: str,
    lang: Lang,
    settings: Settings,
    catalog: SourceCatalog,
) -> list[RefPublic]:
    """The objects of one predicate as links with labels and sources, sorted by label."""
    found: list[RefPublic] = []
    for obj, graphs in node.facts.get(predicate, {}).items():
        if not isinstance(obj, str):
            continue
        labels = node.object_labels.get(obj, {})
        found.append(
            RefPublic(
                id=resource_id(obj, settings),
                iri=obj,
                label=pick_label(labels, lang),
                source=catalog.best(graphs, node.iri),
            )
        )
    return sorted(found, key=lambda r: (r.label or "", r.iri))


class ValuePublic(BaseModel):
    """A literal fact with its source."""

    value: Any
    source: SourcePublic | None = None


def value_of(node: Node, predicate: str, catalog: SourceCatalog) -> ValuePublic | None:
    """The (first) literal value of a predicate with its source."""
    facts = node.facts.get(predicate, {})
    if not facts:
        return None
    value = sorted(facts, key=str)[0]
    return ValuePublic(value=value, source=catalog.best(facts[value], node.iri))


def labels_source(node: Node, catalog: SourceCatalog) -> SourcePublic | None:
    """The source of a node's labels."""
    graphs: set[str] = set()
    for predicate in LABEL_PROPERTIES:
        for found in node.facts.get(predicate, {}).values():
            graphs |= found
    return catalog.best(graphs, node.iri)


# --- pages ---------------------------------------------------------------------------------


async def page_params(
    settings: ApiSettings,
    limit: Annotated[int | None, Query(ge=1, description="Items per page.")] = None,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> tuple[int, int]:
    """`limit` (capped at the row cap) and `offset`."""
    chosen = limit if limit is not None else settings.api_page_size
    return min(chosen, settings.api_row_cap), offset


PageDep = Annotated[tuple[int, int], Depends(page_params)]


def next_link(request: Request, limit: int, offset: int, count: int) -> str | None:
    """The URL of the next page, or None on the last page."""
    if offset + limit >= count:
        return None
    url = request.url.include_query_params(limit=limit, offset=offset + limit)
    return str(url)


def literal_param(value: str, where: str) -> RdfLiteral:
    """A plain string parameter as a literal, refusing control characters.

    :raises QueryParameterError: if it is empty or has control characters.
    """
    text = value.strip()
    if not text or any(ord(c) < 32 for c in text):
        raise QueryParameterError(f"{value!r} is not a usable value", where=where)
    return RdfLiteral(text)
