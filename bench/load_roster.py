"""Time `tzkg load-roster` on a synthetic roster (default 100,000 rows) and measure its peak RSS.

Run:  .venv/bin/python bench/load_roster.py [--rows 100000] [--format csv|xlsx]
          [--finish-steps] [--breakdown] [--markdown docs/benchmarks/rosters.md]

Each figure is one run of the real command in a child process (wall time, and peak resident
memory from wait4); the store is a fresh `tzkg build` of data/ in a temporary directory.
"load" and "reload" run without the build's finish steps (reasoning, validation, search index,
which other modules own and which run on the whole store: the roster loader's own figure);
`--finish-steps` adds a run with them, as `tzkg load-roster` does by default, with the time of
each step and of the background process it leaves (triple count, dumps), waited for before the
next run. `--breakdown` times the stages in this process.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_roster import write_roster  # noqa: E402

WITHOUT_FINISH = (
    "import sys; from tzkg import build; build.FINISH_STEPS.clear(); "
    "from tzkg.cli import app; sys.argv[0] = 'tzkg'; app(prog_name='tzkg')"
)


@dataclass
class Run:
    """One timed child process."""

    name: str
    seconds: float
    peak_mb: float
    output: str
    load_before: float = 0.0  # the 1-minute load average when the run started


def run(name: str, args: list[str], *, finish_steps: bool) -> Run:
    """Run `tzkg ARGS` in a child process; wall time and its peak RSS."""
    command = (
        [sys.executable, "-m", "tzkg", *args]
        if finish_steps
        else [sys.executable, "-c", WITHOUT_FINISH, *args]
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{name} failed ({process.returncode}):\n{output}")
    return Run(name, seconds, usage.ru_maxrss / 1024, output, load_before)


def after(full: Run) -> list[tuple[str, float, float]]:
    """The finish steps the command timed (its `steps` line), and the background process it
    left (triple count, dumps): waited for, with its peak RSS read from /proc while it runs."""
    rows: list[tuple[str, float, float]] = []
    for line in full.output.splitlines():
        if line.strip().startswith("steps"):
            for part in line.split(None, 1)[1].split(", "):
                name, seconds, _ = part.rsplit(" ", 2)
                rows.append((f"finish step: {name} (in the command)", float(seconds), 0.0))
    found = re.search(r"\(process (\d+)\)", full.output)
    if found is None:
        return rows
    pid, started, peak = int(found[1]), time.perf_counter(), 0.0
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except OSError:
            break
        if "State:\tZ" in text:
            break
        high = re.search(r"VmHWM:\s+(\d+) kB", text)
        peak = max(peak, int(high[1]) / 1024 if high else 0.0)
        time.sleep(0.2)
    rows.append(("background: triple count and dumps (after the command)",
                 time.perf_counter() - started, peak))  # fmt: skip
    return rows


def breakdown(path: Path) -> list[tuple[str, float, float]]:
    """Stages in this process: prepare (read, validate, link), quads, bulk load."""
    from tzkg.config import Settings
    from tzkg.loaders.roster import LOADERS, bulk_load_nquads, prepare_roster
    from tzkg.loaders.roster.emit import roster_nquads
    from tzkg.store import OxigraphStore

    def rss() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    settings = Settings(store_dir=Path("/nonexistent/store"))
    stages: list[tuple[str, float, float]] = []
    started = time.perf_counter()
    prepared = prepare_roster(path, settings)
    stages.append(("read, validate and link", time.perf_counter() - started, rss()))
    started = time.perf_counter()
    count = sum(chunk.count(b"\n") for chunk in roster_nquads(prepared, settings))
    stages.append((f"write the quads as N-Quads ({count:,})", time.perf_counter() - started, rss()))
    with tempfile.TemporaryDirectory() as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        started = time.perf_counter()
        bulk_load_nquads(store, roster_nquads(prepared, settings))
        stages.append(
            (
                f"N-Quads + bulk load ({LOADERS} batches at once)",
                time.perf_counter() - started,
                rss(),
            )
        )
        started = time.perf_counter()
        store.raw.optimize()
        stages.append(("optimize (compaction)", time.perf_counter() - started, rss()))
        store.close()
    return stages


def main() -> None:
    """Make the roster, build a store, time the loads and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--finish-steps", action="store_true", help="also run with them")
    parser.add_argument("--breakdown", action="store_true", help="time the stages in-process")
    parser.add_argument("--markdown", type=Path, help="append the table to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roster = write_roster(Path(tmp) / f"gaoqi-2021.{args.format}", args.rows, seed=1)
        store = Path(tmp) / "store"
        runs = [run("tzkg build (data/, with finish steps)", ["build", "--store", str(store)],
                    finish_steps=True)]  # fmt: skip
        load = ["load-roster", str(roster), "--store", str(store), "--kind", "high-tech-enterprise"]
        runs.append(
            run(f"load-roster, {args.rows:,} rows ({args.format})", load, finish_steps=False)
        )
        after(runs[-1])  # its background triple count must not overlap the next run
        runs.append(run("reload the same file (replace its graph)", load, finish_steps=False))
        after(runs[-1])
        background: list[tuple[str, float, float]] = []
        if args.finish_steps:
            full = run("reload with the build's finish steps", load, finish_steps=True)
            runs.append(full)
            background = after(full)
        summary = next(line for line in runs[1].output.splitlines() if "data rows" in line)
        stages = breakdown(roster) if args.breakdown else []
    lines = [
        f"Roster of {args.rows:,} rows ({args.format}), {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        f"`{summary.strip()}`",
        "",
        "| run | load avg before | seconds | peak RSS (MB) |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.load_before:.1f} | {r.seconds:.1f} | {r.peak_mb:.0f} |" for r in runs),
    ]
    if background:
        lines += ["", "| after the finish-steps run | seconds | peak RSS (MB) |", "|---|---:|---:|"]
        lines += [f"| {name} | {seconds:.1f} | {peak:.0f} |" for name, seconds, peak in background]
    if stages:
        lines += ["", "| stage (in-process) | seconds | peak RSS so far (MB) |", "|---|---:|---:|"]
        lines += [f"| {name} | {seconds:.1f} | {peak:.0f} |" for name, seconds, peak in stages]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown is not None:
        with args.markdown.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
