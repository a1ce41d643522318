"""Materialise the ontology's entailments into their own named graph, `{base}graph/inferred`."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Quad, QueryTriples, Triple

from tzkg.config import Settings
from tzkg.errors import ReasoningError, StoreError
from tzkg.loaders.ontology import ONTOLOGY_GRAPH
from tzkg.reasoning.rules import Rule, compile_rules, read_tbox
from tzkg.store import OxigraphStore

_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BULK = 10_000
"""Rounds that add more triples than this use Oxigraph's bulk loader."""
MAX_ROUNDS = 32
"""A fixpoint is reached in a few rounds; more means a rule keeps producing (a bug)."""


def inferred_graph(base_iri: str) -> NamedNode:
    """The named graph that holds the materialised entailments."""
    return NamedNode(base_iri + "graph/inferred")


@dataclass(frozen=True)
class Materialisation:
    """What one run of the rules added."""

    graph: NamedNode
    triples: int
    rounds: int
    seconds: float
    per_rule: dict[str, int] = field(default_factory=dict)


def ontology_rules(store: OxigraphStore, ontology_graph: NamedNode = ONTOLOGY_GRAPH) -> list[Rule]:
    """The rules compiled from the ontology graph of `store`.

    :raises ReasoningError: if the store holds no ontology graph.
    """
    quads = list(store.raw.quads_for_pattern(None, None, None, ontology_graph))
    if not quads:
        raise ReasoningError(
            "the store has no ontology graph to reason with", where=ontology_graph.value
        )
    return compile_rules(read_tbox(quad.triple for quad in quads))


def materialise(
    store: OxigraphStore,
    graph: NamedNode,
    *,
    ontology_graph: NamedNode = ONTOLOGY_GRAPH,
    rules: list[Rule] | None = None,
) -> Materialisation:
    """Drop `graph`, then fill it with every entailment not already stated in some graph.

    The rules run in rounds over the union of all graphs until a round adds nothing; each rule
    yields only triples absent from the store, so `graph` never repeats a stated fact.

    :raises ReasoningError: if there is no ontology or no fixpoint after `MAX_ROUNDS` rounds.
    :raises StoreError: if the store cannot be read or written.
    """
    started = time.monotonic()
    store.update(f"DROP SILENT GRAPH {graph}")
    if rules is None:
        rules = ontology_rules(store, ontology_graph)
    per_rule: Counter[str] = Counter()
    total = 0
    raw = store.raw
    # What the last round added, by rule family: a rule runs again only if one of those
    # triples (from a family other than its own) matches a premise of it (semi-naive, coarse).
    added: dict[str, tuple[set[str], set[str]]] | None = None
    try:
        for round_number in range(1, MAX_ROUNDS + 1):
            new: set[Triple] = set()
            by_family: dict[str, tuple[set[str], set[str]]] = {}
            for rule in rules:
                if added is not None and not any(
                    rule.fired_by(predicates, types)
                    for family, (predicates, types) in added.items()
                    if not rule.family or family != rule.family
                ):
                    continue
                found = raw.query(rule.sparql, use_default_graph_as_union=True)
                assert isinstance(found, QueryTriples)
                produced = set(found) - new
                new |= produced
                per_rule[rule.name] += len(produced)
                predicates, types = by_family.setdefault(rule.family or rule.name, (set(), set()))
                for t in produced:
                    predicates.add(t.predicate.value)
                    if t.predicate == _TYPE and isinstance(t.object, NamedNode):
                        types.add(t.object.value)
            added = by_family
            if not new:
                return Materialisation(
                    graph=graph,
                    triples=total,
                    rounds=round_number,
                    seconds=round(time.monotonic() - started, 3),
                    per_rule={name: n for name, n in per_rule.items() if n},
                )
            quads = (Quad(t.subject, t.predicate, t.object, graph) for t in new)
            # The bulk loader is much faster for large rounds; builds own their new store.
            (raw.bulk_extend if len(new) > BULK else raw.extend)(quads)
            total += len(new)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"materialising failed: {exc}", where=graph.value) from exc
    raise ReasoningError(
        f"the rules reached no fixpoint in {MAX_ROUNDS} rounds ({total} triples)",
        where=graph.value,
    )


def materialise_step(store: OxigraphStore, settings: Settings) -> None:
    """Build step: recompute `{base}graph/inferred` on the new store before it is published."""
    materialise(store, inferred_graph(settings.base_iri))
