"""Build the benchmark store: the plan plus a synthetic roster of 100,000 enterprises.

The roster is a CSV in the format of data/rosters/sample-plan-enterprises.csv, written into a
copy of data/ (so data/ itself is untouched) and loaded by the real roster loader through the
ordinary build, with every finish step (reasoning, search index, dumps).

    .venv/bin/python bench/serve_data.py --out var/bench --enterprises 100000
"""

from __future__ import annotations

import argparse
import csv
import shutil
import time
from pathlib import Path

from tzkg.build import build
from tzkg.config import PROJECT_ROOT, Settings

DISTRICTS = ["海陵区", "高港区", "姜堰区", "兴化市", "靖江市", "泰兴市", "医药高新区"]
ROSTER = "bench-enterprises.csv"


def write_roster(path: Path, count: int) -> None:
    """`count` synthetic enterprises, one per row, spread over the districts."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write('"【合成 SYNTHETIC】基准测试企业名录 (bench/serve_data.py)"\n')
        writer = csv.writer(out)
        writer.writerow(["序号", "企业名称", "统一社会信用代码", "所在地区", "来源"])
        for n in range(1, count + 1):
            district = DISTRICTS[n % len(DISTRICTS)]
            name = f"泰州合成{n:06d}科技有限公司"
            writer.writerow([n, name, "", district, "bench/serve_data.py"])


def prepare(out: Path, count: int) -> Settings:
    """A copy of data/ with the synthetic roster added; the settings that build from it."""
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(PROJECT_ROOT / "data", data)
    write_roster(data / "rosters" / ROSTER, count)
    with (data / "rosters" / "rosters.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[[roster]]\nfile = "{ROSTER}"\nkind = "enterprise-directory"\n')
    return Settings(data_dir=data, store_dir=out / "store")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "bench")
    parser.add_argument("--enterprises", type=int, default=100_000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = prepare(args.out, args.enterprises)
    started = time.monotonic()
    info = build(settings)
    print(
        f"built {settings.store_dir}: {info.triples} triples, {info.graphs} graphs "
        f"in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
