"""The plan loader on the real plan: traceability, full-width punctuation, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad, Store

from tzkg.config import Settings
from tzkg.errors import SourceError
from tzkg.loaders.plan import load_plan
from tzkg.vocab import OA, TZO

PLAN = Path(__file__).resolve().parents[3] / "data" / "plan" / "taizhou-sti-plan-2021-2023.txt"
FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})
QUOTED_TEXT = {OA + "exact", OA + "prefix", OA + "suffix", TZO + "text"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="module")
def quads(settings: Settings) -> list[Quad]:
    return list(load_plan(PLAN, settings))


def facts(quads: list[Quad]) -> set[Quad]:
    """Quads without the quoted source text (which differs between punctuation variants)."""
    return {q for q in quads if q.predicate.value not in QUOTED_TEXT}


def test_full_width_punctuation_gives_the_same_facts(
    quads: list[Quad], settings: Settings, tmp_path: Path
) -> None:
    text = PLAN.read_text("utf-8")
    assert text.count(",") > 100  # the published text uses ASCII commas
    variant = tmp_path / PLAN.name
    variant.write_text(text.translate(FULL_WIDTH), "utf-8")
    wide = list(load_plan(variant, settings))
    assert len(wide) == len(quads)
    assert facts(wide) == facts(quads)
    exact = {q.object.value for q in wide if q.predicate.value == OA + "exact"}
    assert any("，" in sentence for sentence in exact)  # quotes keep the source's own characters


def test_every_fact_graph_is_a_described_source_span(quads: list[Quad]) -> None:
    store = Store()
    store.extend(quads)
    undescribed = list(
        store.query(
            """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX tzo: <https://w3id.org/tzkg/ontology#>
        SELECT DISTINCT ?g WHERE {
          GRAPH ?g { ?s ?p ?o }
          FILTER NOT EXISTS { ?g a tzo:SourceSpan ; oa:hasSelector/oa:exact ?text }
          FILTER(!CONTAINS(STR(?g), "/graph/"))
        }""",
            use_default_graph_as_union=True,
        )
    )
    assert undescribed == []


def test_span_offsets_point_at_the_quoted_text(quads: list[Quad]) -> None:
    text = PLAN.read_text("utf-8")
    store = Store()
    store.extend(quads)
    rows = list(
        store.query(
            """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?start ?end WHERE {
          ?span oa:hasSelector ?q, ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
            use_default_graph_as_union=True,
        )
    )
    assert len(rows) > 50
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value


def test_page_chrome_states_no_fact(quads: list[Quad]) -> None:
    labels = {q.object.value for q in quads if q.predicate.value.endswith("#label")}
    assert not any("扫一扫" in label or "分享到" in label for label in labels)


def test_nineteen_goal_targets_and_fifteen_measure_targets(quads: list[Quad]) -> None:
    targets = {q.subject.value for q in quads if q.object.value == TZO + "Target"}
    assert sum("/target/1." in t for t in targets) == 19
    assert sum("/target/3." in t for t in targets) == 15


def test_not_utf8_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("一、工作目标\n到2023年,达到".encode("gbk"))
    with pytest.raises(SourceError) as info:
        list(load_plan(bad, settings))
    assert info.value.code == "plan-encoding"
    assert info.value.where == f"{bad}:1"


def test_missing_and_empty_files(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        list(load_plan(tmp_path / "absent.txt", settings))
    assert "absent.txt" in str(info.value)
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n", "utf-8")
    with pytest.raises(SourceError) as info:
        list(load_plan(empty, settings))
    assert info.value.code == "plan-empty"


def test_literals_are_tagged_chinese(quads: list[Quad]) -> None:
    labels = [q.object for q in quads if q.predicate.value.endswith("#label")]
    assert all(isinstance(label, Literal) and label.language in ("zh", "en") for label in labels)


def test_every_named_entity_has_chinese_and_english_labels(quads: list[Quad]) -> None:
    """Every entity the plan names gets its reviewed English label from data/labels.csv."""
    store = Store()
    store.extend(quads)
    labelled = {
        (row["s"].value, row["lang"].value)
        for row in store.query(
            """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT DISTINCT ?s (LANG(?l) AS ?lang) WHERE { ?s rdfs:label ?l }""",
            use_default_graph_as_union=True,
        )
    }
    structural = re.compile(r"/id/plan/[^/]+/(span|paragraph|section|target|period)/")
    entities = {s for s, lang in labelled if "/id/" in s and not structural.search(s)}
    assert len(entities) > 150
    assert {s for s in entities if (s, "en") not in labelled} == set()
    assert {s for s in entities if (s, "zh") not in labelled} == set()
