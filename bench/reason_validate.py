"""Benchmark reasoning (materialising graph/inferred) and validation at scale, and compare engines.

Run:  .venv/bin/python bench/reason_validate.py [--rows 100000] [--compare-rows 2000]
      [--skip-engines] [--out docs/benchmarks/reasoning.md]

1. The plan (data/, with the sample rosters) plus a synthetic roster of --rows enterprises
   (bench/make_roster.py, read by the real roster loader; if that is not there, enterprises are
   written directly in the roster loader's shape) go into an on-disk Oxigraph store.
2. `materialise` (the SPARQL rules) and `validate_store` (pySHACL + SPARQL constraints +
   violation queries) run on it, as a build runs them: targets < 60 s and < 120 s.
3. Engines on the plan alone and on a --compare-rows roster: the SPARQL rules, owlrl (OWL 2 RL
   on rdflib; owl:hasKey removed, see docs/reasoning.md) and owlready2 + HermiT (realisation
   with property values).
Figures go to the markdown file given by --out (default: docs/benchmarks/reasoning.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tzkg.build import build_quads  # noqa: E402
from tzkg.config import Settings  # noqa: E402
from tzkg.reasoning import inferred_graph, materialise  # noqa: E402
from tzkg.store import OxigraphStore  # noqa: E402
from tzkg.validation import validate_store  # noqa: E402
from tzkg.validation.report import summary  # noqa: E402

BASE = "https://w3id.org/tzkg/"
TZO = "https://w3id.org/tzkg/ontology#"
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def roster_quads(rows: int, settings: Settings, workdir: Path) -> tuple[list[Quad], str]:
    """A roster of `rows` enterprises: through the real loader if it and the generator exist."""
    generator = ROOT / "bench" / "make_roster.py"
    if generator.exists() and importlib.util.find_spec("tzkg.loaders.roster"):
        spec = importlib.util.spec_from_file_location("make_roster", generator)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from tzkg.loaders.roster import prepare_roster
        from tzkg.loaders.roster import roster_quads as quads_of

        path = module.write_roster(workdir / f"bench-{rows}.csv", rows, bad=0.0, year=2021)
        prepared = prepare_roster(path, settings, kind="high-tech-enterprise", year=2021)
        return list(quads_of(prepared, settings)), "bench/make_roster.py + the roster loader"
    return list(synthetic_roster(rows)), "synthetic triples in the roster loader's shape"


def synthetic_roster(rows: int) -> Iterator[Quad]:
    """Enterprises with valid codes, rows and designations, in one roster graph."""
    graph = NamedNode(BASE + "graph/roster/bench")
    file = NamedNode(BASE + "graph/roster/bench/file")
    a = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def tzo(name: str) -> NamedNode:
        return NamedNode(TZO + name)

    prov = "http://www.w3.org/ns/prov#"
    yield Quad(graph, NamedNode("http://www.w3.org/ns/dcat#distribution"), file, graph)
    yield Quad(file, tzo("sourceFile"), Literal("rosters/bench.csv"), graph)
    weights = [pow(3, i, 31) for i in range(17)]
    for i in range(rows):
        body = f"913212{(i % 6) + 2:02d}{i:09d}"
        total = sum(CHARSET.index(c) * w for c, w in zip(body, weights, strict=True))
        check = CHARSET[(31 - total % 31) % 31]
        code = body + check
        node = NamedNode(f"{BASE}id/enterprise/bench-{i}")
        row = NamedNode(f"{BASE}graph/roster/bench/row/{i + 3}")
        yield Quad(row, a, tzo("RosterRow"), graph)
        yield Quad(row, tzo("rowNumber"), Literal(str(i + 3), datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), graph)  # fmt: skip
        yield Quad(row, NamedNode(prov + "wasDerivedFrom"), file, graph)
        yield Quad(row, tzo("describes"), node, graph)
        yield Quad(node, a, tzo("Enterprise"), graph)
        yield Quad(node, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                   Literal(f"泰州示例{i}有限公司", language="zh"), graph)  # fmt: skip
        yield Quad(node, tzo("uscc"), Literal(code), graph)
        yield Quad(node, tzo("locatedIn"), NamedNode(f"{BASE}id/division/3212{(i % 6) + 2:02d}"),
                   graph)  # fmt: skip


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def owlrl_closure(quads: list[Quad]) -> tuple[float, int]:
    import owlrl
    import rdflib

    graph = rdflib.Graph()
    data = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES)
    graph.parse(data=data, format="nt")
    graph.remove((None, rdflib.OWL.hasKey, None))
    before = len(graph)
    seconds, _ = timed(lambda: owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph))
    return seconds, len(graph) - before


def hermit_realisation(quads: list[Quad]) -> tuple[float, int]:
    import owlready2

    data = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES)
    assert data is not None
    world = owlready2.World()
    world.get_ontology(BASE + "bench").load(fileobj=io.BytesIO(data), format="ntriples")
    before = len(list(world.as_rdflib_graph()))
    seconds, _ = timed(
        lambda: owlready2.sync_reasoner_hermit(
            world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True
        )
    )
    after = len(list(world.as_rdflib_graph()))
    world.close()
    return seconds, after - before


def sparql_rules(quads: list[Quad]) -> tuple[float, int]:
    store = OxigraphStore.in_memory()
    store.bulk_load(quads)
    seconds, result = timed(lambda: materialise(store, inferred_graph(BASE)))
    return seconds, result.triples  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--compare-rows", type=int, default=2_000)
    parser.add_argument("--skip-engines", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "reasoning.md")
    args = parser.parse_args()
    settings = Settings()
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    plan = list(build_quads(settings))
    with tempfile.TemporaryDirectory(prefix="tzkg-bench-") as tmp:
        work = Path(tmp)
        load_seconds, (roster, how) = timed(lambda: roster_quads(args.rows, settings, work))
        store = OxigraphStore(work / "store")
        store.bulk_load(plan + roster)
        quads = len(store)
        reason_seconds, result = timed(lambda: materialise(store, inferred_graph(BASE)))
        validate_seconds, report = timed(lambda: validate_store(store, settings))
        store.close()
        say("## Reasoning and validation at scale")
        say()
        say(f"Machine: {platform.machine()}, {platform.system()}, Python "
            f"{platform.python_version()}; on-disk Oxigraph store.")  # fmt: skip
        say(f"Data: the plan and sample rosters ({len(plan)} quads) plus {args.rows} "
            f"enterprises ({len(roster)} quads, {how}; made in {load_seconds:.1f} s, "
            f"not counted below): {quads} quads.")  # fmt: skip
        say()
        say("| step | seconds | result | target |")
        say("|---|---:|---|---|")
        say(f"| materialise graph/inferred | {reason_seconds:.1f} | {result.triples} triples "  # type: ignore[attr-defined]
            f"in {result.rounds} rounds | < 60 s |")  # type: ignore[attr-defined]  # fmt: skip
        say(f"| validate (shapes + violation queries) | {validate_seconds:.1f} | "
            f"{summary(report)}, {report.data_triples} triples checked | < 120 s |")  # type: ignore[attr-defined]  # fmt: skip
        say()
        say(f"Validation, by part (seconds; engine {report.engine}): " + ", ".join(  # type: ignore[attr-defined]
            f"{name} {seconds:.1f}" for name, seconds in report.seconds.items()))  # type: ignore[attr-defined]  # fmt: skip
        say()
        say("Materialisation, new triples by rule: " + ", ".join(
            f"{name.replace('https://w3id.org/tzkg/ontology#', 'tzo:')} {count}"
            for name, count in result.per_rule.items()))  # type: ignore[attr-defined]  # fmt: skip
        if not args.skip_engines:
            say()
            say("## Engines")
            say()
            say("| data | engine | seconds | new triples |")
            say("|---|---|---:|---:|")
            small, _ = roster_quads(args.compare_rows, settings, work)
            for name, data in (("plan", plan), (f"plan + {args.compare_rows} enterprises",
                                                plan + small)):  # fmt: skip
                for engine, run in (
                    ("SPARQL rules on Oxigraph", sparql_rules),
                    ("owlrl (OWL 2 RL, rdflib)", owlrl_closure),
                    ("owlready2 + HermiT (realisation)", hermit_realisation),
                ):
                    try:
                        seconds, count = run(data)
                        say(f"| {name} | {engine} | {seconds:.2f} | {count} |")
                    except Exception as exc:  # a benchmark reports, it does not stop
                        reason = type(exc).__name__
                        if "OutOfMemoryError" in str(exc):
                            reason = "Java OutOfMemoryError (2 GB heap)"
                        say(f"| {name} | {engine} | failed | {reason} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "# Benchmarks: reasoning and validation\n\n"
        "Made by `bench/reason_validate.py` (rerun it to refresh).\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
