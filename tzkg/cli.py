"""The `tzkg` command: build the store, query it, describe it, export it and serve it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from pyoxigraph import BlankNode, NamedNode, QueryResultsFormat, RdfFormat, Triple
from pyoxigraph import Literal as RdfLiteral
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tzkg.commands import register_all
from tzkg.config import Settings, get_settings
from tzkg.errors import QueryParameterError, QuerySyntaxError, TzkgError
from tzkg.queries import get_named_query, load_named_queries, resolve_iri
from tzkg.store import QueryResult, Term, open_store, read_build_info
from tzkg.vocab import PREFIXES

app = typer.Typer(
    name="tzkg",
    help="The knowledge graph of Taizhou's 2021-2023 science-and-technology innovation plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    """How `tzkg query` prints a result."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    ttl = "ttl"
    nt = "nt"


class ExportFormat(StrEnum):
    """The RDF formats `tzkg export` writes."""

    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    rdfxml = "rdfxml"


EXPORT_FORMATS: dict[ExportFormat, RdfFormat] = {
    ExportFormat.ttl: RdfFormat.TURTLE,
    ExportFormat.nt: RdfFormat.N_TRIPLES,
    ExportFormat.nq: RdfFormat.N_QUADS,
    ExportFormat.trig: RdfFormat.TRIG,
    ExportFormat.jsonld: RdfFormat.JSON_LD,
    ExportFormat.rdfxml: RdfFormat.RDF_XML,
}
RESULT_FORMATS: dict[OutputFormat, QueryResultsFormat] = {
    OutputFormat.csv: QueryResultsFormat.CSV,
    OutputFormat.tsv: QueryResultsFormat.TSV,
    OutputFormat.json: QueryResultsFormat.JSON,
    OutputFormat.xml: QueryResultsFormat.XML,
}
GRAPH_FORMATS: dict[OutputFormat, RdfFormat] = {
    OutputFormat.table: RdfFormat.TURTLE,
    OutputFormat.ttl: RdfFormat.TURTLE,
    OutputFormat.nt: RdfFormat.N_TRIPLES,
    OutputFormat.json: RdfFormat.JSON_LD,
    OutputFormat.xml: RdfFormat.RDF_XML,
}

TOP = 30
"""How many rows `tzkg stats` shows per table."""

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="The store directory (default: TZKG_STORE_DIR or var/store)."),
]


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a TzkgError into one line on stderr and exit 1 (2 for a query syntax error)."""
    try:
        yield
    except TzkgError as exc:
        typer.echo(exc.one_line(), err=True)
        raise typer.Exit(2 if isinstance(exc, QuerySyntaxError) else 1) from None


def _settings(store: Path | None) -> Settings:
    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store_dir": store})
    return settings


def _console() -> Console:
    return Console(highlight=False)


@app.command("build")
def build_command(
    store: StoreOption = None,
    plan: Annotated[
        list[Path] | None,
        typer.Option("--plan", help="A plan text to load (repeatable; default: data/plan/*.txt)."),
    ] = None,
    allow_invalid: Annotated[
        bool, typer.Option("--allow-invalid", help="Publish even with SHACL Violations.")
    ] = False,
) -> None:
    """Build the store from data/ and ontology/; the old store stays until the new one is done."""
    from tzkg.build import build

    settings = _settings(store)
    if allow_invalid:
        settings = settings.model_copy(update={"allow_invalid": True})
    with user_errors():
        info = build(settings, plan or None)
    _console().print(
        f"built {settings.store_dir}: {info.triples} triples ({info.quads} quads) "
        f"in {info.graphs} named graphs, {info.seconds:.2f} s"
    )


@app.command()
def query(
    text: Annotated[str | None, typer.Argument(help="The SPARQL query.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from a file.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Run a named query (see `tzkg queries`).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A named-query parameter, NAME=VALUE (repeatable)."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="How to print.")] = (
        OutputFormat.table
    ),
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query over the union of all graphs (the tzkg prefixes are predeclared)."""
    settings = _settings(store)
    with user_errors():
        if sum(x is not None for x in (text, file, name)) != 1:
            raise QueryParameterError("give exactly one of QUERY, --file or --name")
        if param and name is None:
            raise QueryParameterError("--param goes with --name", where="--param")
        graph = open_store(settings.store_dir)
        if name is not None:
            named = get_named_query(load_named_queries(settings.queries_dir), name)
            result = named.run(graph, _parse_params(param or []), base_iri=settings.base_iri)
        else:
            sparql = text if text is not None else _read_query(file)
            result = graph.query(sparql, prefixes=PREFIXES, base_iri=settings.base_iri)
        _print_result(result, fmt)


def _read_query(file: Path | None) -> str:
    assert file is not None
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryParameterError(f"cannot read the query: {exc}", where=str(file)) from exc


def _parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise QueryParameterError(f"{item!r} is not NAME=VALUE", where="--param")
        params[key.strip()] = value
    return params


def _print_result(result: QueryResult, fmt: OutputFormat) -> None:
    if result.kind == "construct":
        if fmt not in GRAPH_FORMATS:
            raise QueryParameterError(
                f"a graph result prints as {', '.join(GRAPH_FORMATS)}, not {fmt.value}",
                where="--format",
            )
        _write_bytes(result.serialize(GRAPH_FORMATS[fmt]))
    elif fmt in RESULT_FORMATS:
        _write_bytes(result.serialize(RESULT_FORMATS[fmt]))
    elif fmt is not OutputFormat.table:
        raise QueryParameterError(
            f"a {result.kind} result prints as table, {', '.join(RESULT_FORMATS)}, not {fmt.value}",
            where="--format",
        )
    elif result.kind == "ask":
        typer.echo("true" if result.boolean else "false")
    else:
        table = Table()
        for variable in result.variables:
            table.add_column(variable, overflow="fold")
        base = get_settings().base_iri
        for row in result.rows:
            table.add_row(*(_cell(row.get(v), base) for v in result.variables))
        console = _console()
        console.print(table)
        count = len(result.rows)
        console.print(f"{count} row{'s' if count != 1 else ''}", style="dim")


def _cell(term: Term | None, base_iri: str = "") -> Text:
    """A term as a table cell: `tzo:X`, `<id/x>` below the base IRI, literal values."""
    if term is None:
        return Text("")
    if isinstance(term, NamedNode):
        return Text(compact_iri(term.value, base_iri=base_iri))
    if isinstance(term, BlankNode):
        return Text(f"_:{term.value}", style="dim")
    if isinstance(term, RdfLiteral):
        return Text(term.value)
    assert isinstance(term, Triple)
    parts = (_cell(t, base_iri) for t in (term.subject, term.predicate, term.object))
    return Text("<< ").append_text(Text(" ").join(parts)).append(" >>")


def compact_iri(iri: str, prefixes: dict[str, str] = PREFIXES, *, base_iri: str = "") -> str:
    """`tzo:Plan` for an IRI in a known namespace, `<id/x>` below the base IRI, else the IRI."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default="")
    if best:
        prefix = next(name for name, ns in prefixes.items() if ns == best)
        return f"{prefix}:{iri[len(best) :]}"
    if base_iri and iri.startswith(base_iri) and len(iri) > len(base_iri):
        return f"<{iri[len(base_iri) :]}>"
    return iri


def _write_bytes(data: bytes) -> None:
    out = typer.get_binary_stream("stdout")
    out.write(data if data.endswith(b"\n") else data + b"\n")
    out.flush()


@app.command("queries")
def list_queries() -> None:
    """List the named queries of queries/."""
    settings = get_settings()
    with user_errors():
        named = load_named_queries(settings.queries_dir)
    if not named:
        _console().print(f"no named queries in {settings.queries_dir}")
        return
    table = Table("name", "title", "parameters")
    for key, item in named.items():
        params = ", ".join(f"{p.name}{'?' if p.optional else ''}: {p.type}" for p in item.params)
        table.add_row(key, f"{item.title_zh}\n{item.title_en}", params)
    _console().print(table)


@app.command()
def stats(store: StoreOption = None) -> None:
    """Triples, named graphs, entities per class and the build time of the store."""
    settings = _settings(store)
    with user_errors():
        graph = open_store(settings.store_dir)
        info = read_build_info(settings.store_dir)
        per_graph = graph.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
            "GROUP BY ?g ORDER BY DESC(?n) ?g"
        ).rows
        per_class = graph.query(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
            f"GROUP BY ?class ORDER BY DESC(?n) ?class LIMIT {TOP}"
        ).rows
        triples = graph.count_triples()
        quads = len(graph)
    console = _console()
    console.print(f"store       {settings.store_dir}")
    console.print(f"triples     {triples}")
    console.print(f"quads       {quads}")
    console.print(f"graphs      {len(per_graph)}")
    if info is not None:
        console.print(f"built at    {info.built_at} ({info.seconds:.2f} s)")
    graphs = Table("named graph", "quads", title=f"largest named graphs (top {TOP})")
    for row in per_graph[:TOP]:
        graphs.add_row(_cell(row["g"], settings.base_iri), _cell(row["n"]))
    console.print(graphs)
    if len(per_graph) > TOP:
        console.print(f"… and {len(per_graph) - TOP} more named graphs", style="dim")
    classes = Table("class", "entities", title=f"entities per class (top {TOP})")
    for row in per_class:
        classes.add_row(_cell(row["class"]), _cell(row["n"]))
    console.print(classes)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="The RDF format.")] = (
        ExportFormat.trig
    ),
    graph: Annotated[
        str | None, typer.Option("--graph", help="Export one named graph (IRI, tzo:… or relative).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file (default: stdout).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export the dataset; ttl, nt and rdfxml of the whole dataset give the union of all graphs."""
    settings = _settings(store)
    with user_errors():
        source = open_store(settings.store_dir)
        name = None
        if graph is not None:
            try:
                name = NamedNode(resolve_iri(graph, settings.base_iri))
            except ValueError as exc:
                raise QueryParameterError(f"{graph!r}: {exc}", where="--graph") from None
        if output is None:
            out = typer.get_binary_stream("stdout")
            source.export(out, EXPORT_FORMATS[fmt], graph=name)
            out.flush()
        else:
            with _atomic_output(output) as out:
                source.export(out, EXPORT_FORMATS[fmt], graph=name)


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A file that appears at `path` only once it is completely written."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        with partial.open("wb") as out:
            yield out
        os.replace(partial, path)
    except OSError as exc:
        raise TzkgError(f"cannot write: {exc}", where=str(path), code="output-error") from exc
    finally:
        partial.unlink(missing_ok=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="The address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="The port to listen on.")] = None,
    store: StoreOption = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="A line per request on stderr (default: TZKG_ACCESS_LOG, on).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes (default: TZKG_SERVER_WORKERS, or one per CPU up to 8; "
            "always 1 when writes are on).",
        ),
    ] = None,
) -> None:
    """Serve the SPARQL endpoint and API with uvicorn (uvloop and httptools when installed).

    Several server processes share the port (each with its own query workers); they all
    read the current build, and each notices a new one on its next request.
    """
    import uvicorn

    from tzkg.server import create_app

    settings = _settings(store)
    if workers is not None:
        settings = settings.model_copy(update={"server_workers": workers})
    processes = settings.server_processes()
    if settings.write_token and workers is not None and workers > 1:
        typer.echo("writes are on (TZKG_WRITE_TOKEN): one server process, the single writer")
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port if port is not None else settings.port,
        "log_level": "info",
        "access_log": settings.access_log if access_log is None else access_log,
    }
    if processes == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # The processes build their app from the environment: pass on what the options changed.
    os.environ["TZKG_STORE_DIR"] = str(Path(settings.store_dir).resolve())
    os.environ["TZKG_SERVER_WORKERS"] = str(processes)
    uvicorn.run("tzkg.server:create_app", factory=True, workers=processes, **options)


register_all(app)


def main() -> None:
    """Entry point for `python -m tzkg`."""
    app(prog_name="tzkg")


if __name__ == "__main__":  # pragma: no cover
    main()
