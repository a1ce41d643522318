"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol (indirect identification: `?graph=IRI`
or `?default`). GET and HEAD are open to all; PUT, POST and DELETE need the write token and go
through the single writer (`StoreHolder.write`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from tzkg.api.service import (
    HolderDep,
    PoolDep,
    SettingsDep,
    StoreHolder,
    check_token,
    require_acceptable,
    run_job,
    time_limit,
)
from tzkg.config import Settings
from tzkg.errors import (
    ProtocolError,
    QueryParameterError,
    QuerySyntaxError,
    StoreError,
    UnknownGraphError,
    UnsupportedMediaTypeError,
)
from tzkg.store import OxigraphStore
from tzkg.workers import Job

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(description="The IRI of a named graph.")]
DefaultParam = Annotated[
    str | None, Query(alias="default", description="Present (empty): the default graph.")
]

READ_OFFERS: dict[str, tuple[str, str]] = {
    "text/turtle": ("text/turtle", "text/turtle"),
    "application/n-triples": ("application/n-triples",) * 2,
    "application/rdf+xml": ("application/rdf+xml",) * 2,
    "application/ld+json": ("application/ld+json",) * 2,
    "application/n-quads": ("application/n-quads",) * 2,
    "application/trig": ("application/trig",) * 2,
    "application/json": ("application/ld+json",) * 2,
    "application/xml": ("application/rdf+xml",) * 2,
    "text/plain": ("text/plain", "application/n-triples"),
}
"""What a graph can be read as; the first is the default."""

GRAPH_FORMAT_NAMES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "nq": "application/n-quads",
    "trig": "application/trig",
}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in READ_OFFERS}},
    400: {"description": "Neither or both of `graph` and `default`; not an IRI."},
    404: {"description": "No such named graph."},
    406: {"description": "The graph cannot be sent in any type `Accept` names."},
}


def target(graph: str | None, default: str | None) -> NamedNode | None:
    """The graph a request names: a named graph, or None for the default graph.

    :raises ProtocolError: unless exactly one of `graph` and `default` is given.
    """
    if (graph is None) == (default is None):
        raise ProtocolError(
            "name one graph: `?graph=<IRI>` or `?default`", where="graph" if graph else "default"
        )
    if graph is None:
        return None
    try:
        return NamedNode(graph)
    except ValueError as exc:
        raise QueryParameterError(f"not an IRI: {exc}", where="graph") from None


async def read_graph(
    request: Request,
    holder: StoreHolder,
    pool: object,
    timeout: float,
    name: NamedNode | None,
    format_name: str | None,
    max_bytes: int,
) -> Response:
    """One graph, serialized in a worker in the negotiated type (shared by /store and /dumps)."""
    accept = request.headers.get("accept")
    if format_name:
        accept = GRAPH_FORMAT_NAMES.get(format_name.lower(), format_name)
    _, (served, media) = require_acceptable(accept, READ_OFFERS)
    current = holder.current()
    job = Job(
        "graph",
        current.read_path,
        graph=name.value if name is not None else None,
        graph_media=media,
        max_bytes=max_bytes,
    )
    reply = await run_job(pool, job, timeout)  # type: ignore[arg-type]
    if request.method == "HEAD":
        return Response(
            media_type=served,
            headers={"Vary": "Accept", "Content-Length": str(len(reply.body))},
        )
    return Response(reply.body, media_type=served, headers={"Vary": "Accept"})


@router.get("/store", responses=_RESPONSES, response_class=Response)
@router.head("/store", response_class=Response, include_in_schema=False)
async def store_get(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    pool: PoolDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
    format: Annotated[
        str | None, Query(description="Overrides Accept: ttl, nt, jsonld, ...")
    ] = None,
) -> Response:
    """Read one graph (Graph Store Protocol GET/HEAD)."""
    name = target(graph, default)
    return await read_graph(
        request,
        holder,
        pool,
        time_limit(settings, None),
        name,
        format,
        settings.max_result_bytes,
    )


# --- writes --------------------------------------------------------------------------------

WRITE_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "text/n3": RdfFormat.N3,
}


async def _payload(request: Request, name: NamedNode | None, base_iri: str) -> str:
    """The request's RDF as N-Triples (checked by parsing).

    :raises UnsupportedMediaTypeError: for a type we do not parse.
    :raises QuerySyntaxError: if the body does not parse (where = line:col).
    """
    header = request.headers.get("content-type", "")
    media = header.split(";")[0].strip().lower()
    fmt = WRITE_FORMATS.get(media)
    if fmt is None:
        raise UnsupportedMediaTypeError(
            f"send the graph as one of {', '.join(WRITE_FORMATS)}", where=media or "content-type"
        )
    body = await request.body()
    base = name.value if name is not None else base_iri
    try:
        triples = [q.triple for q in parse(body, fmt, base_iri=base)]
    except SyntaxError as exc:
        text = exc.msg if isinstance(exc.msg, str) else str(exc)
        message = text.split(": ", 1)[-1]
        where = f"{exc.lineno}:{exc.offset}" if exc.lineno is not None else None
        raise QuerySyntaxError(message, where=where, code="rdf-syntax") from None
    data = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert data is not None
    return data.decode()


def _graph_text(name: NamedNode | None) -> str:
    return "DEFAULT" if name is None else f"GRAPH {name}"


def _write(
    holder: StoreHolder, change_text: str, name: NamedNode | None, *, must_exist: bool
) -> bool:
    """Run an update as the single writer; return whether the graph existed before."""

    def change(store: OxigraphStore) -> bool:
        existed = name is None or store.raw.contains_named_graph(name)
        if must_exist and not existed:
            raise UnknownGraphError(f"no named graph {name}", where=name.value if name else None)
        try:
            store.raw.update(change_text)
        except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
            raise StoreError(str(exc)) from exc
        return existed

    return holder.write(change)


@router.put("/store", status_code=204, responses={201: {}, 401: {}, 403: {}, 415: {}})
async def store_put(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace one graph with the request's RDF (201 if it was created)."""
    return await _store_payload(request, settings, holder, graph, default, replace=True)


@router.post("/store", status_code=204, responses={201: {}, 401: {}, 403: {}, 415: {}})
async def store_post(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Add the request's RDF to one graph (201 if it was created)."""
    return await _store_payload(request, settings, holder, graph, default, replace=False)


async def _store_payload(
    request: Request,
    settings: Settings,
    holder: StoreHolder,
    graph: str | None,
    default: str | None,
    *,
    replace: bool,
) -> Response:
    """Write the request's RDF into one graph, replacing or adding to it (201 if it was created)."""
    check_token(request, settings)
    name = target(graph, default)
    data = await _payload(request, name, settings.base_iri)
    if name is None:
        clear = "CLEAR SILENT DEFAULT ;\n" if replace else ""
        text = f"{clear}INSERT DATA {{\n{data}}}"
    else:
        drop = f"DROP SILENT GRAPH {name} ;\n" if replace else ""
        text = f"{drop}CREATE SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{data}}} }}"
    existed = await run_in_threadpool(_write, holder, text, name, must_exist=False)
    return Response(status_code=204 if existed else 201)


@router.delete("/store", status_code=204, responses={401: {}, 403: {}, 404: {}})
async def store_delete(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Delete one graph (the default graph is emptied)."""
    check_token(request, settings)
    name = target(graph, default)
    text = "CLEAR DEFAULT" if name is None else f"DROP GRAPH {name}"
    await run_in_threadpool(_write, holder, text, name, must_exist=True)
    return Response(status_code=204)
