"""tzkg.store: atomic builds, queries and their errors, graph replacement and export."""

from __future__ import annotations

import doctest
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple, parse

import tzkg.queries
import tzkg.server
import tzkg.store
from tests.conftest import CENTRE, LAB, ONTOLOGY_GRAPH, PLAN_GRAPH, SHIPBUILDING, tiny_quads
from tzkg.errors import (
    QueryParameterError,
    QuerySyntaxError,
    SourceError,
    StoreMissingError,
    UnknownGraphError,
)
from tzkg.store import (
    BuildInfo,
    OxigraphStore,
    build_store,
    iter_builds,
    open_store,
    read_build_info,
)
from tzkg.vocab import LABEL, XSD, tzo

PLATFORMS = """
PREFIX tzo: <https://w3id.org/tzkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?platform ?name WHERE {
  ?platform tzo:supports ?field ; rdfs:label ?name .
  ?field rdfs:label ?field_label .
} ORDER BY ?name
"""


def builds_of(store_dir: Path) -> list[str]:
    return sorted(p.name for p in (store_dir.parent / f"{store_dir.name}.builds").iterdir())


def test_build_then_query(built_store: Path) -> None:
    with open_store(built_store) as store:
        result = store.query(PLATFORMS)
        assert result.kind == "select"
        assert result.variables == ["platform", "name"]
        assert [row["name"] for row in result.rows] == [
            Literal("船舶中心", language="zh"),
            Literal("船舶实验室", language="zh"),
        ]
        assert store.named_graphs() == [ONTOLOGY_GRAPH, PLAN_GRAPH]
        assert len(store) == len(tiny_quads())
        assert store.count_triples() == len(tiny_quads()) - 1  # one triple is in both graphs


def test_build_records_its_metadata(built_store: Path) -> None:
    info = read_build_info(built_store)
    assert info is not None
    assert (info.quads, info.triples, info.graphs) == (14, 13, 2)
    assert info.built_at.endswith("Z") and info.seconds >= 0
    assert built_store.is_symlink()
    assert Path(os.path.realpath(built_store)).name == info.build
    assert BuildInfo.from_json(info.to_json()) == info


def test_substitutions_bind_variables(built_store: Path) -> None:
    with open_store(built_store) as store:
        rows = store.query(
            "SELECT ?platform ?level WHERE { ?platform <https://w3id.org/tzkg/ontology#level> "
            "?level }",
            substitutions={"level": tzo("National")},
        ).rows
        assert rows == [{"platform": LAB, "level": tzo("National")}]
        ask = store.query(
            "ASK { ?f <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
            substitutions={"label": Literal("高技术船舶", language="zh")},
        )
        assert ask.boolean is True


def test_substituting_an_unprojected_variable_is_a_parameter_error(built_store: Path) -> None:
    with open_store(built_store) as store, pytest.raises(QueryParameterError):
        store.query(PLATFORMS, substitutions={"field_label": Literal("高技术船舶", language="zh")})


def test_union_default_graph_can_be_turned_off(built_store: Path) -> None:
    with open_store(built_store) as store:
        assert store.query("ASK { ?s ?p ?o }").boolean is True
        assert store.query("ASK { ?s ?p ?o }", union_default_graph=False).boolean is False
        only_ontology = store.query(
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=[ONTOLOGY_GRAPH]
        )
        assert only_ontology.rows[0]["n"] == Literal("2", datatype=NamedNode(XSD + "integer"))


def test_syntax_error_gives_line_and_column(built_store: Path) -> None:
    with open_store(built_store) as store, pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?s\nWHERE {\n  ?s ?p\n}")
    assert caught.value.where is not None
    assert caught.value.where.startswith("4:")  # pyoxigraph's column: just after the brace
    assert "error at" not in caught.value.message
    assert caught.value.status == 400


def test_results_serialize_in_every_format(built_store: Path) -> None:
    with open_store(built_store) as store:
        result = store.query(PLATFORMS)
        assert result.serialize(QueryResultsFormat.CSV).decode().splitlines() == [
            "platform,name",
            f"{CENTRE.value},船舶中心",
            f"{LAB.value},船舶实验室",
        ]
        assert b'"vars":["platform","name"]' in result.serialize(QueryResultsFormat.JSON)
        assert b"<sparql" in result.serialize(QueryResultsFormat.XML)
        assert result.rows == result.rows  # usable again after serializing
        ask = store.query("ASK { ?s ?p ?o }")
        assert ask.serialize(QueryResultsFormat.JSON) == b'{"head":{},"boolean":true}'
        graph = store.query("CONSTRUCT WHERE { ?s a ?o }")
        turtle = graph.serialize(RdfFormat.TURTLE).decode()
        assert "@prefix tzo:" in turtle and "@prefix schema:" not in turtle
        with pytest.raises(TypeError):
            graph.serialize(QueryResultsFormat.JSON)
        with pytest.raises(TypeError):
            result.serialize(RdfFormat.TURTLE)


def test_failed_build_leaves_the_previous_store(store_dir: Path) -> None:
    before = os.readlink(store_dir)

    def broken() -> Iterator[Quad]:
        yield Quad(LAB, LABEL, Literal("新数据", language="zh"), PLAN_GRAPH)
        raise SourceError("the plan text ends early", where="plan.txt:12")

    with pytest.raises(SourceError):
        build_store(store_dir, broken())
    assert os.readlink(store_dir) == before
    assert builds_of(store_dir) == [Path(before).name]
    with open_store(store_dir) as store:
        assert len(store) == len(tiny_quads())
        assert not store.query('ASK { ?s ?p "新数据"@zh }').boolean


def test_a_refusing_finish_step_leaves_the_previous_store(store_dir: Path) -> None:
    before = os.readlink(store_dir)
    seen: list[int] = []

    def refuse(store: tzkg.store.OxigraphStore) -> None:
        seen.append(len(store))  # the step sees the complete new store
        raise SourceError("validation found 1 violation", code="shacl-violation")

    with pytest.raises(SourceError):
        build_store(store_dir, tiny_quads()[:2], before_swap=refuse)
    assert seen == [2]
    assert os.readlink(store_dir) == before
    assert builds_of(store_dir) == [Path(before).name]


def test_a_killed_build_is_ignored_then_cleaned(store_dir: Path, tmp_path: Path) -> None:
    before = os.readlink(store_dir)
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from pyoxigraph import Literal, NamedNode, Quad\n"
        "from tzkg.store import build_store\n"
        "def quads():\n"
        "    yield Quad(NamedNode('https://x/s'), NamedNode('https://x/p'), Literal('x'),"
        " NamedNode('https://x/g'))\n"
        "    os._exit(9)\n"
        "build_store(Path(sys.argv[1]), quads())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    killed = subprocess.run([sys.executable, "-c", script, str(store_dir)], env=env, check=False)
    assert killed.returncode == 9
    assert os.readlink(store_dir) == before
    assert len(builds_of(store_dir)) == 2  # the dead build's directory is still there
    with open_store(store_dir) as store:
        assert len(store) == len(tiny_quads())

    build_store(store_dir, tiny_quads())
    assert len(builds_of(store_dir)) == 2  # new and previous; the dead one is gone
    assert Path(before).name in builds_of(store_dir)


def test_rebuilds_keep_the_previous_build_only(store_dir: Path) -> None:
    first = os.readlink(store_dir)
    build_store(store_dir, tiny_quads())
    second = os.readlink(store_dir)
    build_store(store_dir, tiny_quads()[:3])
    assert builds_of(store_dir) == sorted([Path(second).name, Path(os.readlink(store_dir)).name])
    assert Path(first).name not in builds_of(store_dir)
    assert [p.name for p in iter_builds(store_dir)] == builds_of(store_dir)
    with open_store(store_dir) as store:
        assert len(store) == 3


def test_a_reader_keeps_its_build_across_a_rebuild(store_dir: Path) -> None:
    with open_store(store_dir) as old:
        build_store(store_dir, tiny_quads()[:1])
        assert len(old) == len(tiny_quads())
        with open_store(store_dir) as new:
            assert len(new) == 1


def test_legacy_plain_directory_is_read_and_replaced(tmp_path: Path) -> None:
    legacy = tmp_path / "store"
    with OxigraphStore(legacy) as store:
        store.bulk_load(tiny_quads()[:2])
    with open_store(legacy) as store:
        assert len(store) == 2
    assert read_build_info(legacy) is None
    build_store(legacy, tiny_quads())
    assert legacy.is_symlink()
    with open_store(legacy) as store:
        assert len(store) == len(tiny_quads())


def test_missing_store_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError) as caught:
        open_store(tmp_path / "nothing")
    assert "tzkg build" in caught.value.message
    assert caught.value.status == 503


def test_replace_graph(store_dir: Path) -> None:
    with open_store(store_dir, read_only=False) as store:
        store.replace_graph(
            ONTOLOGY_GRAPH, [Triple(SHIPBUILDING, LABEL, Literal("船舶", language="zh"))]
        )
        rows = store.query(
            "SELECT ?g ?o { GRAPH ?g { ?s ?p ?o } }", substitutions={"g": ONTOLOGY_GRAPH}
        ).rows
        assert rows == [{"g": ONTOLOGY_GRAPH, "o": Literal("船舶", language="zh")}]
        assert len(store) == len(tiny_quads()) - 2 + 1
        store.update("CLEAR GRAPH <https://w3id.org/tzkg/graph/ontology>")
        assert store.named_graphs() == [ONTOLOGY_GRAPH, PLAN_GRAPH]
    with pytest.raises(QuerySyntaxError), open_store(store_dir, read_only=False) as store:
        store.update("INSERT DATA { <a> <b> }")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (RdfFormat.N_QUADS, 14),
        (RdfFormat.TRIG, 14),
        (RdfFormat.JSON_LD, 14),
        (RdfFormat.TURTLE, 13),
        (RdfFormat.N_TRIPLES, 13),
        (RdfFormat.RDF_XML, 13),
    ],
)
def test_export_round_trip(built_store: Path, fmt: RdfFormat, expected: int) -> None:
    out = io.BytesIO()
    with open_store(built_store) as store:
        store.export(out, fmt)
    quads = set(parse(out.getvalue(), fmt))
    assert len(quads) == expected
    if fmt.supports_datasets:
        assert quads == set(tiny_quads())
    else:
        assert {(q.subject, q.predicate, q.object) for q in quads} == {
            (q.subject, q.predicate, q.object) for q in tiny_quads()
        }


def test_export_one_graph(built_store: Path) -> None:
    with open_store(built_store) as store:
        out = io.BytesIO()
        store.export(out, RdfFormat.N_QUADS, graph=ONTOLOGY_GRAPH)
        assert {q.graph_name for q in parse(out.getvalue(), RdfFormat.N_QUADS)} == {ONTOLOGY_GRAPH}
        out = io.BytesIO()
        store.export(out, RdfFormat.TURTLE, graph=ONTOLOGY_GRAPH)
        assert len(list(parse(out.getvalue(), RdfFormat.TURTLE))) == 2
        with pytest.raises(UnknownGraphError):
            store.export(io.BytesIO(), RdfFormat.TURTLE, graph=NamedNode("https://x/none"))


@pytest.mark.parametrize("module", [tzkg.store, tzkg.queries, tzkg.server])
def test_docstring_examples(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert tried > 0 and failures == 0
