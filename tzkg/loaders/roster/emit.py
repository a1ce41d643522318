"""The quads of a prepared roster, all in its one named graph, each fact traceable to its row.

Shape (G = `{base}graph/roster/<file>`):
- G a dcat:Dataset, prov:Entity; dct:type the roster kind (a SKOS concept); dcat:distribution and
  prov:wasDerivedFrom the file `G/file` (dct:title, tzo:sha256, dcat:byteSize, dcat:mediaType,
  tzo:sourceFile when under data/); prov:wasGeneratedBy the load `G/load` (prov:Activity with its
  times and tzo:rowsRead / rowsLoaded / rowsRejected).
- each loaded row `G/row/<n>`: tzo:RosterRow, tzo:rowNumber, prov:wasDerivedFrom the file,
  prov:value the row's cells as written (tab-separated), tzo:describes the subject.
- the subject (enterprise or platform) with what the row says about it, and, when the roster
  confers one, its designation `{base}id/designation/<kind>/<year>/<subject>` (tzo:Designation,
  prov:wasDerivedFrom the row).
Which file and row says a fact: the row that tzo:describes its subject in the fact's graph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from tzkg.config import Settings
from tzkg.loaders.roster.prepare import PreparedRoster, Record
from tzkg.vocab import ADMS, DCAT, DCT, LABEL, LEGAL, PROV, SKOS, XSD, A, iri, tzo

MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
INTEGER = NamedNode(XSD + "integer")
DATE_TIME = NamedNode(XSD + "dateTime")

_TYPE = A
_DESCRIBES = tzo("describes")
_ROW = tzo("RosterRow")
_ROW_NUMBER = tzo("rowNumber")
_DERIVED = iri(PROV, "wasDerivedFrom")
_VALUE = iri(PROV, "value")
_LEGAL_NAME = iri(LEGAL, "legalName")
_IDENTIFIER = iri(LEGAL, "legalIdentifier")
_NOTATION = iri(SKOS, "notation")
_IN_SCHEME = iri(SKOS, "inScheme")
_USCC = tzo("uscc")
_LOCATED = tzo("locatedIn")
_ENTERPRISE = tzo("Enterprise")
_PLATFORM = tzo("InnovationPlatform")
_DESIGNATION = tzo("Designation")
_HAS_DESIGNATION = tzo("hasDesignation")
_DESIGNATION_KIND = tzo("designationKind")
_DESIGNATION_YEAR = tzo("designationYear")


def zh(text: str) -> Literal:
    """A Chinese-language literal."""
    return Literal(text, language="zh")


def integer(value: int, datatype: NamedNode = INTEGER) -> Literal:
    """An integer literal."""
    return Literal(str(value), datatype=datatype)


def timestamp(moment: dt.datetime) -> Literal:
    """An xsd:dateTime literal in UTC."""
    text = moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Literal(text, datatype=DATE_TIME)


class RosterEmitter:
    """Writes the quads of one prepared roster."""

    def __init__(self, prepared: PreparedRoster, settings: Settings) -> None:
        self.p = prepared
        self.settings = settings
        self.base = (
            settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
        )
        self.graph = NamedNode(prepared.graph)
        self.file = NamedNode(prepared.graph + "/file")
        self.kind = NamedNode(f"{self.base}scheme/roster-kinds/{prepared.mapping.kind}")
        self._described: set[str] = set()

    def quads(self, finished: dt.datetime | None = None) -> Iterator[Quad]:
        """Every quad: the description of the load, then the rows."""
        yield from self.description(finished or dt.datetime.now(dt.UTC))
        for record in self.p.records:
            yield from self.record(record)

    # --- the load ----------------------------------------------------------------------------
    def description(self, finished: dt.datetime) -> Iterator[Quad]:
        p, g, m = self.p, self.graph, self.p.mapping
        load = NamedNode(p.graph + "/load")
        scheme = NamedNode(f"{self.base}scheme/roster-kinds")
        title = p.layout.title[0] if p.layout.title else p.path.name
        facts: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
            (g, A, iri(DCAT, "Dataset")),
            (g, A, iri(PROV, "Entity")),
            (g, iri(DCT, "title"), zh(title)),
            (g, iri(DCT, "type"), self.kind),
            (g, iri(DCAT, "distribution"), self.file),
            (g, _DERIVED, self.file),
            (g, iri(PROV, "wasGeneratedBy"), load),
            (self.file, A, iri(DCAT, "Distribution")),
            (self.file, iri(DCT, "title"), Literal(p.path.name)),
            (self.file, tzo("sha256"), Literal(p.sha256)),
            (self.file, iri(DCAT, "byteSize"), integer(p.size)),
            (
                self.file,
                iri(DCAT, "mediaType"),
                NamedNode(
                    "https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[p.table.format]
                ),
            ),
            (load, A, iri(PROV, "Activity")),
            (load, iri(PROV, "used"), self.file),
            (load, iri(PROV, "startedAtTime"), timestamp(p.started)),
            (load, iri(PROV, "endedAtTime"), timestamp(finished)),
            (load, tzo("rowsRead"), integer(p.data_rows)),
            (load, tzo("rowsLoaded"), integer(p.loaded)),
            (load, tzo("rowsRejected"), integer(p.rejected)),
            (self.kind, A, iri(SKOS, "Concept")),
            (self.kind, _IN_SCHEME, scheme),
            (self.kind, iri(SKOS, "prefLabel"), zh(m.title_zh)),
            (self.kind, iri(SKOS, "prefLabel"), Literal(m.title_en, language="en")),
            (self.kind, _NOTATION, Literal(m.kind)),
            *([(self.kind, iri(SKOS, "altLabel"), zh(m.status_zh))] if m.status_zh else []),
            *(
                [(self.kind, iri(SKOS, "altLabel"), Literal(m.status_en, language="en"))]
                if m.status_en
                else []
            ),
            (scheme, A, iri(SKOS, "ConceptScheme")),
            (scheme, iri(SKOS, "prefLabel"), zh("名单类型")),
            (scheme, iri(SKOS, "prefLabel"), Literal("Roster kinds", language="en")),
        ]
        if p.year is not None:
            facts.append((g, _DESIGNATION_YEAR, integer(p.year)))
        source = self.source_file()
        if source is not None:
            facts.append((self.file, tzo("sourceFile"), Literal(source)))
        for s, pr, o in facts:
            yield Quad(s, pr, o, g)

    def source_file(self) -> str | None:
        """The file's path relative to the data directory, when it is under it."""
        try:
            return self.p.path.resolve().relative_to(self.settings.data_dir.resolve()).as_posix()
        except ValueError:
            return None

    # --- rows --------------------------------------------------------------------------------
    def record(self, r: Record) -> Iterator[Quad]:
        g = self.graph
        row = NamedNode(f"{self.p.graph}/row/{r.row}")
        subject = NamedNode(r.subject)
        yield Quad(row, _TYPE, _ROW, g)
        yield Quad(row, _ROW_NUMBER, integer(r.row), g)
        yield Quad(row, _DERIVED, self.file, g)
        yield Quad(row, _VALUE, Literal("\t".join(r.cells)), g)
        yield Quad(row, _DESCRIBES, subject, g)
        m = self.p.mapping
        if m.subject == "platform":
            yield from self.platform(r, subject)
        else:
            yield from self.enterprise(subject, r.name, r.code, r.new)
        if r.division is not None:
            yield Quad(subject, _LOCATED, self.division(r.division.county), g)
            if r.division.township:
                yield Quad(subject, _LOCATED, self.division(r.division.township), g)
        designation: NamedNode | None = None
        if m.confers_designation:
            designation = self.designation(r)
            yield Quad(subject, _HAS_DESIGNATION, designation, g)
            yield Quad(designation, _TYPE, _DESIGNATION, g)
            yield Quad(designation, _DESIGNATION_KIND, self.kind, g)
            yield Quad(designation, _DERIVED, row, g)
            # the Chinese label only: the English one is the kind's skos:altLabel@en and the year
            label = m.status_zh if r.year is None else f"{m.status_zh}({r.year})"
            yield Quad(designation, LABEL, zh(str(label)), g)
            if r.year is not None:
                yield Quad(designation, _DESIGNATION_YEAR, integer(r.year), g)
        for extra, value in r.extras:
            target = designation if extra.on == "designation" and designation else subject
            yield Quad(target, extra.property, self.field_value(value, extra.datatype), g)

    def enterprise(self, node: NamedNode, name: str, code: str | None, new: bool) -> Iterator[Quad]:
        g = self.graph
        if node.value not in self._described:
            self._described.add(node.value)
            yield Quad(node, _TYPE, _ENTERPRISE, g)
            if new:
                yield Quad(node, LABEL, zh(name), g)
        yield Quad(node, _LEGAL_NAME, zh(name), g)
        if code:
            identifier = NamedNode(f"{self.base}id/uscc/{code}")
            yield Quad(node, _USCC, Literal(code), g)
            yield Quad(node, _IDENTIFIER, identifier, g)
            yield Quad(identifier, _TYPE, iri(ADMS, "Identifier"), g)
            yield Quad(identifier, _NOTATION, Literal(code), g)

    def platform(self, r: Record, node: NamedNode) -> Iterator[Quad]:
        g = self.graph
        yield Quad(node, _TYPE, _PLATFORM, g)
        for cls in r.classes:
            yield Quad(node, _TYPE, tzo(cls), g)
        if r.new:
            yield Quad(node, LABEL, zh(r.name), g)
        if r.level is not None:
            yield Quad(node, tzo("level"), tzo(r.level), g)
        if r.host is not None and r.host_name:
            host = NamedNode(r.host)
            yield Quad(node, tzo("hostedBy"), host, g)
            yield Quad(host, tzo("hosts"), node, g)
            yield from self.enterprise(host, r.host_name, r.host_code, r.host_new)

    def designation(self, r: Record) -> NamedNode:
        local = r.subject[len(self.base) + 3 :] if r.subject.startswith(self.base + "id/") else ""
        year = str(r.year) if r.year is not None else "undated"
        return NamedNode(f"{self.base}id/designation/{self.p.mapping.kind}/{year}/{local}")

    def division(self, code: str) -> NamedNode:
        return NamedNode(f"{self.base}id/division/{code}")

    @staticmethod
    def field_value(value: str, datatype: str) -> NamedNode | Literal:
        if datatype == "iri" and value.startswith(("http://", "https://")) and " " not in value:
            try:
                return NamedNode(value)
            except ValueError:
                pass
        if datatype == "zh":
            return zh(value)
        return Literal(value)


def roster_quads(prepared: PreparedRoster, settings: Settings) -> Iterator[Quad]:
    """The quads of a prepared roster, in its named graph."""
    return RosterEmitter(prepared, settings).quads()
