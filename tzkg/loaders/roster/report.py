"""The reject report of a roster load, as JSON (everything) and CSV (one line per problem)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from tzkg.errors import TzkgError
from tzkg.loaders.roster.prepare import REASONS, PreparedRoster

CSV_COLUMNS = ("row", "column", "header", "value", "code", "message")


def report_data(prepared: PreparedRoster, *, written: bool) -> dict[str, Any]:
    """Everything a reader needs to check a load: counts, layout, rejects, ignored rows, links."""
    p = prepared
    layout = p.layout
    return {
        "file": str(p.path),
        "sha256": p.sha256,
        "kind": p.mapping.kind,
        "mapping": p.mapping.path.name,
        "year": p.year,
        "graph": p.graph,
        "written": written,
        "format": p.table.format,
        "encoding": p.table.encoding,
        "sheet": p.table.sheet,
        "header_rows": layout.header_rows,
        "columns": {name: layout.headers[name] for name in layout.columns},
        "unmapped_columns": layout.unmapped,
        "rows": {
            "data": p.data_rows,
            "loaded": p.loaded,
            "rejected": p.rejected,
            "ignored": len(p.ignored),
            "blank": p.blank_rows,
        },
        "reasons": {code: REASONS[code] for code in sorted({x.code for x in p.problems})},
        "rejects": [
            {
                "row": x.row,
                "column": x.column,
                "header": x.header,
                "value": x.value,
                "code": x.code,
                "message": x.message,
            }
            for x in sorted(p.problems, key=lambda x: (x.row, x.column or 0))
        ],
        "ignored": [{"row": x.row, "reason": x.reason, "text": x.text} for x in p.ignored],
        "links": [{"row": x.row, "name": x.name, "iri": x.iri, "rule": x.rule} for x in p.links],
    }


def report_csv(prepared: PreparedRoster) -> str:
    """One line per problem: row, column (1-based), header, value as written, code, message."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for x in sorted(prepared.problems, key=lambda x: (x.row, x.column or 0)):
        writer.writerow([x.row, x.column or "", x.header or "", x.value, x.code, x.message])
    return out.getvalue()


def report_paths(target: Path) -> tuple[Path, Path]:
    """The CSV and JSON files of a report named `target` (its suffix, if any, is replaced)."""
    stem = target.with_suffix("") if target.suffix.lower() in (".csv", ".json") else target
    return stem.with_name(stem.name + ".csv"), stem.with_name(stem.name + ".json")


def write_report(prepared: PreparedRoster, target: Path, *, written: bool) -> tuple[Path, Path]:
    """Write `<target>.csv` and `<target>.json` (each appears whole or not at all).

    :raises TzkgError: if they cannot be written (code `output-error`).
    """
    csv_path, json_path = report_paths(target)
    data = json.dumps(report_data(prepared, written=written), ensure_ascii=False, indent=2)
    # utf-8-sig: Excel opens a CSV with Chinese text correctly only with the BOM
    _atomic_write(csv_path, report_csv(prepared), "utf-8-sig")
    _atomic_write(json_path, data + "\n", "utf-8")
    return csv_path, json_path


def _atomic_write(path: Path, text: str, encoding: str) -> None:
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding=encoding, newline="")
        os.replace(partial, path)
    except OSError as exc:
        raise TzkgError(
            f"cannot write the report: {exc}", where=str(path), code="output-error"
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
