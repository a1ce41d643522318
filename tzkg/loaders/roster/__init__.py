"""The roster loader: bureau spreadsheets (CSV/TSV/XLSX) → validated, linked, traceable quads.

`prepare_roster` reads, validates and links a file (nothing is written); `roster_quads` turns a
prepared roster into the quads of its named graph; `load_roster` replaces that graph in a built
store atomically; `build_roster_quads` gives `tzkg build` every roster it must load.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat

from tzkg.config import Settings
from tzkg.errors import RosterError, StoreError, StoreMissingError, TzkgError
from tzkg.iris import pinyin_slug
from tzkg.loaders.roster.districts import DistrictIndex
from tzkg.loaders.roster.emit import roster_nquads, roster_quads
from tzkg.loaders.roster.linking import LinkContext
from tzkg.loaders.roster.prepare import (
    PreparedRoster,
    file_digest,
    graph_iri,
    prepare_roster,
    region_words,
)
from tzkg.loaders.roster.registry import (
    LoadedRoster,
    archive_dir,
    archive_file,
    learn_loaded,
    loaded_rosters,
    manifest_entries,
)
from tzkg.loaders.roster.report import write_report
from tzkg.store import BuildInfo, OxigraphStore, derive_store, open_store, store_location

__all__ = [
    "RosterLoad",
    "RosterRejectsError",
    "build_roster_quads",
    "load_roster",
    "prepare_roster",
    "reports_dir",
    "roster_quads",
]

log = logging.getLogger("tzkg.roster")


Progress = Callable[[str, int, int], None]
"""Told (phase, done, total): "checking rows" of the file, then "writing" its records, then
each finish step (reasoning, validation, search) as 0 of 1 and 1 of 1."""


@dataclass
class RosterLoad:
    """The outcome of `load_roster`: the prepared roster, where its report is, the new build."""

    prepared: PreparedRoster
    report_csv: Path
    report_json: Path
    build: BuildInfo | None
    seconds: float
    dumps_pid: int | None = None
    """The background process counting the new build's triples and writing its dumps."""
    later: tuple[str, ...] = ()
    """What that process makes: "triple count", "dumps"."""
    steps: dict[str, float] = field(default_factory=dict)
    """Seconds of each finish step run before the swap (reasoning, validation, search)."""


class RosterRejectsError(RosterError):
    """Rows were rejected under --strict: nothing was loaded; `load` has the report."""

    code = "roster-rejects"

    def __init__(self, message: str, *, where: str | None, load: RosterLoad) -> None:
        super().__init__(message, where=where)
        self.load = load


def reports_dir(store_dir: Path) -> Path:
    """Where reject reports go by default: `<store_dir>.reports/`."""
    archive = archive_dir(store_dir)
    return archive.with_name(archive.name.removesuffix(".rosters") + ".reports")


def load_roster(
    path: Path,
    settings: Settings,
    *,
    kind: str | None = None,
    year: int | None = None,
    strict: bool = False,
    report: Path | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> RosterLoad:
    """Load one roster into the store at settings.store_dir, replacing the graph of its file.

    The new store is derived from a checkpoint of the current one: the roster's graph is
    replaced, the build's finish steps run (but the dumps), and only then is it swapped in; a
    failure or a kill leaves the store as it was. The dumps of the new build are then written
    by a background process (`tzkg.dumps.write_dumps_later`; `/dumps` says 503 meanwhile).
    The reject report is written in every case where the file could be read (to `report`,
    default `<store_dir>.reports/<graph>`). With `strict`, any rejected row fails the load
    (RosterError `roster-rejects`) and the store is not changed.

    :raises StoreMissingError: if nothing has been built at settings.store_dir yet.
    :raises RosterError: if the file cannot be read as a roster, or under `strict`.
    """
    from tzkg.build import FINISH_STEPS
    from tzkg.dumps import write_dumps, write_dumps_later

    started = time.monotonic()
    path = Path(path)
    store_location(settings.store_dir)  # fail early, before reading the file, if there is none
    if not path.is_file():
        raise RosterError("no such roster file", where=str(path), code="roster-missing")
    digest, _ = file_digest(path)
    archive_file(settings.store_dir, path, digest)  # content-addressed: harmless if we fail
    districts = DistrictIndex.load(settings.data_dir)
    holder: list[PreparedRoster] = []
    steps: dict[str, float] = {}

    def change(store: OxigraphStore) -> None:
        context = LinkContext.for_plan(settings, region_words(districts))
        learn_loaded(store, context, exclude=graph_iri(settings.base_iri, path))
        prepared = prepare_roster(
            path,
            settings,
            kind=kind,
            year=year,
            context=context,
            districts=districts,
            progress=(lambda done, total: progress("checking rows", done, total))
            if progress is not None
            else None,
            sheet=sheet,
        )
        holder.append(prepared)
        if strict and prepared.rejected:
            raise _Refused
        writing = (lambda done, total: progress("writing", done, total)) if progress else None
        bulk_load_nquads(store, roster_nquads(prepared, settings, progress=writing))
        for step in FINISH_STEPS:
            if step is not write_dumps:  # written after the swap, in the background
                name, mark = step_name(step), time.monotonic()
                if progress is not None:
                    progress(name, 0, 1)
                step(store, settings)
                steps[name] = time.monotonic() - mark
                if progress is not None:
                    progress(name, 1, 1)

    build: BuildInfo | None = None
    refused = False
    try:
        graph = NamedNode(graph_iri(settings.base_iri, path))
        build = derive_store(settings.store_dir, change, without=[graph])
    except _Refused:
        refused = True
    finally:
        if holder:
            target = report or reports_dir(settings.store_dir) / pinyin_slug(path.stem)
            csv_path, json_path = write_report(holder[0], target, written=build is not None)
    prepared = holder[0]
    dumps_pid = None
    dumps = write_dumps in FINISH_STEPS
    later: tuple[str, ...] = ()
    if build is not None and (dumps or build.triples is None):
        # the dumps if the build makes them, and first the triple count if it was left out
        dumps_pid = write_dumps_later(store_location(settings.store_dir), dumps=dumps)
        later = (*(["triple count"] if build.triples is None else []), *(["dumps"] * dumps))
    seconds = time.monotonic() - started
    load = RosterLoad(prepared, csv_path, json_path, build, seconds, dumps_pid, later, steps)
    if refused:
        first = min(prepared.problems, key=lambda x: (x.row, x.column or 0))
        column = f":{first.column}" if first.column else ""
        raise RosterRejectsError(
            f"{prepared.rejected} of {prepared.data_rows} data rows rejected "
            f"(first: {first.code}: {first.message}); nothing was loaded (--strict)",
            where=f"{path}:{first.row}{column}",
            load=load,
        )
    return load


def step_name(step: Callable[..., object]) -> str:
    """A finish step by its package: reasoning, validation, search, dumps."""
    parts = step.__module__.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tzkg" else step.__name__


class _Refused(Exception):
    """Raised inside the derivation to abandon it under --strict."""


LOADERS = max(1, min(4, os.cpu_count() or 1))
"""Batches bulk-loaded at once: Oxigraph's loader releases the GIL and uses about 1.5 cores, so
two at once load 100,000 rows in 14 s instead of 20 s on two cores (same quads)."""


def bulk_load_nquads(store: OxigraphStore, chunks: Iterator[bytes]) -> None:
    """Bulk-load N-Quads chunks, `LOADERS` at a time, writing the next chunk meanwhile.

    Oxigraph releases the GIL while it loads, so the text of the next batch is made in the
    meantime; batches bound the loader's memory.

    :raises StoreError: if the store cannot be written.
    """
    loading: set[Future[None]] = set()

    def settle(futures: set[Future[None]]) -> None:
        for future in futures:
            try:
                future.result()
            except OSError as exc:
                raise StoreError(f"cannot write the store: {exc}", where=str(store.path)) from exc

    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="nquads") as writer,
        ThreadPoolExecutor(max_workers=LOADERS, thread_name_prefix="bulk-load") as loaders,
    ):
        pending = writer.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = writer.submit(next, chunks, None)
            if len(loading) >= LOADERS:
                done, loading = wait(loading, return_when=FIRST_COMPLETED)
                settle(done)
            loading.add(loaders.submit(store.raw.bulk_load, chunk, RdfFormat.N_QUADS))
        settle(loading)


def build_roster_quads(settings: Settings) -> Iterator[Quad]:
    """The quads of every roster a build loads, in order: data/rosters/rosters.toml, then the
    rosters `tzkg load-roster` put into the current store (re-read from their kept copies).

    Rejected rows are logged as warnings (the graph records how many); a roster of
    data/rosters/ that cannot be read fails the build.
    """
    entries = manifest_entries(settings.data_dir)
    districts = DistrictIndex.load(settings.data_dir)
    context = LinkContext.for_plan(settings, region_words(districts))
    graphs: set[str] = set()
    for entry in entries:
        prepared = prepare_roster(
            entry.path,
            settings,
            kind=entry.kind,
            year=entry.year,
            context=context,
            districts=districts,
        )
        graphs.add(prepared.graph)
        _warn_rejects(prepared)
        yield from roster_quads(prepared, settings)
    for loaded in _adhoc(settings):
        copy = archive_dir(settings.store_dir) / loaded.sha256 / loaded.name
        if loaded.graph in graphs:
            if not loaded.source:
                log.warning(
                    "roster %s loaded with load-roster is replaced by the file of the same "
                    "name listed in data/rosters/rosters.toml",
                    loaded.name,
                )
            continue
        if not copy.is_file():
            if not loaded.source:  # a file of data/ taken out of rosters.toml goes quietly
                log.warning(
                    "roster %s (graph %s) was loaded with load-roster but its kept copy %s "
                    "is gone: it is not in the new build",
                    loaded.name,
                    loaded.graph,
                    copy,
                )
            continue
        prepared = prepare_roster(
            copy, settings, kind=loaded.kind, year=loaded.year, context=context, districts=districts
        )
        graphs.add(prepared.graph)
        _warn_rejects(prepared)
        yield from roster_quads(prepared, settings)


def _adhoc(settings: Settings) -> list[LoadedRoster]:
    """The rosters of the current store (if there is one) not listed in data/rosters/."""
    try:
        store = open_store(settings.store_dir)
    except StoreMissingError:
        return []
    except TzkgError as exc:
        log.warning(
            "cannot read the rosters loaded into the current store (%s): they are not "
            "in the new build",
            exc,
        )
        return []
    try:
        return list(loaded_rosters(store))
    finally:
        store.close()


def _warn_rejects(prepared: PreparedRoster) -> None:
    if prepared.rejected:
        first = min(prepared.problems, key=lambda x: x.row)
        log.warning(
            "roster %s: %d of %d data rows rejected (first: row %d, %s); run "
            "`tzkg load-roster %s --report FILE` to see them all",
            prepared.path.name,
            prepared.rejected,
            prepared.data_rows,
            first.row,
            first.code,
            prepared.path,
        )
