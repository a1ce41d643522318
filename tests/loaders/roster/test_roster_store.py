"""Rosters in the store: provenance to file and row, idempotent reloads, atomic loads, builds."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad
from roster_helpers import ROOT, uscc, write_csv

from tzkg import build
from tzkg.config import Settings
from tzkg.errors import BuildError
from tzkg.loaders.roster import load_roster
from tzkg.loaders.roster.registry import archive_dir
from tzkg.store import OxigraphStore, open_store, read_build_info
from tzkg.vocab import PREFIXES, PROV

HEADER = ["序号", "企业名称", "统一社会信用代码", "所在地区", "证书编号"]
CODE = uscc("91321202MA1X2Y3W4")
ROWS = [
    ["2021年度泰州市高新技术企业认定名单"],
    HEADER,
    [1, "扬子江药业集团有限公司", uscc("91321200703982345"), "医药高新区", "GR202132000001"],
    [2, "江苏某某电子科技有限公司", CODE, "海陵区城东街道", "GR202132000002"],
    [3, "江苏某某药业有限公司", "", "火星", "GR202132000003"],
]
GRAPH = NamedNode("https://w3id.org/tzkg/graph/roster/gaoqi-2021")
TIMES = {PROV + "startedAtTime", PROV + "endedAtTime"}

Opener = Callable[[], OxigraphStore]


def graph_quads(store: OxigraphStore, graph: NamedNode = GRAPH) -> set[Quad]:
    return {
        q for q in store.raw.quads_for_pattern(None, None, None, graph)
        if q.predicate.value not in TIMES
    }  # fmt: skip


def ask(store: OxigraphStore, sparql: str) -> list[dict[str, str]]:
    rows = store.query(sparql, prefixes=PREFIXES).rows
    return [{k: v.value for k, v in row.items()} for row in rows]  # type: ignore[union-attr]


def test_each_fact_traces_to_its_file_and_row(
    built: Settings, store_of: Opener, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS, encoding="gbk")
    load_roster(path, built)
    store = store_of()
    # Which file and row says that the enterprise with this code is in 海陵区 (321202)?
    rows = ask(store, f"""
        SELECT ?file ?sha ?row ?cells WHERE {{
          GRAPH ?g {{
            ?e tzo:uscc "{CODE}" ; tzo:locatedIn <https://w3id.org/tzkg/id/division/321202> .
            ?r tzo:describes ?e ; tzo:rowNumber ?row ; prov:value ?cells ;
               prov:wasDerivedFrom ?dist .
            ?dist dct:title ?file ; tzo:sha256 ?sha .
          }}
        }}""")  # fmt: skip
    assert rows == [{
        "file": "gaoqi-2021.csv",
        "sha": hashlib.sha256(path.read_bytes()).hexdigest(),
        "row": "4",
        "cells": f"2\t江苏某某电子科技有限公司\t{CODE}\t海陵区城东街道\tGR202132000002",
    }]  # fmt: skip
    # ... and which row gave 扬子江药业 its high-tech designation of 2021, with the certificate?
    rows = ask(store, """
        SELECT ?row ?year ?certificate ?kind WHERE {
          GRAPH ?g {
            ?e tzo:hasDesignation ?d .
            FILTER(?e = <https://w3id.org/tzkg/id/enterprise/yangtze-river-pharmaceutical>)
            ?d tzo:designationYear ?year ; skos:notation ?certificate ; tzo:designationKind ?k ;
               prov:wasDerivedFrom/tzo:rowNumber ?row .
            ?k skos:notation ?kind .
          }
        }""")  # fmt: skip
    assert rows == [{"row": "3", "year": "2021", "certificate": "GR202132000001",
                     "kind": "high-tech-enterprise"}]  # fmt: skip


def test_the_load_is_described(built: Settings, store_of: Opener, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    load_roster(path, built)
    (row,) = ask(store_of(), """
        SELECT * WHERE { GRAPH ?g {
          ?g a dcat:Dataset ; dct:type/skos:notation ?kind ; tzo:designationYear ?year ;
             dcat:distribution ?file ; prov:wasGeneratedBy ?load .
          ?file dcat:mediaType ?media ; dcat:byteSize ?size .
          ?load a prov:Activity ; prov:used ?file ; prov:startedAtTime ?start ;
                prov:endedAtTime ?end ; tzo:rowsRead ?read ; tzo:rowsLoaded ?loaded ;
                tzo:rowsRejected ?rejected .
        } }""")  # fmt: skip
    assert row["g"] == GRAPH.value
    assert (row["kind"], row["year"]) == ("high-tech-enterprise", "2021")
    assert (row["read"], row["loaded"], row["rejected"]) == ("3", "2", "1")
    assert row["size"] == str(path.stat().st_size)
    assert row["media"].endswith("/text/csv") and row["start"] <= row["end"]


def test_linked_rows_add_to_the_plan_resources(
    built: Settings, store_of: Opener, tmp_path: Path
) -> None:
    load_roster(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built)
    rows = ask(store_of(), """
        SELECT ?label ?plan WHERE {
          <https://w3id.org/tzkg/id/enterprise/yangtze-river-pharmaceutical> rdfs:label ?label ;
              tzo:isLeadEnterpriseOf ?plan . FILTER(LANG(?label) = "zh")
        } LIMIT 1""")  # fmt: skip
    assert rows[0]["label"] == "扬子江药业"  # the plan's enterprise, not a new one
    new = ask(
        store_of(), f"""SELECT ?e ?label WHERE {{ ?e tzo:uscc "{CODE}" ; rdfs:label ?label }}"""
    )
    assert new == [
        {
            "e": f"https://w3id.org/tzkg/id/enterprise/uscc-{CODE}",
            "label": "江苏某某电子科技有限公司",
        }
    ]


def test_loading_the_same_file_again_replaces_its_graph(
    built: Settings, store_of: Opener, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    load_roster(path, built)
    first = store_of()
    once, total, graphs = graph_quads(first), len(first), len(first.named_graphs())
    first.close()
    again = load_roster(path, built)
    assert again.prepared.problems[0].code == "unknown-district"  # not a duplicate of itself
    second = store_of()
    assert graph_quads(second) == once
    assert (len(second), len(second.named_graphs())) == (total, graphs)
    second.close()
    # the same file name with other rows: the graph now holds only those
    write_csv(path, [HEADER, [1, "泰州某某新材料有限公司", "", "靖江"]])
    load_roster(path, built, kind="high-tech-enterprise", year=2022)
    third = store_of()
    names = ask(third, f"SELECT ?n WHERE {{ GRAPH <{GRAPH.value}> {{ ?e legal:legalName ?n }} }}")
    assert names == [{"n": "泰州某某新材料有限公司"}]


def test_duplicates_against_another_loaded_roster(built: Settings, tmp_path: Path) -> None:
    load_roster(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built)
    second = write_csv(tmp_path / "gaoqi-2021-batch2.csv", [ROWS[0], HEADER,
                       [1, "江苏某某电子科技有限公司", CODE, "海陵区", ""],
                       [2, "江苏某某电子科技有限公司", "", "海陵区", ""]])  # fmt: skip
    outcome = load_roster(second, built)
    assert [(x.row, x.code) for x in outcome.prepared.problems] == [
        (3, "duplicate"),
        (4, "duplicate"),
    ]
    assert "already loaded from gaoqi-2021.csv row 4" in outcome.prepared.problems[0].message


def test_a_failing_finish_step_leaves_the_store(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_build_info(built.store_dir)

    def refuse(store: OxigraphStore, settings: Settings) -> None:
        assert GRAPH in store.named_graphs()  # the step runs on the new store, with the roster
        raise BuildError("validation refused the data")

    monkeypatch.setattr(build, "FINISH_STEPS", [refuse])
    with pytest.raises(BuildError):
        load_roster(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built, report=tmp_path / "r")
    assert read_build_info(built.store_dir) == before
    assert '"written": false' in (tmp_path / "r.json").read_text(encoding="utf-8")


def test_build_reloads_rosters_loaded_with_load_roster(
    built: Settings, store_of: Opener, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    load_roster(source, built)
    before = graph_quads(store_of())
    source.unlink()  # the build uses the copy kept next to the store
    with caplog.at_level(logging.WARNING, logger="tzkg.roster"):
        build.build(built)
    # the samples of data/rosters/ come back without a word; the roster's reject is repeated
    assert "replaced" not in caplog.text and "gone" not in caplog.text
    assert "1 of 3 data rows rejected" in caplog.text
    assert graph_quads(store_of()) == before
    # without the kept copy the roster cannot come back: the build says so
    shutil.rmtree(archive_dir(built.store_dir))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tzkg.roster"):
        build.build(built)
    assert "gaoqi-2021.csv" in caplog.text and "is gone" in caplog.text
    assert GRAPH not in store_of().named_graphs()


def test_progress_is_reported(built: Settings, tmp_path: Path) -> None:
    rows = [HEADER] + [[i, f"泰州测试{i}有限公司", "", "海陵区", ""] for i in range(1, 4501)]
    seen: list[tuple[str, int, int]] = []
    load_roster(write_csv(tmp_path / "big.csv", rows), built, kind="tech-sme", year=2022,
                progress=lambda *args: seen.append(args))  # fmt: skip
    checking = [x for x in seen if x[0] == "checking rows"]
    assert checking == [("checking rows", 2000, 4500), ("checking rows", 4000, 4500),
                        ("checking rows", 4500, 4500)]  # fmt: skip
    writing = [x for x in seen if x[0] == "writing"]
    assert writing[-1] == ("writing", 4500, 4500)


@pytest.mark.slow
def test_a_killed_load_leaves_the_store_as_it_was(built: Settings, tmp_path: Path) -> None:
    """Kill a real `tzkg load-roster` while it writes the new store; the old one stays whole."""
    sys.path.insert(0, str(ROOT / "bench"))
    from make_roster import write_roster

    big = write_roster(tmp_path / "big-2021.csv", 60_000, seed=3)
    before = read_build_info(built.store_dir)
    builds = built.store_dir.parent / "store.builds"
    existing = {p.name for p in builds.iterdir()}
    env = {**os.environ, "TZKG_STORE_DIR": str(built.store_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tzkg", "load-roster", str(big), "--kind", "high-tech-enterprise"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    backup: set[str] | None = None
    while time.monotonic() < deadline and process.poll() is None:
        started = [p for p in builds.iterdir() if p.is_dir() and p.name not in existing]
        data = started[0] / "data" if started else None
        if data is not None and data.is_dir():
            files = {f.name for f in data.iterdir() if f.suffix == ".sst"}
            if backup is None:
                backup = files  # the checkpoint of the current store
            elif files - backup:
                break  # the bulk load is writing the roster's quads: kill it now
        time.sleep(0.01)
    assert process.poll() is None, "the load finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert before is not None and read_build_info(built.store_dir) == before
    with open_store(built.store_dir) as store:
        assert "big-2021" not in " ".join(g.value for g in store.named_graphs())
        assert len(store) == before.quads
    # the next load works and removes what the killed one left behind
    outcome = load_roster(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built)
    assert outcome.build is not None
    left = {p.name for p in builds.iterdir() if p.is_dir()} - existing - {outcome.build.build}
    assert left == set()


def test_with_the_build_finish_steps(roster_settings: Settings, tmp_path: Path) -> None:
    """The real build (reasoning, validation, search index, dumps) accepts loaded rosters."""
    build.build(roster_settings)
    labs = [["序号", "实验室名称", "依托单位", "统一社会信用代码", "级别", "所在地区", "认定年份"],
            [1, "泰州某某新材料重点实验室", "泰州某某新材料有限公司", CODE, "省级", "靖江", "2020"],
            [2, "扬子江药业药物制剂新技术国家重点实验室", "扬子江药业集团有限公司", "", "国家级",
             "高港区", "2019"]]  # fmt: skip
    rosters = [(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), "high-tech-enterprise"),
               (write_csv(tmp_path / "labs.csv", labs), "key-laboratory")]  # fmt: skip
    for path, kind in rosters:
        outcome = load_roster(path, roster_settings, kind=kind)
        assert outcome.build is not None
    with open_store(roster_settings.store_dir) as store:
        assert GRAPH in store.named_graphs()


def test_the_dumps_of_a_roster_load_are_written_after_it_in_the_background(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tzkg.dumps import PENDING, read_manifest, write_dumps
    from tzkg.store import store_location

    ran: list[str] = []

    def step(store: OxigraphStore, settings: Settings) -> None:
        ran.append("step")

    monkeypatch.setattr(build, "FINISH_STEPS", [step, write_dumps])
    outcome = load_roster(write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built)
    assert ran == ["step"]  # the other finish steps ran before the swap; the dumps did not
    assert outcome.dumps_pid is not None
    location = store_location(built.store_dir)
    deadline = time.monotonic() + 60
    while read_manifest(location) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    files = read_manifest(location)
    assert files is not None and files[0].file == "tzkg.nq.gz"
    while (location / PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (location / PENDING).exists()


def test_finish_steps_are_reported_as_phases(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def step(store: OxigraphStore, settings: Settings) -> None:
        pass

    monkeypatch.setattr(build, "FINISH_STEPS", [step])
    seen: list[tuple[str, int, int]] = []
    outcome = load_roster(
        write_csv(tmp_path / "gaoqi-2021.csv", ROWS), built, progress=lambda *a: seen.append(a)
    )
    assert seen[-2:] == [("step", 0, 1), ("step", 1, 1)]  # named by the function outside tzkg
    assert list(outcome.steps) == ["step"]
