"""Dumps of the whole graph (N-Quads, Turtle, JSON-LD; gzipped, each with a sha256), written
next to the store data of their build so a build and its dumps can never disagree.

`tzkg build` writes them as its last finish step. A roster load (`tzkg load-roster`) publishes
its new build first and writes the dumps in a background process (`write_dumps_later`):
serializing a store of millions of quads takes minutes, which the load does not wait for.
Until they are there, `/dumps` answers 503 `dumps-pending` with Retry-After.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from tzkg.config import Settings
from tzkg.errors import BuildError
from tzkg.store import BACKGROUND_MARK, DATA_DIR, OxigraphStore, background_reader

DUMPS_DIR = "dumps"
PENDING = BACKGROUND_MARK
"""In a build directory: a background process (its pid inside) is writing the dumps; builds
are not pruned while it runs."""
MANIFEST = "manifest.json"
STEM = "tzkg"

DUMP_FORMATS: dict[str, RdfFormat] = {
    "nq": RdfFormat.N_QUADS,
    "ttl": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
}
"""File extension -> format. N-Quads and JSON-LD keep the named graphs; Turtle is the union."""


@dataclass(frozen=True)
class DumpFile:
    """One dump file as listed in `manifest.json`."""

    file: str
    format: str
    media_type: str
    graphs: bool  # whether it keeps the named graphs
    bytes: int
    sha256: str


def build_dir_of(location: Path) -> Path:
    """The build directory of a store location (`<build>/data` or the build itself)."""
    return location.parent if location.name == DATA_DIR else location


def write_dumps(store: OxigraphStore, settings: Settings) -> None:
    """A build finish step: write every dump of `store` into `<build>/dumps/`.

    :raises BuildError: if the dumps cannot be written (the build is then abandoned).
    """
    del settings
    if store.location is None:
        return  # an in-memory store has no build directory
    write_dumps_into(store, build_dir_of(Path(store.location)))


def write_dumps_into(store: OxigraphStore, build_dir: Path) -> None:
    """Write every dump of `store` into `build_dir/dumps/` (through `dumps.partial/`).

    :raises BuildError: if the dumps cannot be written.
    """
    target = build_dir / DUMPS_DIR
    partial = target.with_name(DUMPS_DIR + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        files = [_write(store, partial, ext, fmt) for ext, fmt in DUMP_FORMATS.items()]
        (partial / MANIFEST).write_text(
            json.dumps([asdict(f) for f in files], indent=2) + "\n", encoding="utf-8"
        )
        (partial / "SHA256SUMS").write_text(
            "".join(f"{f.sha256}  {f.file}\n" for f in files), encoding="utf-8"
        )
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BuildError(f"cannot write the dumps: {exc}", where=str(target)) from exc


def _write(store: OxigraphStore, directory: Path, ext: str, fmt: RdfFormat) -> DumpFile:
    name = f"{STEM}.{ext}.gz"
    path = directory / name
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        store.export(gz, fmt)  # type: ignore[arg-type]
    digest = hashlib.sha256()
    with path.open("rb") as done:
        for chunk in iter(lambda: done.read(1 << 20), b""):
            digest.update(chunk)
    return DumpFile(
        file=name,
        format=fmt.name,
        media_type=fmt.media_type,
        graphs=fmt.supports_datasets,
        bytes=path.stat().st_size,
        sha256=digest.hexdigest(),
    )


def write_dumps_later(build_dir: Path, *, dumps: bool = True) -> int:
    """Start a background process that writes the dumps of the finished build `build_dir`
    (and first counts its distinct triples into `build.json` if the build left them out).

    It outlives the caller (its own session), logs to `build_dir/dumps.log`, and leaves
    `build_dir/dumps.pending` (its pid) until it is done. Returns the pid.
    """
    build_dir = Path(os.path.abspath(build_dir))
    # Marked before the child exists (with our pid), so there is no moment without a marker;
    # the child writes its own pid first thing and removes the marker when it is done.
    (build_dir / PENDING).write_text(f"{os.getpid()}\n", encoding="ascii")
    with (build_dir / "dumps.log").open("ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "tzkg.dumps", str(build_dir), *([] if dumps else ["--count"])],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return child.pid


def pending_writer(location: Path) -> int | None:
    """The pid of the live background process writing the dumps of `location`'s build."""
    return background_reader(build_dir_of(location))


def _main(argv: list[str]) -> int:
    """`python -m tzkg.dumps BUILD_DIR [--count]`: count the triples of a finished build if it
    has no count yet, then write its dumps (not with --count). Run in the background."""
    from tzkg.errors import TzkgError
    from tzkg.store import OxigraphStore, read_build_info, record_triples

    build_dir = Path(argv[0])
    (build_dir / PENDING).write_text(f"{os.getpid()}\n", encoding="ascii")
    try:
        store = OxigraphStore(build_dir / DATA_DIR, read_only=True)
        try:
            info = read_build_info(build_dir)
            if info is not None and info.triples is None:
                record_triples(build_dir, store)  # first: /health shows it seconds later
            if "--count" not in argv[1:]:
                write_dumps_into(store, build_dir)
        finally:
            store.close()
    except TzkgError as exc:
        print(f"error[{exc.code}]: {exc.where}: {exc.message}", file=sys.stderr)
        return 1
    finally:
        (build_dir / PENDING).unlink(missing_ok=True)
    return 0


def read_manifest(location: Path) -> list[DumpFile] | None:
    """The dumps of the build at `location`, or None if it has none."""
    path = build_dir_of(location) / DUMPS_DIR / MANIFEST
    try:
        return [DumpFile(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
