"""Validation: every shape and violation query against positive and negative fixtures.

tests/fixtures/shapes/valid.trig conforms; each tests/fixtures/shapes/invalid/<Shape>.<case>.ru
(or check-<query>.<case>.ru) turns it into data that fails exactly that shape or query.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat
from rdflib.namespace import SH

from tzkg.build import FINISH_STEPS
from tzkg.config import PROJECT_ROOT, Settings
from tzkg.errors import ValidationFailedError
from tzkg.loaders.ontology import load_ontology
from tzkg.reasoning import inferred_graph, materialise, materialise_step
from tzkg.store import OxigraphStore, build_store, open_store
from tzkg.validation import load_shapes, shapes_path, validate_store, validation_step
from tzkg.validation.checks import BUILT_IN, load_checks
from tzkg.validation.engine import SD_NAMED_GRAPH, excluded_graphs, findings_from_results
from tzkg.validation.report import locate, render_json, render_text, report_graph
from tzkg.validation.shapes import Shapes

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
INVALID = sorted((FIXTURES / "invalid").glob("*.ru"))
TZSH = "https://w3id.org/tzkg/shapes#"
SETTINGS = Settings()
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes(shapes_path(SETTINGS))


def fixture_store(update: str | None = None) -> OxigraphStore:
    """The valid fixture with the ontology, changed by `update`, then reasoned."""
    store = OxigraphStore.in_memory()
    store.bulk_load(load_ontology(SETTINGS))
    store.raw.load(path=FIXTURES / "valid.trig", format=RdfFormat.TRIG)
    if update:
        store.update(update)
    materialise(store, inferred_graph(SETTINGS.base_iri))
    return store


def expected_shape(path: Path) -> str:
    name = path.name.split(".", 1)[0]
    return f"check:{name.removeprefix('check-')}" if name.startswith("check-") else TZSH + name


# --- positive and negative fixtures -----------------------------------------------------------


def test_the_valid_fixture_conforms(shapes: Shapes) -> None:
    report = validate_store(fixture_store(), SETTINGS, shapes=shapes)
    assert [f.to_dict() for f in report.findings] == []
    assert report.checks == len(load_checks(SETTINGS.queries_dir)) + len(BUILT_IN)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_variant_fails_exactly_its_shape(path: Path, shapes: Shapes) -> None:
    expected = expected_shape(path)
    severity = "Violation" if expected.startswith("check:") else shapes.severity(expected)
    report = validate_store(fixture_store(path.read_text("utf-8")), SETTINGS, shapes=shapes)
    failed = {f.shape for f in report.findings if f.severity == severity}
    assert failed == {expected}, [f.to_dict() for f in report.findings]
    if severity != "Violation":
        assert report.conforms, "a Warning fixture must not fail a Violation shape"


def test_every_shape_and_check_has_a_failing_fixture(shapes: Shapes) -> None:
    covered = {expected_shape(path) for path in INVALID}
    named = {str(shape) for shape in set(shapes.top.values())}
    checks = {f"check:{name}" for name in [*load_checks(SETTINGS.queries_dir), *BUILT_IN]}
    assert named | checks == covered


@pytest.mark.parametrize("path", [None, *INVALID], ids=lambda p: p.stem if p else "valid")
def test_the_split_engine_agrees_with_pyshacl_alone(path: Path | None, shapes: Shapes) -> None:
    """pySHACL on the whole union, SPARQL constraints pre-bound per node, finds the same."""
    import pyshacl

    store = fixture_store(path.read_text("utf-8") if path else None)
    ours = {
        (f.shape, f.focus, f.severity)
        for f in validate_store(store, SETTINGS, shapes=shapes, checks={}).findings
    }
    data = rdflib.Graph()
    for quad in store.raw:
        data.add(_rdflib(quad))
    for graph in store.named_graphs():
        if graph not in excluded_graphs(SETTINGS):
            data.add((rdflib.URIRef(graph.value), rdflib.RDF.type, SD_NAMED_GRAPH))
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes.graph, inference="none", allow_warnings=True
    )
    assert isinstance(results, rdflib.Graph)
    theirs = {(f.shape, f.focus, f.severity) for f in findings_from_results(results, shapes)}
    assert ours == theirs


ENGINE_FIXTURES = [None, *(p for p in INVALID if p.name.startswith(("Target", "Source", "Zh")))]


@pytest.mark.parametrize("path", ENGINE_FIXTURES, ids=lambda p: p.stem if p else "valid")
def test_both_core_engines_find_the_same(path: Path | None, shapes: Shapes) -> None:
    """pyshacl-turbo (used when installed) and pySHACL give the same results on our shapes."""
    pytest.importorskip("pyshacl_turbo")
    store = fixture_store(path.read_text("utf-8") if path else None)
    found = {
        engine: {
            (f.shape, f.focus, f.severity, f.path, f.component)
            for f in validate_store(
                store, SETTINGS, shapes=shapes, checks={}, engine=engine
            ).findings
        }
        for engine in ("pyshacl-turbo", "pyshacl")
    }
    assert found["pyshacl-turbo"] == found["pyshacl"]


def _rdflib(quad: Quad) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    from tzkg.validation.engine import to_rdflib

    return to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


# --- the check character ------------------------------------------------------------------------


def check_character(code17: str) -> str:
    """GB 32100-2015, computed independently of the SPARQL constraint."""
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(CHARSET.index(c) * w for c, w in zip(code17, weights, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def test_the_standard_example() -> None:
    assert check_character("91110000600037341") == "L"


def test_the_sparql_check_character_matches_the_standard(shapes: Shapes) -> None:
    from tzkg.validation.engine import run_sparql_constraint

    generator = random.Random(32100)
    codes: dict[str, bool] = {}
    while len(codes) < 300:
        body = "".join(generator.choice(CHARSET) for _ in range(2))
        body += "".join(generator.choice("0123456789") for _ in range(6))
        body += "".join(generator.choice(CHARSET) for _ in range(9))
        check = check_character(body)
        last = check if generator.random() < 0.5 else generator.choice(CHARSET)
        codes[body + last] = last == check
    store = OxigraphStore.in_memory()
    uscc = NamedNode("https://w3id.org/tzkg/ontology#uscc")
    store.raw.extend(
        Quad(NamedNode(f"https://example.org/e/{code}"), uscc, Literal(code), NamedNode("urn:g"))
        for code in codes
    )
    (constraint,) = [c for c in shapes.sparql if c.shape.endswith("UsccCheckShape")]
    flagged = {f.value for f in run_sparql_constraint(store, constraint)}
    assert flagged == {code for code, valid in codes.items() if not valid}
    assert all(re.fullmatch(r"[0-9A-Z]{18}", code) for code in flagged)


# --- the report ---------------------------------------------------------------------------------


def test_a_bad_roster_code_names_the_row(shapes: Shapes) -> None:
    update = (FIXTURES / "invalid" / "UsccCheckShape.wrong-check-character.ru").read_text("utf-8")
    store = fixture_store(update)
    report = locate(store, validate_store(store, SETTINGS, shapes=shapes), SETTINGS)
    (finding,) = report.violations
    assert finding.where == "data/rosters/r.csv:2"
    assert finding.label == "示例科技"
    assert finding.message == (
        "the check character of 91321282MA1MXXXX0L is wrong: GB 32100-2015 gives K"
    )
    text = render_text(report, SETTINGS.base_iri)
    assert "Violation · tzsh:UsccCheckShape (USCC check character) · 1" in text
    assert "at data/rosters/r.csv:2" in text


def test_a_target_without_unit_names_the_sentence(tmp_path: Path, shapes: Shapes) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "p.txt").write_text(
        "示例方案\n\n到2023年,研发经费支出占比达2.5%。\n", encoding="utf-8"
    )
    store = fixture_store(
        (FIXTURES / "invalid" / "TargetShape.no-unit.ru").read_text("utf-8")
        + " ;\n"
        + "DELETE WHERE { GRAPH ?g { ?pos <http://www.w3.org/ns/oa#start> 0 } } ;\n"
        + "INSERT DATA { GRAPH <https://w3id.org/tzkg/graph/plan/p/provenance> {\n"
        + "  <https://w3id.org/tzkg/id/plan/p/span/1-1#position>"
        + " <http://www.w3.org/ns/oa#start> 6 } }"
    )
    settings = Settings(data_dir=tmp_path)
    report = locate(store, validate_store(store, settings, shapes=shapes), settings)
    (finding,) = report.violations
    assert finding.where is not None and finding.where.endswith("plan/p.txt:3")
    assert finding.quote == "到2023年,研发经费支出占比达2.5%。"
    assert finding.path == "https://schema.org/unitText"
    assert "exactly one unit" in finding.message


def test_json_and_turtle_reports(shapes: Shapes) -> None:
    update = (FIXTURES / "invalid" / "TargetShape.no-unit.ru").read_text("utf-8")
    store = fixture_store(update)
    report = locate(store, validate_store(store, SETTINGS, shapes=shapes), SETTINGS)
    import json

    body = json.loads(render_json(report))
    assert body["conforms"] is False and body["violations"] == 1
    assert body["findings"][0]["shape"] == TZSH + "TargetShape"
    graph = report_graph(report.findings, report.conforms, SETTINGS.base_iri)
    assert len(list(graph.subjects(rdflib.RDF.type, SH.ValidationResult))) == 1
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


# --- the build refuses invalid data ---------------------------------------------------------------


def test_build_steps_are_reasoning_then_validation() -> None:
    assert FINISH_STEPS[:2] == [materialise_step, validation_step]


def _fixture_quads(update: str | None = None) -> list[Quad]:
    store = OxigraphStore.in_memory()
    store.bulk_load(load_ontology(SETTINGS))
    store.raw.load(path=FIXTURES / "valid.trig", format=RdfFormat.TRIG)
    if update:
        store.update(update)
    return list(store.raw)


def _finish(settings: Settings):  # type: ignore[no-untyped-def]
    def steps(store: OxigraphStore) -> None:
        materialise_step(store, settings)
        validation_step(store, settings)

    return steps


def test_a_build_with_violations_is_refused_and_the_old_store_stays(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    first = build_store(settings.store_dir, _fixture_quads(), before_swap=_finish(settings))
    bad = (FIXTURES / "invalid" / "UsccCheckShape.wrong-check-character.ru").read_text("utf-8")
    with pytest.raises(ValidationFailedError) as caught:
        build_store(settings.store_dir, _fixture_quads(bad), before_swap=_finish(settings))
    assert caught.value.code == "shacl-violation"
    assert caught.value.where == "data/rosters/r.csv:2"
    assert str(caught.value).startswith(
        "data/rosters/r.csv:2: 1 violation, 0 warnings, not published"
    )
    assert "示例科技" in caught.value.message
    store = open_store(settings.store_dir)
    assert len(store) == first.quads


def test_allow_invalid_publishes_anyway(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", allow_invalid=True)
    bad = (FIXTURES / "invalid" / "TargetShape.no-unit.ru").read_text("utf-8")
    info = build_store(settings.store_dir, _fixture_quads(bad), before_swap=_finish(settings))
    assert info.quads > 0


# --- the real data --------------------------------------------------------------------------------


def test_the_plan_and_sample_rosters_have_no_violation(shapes: Shapes) -> None:
    from tzkg.build import build_quads

    store = OxigraphStore.in_memory()
    store.bulk_load(build_quads(SETTINGS))
    materialise(store, inferred_graph(SETTINGS.base_iri))
    report = locate(store, validate_store(store, SETTINGS, shapes=shapes), SETTINGS)
    assert report.violations == []
    rosters = [g for g in store.named_graphs() if "/graph/roster/" in g.value]
    assert rosters, "the build loads the sample rosters of data/rosters/"
    # platforms whose level the plan does not state are Warnings, with the sentence that names them
    unlevelled = {f.label for f in report.findings if f.shape == TZSH + "PlatformLevelStatedShape"}
    assert {"扬子江船业技术中心", "中国医药城疫苗工程中心"} <= unlevelled
    assert all(f.where and ".txt:" in f.where for f in report.findings)


def test_shapes_use_only_declared_ontology_terms(shapes: Shapes) -> None:
    from tzkg import vocab

    tzo_terms = {
        str(term)[len(vocab.TZO) :]
        for triple in shapes.graph
        for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(vocab.TZO)
    }
    text = (PROJECT_ROOT / "ontology" / "shapes.ttl").read_text("utf-8")
    tzo_terms |= set(re.findall(r"tzo:(\w+)", text))
    ontology = (PROJECT_ROOT / "ontology" / "tzkg.ttl").read_text("utf-8")
    declared = set(re.findall(r"^tzo:(\w+) a ", ontology, re.MULTILINE))
    assert sorted(tzo_terms - declared) == []


# --- the command --------------------------------------------------------------------------------


def test_validate_command_reports_by_shape_and_exits_1(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tzkg.cli import app

    settings = Settings(store_dir=tmp_path / "store", allow_invalid=True)
    bad = (FIXTURES / "invalid" / "UsccCheckShape.wrong-check-character.ru").read_text("utf-8")
    build_store(settings.store_dir, _fixture_quads(bad), before_swap=_finish(settings))
    runner = CliRunner()
    store = str(settings.store_dir)
    text = runner.invoke(app, ["validate", "--store", store])
    assert text.exit_code == 1, text.output
    assert text.output.startswith("HermiT (the ontology and ")
    assert ": consistent\n1 violation, 0 warnings" in text.output
    assert "Violation · tzsh:UsccCheckShape (USCC check character) · 1" in text.output
    assert "示例科技 <id/enterprise/e2>" in text.output
    assert "at data/rosters/r.csv:2" in text.output
    as_json = runner.invoke(app, ["validate", "--store", store, "--format", "json", "--no-hermit"])
    assert as_json.exit_code == 1
    body = json.loads(as_json.output)
    assert body["violations"] == 1 and body["findings"][0]["where"] == "data/rosters/r.csv:2"
    as_ttl = runner.invoke(app, ["validate", "--store", store, "--format", "ttl", "--no-hermit"])
    assert as_ttl.exit_code == 1
    graph = rdflib.Graph().parse(data=as_ttl.output, format="turtle")
    assert (None, SH.sourceShape, rdflib.URIRef(TZSH + "UsccCheckShape")) in graph


def test_validate_command_on_a_missing_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tzkg.cli import app

    result = CliRunner().invoke(app, ["validate", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "error[store-missing]" in result.output
