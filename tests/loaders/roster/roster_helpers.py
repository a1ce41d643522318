"""Helpers for the roster tests: valid codes, roster files in each encoding and layout."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from tzkg.loaders.roster.uscc import check_character

ROOT = Path(__file__).resolve().parents[3]


def uscc(body: str) -> str:
    """A code with the right check character for 17 characters of body."""
    assert len(body) == 17
    return body + check_character(body)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    wrong = "0" if code[-1] != "0" else "1"
    return code[:-1] + wrong


def csv_text(rows: Sequence[Sequence[object]], delimiter: str = ",") -> str:
    """Rows as delimited text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    """Write rows as a CSV/TSV file in an encoding (utf-8, utf-8-sig, gbk, gb18030, utf-16)."""
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    merges: Sequence[str] = (),
    sheets: Sequence[str] = (),
) -> Path:
    """An .xlsx workbook with `rows` on its first sheet, merged ranges (A1:E1) and empty sheets."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名单"
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    for name in sheets:
        book.create_sheet(name)
    book.save(path)
    return path
