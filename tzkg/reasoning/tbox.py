"""HermiT (via owlready2) classifies the ontology, with data if given, and checks consistency.

When the ontology has unsatisfiable classes, the report names them and the disjoint classes
they fall under. When it is inconsistent (usually: data that contradicts it), a QuickXplain
search over the individuals finds a minimal set whose assertions cause it, and the report
names them with those assertions, so one readable message says what to fix.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from tzkg.errors import InconsistentOntologyError, ReasoningError
from tzkg.vocab import OWL, PREFIXES, RDF, RDFS, XSD

T = TypeVar("T")
_A = NamedNode(RDF + "type")
_NAMED_INDIVIDUAL = NamedNode(OWL + "NamedIndividual")
_SUBCLASS = NamedNode(RDFS + "subClassOf")
_DISJOINT = NamedNode(OWL + "disjointWith")
_ONTOLOGY_IRI = "https://w3id.org/tzkg/ontology"
JAVA_MEMORY_MB = 2000
MAX_SHOWN = 6
"""How many assertions of a culprit individual the message quotes."""


@dataclass(frozen=True)
class TBoxCheck:
    """HermiT's verdict on the ontology (and the data given with it)."""

    consistent: bool
    unsatisfiable: tuple[str, ...] = ()
    culprits: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ()
    ancestors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    individuals: int = 0
    seconds: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        """Consistent and every class satisfiable."""
        return self.consistent and not self.unsatisfiable


def compact(iri: str) -> str:
    """`tzo:Plan` for an IRI in a known namespace, else `<iri>`."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    if best:
        name = next(n for n, ns in PREFIXES.items() if ns == best)
        return f"{name}:{iri[len(best) :]}"
    return f"<{iri}>"


def check_tbox(
    ontology: Iterable[Triple],
    abox: Iterable[Triple | Quad] = (),
    *,
    explain: bool = True,
    labels: Mapping[str, str] | None = None,
) -> TBoxCheck:
    """Classify `ontology` with HermiT, then check it is consistent with `abox` (if given).

    Give `abox` as quads to have an inconsistency traced to the named graphs (sources) too.

    :raises ReasoningError: if HermiT cannot run (no Java) or fails on the input.
    """
    started = time.monotonic()
    ontology = list(ontology)
    abox = list(abox)
    triples = [item.triple if isinstance(item, Quad) else item for item in abox]
    individuals = {t.subject for t in triples if isinstance(t.subject, NamedNode)}
    outcome = _classify(ontology)
    if outcome is not None and triples and not _consistent(ontology + triples):
        outcome = None
    if outcome is None:
        culprits: list[NamedNode] = []
        graphs: list[NamedNode] = []
        if explain:
            culprits, graphs = _culprits(ontology, abox)
        message = _inconsistency_message(culprits, graphs, ontology + triples, labels or {})
        return TBoxCheck(
            consistent=False,
            culprits=tuple(c.value for c in culprits),
            graphs=tuple(g.value for g in graphs),
            individuals=len(individuals),
            seconds=round(time.monotonic() - started, 3),
            message=message,
        )
    unsatisfiable, ancestors = outcome
    message = _unsatisfiable_message(unsatisfiable, ontology) if unsatisfiable else ""
    return TBoxCheck(
        consistent=True,
        unsatisfiable=tuple(sorted(unsatisfiable)),
        ancestors=ancestors,
        individuals=len(individuals),
        seconds=round(time.monotonic() - started, 3),
        message=message,
    )


def require_consistent(check: TBoxCheck) -> None:
    """Raise if HermiT found an inconsistency or an unsatisfiable class.

    :raises InconsistentOntologyError: with the readable message of `check`.
    """
    if not check.ok:
        raise InconsistentOntologyError(check.message, where=_ONTOLOGY_IRI)


# --- running HermiT ---------------------------------------------------------------------------


def _java() -> str:
    import owlready2

    java: str | None = shutil.which(str(owlready2.JAVA_EXE))
    if java is None:
        raise ReasoningError(
            "HermiT needs Java: install default-jre-headless (`make system-deps`)",
            where="java",
            code="reasoner-unavailable",
        )
    return java


def _classify(triples: Sequence[Triple]) -> tuple[set[str], dict[str, frozenset[str]]] | None:
    """Unsatisfiable classes and inferred named ancestors, or None if inconsistent."""
    import owlready2

    _java()
    data = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert data is not None
    world = owlready2.World()
    try:
        world.get_ontology(_ONTOLOGY_IRI + "/checked").load(
            fileobj=io.BytesIO(data), format="ntriples"
        )
        try:
            owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return None
        except owlready2.OwlReadyJavaError as exc:
            first = " ".join(str(exc).split())[:300]
            raise ReasoningError(f"HermiT failed: {first}", where="HermiT") from exc
        unsatisfiable = {
            cls.iri
            for cls in world.inconsistent_classes()
            if hasattr(cls, "iri") and cls is not owlready2.Nothing
        }
        ancestors: dict[str, frozenset[str]] = {}
        for cls in world.classes():
            ancestors[cls.iri] = frozenset(
                a.iri
                for a in cls.ancestors(include_self=False)
                if hasattr(a, "iri") and a is not owlready2.Thing
            )
        return unsatisfiable, ancestors
    finally:
        world.close()


def _consistent(triples: Sequence[Triple]) -> bool:
    """HermiT's consistency check alone (`-k`): much faster than classifying the individuals."""
    from owlready2.reasoning import _HERMIT_CLASSPATH

    data = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert data is not None
    with tempfile.TemporaryDirectory(prefix="tzkg-hermit-") as tmp:
        path = Path(tmp) / "checked.nt"
        path.write_bytes(data)
        command = [
            _java(),
            f"-Xmx{JAVA_MEMORY_MB}M",
            "-cp",
            _HERMIT_CLASSPATH,
            "org.semanticweb.HermiT.cli.CommandLine",
            "-k",
            "--ignoreUnsupportedDatatypes",
            path.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == 0 and "is satisfiable" in done.stdout:
        return True
    if "InconsistentOntologyException" in done.stderr or "is not satisfiable" in done.stdout:
        return False
    last = " ".join(done.stderr.split())[-300:]
    raise ReasoningError(f"HermiT failed: {last}", where="HermiT")


# --- explaining -------------------------------------------------------------------------------


def _quickxplain(
    background: list[Triple],
    groups: Mapping[T, Sequence[Triple]],
    consistent: Callable[[Sequence[Triple]], bool],
) -> list[T]:
    """A minimal set of groups that, with `background`, is inconsistent (QuickXplain, Junker
    2004: O(k log n) reasoner runs for k culprits among n groups); [] if there is none."""
    candidates = list(groups)

    def triples_of(items: Sequence[T]) -> list[Triple]:
        return [t for item in items for t in groups[item]]

    def search(base: list[Triple], delta: bool, items: Sequence[T]) -> list[T]:
        if delta and not consistent(base):
            return []
        if len(items) == 1:
            return list(items)
        half = len(items) // 2
        first, second = items[:half], items[half:]
        d2 = search(base + triples_of(first), bool(first), second)
        d1 = search(base + triples_of(d2), bool(d2), first)
        return d1 + d2

    if not candidates or consistent(background + triples_of(candidates)):
        return []
    return search(background, False, candidates)


def _culprits(
    ontology: Sequence[Triple],
    abox: Sequence[Triple | Quad],
    consistent: Callable[[Sequence[Triple]], bool] = _consistent,
) -> tuple[list[NamedNode], list[NamedNode]]:
    """A minimal set of individuals whose assertions make the ontology inconsistent, and the
    named graphs those assertions came from (when `abox` holds quads).

    Candidates are the data's subjects and the ontology's named individuals; the rest of the
    ontology is the background. With quads, a first search narrows the data to a minimal set
    of named graphs (source sentences, rows), which keeps the reasoner runs few and small.
    """
    named = {t.subject for t in ontology if t.predicate == _A and t.object == _NAMED_INDIVIDUAL}
    background = [
        t for t in ontology if not (isinstance(t.subject, NamedNode) and t.subject in named)
    ]
    if not consistent(background):
        return [], []  # the classes alone are contradictory: no individual to blame
    own = [t for t in ontology if isinstance(t.subject, NamedNode) and t.subject in named]
    graphs: list[NamedNode] = []
    data: list[Triple] = []
    by_graph: dict[NamedNode, list[Triple]] = defaultdict(list)
    for item in abox:
        if isinstance(item, Quad) and isinstance(item.graph_name, NamedNode):
            by_graph[item.graph_name].append(item.triple)
        else:
            data.append(item.triple if isinstance(item, Quad) else item)
    if by_graph:
        graphs = _quickxplain(background + own + data, by_graph, consistent)
        data += [t for g in graphs for t in by_graph[g]]
    groups: dict[NamedNode, list[Triple]] = defaultdict(list)
    for t in own + data:
        if isinstance(t.subject, NamedNode):
            groups[t.subject].append(t)
        else:
            background.append(t)
    ordered = dict(sorted(groups.items(), key=lambda item: item[0].value))
    individuals = _quickxplain(background, ordered, consistent)
    return sorted(individuals, key=lambda n: n.value), sorted(graphs, key=lambda g: g.value)


def _inconsistency_message(
    culprits: Sequence[NamedNode],
    graphs: Sequence[NamedNode],
    triples: Sequence[Triple],
    labels: Mapping[str, str],
) -> str:
    if not culprits:
        return "the ontology is inconsistent (its class axioms alone contradict each other)"
    parts = []
    for node in culprits:
        said = [t for t in triples if t.subject == node and t.predicate != _A]
        types = sorted(
            compact(t.object.value)
            for t in triples
            if t.subject == node and t.predicate == _A and isinstance(t.object, NamedNode)
        )
        facts = [f"a {', '.join(types)}"] if types else []
        facts += [f"{compact(t.predicate.value)} {_term(t.object)}" for t in said[:MAX_SHOWN]]
        if len(said) > MAX_SHOWN:
            facts.append(f"… {len(said) - MAX_SHOWN} more")
        label = labels.get(node.value)
        name = f"{compact(node.value)}{f' ({label})' if label else ''}"
        parts.append(f"{name}: {'; '.join(facts)}")
    where = f" (stated in {', '.join(f'<{g.value}>' for g in graphs)})" if graphs else ""
    return "inconsistent with the ontology, because of " + " | ".join(parts) + where


def _unsatisfiable_message(classes: Iterable[str], ontology: Sequence[Triple]) -> str:
    supers: dict[str, set[str]] = defaultdict(set)
    disjoint: set[frozenset[str]] = set()
    for t in ontology:
        if t.predicate == _SUBCLASS and isinstance(t.object, NamedNode):
            supers[t.subject.value].add(t.object.value)  # type: ignore[union-attr]
        elif (
            t.predicate == _DISJOINT
            and isinstance(t.subject, NamedNode)
            and isinstance(t.object, NamedNode)
        ):
            disjoint.add(frozenset((t.subject.value, t.object.value)))
    parts = []
    for cls in sorted(classes):
        seen: set[str] = set()
        stack = [cls]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(supers.get(node, ()))
        clash = sorted(
            " and ".join(sorted(compact(c) for c in pair)) for pair in disjoint if pair <= seen
        )
        why = f" (a subclass of the disjoint {clash[0]})" if clash else ""
        parts.append(f"{compact(cls)}{why}")
    return "unsatisfiable classes: " + "; ".join(parts)


def _term(term: object) -> str:
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        if term.language:
            return f'"{term.value}"@{term.language}'
        if term.datatype.value == XSD + "string":
            return f'"{term.value}"'
        return f'"{term.value}"^^{compact(term.datatype.value)}'
    return str(term)
