"""`/sparql`: the SPARQL 1.1 Protocol (query and, with a token, update), its Service Description
and, for a browser, the YASGUI query editor.

Queries never run in this process: they go to the worker pool (`tzkg.workers`), which enforces
the time limit. SELECT/ASK and CONSTRUCT/DESCRIBE are negotiated separately before the query
runs; the worker serializes whichever kind the query turns out to be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from tzkg import __version__
from tzkg.api.service import (
    HolderDep,
    PoolDep,
    SettingsDep,
    StoreHolder,
    check_token,
    negotiate,
    require_acceptable,
    run_job,
    time_limit,
)
from tzkg.api.updates import run_update
from tzkg.config import Settings
from tzkg.errors import (
    NotAcceptableError,
    ProtocolError,
    QueryParameterError,
    TzkgError,
    UnsupportedMediaTypeError,
)
from tzkg.queries import load_named_queries
from tzkg.vocab import DCT, PREFIXES, RDF, VOID
from tzkg.workers import Job

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

# Offers: the media type a client may ask for -> (the type we answer with, pyoxigraph's type).
RESULTS_OFFERS: dict[str, tuple[str, str]] = {
    "application/sparql-results+json": ("application/sparql-results+json",) * 2,
    "application/sparql-results+xml": ("application/sparql-results+xml",) * 2,
    "text/csv": ("text/csv",) * 2,
    "text/tab-separated-values": ("text/tab-separated-values",) * 2,
    "application/json": ("application/sparql-results+json",) * 2,
    "application/xml": ("application/sparql-results+xml",) * 2,
    "text/xml": ("application/sparql-results+xml",) * 2,
}
"""What SELECT and ASK results can be sent as; the first is the default."""

GRAPH_OFFERS: dict[str, tuple[str, str]] = {
    "text/turtle": ("text/turtle",) * 2,
    "application/n-triples": ("application/n-triples",) * 2,
    "application/rdf+xml": ("application/rdf+xml",) * 2,
    "application/ld+json": ("application/ld+json",) * 2,
    "application/trig": ("application/trig",) * 2,
    "application/n-quads": ("application/n-quads",) * 2,
    "application/json": ("application/ld+json",) * 2,
    "application/xml": ("application/rdf+xml",) * 2,
    "text/plain": ("text/plain", "application/n-triples"),
    "application/x-turtle": ("text/turtle",) * 2,
}
"""What CONSTRUCT and DESCRIBE results (and graphs) can be sent as; the first is the default."""

FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "ttl": (None, "text/turtle"),
    "turtle": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "trig": (None, "application/trig"),
    "nq": (None, "application/n-quads"),
    "nquads": (None, "application/n-quads"),
}
"""`format=` values: the results type and the graph type each stands for."""

DESCRIPTION_OFFERS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/html": RdfFormat.TURTLE,  # stands for the editor page
}

PROTOCOL_NAMES = {
    "query",
    "update",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "timeout",
    "format",
}


@dataclass(frozen=True)
class Negotiated:
    """The media types chosen for each kind of result (None: that kind cannot be sent)."""

    results: tuple[str, str] | None
    graph: tuple[str, str] | None


def negotiate_results(accept: str | None, format_name: str | None) -> Negotiated:
    """Choose the SELECT/ASK type and the CONSTRUCT/DESCRIBE type for a request.

    `format=` (a short name or a media type) overrides Accept.

    :raises NotAcceptableError: if neither kind of result can be sent.
    """
    if format_name:
        name = format_name.strip().lower()
        if "/" in name:
            accept = name
        elif name in FORMAT_NAMES:
            results_media, graph_media = FORMAT_NAMES[name]
            return Negotiated(
                RESULTS_OFFERS[results_media] if results_media else None,
                GRAPH_OFFERS[graph_media] if graph_media else None,
            )
        else:
            raise NotAcceptableError(
                f"unknown format {format_name!r}; use one of {', '.join(FORMAT_NAMES)}",
                where="format",
            )
    results = negotiate(accept, RESULTS_OFFERS)
    graph = negotiate(accept, GRAPH_OFFERS)
    if results is None and graph is None:
        offers = sorted({*RESULTS_OFFERS, *GRAPH_OFFERS})
        raise NotAcceptableError(
            f"cannot answer in {accept}; available: {', '.join(offers)}", where="Accept"
        )
    return Negotiated(results[1] if results else None, graph[1] if graph else None)


router = APIRouter(tags=["sparql"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results or the graph of a CONSTRUCT/DESCRIBE, by `Accept` "
        "or `format=`; without a query, the Service Description (or the editor for browsers).",
        "content": {media: {} for media in [*RESULTS_OFFERS, *GRAPH_OFFERS, "text/html"]},
    },
    400: {"description": "A malformed request or a query that does not parse (with line:col)."},
    406: {"description": "Nothing in `Accept` / `format=` can be produced for this result."},
    503: {"description": "The query ran past its time limit (`query-timeout`), or no store."},
}


_GET_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The SPARQL query; without it, the Service Description (or the editor).",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "A default graph.",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "A named graph.",
    },
    {
        "name": "timeout",
        "in": "query",
        "schema": {"type": "number"},
        "description": "Seconds this query may run (lowers the service's limit, never raises it).",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Overrides Accept: json, xml, csv, tsv, ttl, nt, rdfxml, jsonld, trig, nq.",
    },
]


@router.get(
    "/sparql",
    responses=_RESPONSES,
    response_class=Response,
    openapi_extra={"parameters": _GET_PARAMETERS},
)
async def sparql_get(request: Request) -> Response:
    """SPARQL 1.1 Query over GET; the default graph is the union of all named graphs.

    Without `query`: the Service Description, or the query editor for a browser.
    """
    # Parameters are read by hand (documented through openapi_extra): this is the hot path.
    state = request.app.state
    settings: Settings = state.settings
    holder: StoreHolder = state.stores
    params = parse_qsl(request.url.query, keep_blank_values=True)
    values = _multi(params)
    if "update" in values:
        raise ProtocolError("an update must be POSTed, not sent by GET", where="update")
    query = _single(params, "query")
    accept = request.headers.get("accept")
    format_name = _last(values.get("format"))
    if query is None:
        return await service_description(request, settings, holder, accept, format_name)
    return await answer_query(
        state.pool,
        holder,
        settings,
        query,
        accept=accept,
        format_name=format_name,
        default_graphs=values.get("default-graph-uri", []),
        named_graphs=values.get("named-graph-uri", []),
        timeout=_last(values.get("timeout")),
    )


@router.post(
    "/sparql",
    responses={**_RESPONSES, 401: {}, 403: {}, 415: {}},
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/sparql-update": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
            },
        }
    },
)
async def sparql_post(
    request: Request, settings: SettingsDep, holder: HolderDep, pool: PoolDep
) -> Response:
    """SPARQL 1.1 Query or Update over POST: a form (`query=` / `update=`), or the text as
    `application/sparql-query` / `application/sparql-update`. Updates need the write token."""
    header = request.headers.get("content-type")
    if not header or not header.strip():
        raise ProtocolError(
            "a POST needs a Content-Type: application/x-www-form-urlencoded, "
            "application/sparql-query or application/sparql-update",
            where="content-type",
        )
    media, charset = _content_type(header)
    text = _decode(await request.body(), charset)
    url_params = parse_qsl(request.url.query, keep_blank_values=True)
    for name in ("query", "update"):
        if any(key == name for key, _ in url_params):
            raise ProtocolError(
                f"`{name}` belongs in the body of a POST, not in the URL", where=name
            )
    if media == "application/x-www-form-urlencoded":
        body_params = parse_qsl(text, keep_blank_values=True)
        params = url_params + body_params
        query = _single(body_params, "query")
        update = _single(body_params, "update")
        if query is not None and update is not None:
            raise ProtocolError("a request has either `query` or `update`, not both")
        if query is None and update is None:
            raise ProtocolError("the form has neither `query` nor `update`", where="body")
    elif media == "application/sparql-query":
        params, query, update = url_params, text, None
    elif media == "application/sparql-update":
        params, query, update = url_params, None, text
    else:
        raise UnsupportedMediaTypeError(
            "send application/x-www-form-urlencoded, application/sparql-query or "
            "application/sparql-update",
            where=media,
        )
    values = _multi(params)
    if update is not None:
        check_token(request, settings)
        await run_in_threadpool(
            run_update,
            holder,
            update,
            using_graphs=values.get("using-graph-uri", []),
            using_named_graphs=values.get("using-named-graph-uri", []),
            base_iri=str(request.url.remove_query_params(list(PROTOCOL_NAMES))),
        )
        return Response(status_code=204)
    assert query is not None
    return await answer_query(
        pool,
        holder,
        settings,
        query,
        accept=request.headers.get("accept"),
        format_name=_last(values.get("format")),
        default_graphs=values.get("default-graph-uri", []),
        named_graphs=values.get("named-graph-uri", []),
        timeout=_last(values.get("timeout")),
    )


async def answer_query(
    pool: Any,
    holder: StoreHolder,
    settings: Settings,
    query: str,
    *,
    accept: str | None,
    format_name: str | None,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    timeout: str | None,
) -> Response:
    """Run a protocol query in a worker and answer in the negotiated type."""
    if not query.strip():
        raise QueryParameterError("the query is empty", where="query")
    negotiated = negotiate_results(accept, format_name)
    limit = time_limit(settings, timeout)
    current = holder.current()
    job = Job(
        "query",
        current.read_path,
        query,
        results_media=negotiated.results[1] if negotiated.results else None,
        graph_media=negotiated.graph[1] if negotiated.graph else None,
        default_graph=_iris(default_graphs, "default-graph-uri"),
        named_graphs=_iris(named_graphs, "named-graph-uri"),
        base_iri=settings.base_iri,
        max_bytes=settings.max_result_bytes,
    )
    try:
        reply = await run_job(pool, job, limit)
    except NotAcceptableError:
        kind = "SELECT/ASK results" if negotiated.results is None else "an RDF graph"
        offers = RESULTS_OFFERS if negotiated.results is None else GRAPH_OFFERS
        raise NotAcceptableError(
            f"the query gives {kind}, which cannot be sent as {format_name or accept}; "
            f"available: {', '.join(offers)}",
            where="format" if format_name else "Accept",
        ) from None
    served = negotiated.graph if reply.kind == "construct" else negotiated.results
    assert served is not None
    return Response(reply.body, media_type=served[0], headers={"Vary": "Accept"})


def _iris(values: Sequence[str], parameter: str) -> tuple[str, ...] | None:
    for value in values:
        try:
            NamedNode(value)
        except ValueError as exc:
            raise QueryParameterError(f"not an IRI: {exc}", where=parameter) from None
    return tuple(values) if values else None


def _content_type(header: str) -> tuple[str, str | None]:
    media, *params = (piece.strip() for piece in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise ProtocolError(f"the body must be UTF-8, not {charset}", where="charset")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the body is not UTF-8 (byte {exc.start})", where="body") from None


def _single(params: Sequence[tuple[str, str]], name: str) -> str | None:
    found = [value for key, value in params if key == name]
    if len(found) > 1:
        raise ProtocolError(f"the request has {len(found)} `{name}` parameters", where=name)
    return found[0] if found else None


def _multi(params: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    return values


def _last(values: Sequence[str] | None) -> str | None:
    return values[-1] if values else None


# --- the Service Description and the editor --------------------------------------------------


async def service_description(
    request: Request,
    settings: Settings,
    holder: StoreHolder,
    accept: str | None,
    format_name: str | None,
) -> Response:
    """SPARQL 1.1 Service Description of this endpoint, or the editor for a browser."""
    offers = DESCRIPTION_OFFERS
    if format_name:
        names = {
            "ttl": "text/turtle",
            "turtle": "text/turtle",
            "jsonld": "application/ld+json",
            "json": "application/ld+json",
            "nt": "application/n-triples",
            "rdfxml": "application/rdf+xml",
            "html": "text/html",
        }
        accept = names.get(format_name.lower(), format_name)
    media, fmt = require_acceptable(accept, offers)
    if media == "text/html":
        return editor_page(request, settings)
    endpoint = str(request.url.remove_query_params(list(PROTOCOL_NAMES)))
    quads = description_quads(endpoint, settings, writable=bool(settings.write_token))
    served = "application/ld+json" if fmt == RdfFormat.JSON_LD else fmt.media_type
    body = serialize(quads, format=fmt, prefixes={"sd": SD, "void": VOID, "dct": DCT})
    return Response(body, media_type=served, headers={"Vary": "Accept"})


def description_quads(endpoint: str, settings: Settings, *, writable: bool) -> list[Quad]:
    """The Service Description graph of the endpoint at `endpoint`."""
    service = NamedNode(endpoint)

    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    a = NamedNode(RDF + "type")
    dataset = BlankNode()
    graph = BlankNode()
    base = settings.base_iri.rstrip("/") + "/"
    triples: list[tuple[Any, Any, Any]] = [
        (service, a, sd("Service")),
        (service, sd("endpoint"), service),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("feature"), sd("UnionDefaultGraph")),
        (
            service,
            sd("defaultEntailmentRegime"),
            NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        (
            service,
            NamedNode(DCT + "title"),
            Literal("泰州科技创新知识图谱 SPARQL 端点", language="zh"),
        ),
        (service, NamedNode(DCT + "title"), Literal("tzkg SPARQL endpoint", language="en")),
        (service, sd("defaultDataset"), dataset),
        (dataset, a, sd("Dataset")),
        (dataset, sd("defaultGraph"), graph),
        (graph, a, sd("Graph")),
        (dataset, NamedNode(VOID + "inDataset"), NamedNode(base + "dataset")),
        (service, NamedNode(DCT + "hasVersion"), Literal(__version__)),
        (service, NamedNode(DCT + "license"), NamedNode(settings.licence)),
    ]
    if writable:
        triples.append((service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
        "TriG",
        "N-Quads",
    ):
        triples.append((service, sd("resultFormat"), NamedNode(FORMATS + name)))
    return [Quad(s, p, o) for s, p, o in triples]


@lru_cache(maxsize=8)
def _examples(directory: str, stamp: tuple[tuple[str, float], ...]) -> list[dict[str, str]]:
    del stamp  # part of the cache key: a changed file reloads the list
    queries = load_named_queries(Path(directory))
    return [
        {
            "name": q.name,
            "title": q.title_zh,
            "title_en": q.title_en,
            "description": q.description,
            "query": q.text,
        }
        for q in queries.values()
    ]


def examples(settings: Settings) -> list[dict[str, str]]:
    """Every named query (queries/*.rq) as an editor example."""
    directory = Path(settings.queries_dir)
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(directory.glob("*.rq")))
    try:
        return _examples(str(directory), stamp)
    except TzkgError:
        return []


def prefix_block(prefixes: Mapping[str, str] = PREFIXES) -> str:
    """PREFIX declarations for every project prefix."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in prefixes.items())


DEFAULT_QUERY = """SELECT ?cluster ?label WHERE {
  ?cluster a tzo:IndustrialCluster ; rdfs:label ?label .
} ORDER BY ?cluster LIMIT 50
"""


def editor_page(request: Request, settings: Settings) -> HTMLResponse:
    """The YASGUI editor, with the named queries as examples and the project prefixes."""
    endpoint = str(request.url.remove_query_params(list(PROTOCOL_NAMES)))
    context = {
        "endpoint": endpoint,
        "examples": examples(settings),
        "prefixes": PREFIXES,
        "default_query": prefix_block() + "\n" + DEFAULT_QUERY,
        "timeout": settings.query_timeout,
        "static": request.scope.get("root_path", "") + "/static",
        "json": json.dumps,
    }
    response = templates.TemplateResponse(request, "sparql.html", context)
    response.headers["Vary"] = "Accept"
    return response
