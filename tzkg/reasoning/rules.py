"""Entailment rules compiled from the ontology's axioms, run as SPARQL by Oxigraph.

The rules are not written by hand per property: `read_tbox` reads the axioms of the ontology
graph and `compile_rules` turns them into a few SPARQL CONSTRUCT queries whose VALUES tables
hold the precomputed closures (the OWL 2 RL rules in parentheses):

- the subclass closure of types, named superclasses and the members of intersection
  definitions included (cax-sco, cax-eqc, cls-int2);
- the subproperty, equivalent-property, inverse and symmetric closure of relations
  (prp-spo1, prp-eqp, prp-inv, prp-symp), composed so that one pass is complete;
- rdfs:domain and rdfs:range when they are named classes (prp-dom, prp-rng), only on request:
  the build leaves them out, because typing the object of a wrong relation by the range hides
  the mistake from the SHACL shapes (`sh:class`) that would report it;
- transitive properties (prp-trp) and the property chains the ontology declares (prp-spo2);
- `hasValue` restrictions and definitions `C ≡ A ⊓ ∃p.{v}` in both directions
  (cls-hv1, cls-hv2, cls-int1).

Union classes, existential and universal restrictions and cardinalities entail nothing new
about named individuals that the queries use; they are listed in `TBox.skipped`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from tzkg.vocab import OWL, RDF, RDFS

Node = NamedNode | BlankNode | Literal

_A = NamedNode(RDF + "type")
_FIRST = NamedNode(RDF + "first")
_REST = NamedNode(RDF + "rest")
_NIL = NamedNode(RDF + "nil")
_SUBCLASS = NamedNode(RDFS + "subClassOf")
_SUBPROPERTY = NamedNode(RDFS + "subPropertyOf")
_DOMAIN = NamedNode(RDFS + "domain")
_RANGE = NamedNode(RDFS + "range")
_EQ_CLASS = NamedNode(OWL + "equivalentClass")
_EQ_PROPERTY = NamedNode(OWL + "equivalentProperty")
_INVERSE = NamedNode(OWL + "inverseOf")
_CHAIN = NamedNode(OWL + "propertyChainAxiom")
_INTERSECTION = NamedNode(OWL + "intersectionOf")
_ON_PROPERTY = NamedNode(OWL + "onProperty")
_HAS_VALUE = NamedNode(OWL + "hasValue")
_TRANSITIVE = NamedNode(OWL + "TransitiveProperty")
_SYMMETRIC = NamedNode(OWL + "SymmetricProperty")
K = TypeVar("K")
_TOP = frozenset({NamedNode(OWL + "Thing"), NamedNode(RDFS + "Resource")})


@dataclass(frozen=True)
class Definition:
    """`cls ≡ classes ⊓ (p hasValue v)…`: an individual with all of them is a `cls`."""

    cls: NamedNode
    classes: tuple[NamedNode, ...]
    values: tuple[tuple[NamedNode, Node], ...]


@dataclass
class TBox:
    """The axioms of the ontology that entail facts about named individuals."""

    superclasses: dict[NamedNode, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))
    superproperties: dict[NamedNode, set[NamedNode]] = field(
        default_factory=lambda: defaultdict(set)
    )
    inverses: dict[NamedNode, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[NamedNode, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[NamedNode, set[NamedNode]] = field(default_factory=lambda: defaultdict(set))
    transitive: set[NamedNode] = field(default_factory=set)
    chains: list[tuple[tuple[NamedNode, ...], NamedNode]] = field(default_factory=list)
    has_values: set[tuple[NamedNode, NamedNode, Node]] = field(default_factory=set)
    definitions: list[Definition] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def class_closure(self) -> dict[NamedNode, frozenset[NamedNode]]:
        """Every class with its strict superclasses (transitively; equivalences both ways)."""
        return _closure(self.superclasses)

    def property_closure(self) -> dict[NamedNode, frozenset[tuple[NamedNode, bool]]]:
        """Every property p with the (q, inverted) it entails: `s p o` gives `s q o` or `o q s`."""
        edges: dict[tuple[NamedNode, bool], set[tuple[NamedNode, bool]]] = defaultdict(set)
        for p, supers in self.superproperties.items():
            for q in supers:
                edges[(p, False)].add((q, False))
                edges[(p, True)].add((q, True))
        for p, inverses in self.inverses.items():
            for q in inverses:
                edges[(p, False)].add((q, True))
                edges[(p, True)].add((q, False))
        properties = {p for p, _ in edges}
        reach = _closure(edges)
        return {p: frozenset(reach.get((p, False), frozenset()) - {(p, False)}) for p in properties}


class _Index:
    """The triples of a small graph (the ontology), by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_sp: dict[tuple[Node, NamedNode], list[Node]] = defaultdict(list)
        self.by_p: dict[NamedNode, list[tuple[Node, Node]]] = defaultdict(list)
        for t in triples:
            s, o = t.subject, t.object
            if isinstance(s, Triple) or isinstance(o, Triple):
                continue  # RDF-star: no axiom is written that way
            self.by_sp[(s, t.predicate)].append(o)
            self.by_p[t.predicate].append((s, o))

    def objects(self, s: Node, p: NamedNode) -> list[Node]:
        return self.by_sp.get((s, p), [])

    def value(self, s: Node, p: NamedNode) -> Node | None:
        values = self.objects(s, p)
        return values[0] if len(values) == 1 else None

    def pairs(self, p: NamedNode) -> list[tuple[Node, Node]]:
        return self.by_p.get(p, [])

    def rdf_list(self, head: Node) -> list[Node] | None:
        """The members of a well-formed RDF list, or None."""
        members: list[Node] = []
        node: Node | None = head
        seen: set[Node] = set()
        while node != _NIL:
            if node is None or node in seen:
                return None
            seen.add(node)
            first = self.value(node, _FIRST)
            if first is None:
                return None
            members.append(first)
            node = self.value(node, _REST)
        return members


def read_tbox(ontology: Iterable[Triple]) -> TBox:
    """The axioms of `ontology` (the triples of the ontology graph) that the rules use."""
    index = _Index(ontology)
    tbox = TBox()
    for s, o in index.pairs(_SUBCLASS):
        if not isinstance(s, NamedNode):
            continue
        if isinstance(o, NamedNode):
            if o not in _TOP:
                tbox.superclasses[s].add(o)
        elif not _read_has_value(index, tbox, s, o):
            tbox.skipped.append(f"{s} rdfs:subClassOf {_describe(index, o)}")
    for s, o in index.pairs(_EQ_CLASS):
        if isinstance(s, NamedNode) and isinstance(o, NamedNode):
            tbox.superclasses[s].add(o)
            tbox.superclasses[o].add(s)
        elif isinstance(s, NamedNode):
            _read_definition(index, tbox, s, o)
    for s, o in index.pairs(_SUBPROPERTY):
        if isinstance(s, NamedNode) and isinstance(o, NamedNode):
            tbox.superproperties[s].add(o)
    for s, o in index.pairs(_EQ_PROPERTY):
        if isinstance(s, NamedNode) and isinstance(o, NamedNode):
            tbox.superproperties[s].add(o)
            tbox.superproperties[o].add(s)
    for s, o in index.pairs(_INVERSE):
        if isinstance(s, NamedNode) and isinstance(o, NamedNode):
            tbox.inverses[s].add(o)
            tbox.inverses[o].add(s)
    for s, o in index.pairs(_A):
        if isinstance(s, NamedNode) and o == _SYMMETRIC:
            tbox.inverses[s].add(s)
        elif isinstance(s, NamedNode) and o == _TRANSITIVE:
            tbox.transitive.add(s)
    for predicate, target in ((_DOMAIN, tbox.domains), (_RANGE, tbox.ranges)):
        for s, o in index.pairs(predicate):
            if isinstance(s, NamedNode) and isinstance(o, NamedNode):
                if o not in _TOP:
                    target[s].add(o)
            elif isinstance(s, NamedNode):
                tbox.skipped.append(f"{s} {predicate} {_describe(index, o)}")
    for s, o in index.pairs(_CHAIN):
        members = index.rdf_list(o)
        if isinstance(s, NamedNode) and members and all(isinstance(m, NamedNode) for m in members):
            tbox.chains.append((tuple(m for m in members if isinstance(m, NamedNode)), s))
        else:
            tbox.skipped.append(f"{s} owl:propertyChainAxiom {_describe(index, o)}")
    return tbox


def _read_has_value(index: _Index, tbox: TBox, cls: NamedNode, restriction: Node) -> bool:
    """`cls ⊑ ∃p.{v}`: record it; False if `restriction` is something else."""
    prop, value = index.value(restriction, _ON_PROPERTY), index.value(restriction, _HAS_VALUE)
    if isinstance(prop, NamedNode) and value is not None:
        tbox.has_values.add((cls, prop, value))
        return True
    return False


def _read_definition(index: _Index, tbox: TBox, cls: NamedNode, expression: Node) -> None:
    """`cls ≡ A ⊓ ∃p.{v} ⊓ …` with named classes and hasValue restrictions only."""
    members = index.rdf_list(h) if (h := index.value(expression, _INTERSECTION)) else None
    if not members:
        tbox.skipped.append(f"{cls} owl:equivalentClass {_describe(index, expression)}")
        return
    classes: list[NamedNode] = []
    values: list[tuple[NamedNode, Node]] = []
    for member in members:
        prop, value = index.value(member, _ON_PROPERTY), index.value(member, _HAS_VALUE)
        if isinstance(member, NamedNode):
            classes.append(member)
        elif isinstance(prop, NamedNode) and value is not None:
            values.append((prop, value))
        else:
            tbox.skipped.append(f"{cls} owl:equivalentClass {_describe(index, expression)}")
            return
    tbox.superclasses[cls].update(c for c in classes if c not in _TOP)
    tbox.has_values.update((cls, p, v) for p, v in values)
    tbox.definitions.append(Definition(cls, tuple(classes), tuple(values)))


def _describe(index: _Index, node: Node) -> str:
    """A short name for a class expression, for the list of skipped axioms."""
    if not isinstance(node, BlankNode):
        return str(node)
    kinds = [
        str(p).rsplit("#", 1)[-1].rstrip(">")
        for (s, p) in index.by_sp
        if s == node and p != _A and str(p).startswith(f"<{OWL}")
    ]
    return "[" + " ".join(sorted(kinds)) + "]"


def _closure(edges: Mapping[K, Iterable[K]]) -> dict[K, frozenset[K]]:
    """For every node with edges, the nodes reachable from it (itself only through a cycle)."""
    result: dict[K, frozenset[K]] = {}
    for start in list(edges):
        seen: set[K] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        result[start] = frozenset(seen)
    return result


# --- compiling the rules to SPARQL ----------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One entailment rule as a SPARQL CONSTRUCT query that yields only triples not yet stated.

    `premises` are the (predicate, class) patterns its body reads (class only for rdf:type),
    so a later round can skip a rule that no new triple can fire. Rules of one `family` feed
    nothing to each other: their closures are computed beforehand.
    """

    name: str
    sparql: str
    premises: frozenset[tuple[str, str | None]] = frozenset()
    family: str = ""

    def fired_by(self, predicates: set[str], types: set[str]) -> bool:
        """True if a triple with one of `predicates` (or rdf:type one of `types`) may fire it."""
        return any(
            (cls in types) if predicate == _A.value and cls is not None else predicate in predicates
            for predicate, cls in self.premises
        )


def compile_rules(tbox: TBox, *, domains_and_ranges: bool = False) -> list[Rule]:
    """The rules of `tbox`, in the order they are run within each round."""
    classes = tbox.class_closure()
    properties = tbox.property_closure()

    def with_supers(types: Iterable[NamedNode]) -> set[NamedNode]:
        found = set(types)
        for cls in list(found):
            found |= classes.get(cls, frozenset())
        return found - _TOP

    rules: list[Rule] = []
    pairs = sorted((c, s) for c, supers in classes.items() for s in supers if s != c)
    if pairs:
        rules.append(
            Rule(
                "subclass",
                "CONSTRUCT { ?x a ?super } WHERE {\n"
                f"  VALUES (?class ?super) {{ {_rows(pairs)} }}\n"
                "  ?x a ?class . FILTER NOT EXISTS { ?x a ?super }\n}",
                frozenset((_A.value, c.value) for c, _ in pairs),
                "classes",
            )
        )
    forward = sorted((p, q) for p, qs in properties.items() for q, inv in qs if not inv)
    backward = sorted((p, q) for p, qs in properties.items() for q, inv in qs if inv)
    if forward:
        rules.append(
            Rule(
                "subproperty",
                "CONSTRUCT { ?s ?q ?o } WHERE {\n"
                f"  VALUES (?p ?q) {{ {_rows(forward)} }}\n"
                "  ?s ?p ?o . FILTER NOT EXISTS { ?s ?q ?o }\n}",
                frozenset((p.value, None) for p, _ in forward),
                "properties",
            )
        )
    if backward:
        rules.append(
            Rule(
                "inverse",
                "CONSTRUCT { ?o ?q ?s } WHERE {\n"
                f"  VALUES (?p ?q) {{ {_rows(backward)} }}\n"
                "  ?s ?p ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s }\n}",
                frozenset((p.value, None) for p, _ in backward),
                "properties",
            )
        )
    # Domains and ranges, through every property a property entails (one pass is complete).
    subject_types: set[tuple[NamedNode, NamedNode]] = set()
    object_types: set[tuple[NamedNode, NamedNode]] = set()
    for p in set(properties) | set(tbox.domains) | set(tbox.ranges) if domains_and_ranges else ():
        entailed = {(p, False), *properties.get(p, frozenset())}
        subjects = [c for q, inv in entailed for c in (tbox.ranges if inv else tbox.domains)[q]]
        objects = [c for q, inv in entailed for c in (tbox.domains if inv else tbox.ranges)[q]]
        subject_types |= {(p, c) for c in with_supers(subjects)}
        object_types |= {(p, c) for c in with_supers(objects)}
    if subject_types:
        rules.append(
            Rule(
                "domain",
                "CONSTRUCT { ?s a ?class } WHERE { SELECT DISTINCT ?s ?class WHERE {\n"
                f"  VALUES (?p ?class) {{ {_rows(sorted(subject_types))} }}\n"
                "  ?s ?p ?o . FILTER NOT EXISTS { ?s a ?class }\n} }",
                frozenset((p.value, None) for p, _ in subject_types),
            )
        )
    if object_types:
        rules.append(
            Rule(
                "range",
                "CONSTRUCT { ?o a ?class } WHERE { SELECT DISTINCT ?o ?class WHERE {\n"
                f"  VALUES (?p ?class) {{ {_rows(sorted(object_types))} }}\n"
                "  ?s ?p ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o a ?class }\n} }",
                frozenset((p.value, None) for p, _ in object_types),
            )
        )
    has_values = sorted(
        (sub, p, v)
        for sub, supers in {**classes, **{c: frozenset() for c, _, _ in tbox.has_values}}.items()
        for cls, p, v in tbox.has_values
        if cls == sub or cls in supers
    )
    if has_values:
        rules.append(
            Rule(
                "has-value",
                "CONSTRUCT { ?x ?p ?v } WHERE {\n"
                f"  VALUES (?class ?p ?v) {{ {_rows(has_values)} }}\n"
                "  ?x a ?class . FILTER NOT EXISTS { ?x ?p ?v }\n}",
                frozenset((_A.value, c.value) for c, _, _ in has_values),
            )
        )
    for definition in tbox.definitions:
        patterns = [f"?x a {c} ." for c in definition.classes]
        patterns += [f"?x {p} {v} ." for p, v in definition.values]
        rules.append(
            Rule(
                f"definition {definition.cls}",
                f"CONSTRUCT {{ ?x a {definition.cls} }} WHERE {{\n  "
                + " ".join(patterns)
                + f"\n  FILTER NOT EXISTS {{ ?x a {definition.cls} }}\n}}",
                frozenset(
                    [(_A.value, c.value) for c in definition.classes]
                    + [(p.value, None) for p, _ in definition.values]
                ),
            )
        )
    for p in sorted(tbox.transitive):
        rules.append(
            Rule(
                f"transitive {p}",
                f"CONSTRUCT {{ ?x {p} ?z }} WHERE {{ SELECT DISTINCT ?x ?z WHERE {{\n"
                f"  ?x {p} ?y . ?y {p}+ ?z . FILTER NOT EXISTS {{ ?x {p} ?z }}\n}} }}",
                frozenset({(p.value, None)}),
            )
        )
    for chain, p in tbox.chains:
        steps = " ".join(f"?x{i} {q} ?x{i + 1} ." for i, q in enumerate(chain))
        last = f"?x{len(chain)}"
        rules.append(
            Rule(
                f"chain {p}",
                f"CONSTRUCT {{ ?x0 {p} {last} }} WHERE {{ SELECT DISTINCT ?x0 {last} WHERE {{\n"
                f"  {steps} FILTER NOT EXISTS {{ ?x0 {p} {last} }}\n}} }}",
                frozenset((q.value, None) for q in chain),
            )
        )
    return rules


def _rows(rows: Iterable[tuple[Node, ...]]) -> str:
    return " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
