"""Row-by-row validation: every kind of bad input gets its reason code; nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_helpers import ROOT, bad_check, uscc, write_csv

from tzkg.config import Settings
from tzkg.errors import RosterError
from tzkg.loaders.roster import prepare_roster
from tzkg.loaders.roster.mapping import load_mappings
from tzkg.loaders.roster.prepare import REASONS, PreparedRoster, parse_year

HEADER = ["序号", "企业名称", "统一社会信用代码", "所在地区", "认定年份"]
GOOD = uscc("91321202MA1X2Y3W4")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(store_dir=Path("/nonexistent/store"))


def prepare(
    tmp_path: Path, settings: Settings, rows: list[list[object]], **kw: object
) -> PreparedRoster:
    path = write_csv(tmp_path / "gaoqi-2021.csv", [HEADER, *rows], encoding="gbk")
    kw.setdefault("kind", "high-tech-enterprise")
    return prepare_roster(path, settings, **kw)  # type: ignore[arg-type]


def codes(prepared: PreparedRoster) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for x in prepared.problems:
        found.setdefault(x.row, []).append(x.code)
    return found


def assert_nothing_lost(prepared: PreparedRoster) -> None:
    assert prepared.loaded + prepared.rejected == prepared.data_rows
    rejected = {x.row for x in prepared.problems}
    assert not rejected & {r.row for r in prepared.records}


@pytest.mark.parametrize(
    ("cells", "code", "column"),
    [
        (["甲公司", bad_check(GOOD), "海陵区", "2021"], "uscc-checksum", 3),
        (["甲公司", GOOD[:17], "海陵区", "2021"], "uscc-length", 3),
        (["甲公司", GOOD[:8] + "O" + GOOD[9:], "海陵区", "2021"], "uscc-charset", 3),
        (["甲公司", "9.13212E+17", "海陵区", "2021"], "uscc-number", 3),
        (["", GOOD, "海陵区", "2021"], "missing-name", 2),
        (["甲公司", GOOD, "南京市鼓楼区", "2021"], "unknown-district", 4),
        (["甲公司", GOOD, "海陵区", "二〇二一"], "bad-year", 5),
        (["甲公司", GOOD, "海陵区", "1899"], "bad-year", 5),
        (["甲公司", GOOD, "海陵区", "2099年"], "bad-year", 5),
    ],
)
def test_each_bad_field(
    tmp_path: Path, settings: Settings, cells: list[str], code: str, column: int
) -> None:
    prepared = prepare(tmp_path, settings, [[1, "乙公司", "", "高港区", "2021"], [2, *cells]])
    assert codes(prepared) == {3: [code]}
    (problem,) = prepared.problems
    assert problem.column == column and problem.header == HEADER[column - 1]
    assert problem.value == cells[column - 2] if column > 1 else True
    assert problem.message
    assert_nothing_lost(prepared)
    assert code in REASONS


def test_lower_case_code_is_normalised(tmp_path: Path, settings: Settings) -> None:
    prepared = prepare(tmp_path, settings, [[1, "甲公司", GOOD.lower(), "海陵区", "2021"]])
    assert prepared.problems == []
    assert prepared.records[0].code == GOOD


@pytest.mark.parametrize(
    ("text", "year"),
    [("2021", 2021), ("2021年", 2021), ("2021年度", 2021), ("2021-12-15", 2021),
     ("2021/1/5", 2021), ("2021年第一批", 2021), ("２０２１年", 2021), ("2021.0", 2021),
     ("21", None), ("1899", None), ("2999", None), ("", None)],
)  # fmt: skip
def test_years(text: str, year: int | None) -> None:
    assert parse_year(text) == year


def test_year_from_title_row_file_name_and_option(tmp_path: Path, settings: Settings) -> None:
    path = write_csv(tmp_path / "list.csv", [["序号", "企业名称"], [1, "甲公司"]])
    prepared = prepare_roster(path, settings, kind="high-tech-enterprise")
    assert codes(prepared) == {2: ["missing-year"]}
    assert (
        prepare_roster(path, settings, kind="high-tech-enterprise", year=2022).records[0].year
        == 2022
    )
    titled = write_csv(
        tmp_path / "t.csv", [["泰州市2023年高新技术企业名单"], ["序号", "企业名称"], [1, "甲公司"]]
    )
    assert prepare_roster(titled, settings).records[0].year == 2023
    named = write_csv(tmp_path / "高企2020年.csv", [["序号", "企业名称"], [1, "甲公司"]])
    assert prepare_roster(named, settings, kind="high-tech-enterprise").records[0].year == 2020
    with pytest.raises(RosterError) as caught:
        prepare_roster(path, settings, kind="high-tech-enterprise", year=1066)
    assert caught.value.code == "roster-year"


def test_duplicates_inside_a_file(tmp_path: Path, settings: Settings) -> None:
    other = uscc("91321203MA1ABC457")
    prepared = prepare(
        tmp_path,
        settings,
        [
            [1, "甲公司", GOOD, "海陵区", "2021"],
            [2, "甲 公 司", other, "海陵区", "2021"],  # same name (spaces do not count)
            [3, "乙公司", GOOD.lower(), "海陵区", "2021"],  # same code
            [4, "甲公司", GOOD, "海陵区", "2022"],  # another year: not a duplicate
            [5, "扬子江药业集团有限公司", "", "高港区", "2021"],
            [6, "扬子江药业", "", "高港区", "2021"],  # the same plan enterprise
        ],
    )
    assert codes(prepared) == {3: ["duplicate"], 4: ["duplicate"], 7: ["duplicate"]}
    messages = {x.row: x.message for x in prepared.problems}
    assert messages[3] == "the same name as row 2"
    assert messages[4] == "the same 统一社会信用代码 as row 2"
    assert "row 6" in messages[7]
    assert_nothing_lost(prepared)


def test_several_problems_in_one_row_are_all_reported(tmp_path: Path, settings: Settings) -> None:
    prepared = prepare(tmp_path, settings, [[1, "", "123", "火星", "明年"]])
    assert sorted(codes(prepared)[2]) == [
        "bad-year",
        "missing-name",
        "unknown-district",
        "uscc-length",
    ]
    assert prepared.rejected == 1 and prepared.data_rows == 1


def test_platform_level_and_type(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["序号", "载体名称", "运营主体", "类型", "级别", "所在地区", "认定年份"],
        [1, "甲众创空间", "甲公司", "众创空间", "省级", "海陵区", "2021"],
        [2, "乙孵化器", "乙公司", "孵化器", "国家级", "高港区", "2021"],
        [3, "丙加速器", "丙公司", "加速器", "市级", "高港区", "2021"],
        [4, "丁孵化器", "丁公司", "孵化器", "区级", "高港区", "2021"],
    ]
    prepared = prepare_roster(write_csv(tmp_path / "i.csv", rows), settings, kind="incubator")
    assert codes(prepared) == {4: ["unknown-type"], 5: ["bad-level"]}
    classes = {r.name: (r.classes, r.level) for r in prepared.records}
    assert classes == {"甲众创空间": (("MakerSpace",), "Provincial"),
                       "乙孵化器": (("Incubator",), "National")}  # fmt: skip


def test_level_refines_the_class(tmp_path: Path, settings: Settings) -> None:
    rows = [["实验室名称", "依托单位", "级别"], ["甲重点实验室", "甲公司", "国家级"],
            ["乙重点实验室", "乙公司", "省级"], ["丙重点实验室", "丙公司", "市级"]]  # fmt: skip
    prepared = prepare_roster(write_csv(tmp_path / "l.csv", rows), settings, kind="key-laboratory")
    assert [r.classes for r in prepared.records] == [
        ("KeyLaboratory", "NationalKeyLaboratory"),
        ("KeyLaboratory", "ProvincialKeyLaboratory"),
        ("KeyLaboratory",),
    ]


def test_heading_gives_the_district(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["序号", "企业名称"],
        ["一、海陵区（1家）"],
        [1, "甲公司"],
        ["二、医药高新区"],
        [2, "乙公司"],
    ]
    prepared = prepare_roster(write_csv(tmp_path / "x.csv", rows), settings,
                              kind="enterprise-directory")  # fmt: skip
    assert [r.division.county if r.division else None for r in prepared.records] == [
        "321202",
        "321203",
    ]


def test_a_new_layout_is_a_new_mapping_file(tmp_path: Path, own_data: Path) -> None:
    """Required code and district columns, another header wording: no code changes."""
    (own_data / "mappings" / "innovative-sme.toml").write_text(
        """
kind = "innovative-sme"
title = { zh = "创新型中小企业名单", en = "Innovative SMEs" }
status = { zh = "创新型中小企业", en = "Innovative SME" }
detect = ["创新型中小企业"]
year_required = true

[columns.name]
headers = ["申报主体"]
required = true

[columns.uscc]
headers = ["主体代码"]
required = true

[columns.district]
headers = ["属地"]
required = true

[fields.grade]
headers = ["评价得分"]
property = "dct:description"
on = "designation"
""",
        encoding="utf-8",
    )
    rows = [
        ["2022年创新型中小企业名单"],
        ["申报主体", "主体代码", "属地", "评价得分"],
        ["甲公司", GOOD, "靖江", "81"],
        ["乙公司", "", "靖江", "70"],
        ["丙公司", uscc("91321282MA1XYW123"), "", "65"],
    ]
    settings = Settings(data_dir=own_data, store_dir=tmp_path / "store")
    prepared = prepare_roster(write_csv(tmp_path / "创新型中小企业.csv", rows), settings)
    assert prepared.mapping.kind == "innovative-sme" and prepared.year == 2022
    assert codes(prepared) == {4: ["missing-uscc"], 5: ["missing-district"]}
    (record,) = prepared.records
    assert [(f.name, v) for f, v in record.extras] == [("grade", "81")]


HEAD = "kind = 'x'\ntitle = {zh='a', en='b'}\n"
NAME = "[columns.name]\nheaders=['名称']\n"
FIELD = "[fields.f]\nheaders=['f']\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind = 'x'", "title"),
        (HEAD.replace("'x'", "'Bad Kind'") + NAME, "lower-case"),
        (HEAD + NAME.replace("name", "nmae"), "unknown column role"),
        (HEAD + "subject='platform'\n" + NAME, "confers a class"),
        (HEAD + "classes=['Unicorn']\n" + NAME, "tzo:Unicorn"),
        (HEAD + NAME + FIELD + "property='foo:bar'", "known prefix"),
        (HEAD + NAME + FIELD + "property='tzo:nothing'", "not declared"),
        ("kind = = 'x'", "not TOML"),
    ],
)
def test_bad_mapping_files_are_one_error(own_data: Path, text: str, message: str) -> None:
    path = own_data / "mappings" / "zz-bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_mappings(own_data)
    assert caught.value.code == "roster-mapping"
    assert caught.value.where == str(path)
    assert message in caught.value.message


def test_every_shipped_mapping_loads() -> None:
    mappings = load_mappings(ROOT / "data")
    assert {"high-tech-enterprise", "tech-sme", "gazelle-enterprise", "key-laboratory", "incubator",
            "new-rd-institution", "provincial-enterprise-technology-centre",
            "provincial-engineering-centre", "national-enterprise-technology-centre",
            "enterprise-directory"} <= set(mappings)  # fmt: skip


@pytest.mark.parametrize(
    ("stem", "kind"),
    [
        ("2021年高新技术企业认定名单", "high-tech-enterprise"),
        ("科技型中小企业入库名单", "tech-sme"),
        ("瞪羚企业", "gazelle-enterprise"),
        ("省级企业技术中心", "provincial-enterprise-technology-centre"),
        ("众创空间", "incubator"),
    ],
)
def test_kind_detected_from_the_file_name(
    tmp_path: Path, settings: Settings, stem: str, kind: str
) -> None:
    path = write_csv(
        tmp_path / f"{stem}.csv",
        [["序号", "企业名称", "载体名称", "认定年份"], [1, "甲公司", "甲", "2021"]],
    )
    assert prepare_roster(path, settings).mapping.kind == kind


def test_unknown_kind_is_one_error(tmp_path: Path, settings: Settings) -> None:
    path = write_csv(tmp_path / "名单.csv", [["序号", "企业名称"], [1, "甲公司"]])
    with pytest.raises(RosterError) as caught:
        prepare_roster(path, settings)
    assert caught.value.code == "roster-kind" and "--kind" in caught.value.message
    with pytest.raises(RosterError) as caught:
        prepare_roster(path, settings, kind="unicorns")
    assert caught.value.code == "roster-kind"
