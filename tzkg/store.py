"""The one store interface (`GraphStore`), its Oxigraph implementation and atomic builds.

A built store lives in `<store_dir>.builds/<build-id>/` (`data/` for Oxigraph, `build.json` for
the build's metadata); `store_dir` is a symlink to the current build, swapped atomically, so a
failed or killed build never touches the store that readers use.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal, Protocol, Self, TypeAlias

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse_query_results,
    serialize,
)
from pyoxigraph import Literal as RdfLiteral

from tzkg.errors import (
    BuildError,
    QueryParameterError,
    QuerySyntaxError,
    StoreError,
    StoreMissingError,
    TzkgError,
    UnknownGraphError,
)
from tzkg.vocab import PREFIXES

Term: TypeAlias = NamedNode | BlankNode | RdfLiteral | Triple
"""An RDF term as pyoxigraph gives it: what a result row holds and a substitution binds."""

ResultKind: TypeAlias = Literal["select", "ask", "construct"]

DATA_DIR = "data"
BUILD_INFO = "build.json"

_SYNTAX_WHERE = re.compile(r"^\s*error at (\d+):(\d+)(?:-\d+:\d+)?\s*:\s*", re.IGNORECASE)
_BUILD_NAME = re.compile(r"^\d{8}T\d{12}-(\d+)$")


class QueryResult:
    """The complete result of one query, held in memory; every accessor can be used repeatedly.

    >>> store = Store()
    >>> result = QueryResult(store.query("ASK { ?s ?p ?o }"))
    >>> (result.kind, result.boolean)
    ('ask', False)
    """

    def __init__(self, raw: QuerySolutions | QueryBoolean | QueryTriples) -> None:
        self.variables: list[str] = []
        self._json = b""
        self._boolean = False
        self._triples: list[Triple] = []
        self._rows: list[dict[str, Term]] | None = None
        self.kind: ResultKind
        if isinstance(raw, QuerySolutions):
            self.kind = "select"
            self.variables = [v.value for v in raw.variables]
            # Solutions can be iterated once; their JSON form keeps them, losslessly, for reuse.
            self._json = _serialized(raw.serialize(format=QueryResultsFormat.JSON))
        elif isinstance(raw, QueryBoolean):
            self.kind = "ask"
            self._boolean = bool(raw)
        else:
            self.kind = "construct"
            self._triples = list(raw)

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        self._expect("ask")
        return self._boolean

    @property
    def rows(self) -> list[dict[str, Term]]:
        """The solutions of a SELECT query, one dict per row; unbound variables are left out."""
        self._expect("select")
        if self._rows is None:
            solutions = parse_query_results(self._json, QueryResultsFormat.JSON)
            assert isinstance(solutions, QuerySolutions)
            variables = solutions.variables
            self._rows = [
                {v.value: term for v in variables if (term := solution[v]) is not None}
                for solution in solutions
            ]
        return self._rows

    @property
    def triples(self) -> list[Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        self._expect("construct")
        return self._triples

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "construct":
            return len(self._triples)
        return 1

    def serialize(
        self, fmt: QueryResultsFormat | RdfFormat, *, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        """The result in a SPARQL results format (SELECT, ASK) or an RDF format (CONSTRUCT).

        :raises TypeError: if the format does not fit the kind of result.
        """
        if self.kind == "construct":
            if not isinstance(fmt, RdfFormat):
                raise TypeError(f"a {self.kind} result is RDF, not {fmt.name}")
            names = _used_prefixes(self._triples, PREFIXES if prefixes is None else prefixes)
            return _serialized(serialize(self._triples, format=fmt, prefixes=names))
        if not isinstance(fmt, QueryResultsFormat):
            raise TypeError(f"a {self.kind} result is not RDF: use a SPARQL results format")
        if self.kind == "select" and fmt == QueryResultsFormat.JSON:
            return self._json
        source = (
            self._json
            if self.kind == "select"
            else b'{"head":{},"boolean":%s}' % (b"true" if self._boolean else b"false")
        )
        parsed = parse_query_results(source, QueryResultsFormat.JSON)
        assert isinstance(parsed, QuerySolutions | QueryBoolean)
        return _serialized(parsed.serialize(format=fmt))

    def _expect(self, kind: ResultKind) -> None:
        if self.kind != kind:
            raise TypeError(f"a {self.kind} result has no {kind} answer")


class GraphStore(Protocol):
    """What the rest of tzkg needs from a quad store."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless told otherwise.

        :raises QuerySyntaxError: if the query does not parse (`where` is line:column).
        :raises QueryParameterError: if a substitution names a variable the query cannot bind.
        """
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction."""
        ...

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Make `graph` hold exactly `triples`, in one transaction."""
        ...

    def bulk_load(self, quads: Iterable[Quad]) -> None:
        """Add many quads fast (not transactional: meant for fresh builds)."""
        ...

    def export(self, out: BinaryIO, fmt: RdfFormat, *, graph: NamedNode | None = None) -> None:
        """Write the dataset, or one graph, to `out`; triple formats get the union of all graphs."""
        ...

    def named_graphs(self) -> list[NamedNode]:
        """The named graphs, sorted by IRI."""
        ...

    def __len__(self) -> int:
        """The number of quads."""
        ...

    def close(self) -> None:
        """Release the store (flushing it first if it is writable)."""
        ...


class OxigraphStore:
    """`GraphStore` over a `pyoxigraph.Store` on disk (RocksDB directory `path`) or in memory.

    :raises StoreError: if the directory cannot be opened (missing, locked or damaged).
    """

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.location = path  # the build directory, when opened through `open_store`
        self.read_only = read_only
        try:
            if path is None:
                self._store: Store | None = Store()
            else:
                self._store = Store.read_only(str(path)) if read_only else Store(path)
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", where=str(path)) from exc

    @classmethod
    def in_memory(cls) -> OxigraphStore:
        """A fresh store held in memory only."""
        return cls(None)

    @property
    def raw(self) -> Store:
        """The underlying pyoxigraph store."""
        if self._store is None:
            raise StoreError("the store is closed", where=self._where)
        return self._store

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "memory"

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (see `GraphStore.query`)."""
        bound = {Variable(name): term for name, term in (substitutions or {}).items()}
        try:
            raw = self.raw.query(
                sparql,
                base_iri=base_iri,
                prefixes=dict(prefixes) if prefixes else None,
                use_default_graph_as_union=union_default_graph and default_graph is None,
                default_graph=list(default_graph) if default_graph is not None else None,
                named_graphs=list(named_graphs) if named_graphs is not None else None,
                substitutions=bound or None,
            )
            return QueryResult(raw)
        except SyntaxError as exc:
            raise query_syntax_error(exc) from None
        except RuntimeError as exc:
            if bound and "variable" in str(exc):
                # e.g. "The SPARQL query does not contains variable ?x in its SELECT projection"
                raise QueryParameterError(str(exc)) from None
            raise StoreError(str(exc), where=self._where) from exc
        except OSError as exc:
            raise StoreError(str(exc), where=self._where) from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction."""
        try:
            self.raw.update(sparql)
        except SyntaxError as exc:
            raise query_syntax_error(exc) from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(str(exc), where=self._where) from exc

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Make `graph` hold exactly `triples`, in one transaction (blank nodes get fresh ids)."""
        # One update is one transaction; the data is N-Triples written by pyoxigraph, not
        # text assembled from values, so it cannot change the shape of the update.
        data = _serialized(serialize(triples, format=RdfFormat.N_TRIPLES)).decode()
        self.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{data}}} }}")

    def bulk_load(self, quads: Iterable[Quad]) -> None:
        """Add many quads fast (not transactional: meant for fresh builds)."""
        try:
            self.raw.bulk_extend(quads)
        except OSError as exc:
            raise StoreError(str(exc), where=self._where) from exc

    def export(
        self,
        out: BinaryIO,
        fmt: RdfFormat,
        *,
        graph: NamedNode | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """Write the dataset, or one graph, to `out`.

        Without `graph`, a format that cannot hold graphs (Turtle, N-Triples, RDF/XML) gets the
        union of all graphs, each triple once; with `graph`, quad formats keep the graph name.

        :raises UnknownGraphError: if `graph` is not a named graph of the store.
        """
        store = self.raw
        names = dict(prefixes or PREFIXES)
        if graph is not None:
            if graph not in self.named_graphs():
                raise UnknownGraphError(f"no named graph {graph}", where=graph.value)
            if fmt.supports_datasets:
                quads = store.quads_for_pattern(None, None, None, graph)
                serialize(quads, out, fmt, prefixes=names)
            else:
                store.dump(out, fmt, from_graph=graph, prefixes=names)
        elif fmt.supports_datasets:
            store.dump(out, fmt, prefixes=names)
        else:
            union = store.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
                use_default_graph_as_union=True,
            )
            assert isinstance(union, QueryTriples)
            serialize(union, out, fmt, prefixes=names)

    def named_graphs(self) -> list[NamedNode]:
        """The named graphs, sorted by IRI."""
        graphs = [g for g in self.raw.named_graphs() if isinstance(g, NamedNode)]
        return sorted(graphs, key=lambda g: g.value)

    def count_triples(self) -> int:
        """The number of distinct triples over all graphs (a triple in two graphs counts once)."""
        result = self.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
        count = result.rows[0]["n"]
        assert isinstance(count, RdfLiteral)
        return int(count.value)

    def __len__(self) -> int:
        return len(self.raw)

    def close(self) -> None:
        """Release the store; RocksDB closes when the last reference to it goes."""
        if self._store is not None and not self.read_only:
            self._store.flush()
        self._store = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def query_syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """A QuerySyntaxError from pyoxigraph's "error at LINE:COL: reason" message."""
    text = " ".join(str(exc).split())
    match = _SYNTAX_WHERE.match(text)
    if match is None:
        return QuerySyntaxError(text)
    return QuerySyntaxError(text[match.end() :], where=f"{match[1]}:{match[2]}")


# --- builds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildInfo:
    """What `build.json` records about one build."""

    build: str
    built_at: str
    seconds: float
    quads: int
    triples: int | None  # distinct triples; None until counted (after a roster load: later)
    graphs: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BuildInfo:
        data = json.loads(text)
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


_build_lock = threading.Lock()


def build_store(
    store_dir: Path,
    quads: Iterable[Quad],
    *,
    before_swap: Callable[[OxigraphStore], None] | None = None,
) -> BuildInfo:
    """Load `quads` into a fresh store and, only once that succeeded, make it `store_dir`.

    The previous build is kept (a running server may still read it); older ones are deleted.
    `before_swap` runs on the complete new store (open for writing) before it becomes current:
    reasoning adds its graph there and validation may refuse the build by raising.
    If loading raises, `store_dir` is untouched and the new build directory is removed; a
    build killed midway leaves a directory that the next build deletes.

    :raises BuildError: if the store cannot be written; errors of the quad source pass through.
    """
    store_dir = Path(os.path.abspath(store_dir))
    builds = _builds_root(store_dir)
    with _build_lock:
        builds.mkdir(parents=True, exist_ok=True)
        _prune(builds, keep=set(), finished_too=False)
        started = time.monotonic()
        now = datetime.now(UTC)
        build_dir = builds / f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"
        build_dir.mkdir()
        try:
            info = _load(build_dir, quads, now, started, before_swap)
            previous = _swap(store_dir, build_dir)
        except BaseException as exc:
            shutil.rmtree(build_dir, ignore_errors=True)
            if isinstance(exc, OSError):
                raise BuildError(f"cannot write the store: {exc}", where=str(build_dir)) from exc
            raise
        _prune(builds, keep={build_dir, *([previous] if previous else [])}, finished_too=True)
        return info


COUNT_NOW = 500_000
"""A derived store with fewer quads has its distinct triples counted at once (under a second);
a bigger one leaves the count to `record_triples` in a background process."""

REBUILD_QUADS = 100_000
"""Graphs left out of a derived store with more quads than this are left out by copying the
rest (bulk loads, bounded memory) rather than deleted from a checkpoint (one transaction that
holds every deleted quad in memory)."""

COPY_BATCH = 250_000


def derive_store(
    store_dir: Path,
    change: Callable[[OxigraphStore], None],
    *,
    without: Sequence[NamedNode] = (),
    before_swap: Callable[[OxigraphStore], None] | None = None,
) -> BuildInfo:
    """Make a new build from a checkpoint of the current store, change it, and swap it in.

    The checkpoint is a RocksDB backup (hard links on the same file system, so it is cheap),
    less the named graphs `without` (when one of them is big, the other graphs are copied
    instead); `change` edits the copy (e.g. loads a graph anew), then `before_swap` runs as in
    `build_store`. Only when both succeeded does `store_dir` point at the new build; if either
    raises, or the process is killed, the current store is untouched (a killed derivation leaves
    a directory that the next build or derivation deletes). Derivations of one store are
    serialised by a lock file, so two of them never start from the same checkpoint. The new
    store is not compacted here (RocksDB compacts in the background), unlike a full build, and
    if it has `COUNT_NOW` quads or more its distinct triples are not counted (`build.json` says
    `"triples": null` until `record_triples` counts them: seconds on millions of quads).

    :raises StoreMissingError: if there is no store at `store_dir` yet.
    :raises BuildError: if the store cannot be copied or written; errors of `change` and
        `before_swap` pass through.
    """
    store_dir = Path(os.path.abspath(store_dir))
    builds = _builds_root(store_dir)
    with _build_lock:
        location = store_location(store_dir)
        builds.mkdir(parents=True, exist_ok=True)
        with _lock_file(builds / ".derive.lock"):
            location = store_location(store_dir)  # it may have moved while we waited
            source = location / DATA_DIR if (location / DATA_DIR).is_dir() else location
            _prune(builds, keep={location}, finished_too=False)
            started = time.monotonic()
            now = datetime.now(UTC)
            build_dir = builds / f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"
            build_dir.mkdir()

            copied: list[bool] = []

            def changed(store: OxigraphStore) -> None:
                if not copied[0]:
                    for graph in without:
                        store.raw.remove_graph(graph)
                change(store)
                if before_swap is not None:
                    before_swap(store)

            try:
                current = OxigraphStore(source, read_only=True)
                try:
                    copied.append(any(_larger(current, g, REBUILD_QUADS) for g in without))
                    if copied[0]:
                        _copy_without(current, build_dir / DATA_DIR, set(without))
                    else:
                        current.raw.backup(str(build_dir / DATA_DIR))
                except OSError as exc:
                    raise BuildError(
                        f"cannot checkpoint the store: {exc}", where=str(source)
                    ) from exc
                finally:
                    current.close()
                info = _load(
                    build_dir, (), now, started, changed, optimize=False, count_below=COUNT_NOW
                )
                previous = _swap(store_dir, build_dir)
            except BaseException as exc:
                shutil.rmtree(build_dir, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise BuildError(
                        f"cannot write the store: {exc}", where=str(build_dir)
                    ) from exc
                raise
            _prune(builds, keep={build_dir, *([previous] if previous else [])}, finished_too=True)
            return info


def _larger(store: OxigraphStore, graph: NamedNode, limit: int) -> bool:
    """Whether `graph` has more than `limit` quads (skipped inside Oxigraph: no Python objects,
    which took 1.2 s for 100,000 quads)."""
    found = store.raw.query(
        f"SELECT ?s WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }} OFFSET {limit} LIMIT 1"
    )
    assert isinstance(found, QuerySolutions)
    return any(True for _ in found)


def _copy_without(source: OxigraphStore, target: Path, without: set[NamedNode]) -> None:
    """A new store at `target` with every quad of `source` except those of `without`."""
    store = Store(str(target))
    try:
        graphs: list[NamedNode | BlankNode | DefaultGraph] = [DefaultGraph()]
        graphs += [g for g in source.raw.named_graphs() if g not in without]
        quads = itertools.chain.from_iterable(
            source.raw.quads_for_pattern(None, None, None, g) for g in graphs
        )
        while batch := list(itertools.islice(quads, COPY_BATCH)):
            store.bulk_extend(batch)
        for graph in graphs[1:]:
            store.add_graph(graph)  # keep empty named graphs too
        store.flush()
    finally:
        del store


@contextlib.contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    """An exclusive advisory lock held while the block runs (released if the process dies)."""
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(
    build_dir: Path,
    quads: Iterable[Quad],
    now: datetime,
    started: float,
    before_swap: Callable[[OxigraphStore], None] | None,
    *,
    optimize: bool = True,
    count_below: int | None = None,
) -> BuildInfo:
    store = OxigraphStore(build_dir / DATA_DIR)
    try:
        store.bulk_load(quads)
        if before_swap is not None:
            before_swap(store)
        store.raw.flush()
        if optimize:
            store.raw.optimize()
        size = len(store)
        count = count_below is None or size < count_below
        counts = size, store.count_triples() if count else None, len(store.named_graphs())
    finally:
        store.close()
    info = BuildInfo(
        build=build_dir.name,
        built_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        seconds=round(time.monotonic() - started, 3),
        quads=counts[0],
        triples=counts[1],
        graphs=counts[2],
    )
    # build.json is written last: a build directory without it never finished.
    (build_dir / BUILD_INFO).write_text(info.to_json(), encoding="utf-8")
    return info


def record_triples(build_dir: Path, store: OxigraphStore) -> BuildInfo:
    """Count the distinct triples of a finished build and record them in its `build.json`
    (replaced atomically: a reader sees the old file or the new one)."""
    path = build_dir / BUILD_INFO
    info = BuildInfo.from_json(path.read_text(encoding="utf-8"))
    counted = replace(info, triples=store.count_triples())
    partial = path.with_name(BUILD_INFO + f".{os.getpid()}.partial")
    partial.write_text(counted.to_json(), encoding="utf-8")
    os.replace(partial, path)
    return counted


def _swap(store_dir: Path, build_dir: Path) -> Path | None:
    """Point `store_dir` at `build_dir` atomically; return the build it pointed at before."""
    previous: Path | None = None
    legacy = False
    if store_dir.is_symlink():
        previous = Path(os.path.realpath(store_dir))
    elif store_dir.is_dir():
        # A legacy plain directory: move it aside as a build of its own so it can be swapped.
        previous = build_dir.parent / f"legacy-{build_dir.name}"
        store_dir.rename(previous)
        legacy = True
    link = store_dir.parent / f".{store_dir.name}.swap-{os.getpid()}"
    try:
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(build_dir, store_dir.parent))
        os.replace(link, store_dir)
    except OSError:
        if legacy and previous is not None and not store_dir.exists():
            previous.rename(store_dir)
        raise
    with contextlib.suppress(OSError):  # the swap is done; syncing the entry is best effort
        _fsync_dir(store_dir.parent)
    return previous


def _prune(builds: Path, *, keep: set[Path], finished_too: bool) -> None:
    """Delete abandoned builds, and finished ones not in `keep` when `finished_too`."""
    for path in builds.iterdir():
        if path in keep or not path.is_dir():
            continue
        match = _BUILD_NAME.match(path.name)
        if match and int(match[1]) != os.getpid() and _alive(int(match[1])):
            continue  # another process is building there right now
        if background_reader(path) not in (None, os.getpid()):
            continue  # its dumps are being written: deleted by a later prune
        finished = (path / BUILD_INFO).exists() or path.name.startswith("legacy-")
        if finished and not finished_too:
            continue
        shutil.rmtree(path, ignore_errors=True)


BACKGROUND_MARK = "dumps.pending"
"""In a build directory: the pid of a background process reading it (tzkg.dumps)."""


def background_reader(build_dir: Path) -> int | None:
    """The pid of the live background process reading `build_dir` (its `BACKGROUND_MARK`)."""
    try:
        pid = int((build_dir / BACKGROUND_MARK).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _builds_root(store_dir: Path) -> Path:
    return store_dir.parent / f"{store_dir.name}.builds"


# --- opening -----------------------------------------------------------------------------


def store_location(store_dir: Path) -> Path:
    """The directory the current build lives in (`store_dir` itself for a legacy store).

    :raises StoreMissingError: if there is no built store there.
    """
    location = Path(os.path.realpath(store_dir))
    if (location / DATA_DIR / "CURRENT").is_file() or (location / "CURRENT").is_file():
        return location
    raise StoreMissingError(
        f"no store at {store_dir}; run `tzkg build` (or `make build`)", where=str(store_dir)
    )


def open_store(store_dir: Path, *, read_only: bool = True) -> OxigraphStore:
    """Open the current build at `store_dir`.

    :raises StoreMissingError: if nothing has been built there yet.
    :raises StoreError: if the store is there but cannot be opened.
    """
    location = store_location(store_dir)
    data = location / DATA_DIR if (location / DATA_DIR).is_dir() else location
    store = OxigraphStore(data, read_only=read_only)
    store.location = location
    return store


def read_build_info(store_dir: Path) -> BuildInfo | None:
    """The metadata of the current build, or None for a store built without it."""
    try:
        path = store_location(store_dir) / BUILD_INFO
        return BuildInfo.from_json(path.read_text(encoding="utf-8"))
    except (TzkgError, OSError, ValueError, KeyError, TypeError):
        return None


def iter_builds(store_dir: Path) -> Iterator[Path]:
    """The finished build directories kept for `store_dir`, oldest first."""
    builds = _builds_root(Path(os.path.abspath(store_dir)))
    if builds.is_dir():
        yield from sorted(p for p in builds.iterdir() if (p / BUILD_INFO).is_file())


def _used_prefixes(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes that some IRI of `triples` starts with."""
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, RdfLiteral):
                iris.add(term.datatype.value)
    return {
        name: ns for name, ns in prefixes.items() if any(value.startswith(ns) for value in iris)
    }


def _conforms(store: OxigraphStore) -> GraphStore:
    return store  # mypy checks here that OxigraphStore implements GraphStore


def _serialized(data: bytes | None) -> bytes:
    assert data is not None  # pyoxigraph returns bytes when no output is given
    return data
