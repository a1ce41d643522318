"""Dumps of the whole graph (N-Quads, Turtle, JSON-LD; gzipped, each with a sha256), written
by a build step next to the store data so a build and its dumps can never disagree."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from tzkg.config import Settings
from tzkg.errors import BuildError
from tzkg.store import DATA_DIR, OxigraphStore

DUMPS_DIR = "dumps"
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
    target = build_dir_of(Path(store.location)) / DUMPS_DIR
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


def read_manifest(location: Path) -> list[DumpFile] | None:
    """The dumps of the build at `location`, or None if it has none."""
    path = build_dir_of(location) / DUMPS_DIR / MANIFEST
    try:
        return [DumpFile(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None
