"""`tzkg validate`: HermiT on the ontology (and the data), SHACL shapes and violation queries."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tzkg.config import Settings, get_settings
from tzkg.errors import TzkgError

MAX_HERMIT_QUADS = 50_000
"""HermiT checks the data with the ontology up to this many stated quads (the plan: ~6,000);
beyond, only the ontology is classified and the shapes and queries check the data."""


class ReportFormat(StrEnum):
    """How `tzkg validate` prints its report."""

    text = "text"
    json = "json"
    ttl = "ttl"


def register(app: typer.Typer) -> None:
    """Add `validate` to the tzkg command."""
    app.command("validate")(validate_command)


def validate_command(
    store: Annotated[
        Path | None,
        typer.Option("--store", help="The store directory (default: TZKG_STORE_DIR or var/store)."),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="text (grouped by shape), json or ttl.")
    ] = ReportFormat.text,
    hermit: Annotated[
        bool,
        typer.Option("--hermit/--no-hermit", help="Run HermiT on the ontology (and the data)."),
    ] = True,
) -> None:
    """Check the store: HermiT, SHACL shapes and violation queries; exit 1 on a Violation."""
    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store_dir": store})
    try:
        ok, output = _validate(settings, fmt, hermit)
    except TzkgError as exc:
        typer.echo(exc.one_line(), err=True)
        raise typer.Exit(1) from None
    typer.echo(output)
    if not ok:
        raise typer.Exit(1)


def _validate(settings: Settings, fmt: ReportFormat, hermit: bool) -> tuple[bool, str]:
    from tzkg.loaders.ontology import ONTOLOGY_GRAPH
    from tzkg.reasoning.tbox import TBoxCheck, check_tbox
    from tzkg.store import open_store
    from tzkg.validation import validate_store
    from tzkg.validation.engine import excluded_graphs
    from tzkg.validation.report import locate, render_json, render_text, report_graph

    graph = open_store(settings.store_dir)
    report = locate(graph, validate_store(graph, settings), settings)
    tbox: TBoxCheck | None = None
    note = ""
    if hermit:
        ontology = [q.triple for q in graph.raw.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)]
        excluded = excluded_graphs(settings)
        stated = [q for q in graph.raw if q.graph_name not in excluded]
        labels = {
            row["s"].value: row["l"].value  # type: ignore[union-attr]
            for row in graph.query(
                "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                'FILTER(LANG(?l) = "zh") }'
            ).rows
        }
        if len(stated) <= MAX_HERMIT_QUADS:
            tbox = check_tbox(ontology, stated, labels=labels)
            scope = f"the ontology and {len(stated)} stated quads"
        else:
            tbox = check_tbox(ontology)
            scope = f"the ontology only ({len(stated)} stated quads > {MAX_HERMIT_QUADS})"
        verdict = "consistent" if tbox.ok else tbox.message
        note = f"HermiT ({scope}, {tbox.seconds:.1f} s): {verdict}"
    ok = report.conforms and (tbox is None or tbox.ok)
    if fmt is ReportFormat.json:
        body = json.loads(render_json(report))
        if tbox is not None:
            body["hermit"] = {
                "consistent": tbox.consistent,
                "unsatisfiable": list(tbox.unsatisfiable),
                "culprits": list(tbox.culprits),
                "graphs": list(tbox.graphs),
                "message": tbox.message,
                "seconds": tbox.seconds,
            }
        body["conforms"] = ok
        return ok, json.dumps(body, ensure_ascii=False, indent=2)
    if fmt is ReportFormat.ttl:
        shacl = report_graph(report.findings, ok, settings.base_iri)
        text = shacl.serialize(format="turtle")
        return ok, f"# {note}\n{text}" if note else text
    text = render_text(report, settings.base_iri)
    return ok, f"{note}\n{text}" if note else text
