"""The OWL ontology (ontology/tzkg.ttl): terms match tzkg.vocab, labels, HermiT, and its loader."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node

from tzkg import vocab
from tzkg.config import Settings
from tzkg.errors import SourceError
from tzkg.loaders.ontology import ONTOLOGY_GRAPH, load_ontology

ROOT = Path(__file__).resolve().parent.parent
TTL = ROOT / "ontology" / "tzkg.ttl"
ONTOLOGY = URIRef("https://w3id.org/tzkg/ontology")
SCHEMES = "https://w3id.org/tzkg/scheme/"
DCT = rdflib.Namespace(vocab.DCT)
TZO = rdflib.Namespace(vocab.TZO)
BUILT_IN = (vocab.RDF, vocab.RDFS, vocab.OWL, vocab.XSD)

KINDS = {
    OWL.Class: vocab.CLASSES,
    OWL.ObjectProperty: vocab.OBJECT_PROPERTIES,
    OWL.DatatypeProperty: vocab.DATA_PROPERTIES,
    OWL.NamedIndividual: vocab.INDIVIDUALS,
}

ENUMERATIONS = {
    "PlatformLevel": ["National", "Provincial", "Municipal"],
    "TargetKind": ["Stock", "Flow", "Increase"],
    "Recurrence": ["Annual"],
    "ValueBound": ["Exact", "Range", "AtLeast", "AtMost"],
    "ProgrammeKind": ["TalentProgramme", "FinanceProgramme", "EnterpriseProgramme"],
}

# (class, parent) pairs the ontology must state, as specified.
HIERARCHY = [
    ("Plan", "http://data.europa.eu/eli/ontology#LegalResource"),
    ("Plan", "http://www.w3.org/ns/prov#Entity"),
    ("Section", "http://data.europa.eu/eli/ontology#LegalResourceSubdivision"),
    ("Paragraph", "http://data.europa.eu/eli/ontology#LegalResourceSubdivision"),
    ("Meeting", "http://www.w3.org/ns/prov#Activity"),
    ("SourceSpan", "http://www.w3.org/ns/oa#SpecificResource"),
    ("Enterprise", "http://www.w3.org/ns/org#FormalOrganization"),
    ("Enterprise", "http://www.w3.org/ns/legal#LegalEntity"),
    ("GovernmentDepartment", "PublicBody"),
    ("GovernmentDepartment", "http://www.w3.org/ns/org#OrganizationalUnit"),
    ("InnovationPlatform", "http://www.w3.org/ns/org#Organization"),
    ("KeyLaboratory", "Laboratory"),
    ("NationalKeyLaboratory", "KeyLaboratory"),
    ("ProvincialKeyLaboratory", "KeyLaboratory"),
    ("EnterpriseTechnologyCentre", "TechnologyCentre"),
    ("NationalEnterpriseTechnologyCentre", "EnterpriseTechnologyCentre"),
    ("ProvincialEnterpriseTechnologyCentre", "EnterpriseTechnologyCentre"),
    ("ProvincialRDCentre", "RDCentre"),
    ("ProvincialEngineeringCentre", "EngineeringCentre"),
    ("IndustryInnovationCentre", "InnovationCentre"),
    ("AdministrativeDivision", "https://schema.org/AdministrativeArea"),
    ("Township", "AdministrativeDivision"),
    ("HighTechZone", "DevelopmentZone"),
    ("DevelopmentZone", "Zone"),
    ("Zone", "https://schema.org/Place"),
]

# (level-defined class, parent, level individual)
LEVEL_CLASSES = [
    ("NationalKeyLaboratory", "KeyLaboratory", "National"),
    ("ProvincialKeyLaboratory", "KeyLaboratory", "Provincial"),
    ("NationalEnterpriseTechnologyCentre", "EnterpriseTechnologyCentre", "National"),
    ("ProvincialEnterpriseTechnologyCentre", "EnterpriseTechnologyCentre", "Provincial"),
    ("ProvincialRDCentre", "RDCentre", "Provincial"),
    ("ProvincialEngineeringCentre", "EngineeringCentre", "Provincial"),
]


def _languages(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    """The language tags of the literal values of one property."""
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def _list(graph: rdflib.Graph, head: Node | None) -> list[Node]:
    """The members of an RDF list."""
    assert head is not None
    return list(rdflib.collection.Collection(graph, head))


def _iri(name: str) -> URIRef:
    """A tzo: term by local name, or a full IRI as is."""
    return URIRef(name) if "://" in name else TZO[name]


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    """The ontology, parsed by rdflib."""
    return rdflib.Graph().parse(TTL, format="turtle")


@pytest.fixture(scope="module")
def ntriples(graph: rdflib.Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ontology as N-Triples, which owlready2 reads (it does not read Turtle)."""
    path = tmp_path_factory.mktemp("ontology") / "tzkg.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    return path


def _world(ntriples: Path) -> tuple[owlready2.World, owlready2.Namespace]:
    """A fresh owlready2 world holding the ontology, and its tzo namespace."""
    world = owlready2.World()
    world.get_ontology(ntriples.as_uri()).load()
    return world, world.get_namespace(vocab.TZO)


# --- (1) parsing and the header ---------------------------------------------------------------


def test_header(graph: rdflib.Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None
    assert _languages(graph, ONTOLOGY, DCT.title) == {"zh", "en"}
    assert _languages(graph, ONTOLOGY, DCT.description) == {"zh", "en"}
    assert graph.value(ONTOLOGY, DCT.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(ONTOLOGY, DCT.created) == Literal(
        "2026-11-27", datatype=URIRef(vocab.XSD + "date")
    )
    assert graph.value(ONTOLOGY, OWL.imports) is None


# --- (2) the tzo: terms are exactly those of tzkg.vocab ---------------------------------------


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda kind: kind.fragment)
def test_vocab_terms_declared_with_their_kind(graph: rdflib.Graph, kind: URIRef) -> None:
    missing = [name for name in KINDS[kind] if (TZO[name], RDF.type, kind) not in graph]
    assert missing == []


def test_every_tzo_term_is_in_vocab(graph: rdflib.Graph) -> None:
    used = {
        str(term)[len(vocab.TZO) :]
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(vocab.TZO)
    }
    assert sorted(used - vocab.TZO_TERMS) == []
    assert sorted(vocab.TZO_TERMS - used) == []


def test_each_tzo_term_has_one_kind(graph: rdflib.Graph) -> None:
    kinds_of = {
        name: {kind for kind in KINDS if (TZO[name], RDF.type, kind) in graph}
        for name in vocab.TZO_TERMS
    }
    assert {name: kinds for name, kinds in kinds_of.items() if len(kinds) != 1} == {}


def test_reused_terms_are_declared(graph: rdflib.Graph) -> None:
    """External terms used in axioms or as predicates are declared, with their vocabulary."""
    axiom_predicates = {
        RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.onProperty,
        OWL.someValuesFrom, OWL.allValuesFrom, OWL.equivalentClass, OWL.disjointWith,
        OWL.inverseOf, SKOS.closeMatch, RDF.first,
    }  # fmt: skip
    external: set[Node] = {p for p in graph.predicates()}
    external |= {o for s, p, o in graph if p in axiom_predicates}
    external |= {o for o in graph.objects(None, RDF.type)}
    undeclared = sorted(
        str(term)
        for term in external
        if isinstance(term, URIRef)
        and not str(term).startswith((*BUILT_IN, vocab.TZO))
        and (graph.value(term, RDF.type) is None or graph.value(term, RDFS.isDefinedBy) is None)
    )
    assert undeclared == []


# --- (3) labels and definitions -----------------------------------------------------------------


@pytest.mark.parametrize("name", vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATA_PROPERTIES)
def test_labels_and_definition(graph: rdflib.Graph, name: str) -> None:
    term = TZO[name]
    assert {"zh", "en"} <= _languages(graph, term, RDFS.label)
    assert "en" in _languages(graph, term, SKOS.definition)
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in graph


@pytest.mark.parametrize("name", vocab.INDIVIDUALS)
def test_individual_labels(graph: rdflib.Graph, name: str) -> None:
    assert _languages(graph, TZO[name], RDFS.label) == {"zh", "en"}


# --- structure as specified -------------------------------------------------------------------


@pytest.mark.parametrize(("child", "parent"), HIERARCHY)
def test_hierarchy(graph: rdflib.Graph, child: str, parent: str) -> None:
    assert (_iri(child), RDFS.subClassOf, _iri(parent)) in graph


@pytest.mark.parametrize("name", ENUMERATIONS)
def test_enumeration(graph: rdflib.Graph, name: str) -> None:
    members = [TZO[member] for member in ENUMERATIONS[name]]
    assert (TZO[name], RDFS.subClassOf, SKOS.Concept) in graph
    assert set(graph.subjects(RDF.type, TZO[name])) == set(members)
    schemes = {graph.value(member, SKOS.inScheme) for member in members}
    assert len(schemes) == 1
    (scheme,) = schemes
    assert str(scheme).startswith(SCHEMES)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    if len(members) > 1:
        distinct = [
            set(_list(graph, graph.value(node, OWL.members)))
            for node in graph.subjects(RDF.type, OWL.AllDifferent)
        ]
        assert set(members) in distinct


def test_functional_properties(graph: rdflib.Graph) -> None:
    for name in ("level", "indicator", "targetKind", "bound"):
        assert (TZO[name], RDF.type, OWL.FunctionalProperty) in graph
    # supports is composite (a chain implies it): OWL 2 DL forbids it to be functional.
    assert (TZO.supports, RDF.type, OWL.FunctionalProperty) not in graph
    chain = _list(graph, graph.value(TZO.supports, OWL.propertyChainAxiom))
    assert chain == [TZO.supports, TZO.inCluster]


# --- (4) and (5) HermiT via owlready2 -----------------------------------------------------------


def test_hermit_consistent(ntriples: Path) -> None:
    world, tzo = _world(ntriples)
    owlready2.sync_reasoner(world, debug=0)  # raises OwlReadyInconsistentOntologyError
    assert list(world.inconsistent_classes()) == []
    for child, parent, level in LEVEL_CLASSES:
        assert getattr(tzo, parent) in getattr(tzo, child).ancestors()
        definition = getattr(tzo, child).equivalent_to
        assert len(definition) == 1
        assert getattr(tzo, parent) in definition[0].Classes
        assert getattr(tzo, level) in [
            part.value for part in definition[0].Classes if hasattr(part, "value")
        ]


def test_hermit_classifies_platforms(ntriples: Path) -> None:
    world, tzo = _world(ntriples)
    with world.get_ontology("http://example.org/tzkg-sample#"):
        lab = tzo.KeyLaboratory("lab")
        lab.level = tzo.National
        centre = tzo.EnterpriseTechnologyCentre("centre")
        centre.level = tzo.Provincial
        field = tzo.IndustrialField("field")
        cluster = tzo.IndustrialCluster("cluster")
        field.inCluster = [cluster]
        lab.supports = [field]
    owlready2.sync_reasoner(world, infer_property_values=True, debug=0)
    assert tzo.NationalKeyLaboratory in lab.is_a
    assert tzo.ProvincialEnterpriseTechnologyCentre in centre.is_a
    assert tzo.NationalEnterpriseTechnologyCentre not in centre.is_a
    assert cluster in lab.supports  # supports o inCluster -> supports


def test_hermit_rejects_two_levels(ntriples: Path) -> None:
    world, tzo = _world(ntriples)
    with world.get_ontology("http://example.org/tzkg-sample#"):
        lab = tzo.KeyLaboratory("lab")
        lab.level = tzo.National
        # level is functional and the levels are distinct: a second level is a contradiction.
        lab.is_a.append(tzo.level.value(tzo.Provincial))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner(world, debug=0)


# --- the loader -------------------------------------------------------------------------------


def test_load_ontology(graph: rdflib.Graph) -> None:
    quads = list(load_ontology(Settings(ontology_dir=TTL.parent)))
    assert len(quads) == len(graph)
    assert {quad.graph_name for quad in quads} == {ONTOLOGY_GRAPH}


def test_load_ontology_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "tzkg.ttl").write_text(
        '@prefix tzo: <https://w3id.org/tzkg/ontology#> .\ntzo:Plan a "unclosed .\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        list(load_ontology(Settings(ontology_dir=tmp_path)))
    assert caught.value.where is not None
    assert caught.value.where.startswith(f"{tmp_path / 'tzkg.ttl'}:2:")


def test_load_ontology_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        list(load_ontology(Settings(ontology_dir=tmp_path)))
    assert caught.value.where == str(tmp_path / "tzkg.ttl")
