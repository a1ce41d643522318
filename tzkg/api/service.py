"""What the SPARQL service routes share: the store holder (one writer, snapshots for readers),
the query worker pool, content negotiation and the dependencies that hand them out."""

from __future__ import annotations

import hmac
import logging
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from tzkg.config import Settings
from tzkg.errors import (
    ForbiddenError,
    NotAcceptableError,
    QueryParameterError,
    QueryTimeoutError,
    StoreError,
    TzkgError,
    UnauthorizedError,
)
from tzkg.store import (
    DATA_DIR,
    BuildInfo,
    OxigraphStore,
    open_store,
    query_syntax_error,
    read_build_info,
    store_location,
)
from tzkg.workers import Job, QueryPool, Reply, WorkerLost, WorkerTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F")

SNAPSHOTS = "snapshots"
KEEP_SNAPSHOTS = 4


@dataclass(frozen=True)
class Current:
    """The build being served: the in-process store, its metadata and what workers open."""

    store: OxigraphStore
    info: BuildInfo | None
    location: Path
    read_path: str
    link: str | None = None
    """What the store directory's symlink pointed at when this build was opened."""


def _link(store_dir: Path) -> str | None:
    """The target of the store directory's symlink (None for a store that is no symlink)."""
    try:
        return os.readlink(store_dir)
    except OSError:
        return None


class StoreHolder:
    """The store of the current build, reopened when a new build has been swapped in.

    Read-only by default: the service process and the query workers each open the build's
    store read-only. With `writable`, this process is the single writer: it opens the build's
    store read-write, and after every committed write it publishes a RocksDB checkpoint
    (`Store.backup`, hard links) under `<build>/snapshots/N`, which the workers open read-only
    instead, so no reader ever opens a store another process is writing.
    """

    def __init__(self, store_dir: Path, *, writable: bool = False) -> None:
        self.store_dir = store_dir
        self.writable = writable
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._current: Current | None = None
        self._generation = 0

    def current(self) -> Current:
        """The current build, opened on first use and after every swap.

        :raises StoreMissingError: if nothing has been built yet.
        """
        current = self._current
        if (
            current is not None
            and current.link is not None
            and current.link == _link(self.store_dir)
        ):
            return current  # the hot path: one readlink, no resolving and no stat
        location = store_location(self.store_dir)
        with self._lock:
            current = self._current
            if current is None or current.location != location:
                current = self._open(location)
                self._current = current
            return current

    def get(self) -> tuple[OxigraphStore, BuildInfo | None]:
        """The open in-process store and its build info (the read-write one when writable)."""
        current = self.current()
        return current.store, current.info

    def _open(self, location: Path) -> Current:
        if self._current is not None and self.writable:
            self._current.store.close()
        store = open_store(self.store_dir, read_only=not self.writable)
        info = read_build_info(store.location or location)
        data = location / DATA_DIR if (location / DATA_DIR).is_dir() else location
        read_path = str(data)
        if self.writable:
            snapshots = location / SNAPSHOTS
            shutil.rmtree(snapshots, ignore_errors=True)  # left by an earlier writer of this build
            read_path = self._snapshot(store, location)
        log.info(
            "opened the store at %s (%s)", location, "read-write" if self.writable else "read-only"
        )
        return Current(store, info, location, read_path, _link(self.store_dir))

    def _snapshot(self, store: OxigraphStore, location: Path) -> str:
        self._generation += 1
        snapshots = location / SNAPSHOTS
        snapshots.mkdir(exist_ok=True)
        target = snapshots / f"{self._generation:08d}"
        try:
            store.raw.flush()
            store.raw.backup(str(target))
        except OSError as exc:
            raise StoreError(f"cannot publish a snapshot: {exc}", where=str(target)) from exc
        # Older snapshots go; a worker still reading one keeps its open files (POSIX unlink).
        for old in sorted(snapshots.iterdir())[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        return str(target)

    def write(self, change: Callable[[OxigraphStore], T]) -> T:
        """Run `change` on the read-write store as the single writer, then publish it to readers.

        :raises ForbiddenError: if this holder is read-only.
        """
        if not self.writable:
            raise ForbiddenError("writes are off on this instance", code="writes-disabled")
        with self._write_lock:
            current = self.current()
            result = change(current.store)
            with self._lock:
                if self._current is current:
                    read_path = self._snapshot(current.store, current.location)
                    self._current = Current(
                        current.store, current.info, current.location, read_path, current.link
                    )
            return result

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.store.close()
            self._current = None


# --- dependencies --------------------------------------------------------------------------


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_holder(request: Request) -> StoreHolder:
    holder: StoreHolder = request.app.state.stores
    return holder


async def get_store(request: Request) -> OxigraphStore:
    holder: StoreHolder = request.app.state.stores
    return holder.get()[0]


async def get_pool(request: Request) -> QueryPool:
    pool: QueryPool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
HolderDep = Annotated[StoreHolder, Depends(get_holder)]
StoreDep = Annotated[OxigraphStore, Depends(get_store)]
PoolDep = Annotated[QueryPool, Depends(get_pool)]


# --- running jobs --------------------------------------------------------------------------


def time_limit(settings: Settings, requested: str | float | None) -> float:
    """The time limit of one request: `timeout=` (seconds) may lower the configured one.

    :raises QueryParameterError: if `timeout` is not a positive number.
    """
    if requested is None or requested == "":
        return settings.query_timeout
    try:
        value = float(requested)
    except ValueError:
        raise QueryParameterError(
            f"{requested!r} is not a number of seconds", where="timeout"
        ) from None
    if not value > 0:
        raise QueryParameterError("the timeout must be more than 0 seconds", where="timeout")
    return min(value, settings.query_timeout)


async def run_job(pool: QueryPool, job: Job, timeout: float) -> Reply:
    """Run a job in a worker; errors become TzkgErrors with their HTTP status.

    :raises QueryTimeoutError: if it ran past `timeout` (the worker was killed).
    :raises TzkgError: for what the worker reported (syntax, unknown graph, ...).
    """
    try:
        reply = await pool.arun(job, timeout)
    except WorkerTimeout as exc:
        raise QueryTimeoutError(
            f"{exc}; it was stopped. Narrow the query, add LIMIT, or download /dumps",
            where=f"timeout={timeout:g}s",
        ) from None
    except WorkerLost as exc:
        raise StoreError(str(exc)) from None
    if not reply.ok:
        raise reply_error(reply)
    return reply


def reply_error(reply: Reply) -> TzkgError:
    """The TzkgError for a failed worker reply."""
    from tzkg import errors

    if reply.kind == "query-syntax":
        return query_syntax_error(SyntaxError(reply.message))
    if reply.kind == "not-acceptable":
        return NotAcceptableError("nothing acceptable", code="not-acceptable")
    table: dict[str, type[TzkgError]] = {
        "query-parameter": errors.QueryParameterError,
        "unknown-graph": errors.UnknownGraphError,
        "result-too-large": errors.ResultTooLargeError,
    }
    return table.get(reply.kind, errors.StoreError)(reply.message)


# --- writes --------------------------------------------------------------------------------


def check_token(request: Request, settings: Settings) -> None:
    """Let a write through only with the configured bearer token.

    :raises ForbiddenError: if no token is configured (writes are off) or the token is wrong.
    :raises UnauthorizedError: if the request carries no bearer token.
    """
    if not settings.write_token:
        raise ForbiddenError(
            "writes are off on this instance (set TZKG_WRITE_TOKEN to enable them)",
            code="writes-disabled",
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("a write needs `Authorization: Bearer <token>`")
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise ForbiddenError("the bearer token is not the write token")


# --- content negotiation -------------------------------------------------------------------


def parse_accept(accept: str | None) -> list[tuple[str, float, int]]:
    """The media ranges of an Accept header with their q-values and positions."""
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        ranges.append((media.lower(), weight, position))
    return ranges


def negotiate(accept: str | None, offers: Mapping[str, F]) -> tuple[str, F] | None:
    """The offer `accept` prefers, or None when it accepts none of them.

    An offer's weight comes from the most specific range that matches it (`type/sub`, then
    `type/*`, then `*/*`); the highest weight wins, ties go to the range named first in the
    header, then to the order of `offers`. No Accept header accepts everything.

    >>> negotiate("text/csv;q=0.5, application/xml", {"application/json": 1, "text/csv": 2})
    ('text/csv', 2)
    >>> negotiate("image/png", {"application/json": 1}) is None
    True
    """
    if not accept or not accept.strip():
        return next(iter(offers.items()), None)
    ranges = parse_accept(accept)
    best: tuple[float, int, int, str] | None = None
    for order, offer in enumerate(offers):
        family = offer.split("/")[0] + "/*"
        match: tuple[int, float, int] | None = None  # specificity, weight, position
        for media, weight, position in ranges:
            specificity = (
                3 if media == offer else 2 if media == family else 1 if media == "*/*" else 0
            )
            if specificity and (match is None or specificity > match[0]):
                match = (specificity, weight, position)
        if match is None or match[1] <= 0:
            continue
        key = (-match[1], match[2], order, offer)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    return best[3], offers[best[3]]


def require_acceptable(accept: str | None, offers: Mapping[str, F]) -> tuple[str, F]:
    """Like `negotiate`, but a 406 naming what can be had when nothing fits.

    :raises NotAcceptableError: if `accept` accepts none of `offers`.
    """
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptableError(
            f"cannot answer in {accept}; available: {', '.join(offers)}", where="Accept"
        )
    return chosen
