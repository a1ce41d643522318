"""Reasoning: rules compiled from the ontology, the inferred graph, and HermiT on the TBox."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from tzkg import build as build_module
from tzkg.build import build_quads
from tzkg.config import PROJECT_ROOT, Settings
from tzkg.errors import InconsistentOntologyError
from tzkg.loaders.ontology import ONTOLOGY_GRAPH
from tzkg.reasoning import (
    compile_rules,
    inferred_graph,
    materialise,
    materialise_step,
    ontology_rules,
    read_tbox,
    rules,
)
from tzkg.reasoning.tbox import check_tbox, require_consistent
from tzkg.store import OxigraphStore, build_store, open_store
from tzkg.vocab import OWL, RDF, RDFS, TZO

BASE = "https://w3id.org/tzkg/"
INFERRED = inferred_graph(BASE)
EX = "http://example.org/"
ONTOLOGY_TTL = PROJECT_ROOT / "ontology" / "tzkg.ttl"
SHIPBUILDING_CLUSTER = "高端装备和高技术船舶产业集群"


def _ontology_triples() -> list[Triple]:
    return [q.triple for q in parse(path=ONTOLOGY_TTL, format=RdfFormat.TURTLE)]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def plan_store() -> Iterator[OxigraphStore]:
    """The graph of data/ with the inferred graph, in memory."""
    store = OxigraphStore.in_memory()
    store.bulk_load(build_quads(Settings()))
    materialise(store, INFERRED)
    yield store
    store.close()


def _values(
    store: OxigraphStore, sparql: str, *, default_graph: list[NamedNode] | None = None
) -> set[str]:
    result = store.query(
        "PREFIX tzo: <https://w3id.org/tzkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + sparql,
        default_graph=default_graph,
    )
    return {next(iter(row.values())).value for row in result.rows}  # type: ignore[union-attr]


# --- the rules come from the ontology's axioms ------------------------------------------------


def test_no_property_is_hand_coded() -> None:
    assert TZO not in inspect.getsource(rules)
    assert "w3id.org/tzkg" not in inspect.getsource(rules)


def test_rules_follow_the_declared_axioms(plan_store: OxigraphStore) -> None:
    names = {rule.name for rule in ontology_rules(plan_store)}
    # exactly the chains and transitive properties the ontology declares
    assert {n for n in names if n.startswith("chain ")} == {f"chain <{TZO}supports>"}
    assert {n for n in names if n.startswith("transitive ")} == {f"transitive <{TZO}locatedIn>"}
    assert {"subclass", "subproperty", "inverse", "has-value"} <= names
    assert not names & {"domain", "range"}  # left out of builds: they would hide range errors
    definitions = {n for n in names if n.startswith("definition ")}
    assert f"definition <{TZO}NationalKeyLaboratory>" in definitions
    assert f"definition <{TZO}ProvincialEnterpriseTechnologyCentre>" in definitions


SMALL_ONTOLOGY = """
@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:Lab rdfs:subClassOf :Platform . :Platform rdfs:subClassOf :Organisation .
:Organisation owl:equivalentClass :Org .
:NationalLab owl:equivalentClass
    [ owl:intersectionOf ( :Lab [ owl:onProperty :level ; owl:hasValue :National ] ) ] .
:hasLead rdfs:subPropertyOf :hasMember . :hasMember owl:inverseOf :memberOf .
:partner a owl:SymmetricProperty .
:supports rdfs:domain :Platform ; rdfs:range :Topic .
:supports owl:propertyChainAxiom ( :supports :inCluster ) .
:within a owl:TransitiveProperty .
:Topic rdfs:subClassOf [ owl:onProperty :kind ; owl:someValuesFrom :Kind ] .
"""

SMALL_DATA = """
@prefix : <http://example.org/> .
:lab1 a :Lab ; :level :National ; :supports :field .
:lab2 a :NationalLab .
:field :inCluster :cluster .
:c1 :hasLead :e1 . :e1 :partner :e2 .
:t1 :within :t2 . :t2 :within :t3 . :t3 :within :t4 .
"""

EXPECTED = """
@prefix : <http://example.org/> .
:lab1 a :Platform , :Organisation , :Org , :NationalLab ; :supports :cluster .
:lab2 a :Lab , :Platform , :Organisation , :Org ; :level :National .
:field a :Topic . :cluster a :Topic .
:c1 :hasMember :e1 . :e1 :memberOf :c1 . :e2 :partner :e1 .
:t1 :within :t3 , :t4 . :t2 :within :t4 .
"""


def _turtle(text: str, graph: NamedNode) -> list[Quad]:
    return [
        Quad(t.subject, t.predicate, t.object, graph)
        for t in parse(text.encode(), format=RdfFormat.TURTLE)  # type: ignore[union-attr]
    ]


def test_each_kind_of_axiom() -> None:
    store = OxigraphStore.in_memory()
    data = NamedNode(EX + "data")
    store.raw.extend(_turtle(SMALL_ONTOLOGY, ONTOLOGY_GRAPH) + _turtle(SMALL_DATA, data))
    tbox = read_tbox(q.triple for q in _turtle(SMALL_ONTOLOGY, ONTOLOGY_GRAPH))
    rules = compile_rules(tbox, domains_and_ranges=True)
    result = materialise(store, NamedNode(EX + "inferred"), rules=rules)
    got = {
        q.triple for q in store.raw.quads_for_pattern(None, None, None, NamedNode(EX + "inferred"))
    }
    expected = {q.triple for q in _turtle(EXPECTED, data)}
    assert got == expected
    assert result.triples == len(expected)
    assert result.rounds >= 2  # the chain's result is then typed by the range
    assert any("someValuesFrom" in skipped for skipped in tbox.skipped)


def test_rules_compile_to_nothing_for_an_empty_ontology() -> None:
    assert compile_rules(read_tbox([])) == []


def test_no_ontology_is_an_error() -> None:
    from tzkg.errors import ReasoningError

    with pytest.raises(ReasoningError) as caught:
        materialise(OxigraphStore.in_memory(), INFERRED)
    assert caught.value.code == "reasoning-failed"


# --- the inferred graph of the plan -------------------------------------------------------------


def test_inferred_graph_holds_only_new_triples(plan_store: OxigraphStore) -> None:
    inferred = {q.triple for q in plan_store.raw.quads_for_pattern(None, None, None, INFERRED)}
    assert len(inferred) > 500
    stated = {q.triple for q in plan_store.raw if q.graph_name != INFERRED}
    assert inferred.isdisjoint(stated)


def test_materialise_drops_and_recomputes(plan_store: OxigraphStore) -> None:
    before = {q.triple for q in plan_store.raw.quads_for_pattern(None, None, None, INFERRED)}
    stray = Quad(NamedNode(EX + "x"), NamedNode(EX + "p"), Literal("stale"), INFERRED)
    plan_store.raw.add(stray)
    again = materialise(plan_store, INFERRED)
    after = {q.triple for q in plan_store.raw.quads_for_pattern(None, None, None, INFERRED)}
    assert after == before
    assert again.triples == len(before)


def test_all_laboratories_include_key_laboratories(plan_store: OxigraphStore) -> None:
    labs = _values(
        plan_store,
        "SELECT ?l WHERE { ?x a tzo:Laboratory ; rdfs:label ?l . FILTER(LANG(?l) = 'zh') }",
    )
    assert labs == {
        "扬子江药业药物制剂新技术国家重点实验室",
        "春兰清洁能源研究院省级重点实验室",
        "亚星锚链省级重点实验室",
    }


def test_chain_inverse_and_transitivity_on_the_plan(plan_store: OxigraphStore) -> None:
    # supports ∘ inCluster ⊑ supports, and then the inverse supportedBy
    supporters = _values(
        plan_store,
        "SELECT ?l WHERE { ?c rdfs:label '高端装备和高技术船舶产业集群'@zh ; tzo:supportedBy ?p . "
        "?p rdfs:label ?l . FILTER(LANG(?l) = 'zh') }",
    )
    assert "亚星锚链国家级技术中心" in supporters
    # hasLeadEnterprise ⊑ hasEnterprise, and its inverse
    assert plan_store.query(
        "ASK { ?s <https://w3id.org/tzkg/ontology#isLeadEnterpriseOf> ?c . "
        "?c <https://w3id.org/tzkg/ontology#hasEnterprise> ?s }"
    ).boolean
    # townships are located in the city (township → county → city)
    city = _values(
        plan_store,
        "SELECT ?d WHERE { ?t a tzo:Township ; tzo:locatedIn ?d . ?d tzo:divisionCode '321200' }",
    )
    assert city == {BASE + "id/division/321200"}


CLUSTER_BY_PATHS = """
SELECT DISTINCT ?platform WHERE {
  ?cluster rdfs:label "高端装备和高技术船舶产业集群"@zh .
  ?platform a/rdfs:subClassOf* tzo:InnovationPlatform ; tzo:supports/tzo:inCluster? ?cluster .
}"""
CLUSTER_MATERIALISED = """
SELECT DISTINCT ?platform WHERE {
  ?cluster rdfs:label "高端装备和高技术船舶产业集群"@zh .
  ?platform a tzo:InnovationPlatform ; tzo:supports ?cluster .
}"""


def test_shipbuilding_cluster_both_ways(plan_store: OxigraphStore) -> None:
    """Property paths over the hierarchy on the stated graphs = plain patterns with inference."""
    stated = [g for g in plan_store.named_graphs() if g != INFERRED]
    by_paths = _values(plan_store, CLUSTER_BY_PATHS, default_graph=stated)
    materialised = _values(plan_store, CLUSTER_MATERIALISED)
    assert by_paths == materialised
    assert len(materialised) == 9
    # without the inferred graph the plain query misses the platforms of the cluster's fields
    assert len(_values(plan_store, CLUSTER_MATERIALISED, default_graph=stated)) < 9


def test_laboratories_both_ways(plan_store: OxigraphStore) -> None:
    stated = [g for g in plan_store.named_graphs() if g != INFERRED]
    by_paths = _values(
        plan_store, "SELECT ?x WHERE { ?x a/rdfs:subClassOf* tzo:Laboratory }", default_graph=stated
    )
    assert by_paths == _values(plan_store, "SELECT ?x WHERE { ?x a tzo:Laboratory }")
    assert len(by_paths) == 3


@pytest.mark.slow
def test_agrees_with_owlrl_on_the_plan(plan_store: OxigraphStore) -> None:
    """On relations between named individuals, the rules entail what OWL 2 RL (owlrl) does.

    owl:hasKey is left out: owlrl 7.6 equates every pair of instances of a keyed class, keys
    or no keys (docs/reasoning.md).
    """
    import owlrl
    import rdflib

    graph = rdflib.Graph()
    stated = [q.triple for q in plan_store.raw if q.graph_name != INFERRED]
    full = OxigraphStore.in_memory()  # the rules with domains and ranges, as OWL 2 RL has them
    full.raw.extend(q for q in plan_store.raw if q.graph_name != INFERRED)
    tbox = read_tbox(q.triple for q in full.raw.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
    materialise(full, INFERRED, rules=compile_rules(tbox, domains_and_ranges=True))
    from pyoxigraph import serialize

    graph.parse(data=serialize(stated, format=RdfFormat.N_TRIPLES), format="nt")
    graph.remove((None, rdflib.OWL.hasKey, None))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)

    def relevant(s: str, p: str, o: str) -> bool:
        return s.startswith(BASE + "id/") and not o.startswith((OWL, RDFS)) and p != OWL + "sameAs"

    theirs = {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if isinstance(s, rdflib.URIRef)
        and isinstance(o, rdflib.URIRef)
        and relevant(str(s), str(p), str(o))
    }
    ours = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in full.raw
        if isinstance(q.subject, NamedNode)
        and isinstance(q.object, NamedNode)
        and relevant(q.subject.value, q.predicate.value, q.object.value)
    }
    assert ours == theirs


# --- the build step -----------------------------------------------------------------------------


def test_build_runs_reasoning_first() -> None:
    assert build_module.FINISH_STEPS[0] is materialise_step


def test_built_store_has_the_inferred_graph(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    quads = list(build_quads(settings))
    build_store(settings.store_dir, quads, before_swap=lambda s: materialise_step(s, settings))
    store = open_store(settings.store_dir)
    assert INFERRED in store.named_graphs()
    assert store.query(
        f"ASK {{ GRAPH {INFERRED} {{ ?x a <{TZO}Laboratory> }} }}", union_default_graph=False
    ).boolean


# --- HermiT on the TBox ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hermit() -> object:
    return check_tbox(_ontology_triples())


def test_hermit_finds_the_ontology_consistent(hermit: object) -> None:
    from tzkg.reasoning.tbox import TBoxCheck

    assert isinstance(hermit, TBoxCheck)
    assert hermit.ok, hermit.message
    require_consistent(hermit)


def test_the_rules_know_every_subsumption_hermit_finds(hermit: object) -> None:
    """The rules use told axioms; HermiT's classification adds no named superclass to them."""
    from tzkg.reasoning.tbox import TBoxCheck

    assert isinstance(hermit, TBoxCheck)
    closure = read_tbox(_ontology_triples()).class_closure()
    missing = {
        cls: sorted(ancestors - {s.value for s in closure.get(NamedNode(cls), frozenset())})
        for cls, ancestors in hermit.ancestors.items()
        if cls.startswith(TZO)
    }
    assert {cls: gap for cls, gap in missing.items() if gap} == {}


def test_the_plan_is_consistent_with_the_ontology(plan_store: OxigraphStore) -> None:
    abox = [q for q in plan_store.raw if q.graph_name not in (ONTOLOGY_GRAPH, INFERRED)]
    check = check_tbox(_ontology_triples(), abox)
    assert check.ok, check.message
    assert check.individuals > 300


def test_an_unsatisfiable_class_is_named() -> None:
    weird = NamedNode(EX + "PlatformZone")
    extra = [
        Triple(weird, NamedNode(RDF + "type"), NamedNode(OWL + "Class")),
        Triple(weird, NamedNode(RDFS + "subClassOf"), NamedNode(TZO + "Laboratory")),
        Triple(weird, NamedNode(RDFS + "subClassOf"), NamedNode(TZO + "IndustrialPark")),
    ]
    check = check_tbox(_ontology_triples() + extra)
    assert not check.ok
    assert check.unsatisfiable == (EX + "PlatformZone",)
    assert check.message == (
        "unsatisfiable classes: <http://example.org/PlatformZone> "
        "(a subclass of the disjoint tzo:InnovationPlatform and tzo:Zone)"
    )
    with pytest.raises(InconsistentOntologyError) as caught:
        require_consistent(check)
    assert caught.value.code == "ontology-inconsistent"


def test_an_inconsistency_names_the_individual() -> None:
    a = NamedNode(RDF + "type")
    lab = NamedNode(EX + "lab")
    abox = [
        Triple(lab, a, NamedNode(TZO + "KeyLaboratory")),
        Triple(lab, NamedNode(TZO + "level"), NamedNode(TZO + "National")),
        Triple(lab, NamedNode(TZO + "level"), NamedNode(TZO + "Provincial")),
    ]
    abox += [Triple(NamedNode(f"{EX}ok{i}"), a, NamedNode(TZO + "Laboratory")) for i in range(6)]
    check = check_tbox(_ontology_triples(), abox, labels={EX + "lab": "两级实验室"})
    assert not check.consistent
    assert check.culprits == (EX + "lab",)
    assert check.message == (
        "inconsistent with the ontology, because of <http://example.org/lab> (两级实验室): "
        "a tzo:KeyLaboratory; tzo:level tzo:National; tzo:level tzo:Provincial"
    )
