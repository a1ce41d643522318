"""`tzkg load-roster`: the printed sum, the reject report (CSV and JSON), --strict, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from roster_helpers import bad_check, uscc, write_csv, write_xlsx
from typer.testing import CliRunner

from tzkg.cli import app
from tzkg.config import Settings
from tzkg.store import read_build_info

runner = CliRunner()
GOOD = uscc("91321202MA1X2Y3W4")
ROWS = [
    ["2021年度泰州市高新技术企业认定名单"],
    ["序号", "企业名称", "统一社会信用代码", "所在地区"],
    [1, "扬子江药业集团有限公司", uscc("91321200703982345"), "医药高新区"],
    [2, "江苏某某电子科技有限公司", GOOD, "海陵区"],
    [3, "江苏某某药业有限公司", bad_check(uscc("91321203MA1ABC457")), "高港区"],
    [4, "泰州某某科技有限公司", uscc("91321203MA1ABC458"), "南京市"],
    ["注：排名不分先后"],
]


def load(settings: Settings, path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["load-roster", str(path), "--store", str(settings.store_dir), *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_load_prints_the_sum_and_writes_the_report(built: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS, encoding="gbk")
    code, out, err = load(built, path, "--report", str(tmp_path / "out" / "rejects"))
    assert code == 0, err
    assert "4 data rows = 2 loaded + 2 rejected" in out
    assert "1 ignored" in out
    assert "uscc-checksum 1" in out and "unknown-district 1" in out
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    assert [(x["row"], x["column"], x["header"], x["code"]) for x in lines] == [
        ("5", "3", "统一社会信用代码", "uscc-checksum"),
        ("6", "4", "所在地区", "unknown-district"),
    ]
    assert lines[1]["value"] == "南京市"
    report = json.loads((tmp_path / "out" / "rejects.json").read_text(encoding="utf-8"))
    assert report["rows"] == {"data": 4, "loaded": 2, "rejected": 2, "ignored": 1, "blank": 0}
    assert report["encoding"] == "gbk" and report["kind"] == "high-tech-enterprise"
    assert report["year"] == 2021 and report["written"] is True
    assert report["ignored"] == [{"row": 7, "reason": "note", "text": "注:排名不分先后"}]
    assert report["links"][0]["iri"].endswith("/id/enterprise/yangtze-river-pharmaceutical")
    assert set(report["reasons"]) == {"uscc-checksum", "unknown-district"}


def test_default_report_next_to_the_store(built: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    code, out, _ = load(built, path)
    assert code == 0
    folder = built.store_dir.parent / "store.reports"
    assert (folder / "gaoqi-2021.csv").is_file() and (folder / "gaoqi-2021.json").is_file()
    assert str(folder / "gaoqi-2021.csv") in out.replace("\n", "")


def test_strict_fails_and_writes_nothing(built: Settings, tmp_path: Path) -> None:
    before = read_build_info(built.store_dir)
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    code, out, err = load(built, path, "--strict", "--report", str(tmp_path / "r"))
    assert code == 1
    assert "4 data rows = 2 loaded + 2 rejected" in out
    assert "store     unchanged" in out
    assert err.startswith("error[roster-rejects]: ")
    assert f"{path}:5:3:" in err and "Traceback" not in err
    assert read_build_info(built.store_dir) == before
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["written"] is False


def test_strict_passes_a_clean_roster(built: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS[:4])
    code, out, _ = load(built, path, "--strict")
    assert code == 0 and "2 data rows = 2 loaded + 0 rejected" in out


def test_allow_invalid_is_accepted(built: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS[:4])
    code, out, _ = load(built, path, "--allow-invalid")
    assert code == 0 and "2 data rows = 2 loaded + 0 rejected" in out


def test_kind_year_and_sheet_options(built: Settings, tmp_path: Path) -> None:
    rows = [["序号", "企业名称", "所在地区"], [1, "江苏某某电子科技有限公司", "海陵区"]]
    path = write_xlsx(tmp_path / "list.xlsx", rows, sheets=["备注"])
    code, _, err = load(built, path)
    assert code == 1 and err.startswith("error[roster-kind]: ")
    code, out, err = load(built, path, "--kind", "gazelle-enterprise", "--year", "2022",
                          "--sheet", "名单")  # fmt: skip
    assert code == 0, err
    assert "(gazelle-enterprise, 2022; xlsx, 名单)" in out


def test_errors_are_one_line(built: Settings, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    code, _, err = load(built, missing)
    assert code == 1 and err == f"error[roster-missing]: {missing}: no such roster file\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\xfd\x80\x80")
    code, _, err = load(built, bad, "--kind", "tech-sme")
    assert code == 1 and err.startswith("error[roster-") and err.count("\n") == 1


def test_no_store_says_how_to_build(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaoqi-2021.csv", ROWS)
    result = runner.invoke(app, ["load-roster", str(path), "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error[store-missing]:") and "tzkg build" in result.stderr


def test_an_xls_workbook_loads(built: Settings) -> None:
    from roster_helpers import ROOT

    path = ROOT / "tests" / "fixtures" / "rosters" / "gazelle-2022.xls"
    code, out, err = load(built, path)
    assert code == 0, err
    assert "(gazelle-enterprise, 2022; xls, 名单)" in out
    assert "2 data rows = 2 loaded + 0 rejected" in out
