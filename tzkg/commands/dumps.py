"""`tzkg dumps`: write (again) the dumps of the current build, and wait for them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tzkg.config import get_settings
from tzkg.errors import TzkgError


def register(app: typer.Typer) -> None:
    """Add `dumps` to the tzkg command."""
    app.command("dumps")(dumps_command)


def dumps_command(
    store: Annotated[
        Path | None,
        typer.Option("--store", help="The store directory (default: TZKG_STORE_DIR or var/store)."),
    ] = None,
) -> None:
    """Write the dumps (N-Quads, Turtle, JSON-LD, gzipped, with sha256) of the current build.

    `tzkg build` writes them itself; after `tzkg load-roster` a background process does, and
    this command is for when that process was stopped before it finished.
    """
    from tzkg.dumps import DUMPS_DIR, build_dir_of, read_manifest, write_dumps_into
    from tzkg.store import open_store

    settings = get_settings()
    try:
        opened = open_store(store or settings.store_dir)
        try:
            assert opened.location is not None
            build_dir = build_dir_of(opened.location)
            write_dumps_into(opened, build_dir)
        finally:
            opened.close()
    except TzkgError as exc:
        typer.echo(exc.one_line(), err=True)
        raise typer.Exit(1) from None
    for dump in read_manifest(build_dir) or []:
        typer.echo(f"{build_dir / DUMPS_DIR / dump.file}  {dump.bytes} bytes  sha256 {dump.sha256}")
