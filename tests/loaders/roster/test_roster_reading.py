"""Reading rosters as bureaus publish them: encodings, delimiters, workbooks, titles and notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_helpers import ROOT, uscc, write_csv, write_xlsx

from tzkg.errors import RosterError
from tzkg.loaders.roster.mapping import load_mapping
from tzkg.loaders.roster.read import decode, read_table
from tzkg.loaders.roster.table import data_rows, find_layout

HIGH_TECH = load_mapping(ROOT / "data" / "mappings" / "high-tech-enterprise.toml")
LABS = load_mapping(ROOT / "data" / "mappings" / "key-laboratory.toml")
ROWS = [
    ["2021年度泰州市高新技术企业认定名单"],
    [],
    ["序号", "企业名称", "统一社会信用代码", "所在地区"],
    [1, "扬子江药业集团有限公司", uscc("91321200703982345"), "医药高新区"],
    [2, "江苏某某电子科技有限公司", uscc("91321202MA1X2Y3W4"), "海陵区"],
    ["注：排名不分先后，名称以证书为准"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "gaoqi.csv", ROWS, encoding=encoding)
    table = read_table(path)
    # GB18030 text of GBK characters is byte for byte GBK, and reported so
    assert table.encoding == ("gbk" if encoding == "gb18030" else encoding)
    assert table.rows[3][1][1] == "扬子江药业集团有限公司"
    assert table.rows[0][1] == ("2021年度泰州市高新技术企业认定名单",)


def test_gb18030_only_characters(tmp_path: Path) -> None:
    """A rare character outside GBK (𠀀, U+20000) decodes as GB18030."""
    rows = [*ROWS[:4], [2, "泰州𠀀科技有限公司", "", "海陵区"]]
    table = read_table(write_csv(tmp_path / "r.csv", rows, encoding="gb18030"))
    assert table.encoding == "gb18030"
    assert table.rows[4][1][1] == "泰州𠀀科技有限公司"


def test_undecodable_bytes_are_one_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("企业名称\n".encode() + b"\xff\xfe\xfd\x80\x80\n")
    with pytest.raises(RosterError) as caught:
        read_table(path)
    assert caught.value.code == "roster-encoding"
    assert caught.value.where == str(path)


def test_decode_prefers_utf8_then_gbk() -> None:
    assert decode("高港区".encode())[1] == "utf-8"
    assert decode("高港区".encode("gbk"))[1] == "gbk"


@pytest.mark.parametrize(("delimiter", "suffix"), [("\t", ".tsv"), ("\t", ".csv"), (";", ".csv")])
def test_delimiters(tmp_path: Path, delimiter: str, suffix: str) -> None:
    path = write_csv(tmp_path / f"r{suffix}", ROWS, delimiter=delimiter)
    table = read_table(path)
    assert table.rows[2][1] == ("序号", "企业名称", "统一社会信用代码", "所在地区")


def test_header_below_title_rows_and_notes_after(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "r.csv", ROWS, encoding="gbk"))
    layout = find_layout(table, HIGH_TECH)
    assert layout.header_rows == [3]
    assert layout.columns == {"seq": 0, "name": 1, "uscc": 2, "district": 3}
    assert layout.title == ["2021年度泰州市高新技术企业认定名单"]
    rows = data_rows(table, layout)
    assert [n for n, _ in rows.records] == [4, 5]
    assert [(x.row, x.reason) for x in rows.ignored] == [(6, "note")]


def test_unquoted_note_with_commas_is_still_a_note(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    text = (
        "序号,企业名称,所在地区\n1,扬子江药业集团有限公司,高港区\n注:本表为样例,非官方,仅供参考\n"
    )
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    rows = data_rows(table, find_layout(table, HIGH_TECH))
    assert [n for n, _ in rows.records] == [2]
    assert [x.reason for x in rows.ignored] == ["note"]


def test_header_synonyms_and_noise(tmp_path: Path) -> None:
    rows = [
        ["编号", "单位名称(全称)", "*社会信用代码", "县（市、区）", "备注"],
        [1, "扬子江药业集团有限公司", "", "高港区", ""],
    ]
    table = read_table(write_csv(tmp_path / "r.csv", rows))
    layout = find_layout(table, HIGH_TECH)
    assert layout.columns == {"seq": 0, "name": 1, "uscc": 2, "district": 3}
    assert layout.unmapped == ["备注"]


def test_no_header_is_one_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["甲", "乙"], ["1", "2"]])
    with pytest.raises(RosterError) as caught:
        find_layout(read_table(path), HIGH_TECH)
    assert caught.value.code == "roster-header"
    assert "企业名称" in caught.value.message


def test_xlsx_with_merged_title_rows_and_notes(tmp_path: Path) -> None:
    rows = [
        ["泰州市2022年度瞪羚企业名单", None, None, None],
        ["（第一批）", None, None, None],
        ["序号", "企业名称", "统一社会信用代码", "所在地区"],
        [1, "扬子江药业集团有限公司", uscc("91321200703982345"), "高港区"],
        [2, "江苏某某电子科技有限公司", uscc("91321202MA1X2Y3W4"), "海陵区"],
        [None, None, None, None],
        ["注：1. 排名不分先后；", None, None, None],
        ["2. 数据来源：泰州市科技局。", None, None, None],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, merges=["A1:D1", "A2:D2", "A7:D7", "A8:D8"])
    table = read_table(path)
    assert table.format == "xlsx" and table.sheet == "名单"
    assert table.merged_ranges == 4
    assert table.rows[0][1] == ("泰州市2022年度瞪羚企业名单",) * 4  # filled from the top-left
    layout = find_layout(table, HIGH_TECH)
    assert layout.header_rows == [3]
    rows_ = data_rows(table, layout)
    assert [n for n, _ in rows_.records] == [4, 5]
    assert [(x.row, x.reason) for x in rows_.ignored] == [(7, "note"), (8, "note")]
    assert rows_.blank == 1


def test_xlsx_two_row_header_and_merged_district(tmp_path: Path) -> None:
    """依托单位 spans 名称 and 统一社会信用代码; a district cell merged down a group of rows."""
    rows = [
        ["重点实验室名单", None, None, None, None],
        ["序号", "实验室名称", "依托单位", None, "所在地区"],
        [None, None, "名称", "统一社会信用代码", None],
        [1, "甲重点实验室", "甲公司", uscc("91321203MA1ABC457"), "高港区"],
        [2, "乙重点实验室", "乙公司", uscc("91321203MA1ABC458"), None],
    ]
    merges = ["A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "E4:E5"]
    table = read_table(write_xlsx(tmp_path / "labs.xlsx", rows, merges=merges))
    layout = find_layout(table, LABS)
    assert layout.header_rows == [2, 3]
    assert layout.columns == {"seq": 0, "name": 1, "host": 2, "host_uscc": 3, "district": 4}
    records = data_rows(table, layout).records
    assert [cells[4] for _, cells in records] == ["高港区", "高港区"]


def test_group_headings_inside_the_table(tmp_path: Path) -> None:
    rows = [
        ["序号", "企业名称", "统一社会信用代码"],
        ["一、海陵区（2家）"],
        [1, "甲公司", ""],
        [2, "乙公司", ""],
        ["二、高港区（1家）"],
        [3, "丙公司", ""],
        ["合计：3家"],
    ]
    table = read_table(write_csv(tmp_path / "r.csv", rows))
    result = data_rows(table, find_layout(table, HIGH_TECH))
    assert [n for n, _ in result.records] == [3, 4, 6]
    assert result.heading_of == {3: "一、海陵区(2家)", 4: "一、海陵区(2家)", 6: "二、高港区(1家)"}
    assert [(x.row, x.reason) for x in result.ignored] == [
        (2, "heading"),
        (5, "heading"),
        (7, "note"),
    ]


def test_workbook_sheet_choice_and_errors(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", ROWS, sheets=["说明"])
    assert read_table(path).sheet == "名单"
    with pytest.raises(RosterError) as caught:
        read_table(path, sheet="没有")
    assert caught.value.code == "roster-sheet"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RosterError) as caught:
        read_table(broken)
    assert caught.value.code == "roster-format"


@pytest.mark.parametrize(
    ("name", "code"),
    [("r.xls", "roster-format"), ("r.pdf", "roster-format"), ("none.csv", "roster-missing")],
    # r.xls here is not a workbook at all: a real .xls is read (test_xls_workbooks_are_read)
)
def test_unreadable_files(tmp_path: Path, name: str, code: str) -> None:
    path = tmp_path / name
    if name != "none.csv":
        path.write_bytes(b"\xd0\xcf\x11\xe0 binary")
    with pytest.raises(RosterError) as caught:
        read_table(path)
    assert caught.value.code == code


def test_calamine_and_openpyxl_read_a_workbook_alike(tmp_path: Path) -> None:
    """The fast reader (python-calamine) and the reference one (openpyxl) give the same cells:
    numbers, dates, booleans, empty cells, merged title rows, leading empty rows and columns."""
    import datetime as dt

    from tzkg.loaders.roster.read import _read_workbook, _read_workbook_openpyxl

    rows = [
        [None, None, None, None, None],
        [None, "泰州市2021年度高新技术企业名单", None, None, None],
        [None, "序号", "企业名称", "认定日期", "在册"],
        [None, 1, "扬子江药业集团有限公司", dt.date(2021, 11, 30), True],
        [None, 2.0, "江苏某某电子科技有限公司", dt.datetime(2021, 12, 1, 9, 30), False],
        [None, 3, None, 2021, "是"],
        [None, "注：排名不分先后", None, None, None],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, merges=["B2:E2", "B7:E7"])
    fast, reference = _read_workbook(path, None), _read_workbook_openpyxl(path, None)
    assert fast.rows == reference.rows
    assert (fast.sheet, fast.merged_ranges, fast.banner_rows) == (
        reference.sheet,
        reference.merged_ranges,
        reference.banner_rows,
    )
    assert fast.rows[3] == (4, ("", "1", "扬子江药业集团有限公司", "2021-11-30", "TRUE"))


def test_xls_workbooks_are_read() -> None:
    """An Excel 97-2003 workbook (bureaus still publish them) reads like an .xlsx."""
    table = read_table(ROOT / "tests" / "fixtures" / "rosters" / "gazelle-2022.xls")
    assert table.format == "xls" and table.sheet == "名单"
    assert table.merged_ranges == 2
    assert table.rows[0][1] == ("泰州市2022年度瞪羚企业名单",) * 4
    layout = find_layout(table, HIGH_TECH)
    assert layout.header_rows == [2]
    rows = data_rows(table, layout)
    assert [n for n, _ in rows.records] == [3, 4]
    assert rows.records[0][1][:2] == ("1", "扬子江药业集团有限公司")
    assert [(x.row, x.reason) for x in rows.ignored] == [(5, "note")]
