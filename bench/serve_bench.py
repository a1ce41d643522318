"""Benchmark the service on the plan + a synthetic roster (bench/serve_data.py builds it).

For each case it measures, with wrk (16 connections, and 1 connection for the single-client
latency), p50/p99 and requests/s through tzkg's uvicorn; the same SPARQL in-process on
pyoxigraph; a FastAPI route returning constant JSON (the framework's ceiling); and the Oxigraph
server from PyPI's `oxigraph` package on the same store (the engine's own HTTP speed).
Figures go to docs/benchmarks/service.md. Loopback only; every run is bounded in time.

    .venv/bin/python bench/serve_data.py --out var/bench          # once: build the data
    .venv/bin/python bench/serve_bench.py --store var/bench/store  # then measure
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from pyoxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TZO = "https://w3id.org/tzkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

AGGREGATE = (
    f"SELECT ?district (COUNT(?e) AS ?n) WHERE {{ ?e a <{TZO}Enterprise> ; <{TZO}locatedIn> "
    "?district } GROUP BY ?district ORDER BY DESC(?n)"
)


@dataclass
class Figures:
    """What one measurement gives."""

    p50_ms: float
    p99_ms: float
    rps: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def process(command: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """Run a server until `url` answers; stop it afterwards."""
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    child = subprocess.Popen(
        command, env={**os.environ, **(env or {})}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert child.poll() is None, f"{command[0]} exited"
            try:
                if httpx.get(url, timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{command} did not start"
            time.sleep(0.2)
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def wrk(url: str, connections: int, seconds: int) -> Figures:
    """wrk's p50, p99 and requests/s for GET `url`."""
    threads = 1 if connections == 1 else 2
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    out = done.stdout
    if (bad := _NON2XX.search(out)) is not None:
        raise RuntimeError(f"{bad[1]} failed requests for {url}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {m[1]: float(m[2]) * scale[m[3]] for m in _LATENCY.finditer(out)}
    rps = _RPS.search(out)
    assert rps is not None and latency, out
    return Figures(latency["50"], latency["99"], float(rps[1]))


def in_process(store: Store, sparql: str, seconds: float) -> Figures:
    """The query run repeatedly in this process, its result fully consumed (JSON)."""
    from pyoxigraph import QueryResultsFormat, QuerySolutions

    timings: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or len(timings) < 5:
        started = time.perf_counter()
        result = store.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, QuerySolutions):
            result.serialize(format=QueryResultsFormat.JSON)
        timings.append(time.perf_counter() - started)
    timings.sort()
    p50 = statistics.median(timings) * 1000
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000
    return Figures(p50, p99, len(timings) / sum(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench" / "store")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (default: tzkg serve's own)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "service.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if not (BIN / "oxigraph").exists():
        subprocess.run([BIN / "pip", "install", "-q", "oxigraph"], check=True)
    data = Path(os.path.realpath(args.store)) / "data"
    store = Store.read_only(str(data))

    enterprise = next(
        iter(
            store.query(
                f"SELECT ?e WHERE {{ ?e a <{TZO}Enterprise> ; <{RDFS}label> "
                f'"泰州合成012345科技有限公司"@zh }}',
                use_default_graph_as_union=True,
            )
        )
    )[0].value
    lookup = f"SELECT ?p ?o WHERE {{ <{enterprise}> ?p ?o }}"
    named_text = (ROOT / "queries" / "clusters-and-fields.rq").read_text(encoding="utf-8")
    enterprise_id = enterprise.split("/id/", 1)[1]
    sparql_cases = {
        "resource lookup (SPARQL)": lookup,
        "small named query (SPARQL)": named_text,
        "GROUP BY aggregate (SPARQL)": AGGREGATE,
    }

    tzkg_port, constant_port, oxigraph_port = free_port(), free_port(), free_port()
    tzkg = f"http://127.0.0.1:{tzkg_port}"
    oxigraph = f"http://127.0.0.1:{oxigraph_port}"
    constant = f"http://127.0.0.1:{constant_port}"

    def sparql_url(base: str, path: str, query: str) -> str:
        return f"{base}{path}?{urlencode({'query': query}, quote_via=quote)}"

    rows: list[tuple[str, str, Figures | None, Figures | None]] = []
    serve = [str(BIN / "tzkg"), "serve", "--store", str(args.store), "--port", str(tzkg_port)]
    serve += ["--no-access-log", *(["--workers", str(args.workers)] if args.workers else [])]
    with process(serve, f"{tzkg}/health"):
        http_cases = {
            **{name: sparql_url(tzkg, "/sparql", q) for name, q in sparql_cases.items()},
            "resource lookup (/api/enterprises/{id})": f"{tzkg}/api/enterprises/{enterprise_id}",
            "small named query (/api/queries/{name})": f"{tzkg}/api/queries/clusters-and-fields",
            "search (/api/search?q=泰州合成01234)": f"{tzkg}/api/search?q={quote('泰州合成01234')}",
            "health (/health)": f"{tzkg}/health",
        }
        for name, url in http_cases.items():
            check = httpx.get(url, timeout=60)
            if check.status_code >= 400:
                rows.append((f"tzkg {name}", f"HTTP {check.status_code}", None, None))
                continue
            wrk(url, 2, 2)  # warm-up (short: a queue of slow queries would outlive it)
            time.sleep(2)
            rows.append((f"tzkg {name}", "uvicorn", wrk(url, 1, 5), wrk(url, 16, args.seconds)))
    for name, sparql in sparql_cases.items():
        figures = in_process(store, sparql, 5)
        rows.append((f"in-process {name}", "pyoxigraph", figures, None))
    with process(
        [
            str(BIN / "uvicorn"),
            "bench.serve_constant:app",
            "--port",
            str(constant_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        f"{constant}/constant",
    ):
        url = f"{constant}/constant"
        wrk(url, 16, 2)
        rows.append(
            ("FastAPI constant JSON", "uvicorn", wrk(url, 1, 5), wrk(url, 16, args.seconds))
        )
    del store  # the Oxigraph server opens the same directory read-only
    with process(
        [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(data),
            "--bind",
            f"127.0.0.1:{oxigraph_port}",
            "--union-default-graph",
        ],
        f"{oxigraph}/query?query=ASK%7B%7D",
    ):
        for name, sparql in sparql_cases.items():
            url = sparql_url(oxigraph, "/query", sparql)
            wrk(url, 16, 2)
            rows.append(
                (f"Oxigraph server {name}", "oxigraph", wrk(url, 1, 5), wrk(url, 16, args.seconds))
            )
    write_report(args, rows)


NOTES = "## Reading the figures"


def cell(figures: Figures | None) -> str:
    if figures is None:
        return "– | – | –"
    return f"{figures.p50_ms:.2f} | {figures.p99_ms:.2f} | {figures.rps:,.0f}"


def write_report(
    args: argparse.Namespace, rows: list[tuple[str, str, Figures | None, Figures | None]]
) -> None:
    info = (Path(os.path.realpath(args.store)) / "build.json").read_text(encoding="utf-8")
    lines = [
        "# Service benchmark",
        "",
        "Reproduce: `.venv/bin/python bench/serve_data.py --out var/bench` (builds the plan plus a",
        "synthetic roster of 100,000 enterprises through the real roster loader), then",
        "`.venv/bin/python bench/serve_bench.py --store var/bench/store`.",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.machine()}; wrk, loopback. tzkg runs as `tzkg serve --no-access-log` "
        f"({f'{args.workers} server processes' if args.workers else 'one server process per CPU'}"
        ", default query workers).",
        "",
        "Single client = wrk with 1 connection; 16 clients = wrk with 16 connections (2 threads).",
        "In-process = the same SPARQL on `pyoxigraph.Store.read_only`, results serialized as JSON,",
        "one thread (its requests/s is 1 / mean latency).",
        "",
        "| case | server | 1 client p50 ms | p99 ms | req/s | 16 clients p50 ms | p99 ms | req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, server, single, many in rows:
        lines.append(f"| {name} | {server} | {cell(single)} | {cell(many)} |")
    lines += ["", "The build measured:", "", "```json", info.strip(), "```", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    notes = ""  # the hand-written reading of the figures is kept (update it by hand)
    if args.out.exists():
        old = args.out.read_text(encoding="utf-8")
        if NOTES in old:
            notes = old[old.index(NOTES) :]
    args.out.write_text("\n".join(lines) + ("\n" + notes if notes else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
