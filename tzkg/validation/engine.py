"""Validate a store: SHACL shapes and violation queries, into one list of findings.

The data graph the SHACL engine sees is focused: only triples whose predicate a shape walks through,
the rdf:type triples of the classes the shapes name (after reasoning, so every instance is
typed with all its classes), and one `sd:NamedGraph` line per named graph for the provenance
shape. Provenance prose (quote prefixes and suffixes, row cells, labels in other shapes) stays
out; that keeps a roster of 100,000 enterprises within seconds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryTriples,
    RdfFormat,
    Store,
)
from rdflib import RDF, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from tzkg.config import Settings
from tzkg.loaders.ontology import ONTOLOGY_GRAPH
from tzkg.queries import NamedQuery
from tzkg.reasoning import inferred_graph
from tzkg.store import OxigraphStore, Term
from tzkg.validation.checks import BUILT_IN, MAX_ROWS, load_checks
from tzkg.validation.shapes import Shapes, SparqlConstraint, load_shapes, shapes_path

SD_NAMED_GRAPH = URIRef("http://www.w3.org/ns/sparql-service-description#NamedGraph")
_SD_NAMED_GRAPH = NamedNode(str(SD_NAMED_GRAPH))
_TYPE = NamedNode(str(RDF.type))
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Finding:
    """One result: a SHACL validation result or a row of a violation query."""

    severity: str
    shape: str
    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    component: str | None = None
    label: str | None = None
    where: str | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The JSON form (`tzkg validate --format json`)."""
        return {
            "severity": self.severity,
            "shape": self.shape,
            "focus": self.focus,
            "label": self.label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "component": self.component,
            "where": self.where,
            "quote": self.quote,
        }


@dataclass
class ValidationReport:
    """All findings of one validation, with timings."""

    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    data_triples: int = 0
    checks: int = 0
    engine: str = ""
    shape_labels: dict[str, str] = field(default_factory=dict)

    @property
    def violations(self) -> list[Finding]:
        """The findings of severity Violation, in report order."""
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        """No Violation (Warnings and Infos do not stop a build)."""
        return not self.violations


def excluded_graphs(settings: Settings) -> set[NamedNode]:
    """Graphs that are not sources of facts: the ontology and the inferred graph."""
    return {ONTOLOGY_GRAPH, inferred_graph(settings.base_iri)}


def validate_store(
    store: OxigraphStore,
    settings: Settings,
    *,
    shapes: Shapes | None = None,
    checks: Mapping[str, NamedQuery] | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Check `store` (reasoned: run after `materialise`) against the shapes and the checks.

    `engine` is "pyshacl-turbo" or "pyshacl" (default: the first that is installed);
    `checks` replaces queries/checks/ (an empty mapping runs no check, built-in ones neither).

    :raises SourceError: if the shapes or a violation query cannot be read.
    """
    report = ValidationReport()
    started = time.monotonic()
    if shapes is None:
        shapes = load_shapes(shapes_path(settings))
    built_in = checks is None  # checks={} runs no violation query at all
    if checks is None:
        checks = load_checks(settings.queries_dir)
    report.shape_labels = {s: shapes.label(s) for s in map(str, set(shapes.top.values()))}
    report.seconds["load"] = _lap(started)

    mark = time.monotonic()
    data = focus_graph(store, shapes, excluded_graphs(settings))
    report.data_triples = len(data)
    report.seconds["focus graph"] = _lap(mark)

    mark = time.monotonic()
    report.engine = shacl_engine(engine)
    report.findings += run_core(data, shapes, report.engine)
    report.seconds[report.engine] = _lap(mark)

    mark = time.monotonic()
    for constraint in shapes.sparql:
        report.findings += run_sparql_constraint(store, constraint)
    report.seconds["SPARQL constraints"] = _lap(mark)

    mark = time.monotonic()
    for name, query in checks.items():
        report.findings += run_check(store, name, query, settings.base_iri)
        report.shape_labels[f"check:{name}"] = query.title_en
    report.checks = len(checks)
    if built_in:
        report.findings += default_graph_facts(store)
        report.shape_labels.update({f"check:{name}": title for name, title in BUILT_IN.items()})
        report.checks += len(BUILT_IN)
    report.seconds["violation queries"] = _lap(mark)
    report.findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.shape, f.focus))
    report.seconds["total"] = _lap(started)
    return report


def _lap(since: float) -> float:
    return round(time.monotonic() - since, 3)


# --- the data graph -------------------------------------------------------------------------


def to_rdflib(term: Term) -> Node:
    """An rdflib term for a pyoxigraph one."""
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"no rdflib form for {term!r}")


def focus_graph(store: OxigraphStore, shapes: Shapes, excluded: set[NamedNode]) -> Store:
    """The part of the store the core shapes read, in the default graph of a memory store.

    One CONSTRUCT per kind of triple, serialized and parsed by Oxigraph itself: no Python
    object per triple (1.8 million triples for a roster of 100,000 enterprises).
    """
    predicates = " ".join(f"<{p}>" for p in sorted(shapes.predicates - {RDF.type}))
    classes = " ".join(f"<{c}>" for c in sorted(shapes.classes))
    focus = Store()
    for sparql in (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}",
        f"CONSTRUCT {{ ?s a ?c }} WHERE {{ VALUES ?c {{ {classes} }} ?s a ?c }}",
    ):
        if "{  }" in sparql:
            continue  # no predicate or no class to copy
        found = store.raw.query(sparql, use_default_graph_as_union=True)
        assert isinstance(found, QueryTriples)
        data = found.serialize(format=RdfFormat.N_TRIPLES)
        if data:
            focus.load(data, format=RdfFormat.N_TRIPLES)
    focus.extend(
        Quad(graph, _TYPE, _SD_NAMED_GRAPH)
        for graph in store.named_graphs()
        if graph not in excluded
    )
    return focus


def to_rdflib_graph(store: Store) -> rdflib.Graph:
    """The default graph of `store` as an rdflib graph."""
    graph = rdflib.Graph()
    graph.addN(
        (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph)
        for q in store.quads_for_pattern(None, None, None, DefaultGraph())
    )
    return graph


# --- pySHACL --------------------------------------------------------------------------------


def shacl_engine(requested: str | None = None) -> str:
    """The SHACL engine for the core constraints: pyshacl-turbo when installed, else pySHACL."""
    if requested is not None:
        return requested
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return "pyshacl"
    return "pyshacl-turbo"


def run_core(data: Store, shapes: Shapes, engine: str | None = None) -> list[Finding]:
    """The core constraints of `shapes` on `data` (its default graph).

    pyshacl-turbo (Rust, pySHACL's API) reads the Oxigraph store itself; pySHACL needs an rdflib
    copy. tests/test_validation.py checks that both find the same on every fixture.
    """
    if shacl_engine(engine) == "pyshacl-turbo":
        import pyshacl_turbo

        _, results, _ = pyshacl_turbo.validate(
            data,
            shacl_graph=shapes.core,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
        )
    else:
        import pyshacl

        _, results, _ = pyshacl.validate(
            to_rdflib_graph(data),
            shacl_graph=shapes.core,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            inplace=True,
        )
    assert isinstance(results, rdflib.Graph)
    return list(findings_from_results(results, shapes))


def findings_from_results(results: rdflib.Graph, shapes: Shapes) -> Iterator[Finding]:
    """Findings from a SHACL validation report graph."""
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        component = results.value(result, SH.sourceConstraintComponent)
        yield Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            shape=shapes.top_shape(source) if source is not None else "",
            focus=_plain(results.value(result, SH.focusNode)),
            message=messages[0] if messages else "",
            path=str(path) if isinstance(path, URIRef) else None,
            value=_plain(value) if value is not None else None,
            component=str(component).rsplit("#", 1)[-1] if component else None,
        )


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    return str(term)


# --- SPARQL-based constraints, in bulk by Oxigraph ------------------------------------------------


def run_sparql_constraint(store: OxigraphStore, constraint: SparqlConstraint) -> list[Finding]:
    """Every violation of one `sh:sparql` constraint, over all its focus nodes in one query.

    The SELECT runs with `$this` unbound, joined with the shape's targets: for a query whose
    `$this` is bound by a top-level triple pattern, that gives what SHACL's pre-binding gives
    for each focus node (tests/test_validation.py compares the two on every fixture).
    """
    patterns = []
    for kind, node in constraint.targets:
        term = node.n3()
        if kind == SH.targetClass:
            patterns.append(f"{{ ?this a {term} }}")
        elif kind == SH.targetSubjectsOf:
            patterns.append(f"{{ ?this {term} ?target_object }}")
        elif kind == SH.targetObjectsOf:
            patterns.append(f"{{ ?target_subject {term} ?this }}")
        else:
            patterns.append(f"{{ VALUES ?this {{ {term} }} }}")
    if not patterns:
        return []
    select = constraint.select.strip().replace("$this", "?this")
    sparql = (
        f"{constraint.prefixes}\nSELECT * WHERE {{\n"
        f"  {{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} }} }}\n"
        f"  {{ {select} }}\n}}"
    )
    result = store.query(sparql)
    severity = str(constraint.severity).rsplit("#", 1)[-1]
    findings = []
    for row in result.rows:
        values = {name: _text(term) for name, term in row.items()}
        message = _fill(constraint.message, values)
        findings.append(
            Finding(
                severity=severity,
                shape=str(constraint.shape),
                focus=values.get("this", ""),
                message=message,
                path=values.get("path"),
                value=values.get("value"),
                component="SPARQLConstraintComponent",
            )
        )
    return findings


def _fill(message: str, values: Mapping[str, str]) -> str:
    """The message with `{?var}` and `{$this}` replaced by the row's values."""
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), message)


def _text(term: Term) -> str:
    if isinstance(term, NamedNode | BlankNode | Literal):
        return term.value
    return str(term)


# --- violation queries ----------------------------------------------------------------------


def run_check(store: OxigraphStore, name: str, query: NamedQuery, base_iri: str) -> list[Finding]:
    """The rows of one violation query, as Violations."""
    result = query.run(store, {}, base_iri=base_iri)
    focus_var = "focus" if "focus" in result.variables else result.variables[0]
    findings = []
    for row in result.rows:
        extra = row.get("message")
        findings.append(
            Finding(
                severity="Violation",
                shape=f"check:{name}",
                focus=_text(row[focus_var]) if focus_var in row else "",
                message=query.title_en + (f": {_text(extra)}" if extra is not None else ""),
                value=_text(row["value"]) if "value" in row else None,
                component="ViolationQuery",
            )
        )
    return findings


def default_graph_facts(store: OxigraphStore) -> list[Finding]:
    """The built-in check: triples in the default graph, which no source describes."""
    name = "fact-outside-named-graph-violation"
    findings = []
    for quad in store.raw.quads_for_pattern(None, None, None, DefaultGraph()):
        findings.append(
            Finding(
                severity="Violation",
                shape=f"check:{name}",
                focus=_text(quad.subject),
                message=f"{BUILT_IN[name]}: {quad.predicate.value}",
                path=quad.predicate.value,
                value=_text(quad.object),
                component="ViolationQuery",
            )
        )
        if len(findings) >= MAX_ROWS:
            break
    return findings


def severities(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
