"""Writes plan facts as quads: each fact in the named graph of the sentence that states it."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from tzkg.iris import IriMinter
from tzkg.loaders.plan.text import PlanText, Sentence
from tzkg.vocab import (
    ALT_LABEL,
    LABEL,
    OA,
    PREF_LABEL,
    PROV,
    RDF,
    SKOS,
    XSD,
    A,
    iri,
    tzo,
)

Object = NamedNode | Literal
SKOS_CONCEPT_CLASSES = {
    "IndustrialCluster",
    "IndustrialField",
    "KeyTechnology",
    "FocusArea",
    "Indicator",
}
QUOTE_CONTEXT = 24  # characters of oa:prefix / oa:suffix
SCHEMES: dict[str, tuple[str, str]] = {
    "industries": ("产业集群与领域", "Industrial clusters and their fields"),
    "technologies": ("关键技术", "Key technologies"),
    "focus-areas": ("重点发展方向", "Focus areas"),
    "indicators": ("目标指标", "Indicators of targets"),
}
"""The SKOS concept schemes the plan loader fills: (zh, en) labels."""


def zh(text: str) -> Literal:
    """A Chinese-language literal."""
    return Literal(text, language="zh")


def integer(value: int) -> Literal:
    """An xsd:integer literal."""
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


class PlanGraph:
    """Collects the quads of one plan; a triple is written once, in the first span stating it."""

    def __init__(self, text: PlanText, minter: IriMinter, plan_slug: str) -> None:
        self.text = text
        self.minter = minter
        self.plan_slug = plan_slug
        self.plan = minter.path("id", "plan", plan_slug)
        self.document_graph = minter.path("graph", "plan", plan_slug, "document")
        self.provenance_graph = minter.path("graph", "plan", plan_slug, "provenance")
        self.quads: list[Quad] = []
        self._seen: set[tuple[NamedNode, NamedNode, Object]] = set()
        self._spans: dict[tuple[int, int], NamedNode] = {}
        self.titled = False
        self._schemes: list[str] = []

    # --- provenance --------------------------------------------------------------------------
    def paragraph_iri(self, index: int) -> NamedNode:
        """The resource of a paragraph of this plan."""
        return self.minter.path("id", "plan", self.plan_slug, "paragraph", str(index))

    def span(self, sentence: Sentence) -> NamedNode:
        """The named graph (and oa:SpecificResource) of one source sentence."""
        key = (sentence.paragraph, sentence.index)
        if key in self._spans:
            return self._spans[key]
        node = self.minter.path(
            "id", "plan", self.plan_slug, "span", f"{sentence.paragraph}-{sentence.index + 1}"
        )
        self._spans[key] = node
        self._describe_span(node, sentence.start, sentence.end, sentence.paragraph)
        return node

    def _describe_span(self, node: NamedNode, start: int, end: int, paragraph: int) -> None:
        raw = self.text.raw
        quote = NamedNode(node.value + "#quote")
        position = NamedNode(node.value + "#position")
        g = self.provenance_graph
        facts: list[tuple[NamedNode, NamedNode, Object]] = [
            (node, A, tzo("SourceSpan")),
            (node, iri(PROV, "wasDerivedFrom"), self.paragraph_iri(paragraph)),
            (node, iri(OA, "hasSource"), self.plan),
            (node, tzo("text"), zh(raw[start:end])),
            (node, iri(OA, "hasSelector"), quote),
            (node, iri(OA, "hasSelector"), position),
            (quote, A, iri(OA, "TextQuoteSelector")),
            (quote, iri(OA, "exact"), Literal(raw[start:end])),
            (quote, iri(OA, "prefix"), Literal(raw[max(0, start - QUOTE_CONTEXT) : start])),
            (quote, iri(OA, "suffix"), Literal(raw[end : end + QUOTE_CONTEXT])),
            (position, A, iri(OA, "TextPositionSelector")),
            (
                position,
                iri(OA, "start"),
                Literal(str(start), datatype=NamedNode(XSD + "nonNegativeInteger")),
            ),
            (
                position,
                iri(OA, "end"),
                Literal(str(end), datatype=NamedNode(XSD + "nonNegativeInteger")),
            ),
        ]
        self.quads.extend(Quad(s, p, o, g) for s, p, o in facts)

    # --- facts -------------------------------------------------------------------------------
    def fact(self, s: NamedNode, p: NamedNode, o: Object, where: Sentence | None) -> None:
        """Add one triple to the graph of the sentence that states it (document graph if None)."""
        if (s, p, o) in self._seen:
            return
        self._seen.add((s, p, o))
        graph = self.span(where) if where is not None else self.document_graph
        self.quads.append(Quad(s, p, o, graph))

    def entity(self, kind: str, name: str, classes: list[str], where: Sentence | None) -> NamedNode:
        """Mint (or find) a named entity, typing and labelling it where it is first stated."""
        canonical = self.minter.labels.canonical(kind, name)
        node = self.minter.entity(kind, canonical)
        for cls in classes:
            self.fact(node, A, tzo(cls), where)
        self.fact(node, LABEL, zh(canonical), where)
        self.reviewed_labels(node, kind, canonical)
        if any(cls in SKOS_CONCEPT_CLASSES for cls in classes):
            self.fact(node, PREF_LABEL, zh(canonical), where)
        if name != canonical:
            self.fact(node, ALT_LABEL, zh(name), where)
        return node

    def reviewed_labels(self, node: NamedNode, kind: str, name: str) -> None:
        """English label and aliases from data/labels.csv, in the labels graph."""
        entry = self.minter.labels.find(kind, name)
        if entry is None:
            return
        graph = self.minter.path("graph", "labels")
        for p, o in [(LABEL, Literal(entry.en, language="en"))] + [
            (ALT_LABEL, zh(alias)) for alias in entry.aliases
        ]:
            if entry.en or p == ALT_LABEL:
                key = (node, p, o)
                if key not in self._seen:
                    self._seen.add(key)
                    self.quads.append(Quad(node, p, o, graph))

    def concept_in_scheme(
        self, node: NamedNode, scheme: str, where: Sentence | None, *, top: bool = True
    ) -> None:
        """Put a SKOS concept in a concept scheme (as a top concept unless `top=False`)."""
        scheme_node = self.minter.path("scheme", scheme)
        self.fact(node, iri(SKOS, "inScheme"), scheme_node, where)
        if top:
            self.fact(node, iri(SKOS, "topConceptOf"), scheme_node, where)
            self.fact(scheme_node, iri(SKOS, "hasTopConcept"), node, where)
        if scheme not in self._schemes:
            self._schemes.append(scheme)

    def list_order(self, node: NamedNode, order: int, where: Sentence | None) -> None:
        """The order of a resource among its siblings."""
        self.fact(node, tzo("order"), integer(order), where)

    def finish(self) -> list[Quad]:
        """The quads, with the concept schemes and the descriptions of the document graphs."""
        for scheme in self._schemes:
            node = self.minter.path("scheme", scheme)
            label_zh, label_en = SCHEMES[scheme]
            self.fact(node, A, iri(SKOS, "ConceptScheme"), None)
            self.fact(node, LABEL, zh(label_zh), None)
            self.fact(node, LABEL, Literal(label_en, language="en"), None)
            self.fact(node, PREF_LABEL, zh(label_zh), None)
        for graph in (self.document_graph, self.provenance_graph):
            self.quads.append(
                Quad(graph, iri(PROV, "wasDerivedFrom"), self.plan, self.provenance_graph)
            )
        self.quads.append(
            Quad(self.plan, iri(RDF, "type"), iri(PROV, "Entity"), self.document_graph)
        )
        return self.quads
