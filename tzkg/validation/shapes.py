"""The SHACL shapes (ontology/shapes.ttl), read once and split for the validator.

pySHACL checks the core constraints; the SPARQL-based ones (`sh:sparql`) are run by Oxigraph
over the whole store in one query each (`tzkg.validation.engine`), because pySHACL re-parses
the query for every focus node, which takes minutes for a roster of 100,000 enterprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from tzkg.config import Settings
from tzkg.errors import SourceError

SHAPES_FILE = "shapes.ttl"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_PATH_PARTS = (SH.alternativePath, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath)


@dataclass(frozen=True)
class SparqlConstraint:
    """One `sh:sparql` constraint of a node shape."""

    shape: URIRef
    select: str
    prefixes: str
    message: str
    severity: URIRef
    targets: tuple[tuple[URIRef, Node], ...]


@dataclass
class Shapes:
    """The shapes graph, its core part for pySHACL and its SPARQL constraints."""

    path: Path
    graph: rdflib.Graph
    core: rdflib.Graph
    sparql: list[SparqlConstraint]
    top: dict[Node, URIRef] = field(default_factory=dict)
    predicates: set[URIRef] = field(default_factory=set)
    classes: set[URIRef] = field(default_factory=set)

    def top_shape(self, shape: Node) -> str:
        """The named shape a (possibly nested, blank) shape belongs to."""
        return str(self.top.get(shape, shape))

    def label(self, shape: str) -> str:
        """The English label of a named shape, or its local name."""
        for label in self.graph.objects(URIRef(shape), RDFS.label):
            if isinstance(label, Literal) and label.language == "en":
                return str(label)
        return shape.rsplit("#", 1)[-1]

    def severity(self, shape: str) -> str:
        """Violation, Warning or Info, as the named shape declares."""
        value = self.graph.value(URIRef(shape), SH.severity)
        return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def shapes_path(settings: Settings) -> Path:
    """ontology/shapes.ttl."""
    return settings.ontology_dir / SHAPES_FILE


def load_shapes(path: Path) -> Shapes:
    """Read and index the shapes.

    :raises SourceError: if the file cannot be read or is not Turtle (where = file[:line]).
    """
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise SourceError("no shapes file", where=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the shapes: {exc}", where=str(path)) from exc
    except Exception as exc:  # rdflib raises its parser's own exception types
        line = getattr(exc, "lines", None) or getattr(exc, "line", None)
        where = f"{path}:{line}" if isinstance(line, int) else str(path)
        message = " ".join(str(exc).split())[:300]
        raise SourceError(f"the shapes are not valid Turtle: {message}", where=where) from exc
    shapes = Shapes(path=path, graph=graph, core=rdflib.Graph(), sparql=[])
    named = {
        s
        for s in graph.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef) and any((s, t, None) in graph for t in TARGETS)
    }
    for shape in named:
        _claim(graph, shape, shape, shapes.top)
    for triple in graph:
        if triple[1] != SH.sparql:
            shapes.core.add(triple)
    for owner, constraint in graph.subject_objects(SH.sparql):
        if not isinstance(owner, URIRef):
            raise SourceError("sh:sparql belongs on a named node shape", where=str(path))
        severity = graph.value(owner, SH.severity)
        shapes.sparql.append(
            SparqlConstraint(
                shape=owner,
                select=str(graph.value(constraint, SH.select)),
                prefixes=_prefixes(graph, constraint),
                message=str(graph.value(constraint, SH.message) or ""),
                severity=severity if isinstance(severity, URIRef) else SH.Violation,
                targets=tuple((t, o) for t in TARGETS for o in graph.objects(owner, t)),
            )
        )
    for _, p, o in graph:
        if p in (SH.path, *_PATH_PARTS, SH.targetSubjectsOf, SH.targetObjectsOf, SH.lessThan,
                 SH.lessThanOrEquals, SH.equals, SH.disjoint):  # fmt: skip
            shapes.predicates.update(_path_predicates(graph, o))
        elif p in (SH.targetClass, SH["class"]) and isinstance(o, URIRef):
            shapes.classes.add(o)
    return shapes


def _claim(graph: rdflib.Graph, node: Node, top: URIRef, owners: dict[Node, URIRef]) -> None:
    """Mark the shapes nested in `node` (property shapes, or/and/not/xone members) as `top`'s."""
    if node in owners:
        return
    owners[node] = top
    for p in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
        for child in graph.objects(node, p):
            if isinstance(child, BNode) or child not in owners:
                _claim(graph, child, top, owners)
    for p in (SH["or"], SH["and"], SH.xone):
        for head in graph.objects(node, p):
            for child in Collection(graph, head):
                _claim(graph, child, top, owners)


def _path_predicates(graph: rdflib.Graph, path: Node) -> set[URIRef]:
    """The IRIs a SHACL path walks through."""
    if isinstance(path, URIRef):
        return {path}
    found: set[URIRef] = set()
    if (path, RDF.first, None) in graph:
        for item in Collection(graph, path):
            found |= _path_predicates(graph, item)
    for part in _PATH_PARTS:
        for inner in graph.objects(path, part):
            found |= _path_predicates(graph, inner)
    return found


def _prefixes(graph: rdflib.Graph, constraint: Node) -> str:
    """PREFIX lines from the sh:declare of the constraint's sh:prefixes."""
    lines = []
    for owner in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(owner, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))
