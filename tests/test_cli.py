"""The `tzkg` command line, run in-process on a real store built from the tiny dataset."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse
from typer.testing import CliRunner

from tests.conftest import ONTOLOGY_GRAPH, tiny_quads
from tzkg.cli import app
from tzkg.config import Settings

runner = CliRunner()

NAMES = "SELECT ?name WHERE { ?p tzo:supports ?f ; rdfs:label ?name } ORDER BY ?name"


def test_query_prints_a_table(settings: Settings) -> None:
    result = runner.invoke(app, ["query", NAMES])
    assert result.exit_code == 0, result.output
    assert "船舶中心" in result.stdout and "船舶实验室" in result.stdout
    assert "2 rows" in result.stdout


def test_table_compacts_iris(settings: Settings) -> None:
    result = runner.invoke(app, ["query", "SELECT ?level WHERE { ?p tzo:level ?level }"])
    assert result.exit_code == 0, result.output
    assert "tzo:National" in result.stdout and "tzo:Provincial" in result.stdout


def test_query_as_json_csv_and_tsv(settings: Settings) -> None:
    as_json = runner.invoke(app, ["query", NAMES, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    bindings = json.loads(as_json.stdout)["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == ["船舶中心", "船舶实验室"]
    assert bindings[0]["name"]["xml:lang"] == "zh"

    as_csv = runner.invoke(app, ["query", NAMES, "--format", "csv"])
    assert as_csv.stdout.splitlines() == ["name", "船舶中心", "船舶实验室"]

    as_tsv = runner.invoke(app, ["query", NAMES, "--format", "tsv"])
    assert as_tsv.stdout.splitlines() == ["?name", '"船舶中心"@zh', '"船舶实验室"@zh']


def test_ask_and_construct(settings: Settings) -> None:
    ask = runner.invoke(app, ["query", "ASK { ?s tzo:supports ?o }"])
    assert (ask.exit_code, ask.stdout) == (0, "true\n")
    construct = runner.invoke(app, ["query", "CONSTRUCT WHERE { ?s tzo:level ?o }"])
    assert construct.exit_code == 0, construct.output
    assert len(list(parse(construct.stdout.encode(), RdfFormat.TURTLE))) == 2
    wrong = runner.invoke(app, ["query", "CONSTRUCT WHERE { ?s tzo:level ?o }", "--format", "csv"])
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith("error[query-parameter]: --format:")


def test_query_from_a_file(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    result = runner.invoke(app, ["query", "--file", str(path), "--format", "json"])
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}


def test_syntax_error_is_one_line_with_line_and_column(settings: Settings) -> None:
    result = runner.invoke(app, ["query", "SELECT ?s\nWHERE {\n  ?s ?p\n}"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"error\[query-syntax\]: 4:\d+: .+", lines[0]), lines[0]
    assert "Traceback" not in result.output


def test_missing_store_says_how_to_build(settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error[store-missing]: ")
    assert "run `tzkg build` (or `make build`)" in result.stderr


def test_exactly_one_query_source(settings: Settings) -> None:
    result = runner.invoke(app, ["query"])
    assert result.exit_code == 1
    assert "exactly one" in result.stderr


def test_named_query_with_parameters(settings: Settings) -> None:
    (settings.queries_dir / "level.rq").write_text(
        "#+ title_zh: 某级别的平台\n"
        "#+ title_en: Platforms of a level\n"
        "#+ param: level | iri | tzo:National | The level\n"
        "PREFIX tzo: <https://w3id.org/tzkg/ontology#>\n"
        "SELECT ?platform ?level WHERE { ?platform tzo:level ?level }\n",
        encoding="utf-8",
    )
    listed = runner.invoke(app, ["queries"])
    assert listed.exit_code == 0, listed.output
    assert "level" in listed.stdout and "某级别的平台" in listed.stdout

    found = runner.invoke(
        app, ["query", "--name", "level", "--param", "level=tzo:Provincial", "--format", "csv"]
    )
    assert found.exit_code == 0, found.output
    assert found.stdout.splitlines()[1:] == [
        "https://w3id.org/tzkg/id/platform/chuanbo-zhongxin,"
        "https://w3id.org/tzkg/ontology#Provincial"
    ]
    missing = runner.invoke(app, ["query", "--name", "level"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error[query-parameter]: level: ")
    unknown = runner.invoke(app, ["query", "--name", "nope"])
    assert unknown.stderr.startswith("error[unknown-query]: nope: ")


def test_stats(settings: Settings) -> None:
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert re.search(r"triples\s+13\b", result.stdout)
    assert re.search(r"quads\s+14\b", result.stdout)
    assert re.search(r"graphs\s+2\b", result.stdout)
    assert "tzo:IndustrialField" in result.stdout
    assert "built at" in result.stdout


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("trig", RdfFormat.TRIG, 14),
        ("nq", RdfFormat.N_QUADS, 14),
        ("jsonld", RdfFormat.JSON_LD, 14),
        ("ttl", RdfFormat.TURTLE, 13),
        ("nt", RdfFormat.N_TRIPLES, 13),
        ("rdfxml", RdfFormat.RDF_XML, 13),
    ],
)
def test_export_to_stdout(settings: Settings, name: str, fmt: RdfFormat, count: int) -> None:
    result = runner.invoke(app, ["export", "--format", name])
    assert result.exit_code == 0, result.output
    assert len(set(parse(result.stdout_bytes, fmt))) == count


def test_export_a_graph_to_a_file(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "ontology.nq"
    result = runner.invoke(
        app, ["export", "--format", "nq", "--graph", ONTOLOGY_GRAPH.value, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    quads = set(parse(path=str(out), format=RdfFormat.N_QUADS))
    assert quads == {q for q in tiny_quads() if q.graph_name == ONTOLOGY_GRAPH}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_unknown_graph(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "x.ttl"
    result = runner.invoke(app, ["export", "--graph", "graph/none", "--output", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error[unknown-graph]: https://w3id.org/tzkg/graph/none: ")
    assert list(tmp_path.iterdir()) == [settings.queries_dir]


@pytest.mark.http
def test_serve_with_several_processes(built_store: Path, tmp_path: Path) -> None:
    """`tzkg serve --workers 2`: two server processes share the port and both answer."""
    import httpx

    from tests.api.live import live_server

    log = tmp_path / "serve.log"
    with live_server(built_store, log, tzkg_serve=["--workers", "2", "--no-access-log"]) as base:
        answers = [
            httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
            for _ in range(20)
        ]
        assert {a.status_code for a in answers} == {200}
        assert all(a.json()["boolean"] is True for a in answers)
    started = re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace"))
    assert len(set(started)) == 2, log.read_text(errors="replace")


def test_server_processes_and_query_workers_share_the_cpus() -> None:
    writable = Settings(write_token="secret", server_workers=4)
    assert writable.server_processes() == 1  # the single writer
    assert Settings(server_workers=3).server_processes() == 3
    assert Settings(server_workers=8, query_workers=0).query_pool_size() >= 2
    assert Settings(query_workers=5).query_pool_size() == 5
