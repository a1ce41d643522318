"""The HTTP service: the SPARQL 1.1 Query endpoint and a health check, over the read-only store."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from tzkg import __version__
from tzkg.config import Settings, get_settings
from tzkg.errors import (
    QueryParameterError,
    StoreMissingError,
    TzkgError,
    UnsupportedMediaTypeError,
)
from tzkg.store import BuildInfo, OxigraphStore, open_store, read_build_info, store_location
from tzkg.vocab import PREFIXES

log = logging.getLogger(__name__)

RESULTS_MEDIA_TYPES: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
"""What SELECT and ASK results can be sent as; the first is the default."""

GRAPH_MEDIA_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/plain": RdfFormat.N_TRIPLES,
}
"""What CONSTRUCT and DESCRIBE results can be sent as; the first is the default."""

F = TypeVar("F")


class ErrorPublic(BaseModel):
    """The body of every error response."""

    code: str
    message: str
    where: str | None = None


class HealthPublic(BaseModel):
    """Whether the store is open, and what build it holds."""

    status: str
    build: str | None
    built_at: str | None
    quads: int
    triples: int | None
    graphs: int


class StoreHolder:
    """The read-only store of the current build, reopened when a new build has been swapped in."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self._lock = threading.Lock()
        self._store: OxigraphStore | None = None
        self._info: BuildInfo | None = None

    def get(self) -> tuple[OxigraphStore, BuildInfo | None]:
        """The open store and its build info.

        :raises StoreMissingError: if nothing has been built yet.
        """
        location = store_location(self.store_dir)
        with self._lock:
            if self._store is None or self._store.location != location:
                # Requests still running keep the old store alive until they finish.
                self._store = open_store(self.store_dir, read_only=True)
                self._info = read_build_info(self._store.location or location)
                log.info("opened the store at %s", self._store.location)
            return self._store, self._info

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> OxigraphStore:
    holder: StoreHolder = request.app.state.stores
    return holder.get()[0]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[OxigraphStore, Depends(get_store)]
GraphUris = Annotated[
    list[str] | None,
    Query(alias="default-graph-uri", description="A graph to use as the default graph."),
]
NamedGraphUris = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="A graph that GRAPH may name."),
]

# --- /sparql -----------------------------------------------------------------------------

sparql_router = APIRouter(tags=["sparql"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results, or the graph of a CONSTRUCT/DESCRIBE, by `Accept`.",
        "content": {media: {} for media in [*RESULTS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES]},
    },
    400: {"model": ErrorPublic, "description": "The query does not parse."},
    503: {"model": ErrorPublic, "description": "No store has been built yet."},
}


@sparql_router.get("/sparql", responses=_RESPONSES, response_class=Response)
def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    default_graph_uri: GraphUris = None,
    named_graph_uri: NamedGraphUris = None,
) -> Response:
    """SPARQL 1.1 Query over GET; the default graph is the union of all graphs."""
    return answer(
        store,
        query,
        accept=request.headers.get("accept"),
        default_graphs=default_graph_uri or [],
        named_graphs=named_graph_uri or [],
        base_iri=settings.base_iri,
    )


@sparql_router.post(
    "/sparql",
    responses={**_RESPONSES, 415: {"model": ErrorPublic}},
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}},
                        "required": ["query"],
                    }
                },
            },
        }
    },
)
async def sparql_post(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    default_graph_uri: GraphUris = None,
    named_graph_uri: NamedGraphUris = None,
) -> Response:
    """SPARQL 1.1 Query over POST, as a form (`query=`) or as `application/sparql-query`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    default_graphs = list(default_graph_uri or [])
    named_graphs = list(named_graph_uri or [])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryParameterError("the request body is not UTF-8", where="body") from None
    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        query = form.get("query", [None])[0]
        default_graphs += form.get("default-graph-uri", [])
        named_graphs += form.get("named-graph-uri", [])
    elif content_type == "application/sparql-query":
        query = text
    else:
        raise UnsupportedMediaTypeError(
            "send the query as application/sparql-query or as a form "
            "(application/x-www-form-urlencoded)",
            where=content_type or "content-type",
        )
    return await run_in_threadpool(
        answer,
        store,
        query,
        accept=request.headers.get("accept"),
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=settings.base_iri,
    )


def answer(
    store: OxigraphStore,
    query: str | None,
    *,
    accept: str | None,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    base_iri: str,
) -> Response:
    """Run a protocol query and serialize the result in the best format for `accept`."""
    if query is None or not query.strip():
        raise QueryParameterError("the request has no `query`", where="query")
    result = store.query(
        query,
        default_graph=_graphs(default_graphs, "default-graph-uri") or None,
        named_graphs=_graphs(named_graphs, "named-graph-uri") or None,
        prefixes=PREFIXES,
        base_iri=base_iri,
    )
    if result.kind == "construct":
        media, graph_format = negotiate(accept, GRAPH_MEDIA_TYPES)
        body = result.serialize(graph_format)
    else:
        media, results_format = negotiate(accept, RESULTS_MEDIA_TYPES)
        body = result.serialize(results_format)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _graphs(iris: Sequence[str], parameter: str) -> list[NamedNode]:
    try:
        return [NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise QueryParameterError(f"not an IRI: {exc}", where=parameter) from None


def negotiate(accept: str | None, offers: Mapping[str, F]) -> tuple[str, F]:
    """The offer that `accept` prefers (by q-value, then order); the first offer otherwise.

    >>> negotiate("text/csv;q=0.5, application/xml", {"application/json": 1, "text/csv": 2})
    ('text/csv', 2)
    """
    default = next(iter(offers.items()))
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and weight > 0:
            ranked.append((-weight, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media in offers:
            return media, offers[media]
        if media == "*/*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            for offer, chosen in offers.items():
                if offer.startswith(family):
                    return offer, chosen
    return default  # nothing acceptable: send the default rather than 406


# --- service routes ----------------------------------------------------------------------

service_router = APIRouter(tags=["service"])


@service_router.get("/health", responses={503: {"model": ErrorPublic}})
def health(request: Request) -> HealthPublic:
    """The store is open; which build it holds and how big it is."""
    holder: StoreHolder = request.app.state.stores
    store, info = holder.get()
    if info is None:
        return HealthPublic(
            status="ok",
            build=None,
            built_at=None,
            quads=len(store),
            triples=None,
            graphs=len(store.named_graphs()),
        )
    return HealthPublic(
        status="ok",
        build=info.build,
        built_at=info.built_at,
        quads=info.quads,
        triples=info.triples,
        graphs=info.graphs,
    )


@service_router.get("/", include_in_schema=False)
def root(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/docs")


# --- the app -----------------------------------------------------------------------------


async def _tzkg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TzkgError)
    return JSONResponse(exc.to_dict(), status_code=exc.status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application (a factory: `uvicorn tzkg.server:create_app --factory`)."""
    settings = settings or get_settings()
    holder = StoreHolder(settings.store_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(holder.get)
        except StoreMissingError as exc:
            log.warning("%s; /sparql answers 503 until then", exc.message)
        yield
        holder.close()

    app = FastAPI(
        title="tzkg",
        summary="The knowledge graph of Taizhou's 2021-2023 science-and-technology plan",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.stores = holder
    app.add_exception_handler(TzkgError, _tzkg_error)
    app.include_router(sparql_router)
    app.include_router(service_router)
    from tzkg.api import queries as named_queries  # the JSON API (docs/api.md)

    app.include_router(named_queries.build_router(settings))
    return app
