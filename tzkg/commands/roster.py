"""`tzkg load-roster FILE`: load a bureau roster (XLSX/CSV) into the store, atomically."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from tzkg.config import Settings, get_settings
from tzkg.errors import TzkgError

PROGRESS_ROWS = 3000
"""Files with more data rows than this get a progress bar."""


def register(app: typer.Typer) -> None:
    """Add `load-roster` to the tzkg command."""
    app.command("load-roster")(load_roster_command)


def load_roster_command(
    file: Annotated[
        Path, typer.Argument(help="The roster: .xlsx, .xls, .csv or .tsv (UTF-8 or GBK).")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="The roster kind, a mapping of data/mappings/ (default: "
            "detected from the file name and title).",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="The year of rows that give none (default: from the title)."),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="The store directory (default: TZKG_STORE_DIR or var/store)."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the reject report to FILE.csv and FILE.json "
            "(default: <store>.reports/<file>).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail (exit 1) and load nothing if any row is rejected."),
    ] = False,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="The sheet of a workbook (default: the first).")
    ] = None,
    allow_invalid: Annotated[
        bool, typer.Option("--allow-invalid", help="Publish even with SHACL Violations.")
    ] = False,
) -> None:
    """Load a roster into the store: validated, linked to the plan, in its own named graph.

    Loading the same file again replaces its graph. Every row that is not loaded is in the
    reject report with its row, column, value and reason code.
    """
    from tzkg.loaders.roster import RosterLoad, RosterRejectsError, load_roster

    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store_dir": store})
    if allow_invalid:
        settings = settings.model_copy(update={"allow_invalid": True})
    console = Console(highlight=False, soft_wrap=True)
    bar = _ProgressBar()
    outcome: RosterLoad | None = None
    try:
        outcome = load_roster(
            file,
            settings,
            kind=kind,
            year=year,
            strict=strict,
            report=report,
            progress=bar.update,
            sheet=sheet,
        )
    except RosterRejectsError as exc:
        bar.stop()
        _summary(console, exc.load, settings)
        _fail(exc)
    except TzkgError as exc:
        bar.stop()
        _fail(exc)
    finally:
        bar.stop()
    assert outcome is not None
    _summary(console, outcome, settings)


def _fail(exc: TzkgError) -> None:
    typer.echo(exc.one_line(), err=True)
    raise typer.Exit(1)


def _summary(console: Console, load: object, settings: Settings) -> None:
    from tzkg.loaders.roster import RosterLoad

    assert isinstance(load, RosterLoad)
    p = load.prepared
    year = f", {p.year}" if p.year is not None else ""
    source = p.table.encoding or p.table.sheet or p.table.format
    console.print(f"roster {p.path.name} ({p.mapping.kind}{year}; {p.table.format}, {source})")
    console.print(f"  graph     <{p.graph}>")
    console.print(
        f"  rows      {p.data_rows} data rows = {p.loaded} loaded + {p.rejected} rejected"
        + (f"; {len(p.ignored)} ignored (notes, headings)" if p.ignored else "")
    )
    if p.problems:
        counts = Counter(x.code for x in p.problems)
        listed = ", ".join(f"{code} {n}" for code, n in counts.most_common())
        console.print(f"  rejects   {listed}")
    if p.links:
        console.print(f"  linked    {len(p.links)} to resources of the plan")
    if p.layout.unmapped:
        console.print(f"  unmapped  {', '.join(p.layout.unmapped)}", style="dim")
    console.print(f"  report    {load.report_csv}  {load.report_json}")
    if load.build is not None:
        console.print(
            f"  store     {settings.store_dir}: {load.build.quads} quads, "
            f"{load.build.graphs} graphs ({load.seconds:.1f} s)"
        )
        if load.steps:
            timed = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in load.steps.items())
            console.print(f"  steps     {timed}", style="dim")
        if load.dumps_pid is not None:
            console.print(
                f"  later     {' and '.join(load.later)} in the background (process "
                f"{load.dumps_pid})"
                + ("; /dumps answers 503 until then" if "dumps" in load.later else ""),
                style="dim",
            )
    else:
        console.print("  store     unchanged", style="bold")


class _ProgressBar:
    """A rich progress bar on stderr, shown only for files of more than PROGRESS_ROWS rows."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def update(self, phase: str, done: int, total: int) -> None:
        if total <= PROGRESS_ROWS and self.progress is None:
            return  # a small file: no bar (the finish steps of a big one show on its bar)
        if self.progress is None:
            self.progress = Progress(
                TextColumn("{task.description:<14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(self.tasks[phase], completed=done)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
