"""Where a finding comes from, and the report in text, JSON and Turtle (the SHACL vocabulary).

A finding's place is the source of the facts about its focus node: the sentence of the plan
(file:line and the quoted sentence), the roster row (file:row) or the reference table row.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib import RDF, URIRef
from rdflib.namespace import SH

from tzkg.config import PROJECT_ROOT, Settings
from tzkg.store import OxigraphStore
from tzkg.validation.engine import Finding, ValidationReport, excluded_graphs, severities
from tzkg.vocab import PREFIXES

MAX_LOCATED = 500
"""Findings beyond this many (in report order) are listed without their source place."""
QUOTE_CHARS = 60
_ROW_GRAPH = re.compile(r"/row/(\d+)$")

_PLACES = """
PREFIX tzo: <https://w3id.org/tzkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?focus ?g ?start ?exact ?plan ?row ?file WHERE {
  VALUES ?focus { %s }
  {
    GRAPH ?g { ?focus ?p ?o } FILTER(?g NOT IN (%s))
  } UNION {
    BIND(?focus AS ?g) FILTER(isIRI(?focus))
  }
  OPTIONAL {
    ?g a tzo:SourceSpan ; oa:hasSource ?plan ; oa:hasSelector ?q , ?pos .
    ?q oa:exact ?exact . ?pos oa:start ?start .
  }
  OPTIONAL { ?r tzo:describes ?focus ; tzo:rowNumber ?row ;
             prov:wasDerivedFrom/tzo:sourceFile ?file }
  OPTIONAL { ?focus a tzo:RosterRow ; tzo:rowNumber ?row ;
             prov:wasDerivedFrom/tzo:sourceFile ?file }
  OPTIONAL { ?g prov:wasDerivedFrom|dcat:distribution ?src . ?src tzo:sourceFile ?file }
}
"""

_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?focus ?label WHERE {
  VALUES ?focus { %s } ?focus rdfs:label ?label FILTER(LANG(?label) = "zh")
}
"""


def locate(store: OxigraphStore, report: ValidationReport, settings: Settings) -> ValidationReport:
    """Fill in label, place (`where`) and quoted source of the first `MAX_LOCATED` findings."""
    focuses = []
    for finding in report.findings[:MAX_LOCATED]:
        if finding.focus.startswith(("http://", "https://")) and finding.focus not in focuses:
            focuses.append(finding.focus)
    if not focuses:
        return report
    values = " ".join(f"<{iri}>" for iri in focuses)
    labels: dict[str, str] = {}
    for row in store.query(_LABELS % values).rows:
        labels.setdefault(row["focus"].value, row["label"].value)  # type: ignore[union-attr]
    excluded = ", ".join(str(g) for g in excluded_graphs(settings))
    places: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    plan_texts: dict[str, str | None] = {}
    for row in store.query(_PLACES % (values, excluded)).rows:
        focus = row["focus"].value  # type: ignore[union-attr]
        place = _place(row, settings, plan_texts)
        if place is not None:
            places[focus].append(place)
    located = []
    for index, finding in enumerate(report.findings):
        if index >= MAX_LOCATED:
            located.append(finding)
            continue
        best = sorted(places.get(finding.focus, []))[:1]
        where, quote = (best[0][1], best[0][2]) if best else (None, None)
        located.append(replace(finding, label=labels.get(finding.focus), where=where, quote=quote))
    report.findings = located
    return report


def _place(
    row: Mapping[str, object], settings: Settings, plan_texts: dict[str, str | None]
) -> tuple[int, str, str | None] | None:
    """(rank, where, quote) for one answer of _PLACES; sentences rank before rows and files."""
    exact, start, plan = row.get("exact"), row.get("start"), row.get("plan")
    if isinstance(exact, Literal) and isinstance(start, Literal) and isinstance(plan, NamedNode):
        slug = plan.value.rstrip("/").rsplit("/", 1)[-1]
        path = settings.data_dir / "plan" / f"{slug}.txt"
        if path.as_posix() not in plan_texts:
            try:
                plan_texts[path.as_posix()] = path.read_text(encoding="utf-8")
            except OSError:
                plan_texts[path.as_posix()] = None
        text = plan_texts[path.as_posix()]
        line = text[: int(start.value)].count("\n") + 1 if text is not None else None
        where = f"{_shown(path)}:{line}" if line else f"{_shown(path)}@{start.value}"
        quote = exact.value
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        return (0, where, quote)
    file, number = row.get("file"), row.get("row")
    if isinstance(file, Literal):
        path = settings.data_dir / file.value
        graph = row.get("g")
        if not isinstance(number, Literal) and isinstance(graph, NamedNode):
            match = _ROW_GRAPH.search(graph.value)
            number = Literal(match[1]) if match else None
        if isinstance(number, Literal):
            return (1, f"{_shown(path)}:{number.value}", None)
        return (2, _shown(path), None)
    return None


def _shown(path: Path) -> str:
    """A path relative to the project (or the working directory) when it is below it."""
    for root in (Path.cwd(), PROJECT_ROOT):
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


# --- rendering ------------------------------------------------------------------------------------


def compact(iri: str, base_iri: str) -> str:
    """`tzo:X`, `<id/x>` below the base IRI, or the IRI."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    if best:
        name = next(n for n, ns in PREFIXES.items() if ns == best)
        return f"{name}:{iri[len(best) :]}"
    if iri.startswith("https://w3id.org/tzkg/shapes#"):
        return "tzsh:" + iri.rsplit("#", 1)[-1]
    if base_iri and iri.startswith(base_iri):
        return f"<{iri[len(base_iri) :]}>"
    return iri


def summary(report: ValidationReport) -> str:
    """One line: how many violations and warnings."""
    counts = severities(report.findings)
    return (
        f"{counts['Violation']} violation{'s' if counts['Violation'] != 1 else ''}, "
        f"{counts['Warning']} warning{'s' if counts['Warning'] != 1 else ''}"
    )


def render_text(report: ValidationReport, base_iri: str, *, limit: int = 20) -> str:
    """The report grouped by shape: focus label, path, message, source place and sentence."""
    lines = [
        f"{summary(report)} ({report.data_triples} triples checked against the shapes, "
        f"{report.checks} violation queries, {report.seconds.get('total', 0):.1f} s)"
    ]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[(finding.severity, finding.shape)].append(finding)
    for (severity, shape), items in groups.items():
        title = report.shape_labels.get(shape, "")
        name = shape if shape.startswith("check:") else compact(shape, base_iri)
        lines.append("")
        lines.append(f"{severity} · {name}{f' ({title})' if title else ''} · {len(items)}")
        for finding in items[:limit]:
            lines.extend("  " + line for line in finding_lines(finding, base_iri))
        if len(items) > limit:
            lines.append(f"  … and {len(items) - limit} more")
    return "\n".join(lines)


def finding_lines(finding: Finding, base_iri: str) -> list[str]:
    """The lines of one finding in the text report."""
    focus = compact(finding.focus, base_iri) if finding.focus else "(no focus)"
    head = f"{finding.label} {focus}" if finding.label else focus
    path = f"  {compact(finding.path, base_iri)}" if finding.path else ""
    value = f" = {finding.value}" if finding.value and finding.value != finding.focus else ""
    lines = [f"{head}{path}{value}: {finding.message}"]
    if finding.where:
        lines.append(f"    at {finding.where}" + (f" “{finding.quote}”" if finding.quote else ""))
    return lines


def one_line(report: ValidationReport, base_iri: str, *, shown: int = 3) -> str:
    """The build's refusal: the counts and the first violations with their places."""
    parts = []
    for finding in report.violations[:shown]:
        focus = finding.label or compact(finding.focus, base_iri)
        where = f" ({finding.where})" if finding.where else ""
        parts.append(f"{focus}{where}: {finding.message}")
    more = len(report.violations) - shown
    tail = f"; … {more} more (tzkg validate lists them)" if more > 0 else ""
    return f"{summary(report)}, not published: " + "; ".join(parts) + tail


def render_json(report: ValidationReport) -> str:
    """The report as JSON."""
    counts = severities(report.findings)
    return json.dumps(
        {
            "conforms": report.conforms,
            "violations": counts["Violation"],
            "warnings": counts["Warning"],
            "checked_triples": report.data_triples,
            "violation_queries": report.checks,
            "seconds": report.seconds,
            "findings": [f.to_dict() for f in report.findings],
        },
        ensure_ascii=False,
        indent=2,
    )


def report_graph(findings: Sequence[Finding], conforms: bool, base_iri: str) -> rdflib.Graph:
    """A SHACL validation report graph (violation queries as results of their .rq file)."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    graph.bind("tzsh", "https://w3id.org/tzkg/shapes#")
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(conforms)))
    for finding in findings:
        result = rdflib.BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[finding.severity]))
        if finding.focus:
            focus = finding.focus
            node = URIRef(focus) if focus.startswith(("http", "urn:")) else rdflib.Literal(focus)
            graph.add((result, SH.focusNode, node))
        shape = finding.shape
        if shape.startswith("check:"):
            shape = f"{base_iri}queries/checks/{shape.removeprefix('check:')}.rq"
        graph.add((result, SH.sourceShape, URIRef(shape)))
        if finding.component:
            graph.add((result, SH.sourceConstraintComponent, SH[finding.component]))
        if finding.path:
            graph.add((result, SH.resultPath, URIRef(finding.path)))
        if finding.value is not None:
            graph.add((result, SH.value, rdflib.Literal(finding.value)))
        graph.add((result, SH.resultMessage, rdflib.Literal(finding.message)))
    return graph
