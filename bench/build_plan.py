"""Time `tzkg build` of the plan: the loaders alone, and the atomic build into a store on disk.

Run:  .venv/bin/python bench/build_plan.py [--repeat 5]
Prints the median and the best of each stage; the figures in the README and docs/benchmarks.md
come from this script on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tzkg.build import build, build_quads
from tzkg.config import Settings
from tzkg.store import build_store


def timed(action: object) -> float:
    """Seconds one call of `action` takes."""
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    """Run each stage `--repeat` times and print median and best."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        on_disk = settings.model_copy(update={"store_dir": store_dir})
        stages = {
            "load (plan, rosters, ontology, reference → quads)": lambda: list(
                build_quads(settings)
            ),
            "build_store (atomic, on disk, no finish steps)": lambda: build_store(
                store_dir, build_quads(settings)
            ),
            "build (+ reasoning, validation, search, dumps)": lambda: build(on_disk),
            "`tzkg build` (new process, end to end)": lambda: subprocess.run(
                [sys.executable, "-m", "tzkg", "build", "--store", str(store_dir)],
                check=True,
                capture_output=True,
            ),
        }
        quads = len(list(build_quads(settings)))
        print(f"{quads} quads; {args.repeat} runs each")
        for name, action in stages.items():
            runs = [timed(action) for _ in range(args.repeat)]
            print(f"{name:48s} median {statistics.median(runs):6.3f} s   best {min(runs):6.3f} s")


if __name__ == "__main__":
    main()
