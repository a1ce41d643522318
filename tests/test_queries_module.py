"""tzkg.queries: the `#+` header of named queries, and binding their parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from tests.conftest import CENTRE, LAB
from tzkg.errors import QueryParameterError, SourceError, UnknownQueryError
from tzkg.queries import get_named_query, load_named_queries, parse_named_query
from tzkg.store import open_store
from tzkg.vocab import XSD

BASE = "https://w3id.org/tzkg/"
TZO = "https://w3id.org/tzkg/ontology#"

PLATFORMS = f"""\
#+ title_zh: 哪些平台支撑高技术船舶领域
#+ title_en: Which platforms support the shipbuilding field
#+ description: The platforms whose tzo:supports names the field,
#+ description: with their level.
#+ param: field_label | literal@zh | 高技术船舶 | The field's Chinese label
#+ param?: level | iri | {TZO}National | Platform level | enum: {TZO}National, {TZO}Provincial
# a plain comment is allowed in the header
PREFIX tzo: <https://w3id.org/tzkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?platform ?level ?field_label WHERE {{
  ?field rdfs:label ?field_label .
  ?platform tzo:supports ?field ; tzo:level ?level .
}} ORDER BY ?platform
"""

TYPED = """\
#+ title_zh: 类型
#+ title_en: Types
#+ param: name | string | x | a string
#+ param: en | literal@en | ship | an English label
#+ param: n | integer | 2 | an integer
#+ param: d | decimal | 2.76 | a decimal
#+ param: b | boolean | true | a boolean
#+ param: day | date | 2021-09-30 | a date
#+ param: thing | iri | field/shipbuilding | an IRI
#+ param: kind | string | a | one of two | enum: a, b
SELECT ?name ?en ?n ?d ?b ?day ?thing ?kind WHERE {}
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_parsed(tmp_path: Path) -> None:
    write(tmp_path, "platforms-for-field", PLATFORMS)
    write(tmp_path, "types", TYPED)
    queries = load_named_queries(tmp_path)
    assert list(queries) == ["platforms-for-field", "types"]
    query = queries["platforms-for-field"]
    assert query.title_zh == "哪些平台支撑高技术船舶领域"
    assert query.title_en == "Which platforms support the shipbuilding field"
    assert query.description.splitlines() == [
        "The platforms whose tzo:supports names the field,",
        "with their level.",
    ]
    field, level = query.params
    assert (field.name, field.type, field.example, field.optional) == (
        "field_label",
        "literal@zh",
        "高技术船舶",
        False,
    )
    assert field.description == "The field's Chinese label"
    assert level.optional and level.enum == (f"{TZO}National", f"{TZO}Provincial")
    assert query.text == PLATFORMS  # the header stays in the text, as a comment
    assert query.examples() == {"field_label": "高技术船舶", "level": f"{TZO}National"}


def test_run_binds_parameters_and_leaves_optional_ones_unbound(
    tmp_path: Path, built_store: Path
) -> None:
    query = parse_named_query(write(tmp_path, "platforms", PLATFORMS))
    with open_store(built_store) as store:
        everything = query.run(store, {"field_label": "高技术船舶"}, base_iri=BASE)
        assert [row["platform"] for row in everything.rows] == [LAB, CENTRE]
        national = query.run(
            store, {"field_label": "高技术船舶", "level": "tzo:National"}, base_iri=BASE
        )
        assert [row["platform"] for row in national.rows] == [LAB]
        nothing = query.run(store, {"field_label": "船舶"}, base_iri=BASE)
        assert nothing.rows == []


def test_binding_converts_every_type(tmp_path: Path) -> None:
    query = parse_named_query(write(tmp_path, "types", TYPED))
    bound = query.bind(
        {
            "name": "泰州",
            "en": "ship",
            "n": "+0042",
            "d": "2.760",
            "b": "1",
            "day": "2021-09-30",
            "thing": "field/shipbuilding",
            "kind": "b",
        },
        BASE,
    )
    assert bound == {
        "name": Literal("泰州"),
        "en": Literal("ship", language="en"),
        "n": Literal("42", datatype=NamedNode(XSD + "integer")),
        "d": Literal("2.760", datatype=NamedNode(XSD + "decimal")),
        "b": Literal("true", datatype=NamedNode(XSD + "boolean")),
        "day": Literal("2021-09-30", datatype=NamedNode(XSD + "date")),
        "thing": NamedNode(BASE + "field/shipbuilding"),
        "kind": Literal("b"),
    }


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"n": "two"}, "n"),
        ({"d": "NaN"}, "d"),
        ({"b": "yes"}, "b"),
        ({"day": "2021-13-01"}, "day"),
        ({"thing": "has space"}, "thing"),
        ({"kind": "c"}, "kind"),
        ({"en": ""}, "en"),
        ({"nope": "1"}, "nope"),
    ],
)
def test_bad_values_name_the_parameter(tmp_path: Path, raw: dict[str, str], parameter: str) -> None:
    query = parse_named_query(write(tmp_path, "types", TYPED))
    values = {**query.examples(), **raw}
    with pytest.raises(QueryParameterError) as caught:
        query.bind(values, BASE)
    assert caught.value.where == parameter


def test_missing_required_parameter(tmp_path: Path) -> None:
    query = parse_named_query(write(tmp_path, "platforms", PLATFORMS))
    with pytest.raises(QueryParameterError) as caught:
        query.bind({}, BASE)
    assert caught.value.where == "field_label"
    assert "高技术船舶" in caught.value.message  # the example shows what to give


def test_iri_values(tmp_path: Path) -> None:
    query = parse_named_query(write(tmp_path, "platforms", PLATFORMS))
    for value in (f"{TZO}National", "tzo:National"):
        bound = query.bind({"field_label": "x", "level": value}, BASE)
        assert bound["level"] == NamedNode(f"{TZO}National")
    with pytest.raises(QueryParameterError):  # resolved, but not in the enum
        query.bind({"field_label": "x", "level": "level/national"}, BASE)


@pytest.mark.parametrize(
    ("header", "line", "message"),
    [
        ("#+ title_zh 缺冒号\n", 1, "#+ key: value"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ colour: red\n", 3, "unknown header key"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ param: x | float | 1 | d\n", 3, "parameter type"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ param: x | iri | a\n", 3, "name | type"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ param: x | string | a | d | one: b\n", 3, "enum"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ param: x | integer | a | d\n", 3, "example"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ param: y | string | a | d\n", 3, "?y"),
        ("#+ title_zh: 甲\n#+ title_en: A\n#+ title_en: B\n", 3, "twice"),
        ("#+ title_zh: 甲\n", 1, "title_en"),
    ],
)
def test_bad_header_names_file_and_line(
    tmp_path: Path, header: str, line: int, message: str
) -> None:
    path = write(tmp_path, "bad", header + "SELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(SourceError) as caught:
        load_named_queries(tmp_path)
    assert caught.value.where == f"{path}:{line}"
    assert message in caught.value.message


def test_query_that_does_not_parse_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad", "#+ title_zh: 甲\n#+ title_en: A\nSELECT ?x WHERE {\n  ?x ?p\n}\n"
    )
    with pytest.raises(SourceError) as caught:
        load_named_queries(tmp_path)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+", caught.value.where or "")


def test_parameter_must_be_projected(tmp_path: Path) -> None:
    text = "#+ title_zh: 甲\n#+ title_en: A\n#+ param: o | string | a | d\nSELECT ?s { ?s ?p ?o }\n"
    write(tmp_path, "hidden", text)
    with pytest.raises(SourceError) as caught:
        load_named_queries(tmp_path)
    assert "projection" in caught.value.message


def test_unknown_query(tmp_path: Path) -> None:
    queries = {"platforms": parse_named_query(write(tmp_path, "platforms", PLATFORMS))}
    assert get_named_query(queries, "platforms").name == "platforms"
    with pytest.raises(UnknownQueryError) as caught:
        get_named_query(queries, "missing")
    assert "platforms" in caught.value.message
