"""Queries run in worker processes over the read-only store, so a time limit can really stop them.

pyoxigraph cannot cancel a running query, so the service never runs an analyst's query in its
own process: a small pool of workers each keeps `pyoxigraph.Store.read_only(path)` open and
answers jobs sent over a pipe. The caller waits at most the time limit; a worker still busy then
is killed (SIGKILL: a read-only RocksDB reader leaves nothing to repair) and replaced in the
background, while the other workers go on answering. Design: docs/query-timeouts.md.

This module imports only the standard library and pyoxigraph, so the fork server that starts
workers preloads it cheaply.
"""

from __future__ import annotations

import asyncio
import collections
import io
import json
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import IO, Any, Literal, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)
from pyoxigraph import Literal as RdfLiteral

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

JobKind = Literal["query", "rows", "graph"]


@dataclass(frozen=True)
class Job:
    """One request to a worker; plain data, pickled over the pipe.

    - ``query``: run `sparql`, serialize a SELECT/ASK result as `results_media` and a
      CONSTRUCT/DESCRIBE result as `graph_media` (None: that kind is not acceptable).
    - ``rows``: run a SELECT and answer its first `max_rows` rows as SPARQL JSON, with a flag
      saying whether there were more (for JSON APIs that cap rows).
    - ``graph``: serialize the named graph `graph` (None: the default graph) as `graph_media`.
    """

    kind: JobKind
    path: str
    sparql: str = ""
    results_media: str | None = None
    graph_media: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    substitutions: Mapping[str, Any] = field(default_factory=dict)
    base_iri: str | None = None
    max_rows: int = 0
    max_bytes: int = 0
    graph: str | None = None


@dataclass(frozen=True)
class Reply:
    """What a worker answers: a body in `media_type`, or an error with a code."""

    ok: bool
    kind: str = ""  # select, ask, construct, graph; or the error code
    media_type: str = ""
    body: bytes = b""
    truncated: bool = False
    message: str = ""


# --- the worker side -----------------------------------------------------------------------


class _Capped(io.RawIOBase):
    """A bytes sink that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.buffer = bytearray()
        self.overflow = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if self.limit and len(self.buffer) + len(chunk) > self.limit:
            self.overflow = True
            raise OSError("result too large")
        self.buffer += chunk
        return len(chunk)


class _Worker:
    """The state of one worker process: the store it has open and the default prefixes."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.path: str | None = None
        self.store: Store | None = None

    def open(self, path: str) -> Store:
        if self.store is None or self.path != path:
            self.store = None  # release the previous build or snapshot first
            self.store = Store.read_only(path)
            self.path = path
        return self.store

    def handle(self, job: Job) -> Reply:
        try:
            store = self.open(job.path)
            if job.kind == "graph":
                return self._graph(store, job)
            raw = store.query(
                job.sparql,
                base_iri=job.base_iri,
                prefixes=self.prefixes,
                use_default_graph_as_union=job.union_default_graph and job.default_graph is None,
                default_graph=[NamedNode(g) for g in job.default_graph]
                if job.default_graph is not None
                else None,
                named_graphs=[NamedNode(g) for g in job.named_graphs]
                if job.named_graphs is not None
                else None,
                substitutions={Variable(k): v for k, v in job.substitutions.items()} or None,
            )
            if job.kind == "rows":
                return _rows(raw, job.max_rows)
            return _serialized(raw, job)
        except SyntaxError as exc:
            return Reply(False, "query-syntax", message=str(exc))
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            text = str(exc)
            if isinstance(exc, RuntimeError) and "variable" in text:
                return Reply(False, "query-parameter", message=text)
            return Reply(False, "store-error", message=text)

    def _graph(self, store: Store, job: Job) -> Reply:
        media = job.graph_media or "text/turtle"
        fmt = RdfFormat.from_media_type(media)
        assert fmt is not None
        name: NamedNode | DefaultGraph
        if job.graph is None:
            name = DefaultGraph()
        else:
            name = NamedNode(job.graph)
            if not store.contains_named_graph(name):
                return Reply(False, "unknown-graph", message=f"no named graph <{job.graph}>")
        sink = _Capped(job.max_bytes)
        out = cast(IO[bytes], sink)
        try:
            if fmt.supports_datasets:
                serialize(
                    store.quads_for_pattern(None, None, None, name),
                    out,
                    fmt,
                    prefixes=self.prefixes,
                )
            else:
                store.dump(out, fmt, from_graph=name, prefixes=self.prefixes)
        except OSError:
            if sink.overflow:
                return _too_large(job.max_bytes)
            raise
        return Reply(True, "graph", media, bytes(sink.buffer))


def _serialized(raw: QuerySolutions | QueryBoolean | QueryTriples, job: Job) -> Reply:
    sink = _Capped(job.max_bytes)
    out = cast(IO[bytes], sink)
    if isinstance(raw, QueryTriples):
        kind, media = "construct", job.graph_media
        if media is None:
            return Reply(False, "not-acceptable", message=kind)
        fmt = RdfFormat.from_media_type(media)
        assert fmt is not None
        try:
            # Materialised first: prefixes are declared only where some IRI uses them.
            triples = list(raw)
            serialize(triples, out, fmt, prefixes=_used(triples, fmt))
        except OSError:
            if sink.overflow:
                return _too_large(job.max_bytes)
            raise
        return Reply(True, kind, media, bytes(sink.buffer))
    kind = "ask" if isinstance(raw, QueryBoolean) else "select"
    media = job.results_media
    if media is None:
        return Reply(False, "not-acceptable", message=kind)
    results_format = QueryResultsFormat.from_media_type(media)
    assert results_format is not None
    try:
        raw.serialize(out, results_format)
    except OSError:
        if sink.overflow:
            return _too_large(job.max_bytes)
        raise
    return Reply(True, kind, media, bytes(sink.buffer))


_PREFIXES: dict[str, str] = {}


def _used(triples: list[Triple], fmt: RdfFormat) -> dict[str, str] | None:
    if fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS):
        return None
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
    return {n: ns for n, ns in _PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def _too_large(limit: int) -> Reply:
    return Reply(
        False,
        "result-too-large",
        message=f"the result is larger than {limit} bytes; add LIMIT, or fetch /dumps",
    )


def _rows(raw: QuerySolutions | QueryBoolean | QueryTriples, max_rows: int) -> Reply:
    if not isinstance(raw, QuerySolutions):
        return Reply(False, "query-parameter", message="only a SELECT query can give rows")
    variables = [v.value for v in raw.variables]
    bindings: list[dict[str, Any]] = []
    truncated = False
    for solution in raw:
        if max_rows and len(bindings) >= max_rows:
            truncated = True
            break
        row: dict[str, Any] = {}
        for name in variables:
            term = solution[name]
            if term is not None:
                row[name] = term_json(term)
        bindings.append(row)
    body = json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return Reply(True, "select", "application/sparql-results+json", body, truncated)


def term_json(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, RdfLiteral):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, Triple)
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def _serve(conn: Connection, prefixes: dict[str, str]) -> None:
    """The worker process: answer jobs until the pipe closes."""
    _PREFIXES.update(prefixes)
    worker = _Worker(prefixes)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            reply = worker.handle(job)
        except Exception as exc:  # keep the worker alive; the parent reports a store error
            reply = Reply(False, "store-error", message=f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


# --- the parent side -----------------------------------------------------------------------


class WorkerTimeout(Exception):
    """The job did not finish within its time limit; its worker was killed."""


class _Expired(Exception):
    """Set on a future whose time limit passed."""


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(_Expired())


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class WorkerLost(Exception):
    """The worker died while answering (killed from outside, out of memory)."""


class _Process:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: BaseContext, prefixes: dict[str, str]) -> None:
        parent, child = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, prefixes), daemon=True, name="tzkg-query-worker"
        )
        self.process.start()
        child.close()
        self.conn: Connection = parent

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _context() -> BaseContext:
    # Workers are forked from a clean fork server, never from the (threaded) server process.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tzkg.workers"])
    return context


class QueryPool:
    """A fixed number of query worker processes; `run` is blocking and thread-safe."""

    def __init__(self, size: int, prefixes: Mapping[str, str]) -> None:
        self.size = size if size > 0 else max(2, os.cpu_count() or 1)
        self.prefixes = dict(prefixes)
        self._context = _context()
        self._idle: queue.LifoQueue[_Process] = queue.LifoQueue()
        self._all: set[_Process] = set()
        self._lock = threading.Lock()
        self._waiters: collections.deque[
            tuple[asyncio.AbstractEventLoop, asyncio.Future[_Process]]
        ] = collections.deque()
        self._closed = False
        self.replaced = 0

    def start(self) -> None:
        """Start every worker (in parallel) and wait until each answers."""
        started = [self._spawn() for _ in range(self.size)]
        for process in started:
            self._idle.put(process)

    def _spawn(self) -> _Process:
        process = _Process(self._context, self.prefixes)
        with self._lock:
            self._all.add(process)
        return process

    def run(self, job: Job, timeout: float) -> Reply:
        """Answer `job` within `timeout` seconds (waiting for a free worker counts).

        :raises WorkerTimeout: if no worker was free or the job ran too long.
        :raises WorkerLost: if the worker died while answering.
        """
        deadline = time.monotonic() + timeout
        try:
            process = self._idle.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise WorkerTimeout("no query worker was free within the time limit") from None
        healthy = False
        try:
            process.conn.send(job)
            if not process.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise WorkerTimeout(f"the query ran longer than {timeout:g} s")
            reply: Reply = process.conn.recv()
            healthy = True
            return reply
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise WorkerLost(f"the query worker stopped: {exc or type(exc).__name__}") from None
        finally:
            if healthy:
                self._release(process)
            else:
                self._retire(process)

    async def arun(self, job: Job, timeout: float) -> Reply:
        """`run` for asyncio: no thread and no task per job, only futures of the event loop.

        An idle worker is taken at once; otherwise the request waits on a future that the next
        returned worker resolves (first come, first served). The reply is awaited by watching
        the worker's pipe in the event loop, with a timer for the time limit.

        :raises WorkerTimeout: if no worker was free or the job ran too long.
        :raises WorkerLost: if the worker died while answering.
        """
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        try:
            process = self._idle.get_nowait()
        except queue.Empty:
            process = await self._wait_for_worker(loop, timeout)
        healthy = False
        fd = process.conn.fileno()
        ready: asyncio.Future[None] = loop.create_future()
        expiry = loop.call_later(max(deadline - time.monotonic(), 0.0), _expire, ready)

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            process.conn.send(job)
            loop.add_reader(fd, readable)
            try:
                await ready
            except _Expired:
                raise WorkerTimeout(f"the query ran longer than {timeout:g} s") from None
            finally:
                loop.remove_reader(fd)
            # The worker writes its whole reply at once: reading it here is a copy, not a wait.
            reply: Reply = process.conn.recv()
            healthy = True
            return reply
        except (EOFError, OSError) as exc:
            raise WorkerLost(f"the query worker stopped: {exc or type(exc).__name__}") from None
        finally:
            expiry.cancel()
            if healthy:
                self._release(process)
            else:
                self._retire(process)

    async def _wait_for_worker(self, loop: asyncio.AbstractEventLoop, timeout: float) -> _Process:
        """The next worker returned to the pool, within `timeout` seconds."""
        waiter: asyncio.Future[_Process] = loop.create_future()
        with self._lock:
            try:  # returned between our first look and now
                return self._idle.get_nowait()
            except queue.Empty:
                self._waiters.append((loop, waiter))
        expiry = loop.call_later(max(timeout, 0.0), _expire, waiter)
        try:
            return await waiter
        except _Expired:
            raise WorkerTimeout("no query worker was free within the time limit") from None
        finally:
            expiry.cancel()

    def _release(self, process: _Process) -> None:
        """Give a healthy worker to the longest-waiting request, or back to the idle ones."""
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if waiter.done():
                    continue  # expired or cancelled
                try:
                    if _running_loop() is loop:
                        loop.call_soon(self._hand_over, waiter, process)
                    else:  # from a respawn thread or the blocking `run`
                        loop.call_soon_threadsafe(self._hand_over, waiter, process)
                except RuntimeError:  # that loop is closed: its requests are gone
                    continue
                return
            self._idle.put(process)

    def _hand_over(self, waiter: asyncio.Future[_Process], process: _Process) -> None:
        """In the waiter's event loop: resolve it, or pass the worker on if it gave up meanwhile."""
        if waiter.done():
            self._release(process)
        else:
            waiter.set_result(process)

    def _retire(self, process: _Process) -> None:
        """Kill a worker and start its replacement in the background."""
        process.kill()
        with self._lock:
            self._all.discard(process)
            if self._closed:
                return
        self.replaced += 1
        threading.Thread(target=self._replace, name="tzkg-worker-respawn", daemon=True).start()

    def _replace(self) -> None:
        try:
            process = self._spawn()
        except Exception:
            log.exception("could not start a query worker")
            return
        if self._closed:
            process.kill()
            return
        self._release(process)

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return [p.process.pid for p in self._all if p.process.pid is not None]

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            processes = list(self._all)
            self._all.clear()
        for process in processes:
            process.kill()


def graph_iris(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """A tuple of graph IRIs for a `Job`, or None when none were given."""
    return tuple(values) if values else None
