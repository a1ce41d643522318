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

The quads are written as N-Quads text and bulk-loaded by Oxigraph's parser: making two million
pyoxigraph terms in Python costs more than the load itself. `roster_quads` parses the same text
for callers that want Quad objects (the build), so there is one way of writing a roster.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from tzkg.config import Settings
from tzkg.loaders.roster.prepare import PreparedRoster, Record
from tzkg.vocab import ADMS, DCAT, DCT, LEGAL, PROV, RDF, RDFS, SKOS, TZO, XSD

MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}
LINES_PER_BATCH = 125_000
"""N-Quads lines per bulk-load call: bounds the loader's memory (100,000 rows: 630 MB peak;
250,000 lines a batch load as fast and peak at 870 MB)."""


def _i(value: str) -> str:
    return f"<{value}>"


_A = _i(RDF + "type")
_LABEL = _i(RDFS + "label")
_DESCRIBES = _i(TZO + "describes")
_ROW = _i(TZO + "RosterRow")
_ROW_NUMBER = _i(TZO + "rowNumber")
_DERIVED = _i(PROV + "wasDerivedFrom")
_VALUE = _i(PROV + "value")
_LEGAL_NAME = _i(LEGAL + "legalName")
_IDENTIFIER = _i(LEGAL + "legalIdentifier")
_ADMS_IDENTIFIER = _i(ADMS + "Identifier")
_NOTATION = _i(SKOS + "notation")
_USCC = _i(TZO + "uscc")
_LOCATED = _i(TZO + "locatedIn")
_ENTERPRISE = _i(TZO + "Enterprise")
_PLATFORM = _i(TZO + "InnovationPlatform")
_LEVEL = _i(TZO + "level")
_HOSTED_BY = _i(TZO + "hostedBy")
_HOSTS = _i(TZO + "hosts")
_DESIGNATION = _i(TZO + "Designation")
_HAS_DESIGNATION = _i(TZO + "hasDesignation")
_DESIGNATION_KIND = _i(TZO + "designationKind")
_DESIGNATION_YEAR = _i(TZO + "designationYear")
_INTEGER = XSD + "integer"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'["\\\n\r]')


def literal(text: str, language: str | None = None) -> str:
    """A string literal in N-Quads syntax (with a language tag if given)."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"@{language}' if language else f'"{text}"'


def integer(value: int) -> str:
    """An xsd:integer literal in N-Quads syntax."""
    return f'"{value}"^^<{_INTEGER}>'


def timestamp(moment: dt.datetime) -> str:
    """An xsd:dateTime literal (UTC) in N-Quads syntax."""
    text = moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f'"{text}"^^<{XSD}dateTime>'


class RosterEmitter:
    """Writes the quads of one prepared roster as N-Quads lines."""

    def __init__(self, prepared: PreparedRoster, settings: Settings) -> None:
        self.p = prepared
        self.settings = settings
        self.base = (
            settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
        )
        self.g = _i(prepared.graph)
        self.file = _i(prepared.graph + "/file")
        self.kind = _i(f"{self.base}scheme/roster-kinds/{prepared.mapping.kind}")
        self._described: set[str] = set()
        self.records_done = 0

    def lines(self, finished: dt.datetime | None = None) -> Iterator[str]:
        """Every quad as an N-Quads line: the description of the load, then the rows."""
        yield from self.description(finished or dt.datetime.now(dt.UTC))
        for record in self.p.records:
            yield from self.record(record)
            self.records_done += 1

    def line(self, s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {self.g} .\n"

    # --- the load ----------------------------------------------------------------------------
    def description(self, finished: dt.datetime) -> Iterator[str]:
        p, g, m, file = self.p, self.g, self.p.mapping, self.file
        load = _i(p.graph + "/load")
        scheme = _i(f"{self.base}scheme/roster-kinds")
        title = p.layout.title[0] if p.layout.title else p.path.name
        media = "https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[p.table.format]
        facts: list[tuple[str, str, str]] = [
            (g, _A, _i(DCAT + "Dataset")),
            (g, _A, _i(PROV + "Entity")),
            (g, _i(DCT + "title"), literal(title, "zh")),
            (g, _i(DCT + "type"), self.kind),
            (g, _i(DCAT + "distribution"), file),
            (g, _DERIVED, file),
            (g, _i(PROV + "wasGeneratedBy"), load),
            (file, _A, _i(DCAT + "Distribution")),
            (file, _i(DCT + "title"), literal(p.path.name)),
            (file, _i(TZO + "sha256"), literal(p.sha256)),
            (file, _i(DCAT + "byteSize"), integer(p.size)),
            (file, _i(DCAT + "mediaType"), _i(media)),
            (load, _A, _i(PROV + "Activity")),
            (load, _i(PROV + "used"), file),
            (load, _i(PROV + "startedAtTime"), timestamp(p.started)),
            (load, _i(PROV + "endedAtTime"), timestamp(finished)),
            (load, _i(TZO + "rowsRead"), integer(p.data_rows)),
            (load, _i(TZO + "rowsLoaded"), integer(p.loaded)),
            (load, _i(TZO + "rowsRejected"), integer(p.rejected)),
            (self.kind, _A, _i(SKOS + "Concept")),
            (self.kind, _i(SKOS + "inScheme"), scheme),
            (self.kind, _i(SKOS + "prefLabel"), literal(m.title_zh, "zh")),
            (self.kind, _i(SKOS + "prefLabel"), literal(m.title_en, "en")),
            (self.kind, _NOTATION, literal(m.kind)),
            (scheme, _A, _i(SKOS + "ConceptScheme")),
            (scheme, _i(SKOS + "prefLabel"), literal("名单类型", "zh")),
            (scheme, _i(SKOS + "prefLabel"), literal("Roster kinds", "en")),
        ]
        if m.status_zh:
            facts.append((self.kind, _i(SKOS + "altLabel"), literal(m.status_zh, "zh")))
        if m.status_en:
            facts.append((self.kind, _i(SKOS + "altLabel"), literal(m.status_en, "en")))
        if p.year is not None:
            facts.append((g, _DESIGNATION_YEAR, integer(p.year)))
        source = self.source_file()
        if source is not None:
            facts.append((file, _i(TZO + "sourceFile"), literal(source)))
        for s, pr, o in facts:
            yield self.line(s, pr, o)

    def source_file(self) -> str | None:
        """The file's path relative to the data directory, when it is under it."""
        try:
            return self.p.path.resolve().relative_to(self.settings.data_dir.resolve()).as_posix()
        except ValueError:
            return None

    # --- rows --------------------------------------------------------------------------------
    def record(self, r: Record) -> Iterator[str]:
        line = self.line
        row = f"<{self.p.graph}/row/{r.row}>"
        subject = _i(r.subject)
        yield line(row, _A, _ROW)
        yield line(row, _ROW_NUMBER, integer(r.row))
        yield line(row, _DERIVED, self.file)
        yield line(row, _VALUE, literal("\t".join(r.cells)))
        yield line(row, _DESCRIBES, subject)
        m = self.p.mapping
        if m.subject == "platform":
            yield from self.platform(r, subject)
        else:
            yield from self.enterprise(subject, r.name, r.code, r.new)
        if r.division is not None:
            yield line(subject, _LOCATED, self.division(r.division.county))
            if r.division.township:
                yield line(subject, _LOCATED, self.division(r.division.township))
        designation: str | None = None
        if m.confers_designation:
            designation = self.designation(r)
            yield line(subject, _HAS_DESIGNATION, designation)
            yield line(designation, _A, _DESIGNATION)
            yield line(designation, _DESIGNATION_KIND, self.kind)
            yield line(designation, _DERIVED, row)
            # the Chinese label only: the English one is the kind's skos:altLabel@en and the year
            label = m.status_zh if r.year is None else f"{m.status_zh}({r.year})"
            yield line(designation, _LABEL, literal(str(label), "zh"))
            if r.year is not None:
                yield line(designation, _DESIGNATION_YEAR, integer(r.year))
        for extra, value in r.extras:
            target = designation if extra.on == "designation" and designation else subject
            yield line(target, _i(extra.property.value), self.field_value(value, extra.datatype))

    def enterprise(self, node: str, name: str, code: str | None, new: bool) -> Iterator[str]:
        line = self.line
        if node not in self._described:
            self._described.add(node)
            yield line(node, _A, _ENTERPRISE)
            if new:
                yield line(node, _LABEL, literal(name, "zh"))
        yield line(node, _LEGAL_NAME, literal(name, "zh"))
        if code:
            identifier = f"<{self.base}id/uscc/{code}>"
            yield line(node, _USCC, literal(code))
            yield line(node, _IDENTIFIER, identifier)
            yield line(identifier, _A, _ADMS_IDENTIFIER)
            yield line(identifier, _NOTATION, literal(code))

    def platform(self, r: Record, node: str) -> Iterator[str]:
        line = self.line
        yield line(node, _A, _PLATFORM)
        for cls in r.classes:
            yield line(node, _A, _i(TZO + cls))
        if r.new:
            yield line(node, _LABEL, literal(r.name, "zh"))
        if r.level is not None:
            yield line(node, _LEVEL, _i(TZO + r.level))
        if r.host is not None and r.host_name:
            host = _i(r.host)
            yield line(node, _HOSTED_BY, host)
            yield line(host, _HOSTS, node)
            yield from self.enterprise(host, r.host_name, r.host_code, r.host_new)

    def designation(self, r: Record) -> str:
        local = r.subject[len(self.base) + 3 :] if r.subject.startswith(self.base + "id/") else ""
        year = str(r.year) if r.year is not None else "undated"
        return f"<{self.base}id/designation/{self.p.mapping.kind}/{year}/{local}>"

    def division(self, code: str) -> str:
        return f"<{self.base}id/division/{code}>"

    @staticmethod
    def field_value(value: str, datatype: str) -> str:
        if datatype == "iri" and value.startswith(("http://", "https://")) and " " not in value:
            try:
                return _i(NamedNode(value).value)  # the constructor checks the IRI
            except ValueError:
                pass
        return literal(value, "zh" if datatype == "zh" else None)


def roster_nquads(
    prepared: PreparedRoster,
    settings: Settings,
    *,
    batch: int = LINES_PER_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[bytes]:
    """The quads of a prepared roster as N-Quads, in batches of `batch` lines; `progress` hears
    (records written, records) before each batch is handed on."""
    emitter = RosterEmitter(prepared, settings)
    total = len(prepared.records)
    lines: list[str] = []
    for text in emitter.lines():
        lines.append(text)
        if len(lines) >= batch:
            if progress is not None:
                progress(emitter.records_done, total)
            yield "".join(lines).encode("utf-8")
            lines = []
    if progress is not None:
        progress(total, total)
    if lines:
        yield "".join(lines).encode("utf-8")


def roster_quads(prepared: PreparedRoster, settings: Settings) -> Iterator[Quad]:
    """The quads of a prepared roster, in its named graph (parsed from `roster_nquads`)."""
    for chunk in roster_nquads(prepared, settings):
        yield from parse(chunk, RdfFormat.N_QUADS)
