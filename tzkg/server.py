"""The HTTP service: one FastAPI app over the store of the current build.

Routes live in `tzkg/api/` (one module per resource); this module wires them together with the
query worker pool, the error handler, the request-body cap, CORS and `/health`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from tzkg import __version__
from tzkg.api.service import StoreHolder, negotiate
from tzkg.config import Settings, get_settings
from tzkg.errors import RequestTooLargeError, StoreMissingError, TzkgError
from tzkg.store import read_build_info
from tzkg.vocab import PREFIXES
from tzkg.workers import QueryPool

__all__ = ["StoreHolder", "create_app", "negotiate"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "web" / "static"


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
    writable: bool = False
    query_workers: int = 0


service_router = APIRouter(tags=["service"])


@service_router.get("/health", responses={503: {"model": ErrorPublic}})
async def health(request: Request) -> HealthPublic:
    """The store is open; which build it holds and how big it is."""
    holder: StoreHolder = request.app.state.stores
    pool: QueryPool = request.app.state.pool
    current = holder.current()
    store, info = current.store, current.info
    if info is not None and info.triples is None:  # a roster load's count comes later
        info = read_build_info(current.location) or info
    workers = len(pool.pids())
    if info is None or holder.writable:  # counted, in a thread (build.json is not kept up)
        quads, graphs = await run_in_threadpool(lambda: (len(store), len(store.named_graphs())))
        return HealthPublic(
            status="ok",
            build=info.build if info else None,
            built_at=info.built_at if info else None,
            quads=quads,
            triples=None,
            graphs=graphs,
            writable=holder.writable,
            query_workers=workers,
        )
    return HealthPublic(
        status="ok",
        build=info.build,
        built_at=info.built_at,
        quads=info.quads,
        triples=info.triples,
        graphs=info.graphs,
        query_workers=workers,
    )


@service_router.get("/", include_in_schema=False)
def root(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/docs")


# --- errors and limits -------------------------------------------------------------------

_ERROR_OFFERS = {"application/json": "json", "text/plain": "text"}


def error_line(exc: TzkgError) -> str:
    """An error as the one line of text sent to clients that prefer text/plain.

    >>> error_line(TzkgError("expected  one of   WHERE", where="4:3", code="query-syntax"))
    'error[query-syntax]: 4:3: expected one of WHERE\\n'
    """
    return exc.one_line() + "\n"


async def _tzkg_error(request: Request, exc: Exception) -> Response:
    """A TzkgError as JSON, or as one plain-text line when Accept prefers text/plain."""
    assert isinstance(exc, TzkgError)
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="tzkg"'
    if exc.status == 503 and exc.code == "query-timeout":
        headers["Retry-After"] = "1"
    if exc.status == 503 and exc.code == "dumps-pending":
        headers["Retry-After"] = "60"
    chosen = negotiate(request.headers.get("accept"), _ERROR_OFFERS)
    if chosen is not None and chosen[1] == "text":
        return PlainTextResponse(error_line(exc), status_code=exc.status, headers=headers)
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class BodyLimit:
    """Refuse request bodies larger than `limit` bytes with a 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        error = RequestTooLargeError(
            f"the request body is larger than {self.limit} bytes", where="body"
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await JSONResponse(error.to_dict(), status_code=413)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise error
            return message

        await self.app(scope, limited, send)


# --- the app -----------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application (a factory: `uvicorn tzkg.server:create_app --factory`)."""
    settings = settings or get_settings()
    holder = StoreHolder(settings.store_dir, writable=bool(settings.write_token))
    pool = QueryPool(settings.query_pool_size(), PREFIXES)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(pool.start)
        try:
            await run_in_threadpool(holder.get)
        except StoreMissingError as exc:
            log.warning("%s; /sparql answers 503 until then", exc.message)
        try:
            yield
        finally:
            pool.close()
            holder.close()

    app = FastAPI(
        title="tzkg",
        summary="The knowledge graph of Taizhou's 2021-2023 science-and-technology plan",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.stores = holder
    app.state.pool = pool
    app.add_exception_handler(TzkgError, _tzkg_error)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            max_age=3600,
        )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # Routers are matched in order: the hot paths (SPARQL, resource lookups, search) first.
    from tzkg import linked_data  # every IRI under the base, served at /id/..., /ontology
    from tzkg.api import dataset, dumps, resources, search, sparql, store_protocol
    from tzkg.api import queries as named_queries

    # For analysts: SPARQL.
    app.include_router(sparql.router)
    # The JSON API (docs/api.md): one router per resource module, search, named queries.
    app.include_router(resources.build_router())
    app.include_router(search.router)
    app.include_router(named_queries.build_router(settings))
    # For the provincial systems: the Graph Store, dataset and dumps; then health.
    app.include_router(store_protocol.router)
    app.include_router(dataset.router)
    app.include_router(dumps.router)
    app.include_router(service_router)
    # Linked data last: every IRI under the base.
    app.include_router(linked_data.router)
    return app
