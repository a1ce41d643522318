"""Find the header of a roster below its title rows, its columns, its data rows and its notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tzkg.errors import RosterError
from tzkg.loaders.roster.mapping import RosterMapping, header_keys
from tzkg.loaders.roster.read import RawTable
from tzkg.loaders.roster.text import clean

HEADER_SEARCH_ROWS = 30
"""The header is looked for in the first rows only."""

NOTE_MARKERS = re.compile(
    r"^(?:注[:\d①-⑩、.]|注释|注意|备注|说明[:、]|附注|附件\d*[:]|数据来源|资料来源|来源[:]|制表|"
    r"填报(?:单位|人|日期)|填表|审核[人:]|联系人|联系电话|以上|合计|总计|共计|小计|本名单|此名单)"
)
"""How notes, sources and totals under a table start (names like 注塑科技 do not match)."""
HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|第[一二三四五六七八九十\d]+批)"
)
_COUNT_SUFFIX = re.compile(r"\(?(?:共)?\d+(?:家|个|项)\)?$")
_USCC_LIKE = re.compile(r"^[0-9A-Z]{18}$")


@dataclass
class Layout:
    """Where the header is and which column holds which role or field."""

    header_rows: list[int]
    columns: dict[str, int]  # role or field name → 0-based column index
    headers: dict[str, str]  # role or field name → header text as in the file
    labels: list[str]  # every column's header text
    unmapped: list[str]  # header texts no role or field claims
    title: list[str]  # the text of the rows above the header


@dataclass
class Ignored:
    """A row that is not a record: a note under the table, a group heading, a total."""

    row: int
    text: str
    reason: str  # "note" or "heading"


@dataclass
class DataRows:
    """The records of a roster, with the group heading (if any) each falls under."""

    layout: Layout
    records: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    cleaned: dict[int, tuple[str, ...]] = field(default_factory=dict)  # row → cleaned cells
    heading_of: dict[int, str] = field(default_factory=dict)  # record row → heading text
    ignored: list[Ignored] = field(default_factory=list)
    blank: int = 0


def title_text(table: RawTable, limit: int = HEADER_SEARCH_ROWS) -> list[str]:
    """The distinct texts of the first rows (titles carry the kind and the year of a roster)."""
    texts: list[str] = []
    for _, cells in table.rows[:limit]:
        values = _distinct(cells)
        if len(values) == 1:
            texts.append(values[0])
    return texts


def find_layout(table: RawTable, mapping: RosterMapping) -> Layout:
    """The header row(s) and the column of each role.

    :raises RosterError: if no row in the first rows carries the required columns.
    """
    synonyms = mapping.synonyms()
    required = mapping.required_roles()
    best: tuple[int, int, dict[str, int]] | None = None  # (score, index, columns)
    for index, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        columns = _match(cells, synonyms)
        if not all(role in columns for role in required):
            continue
        if best is None or len(columns) > best[0]:
            best = (len(columns), index, columns)
    if best is None:
        wanted = " / ".join(
            next(c.headers for r, c in mapping.columns.items() if r == role)[0] for role in required
        )
        raise RosterError(
            f"no header row with the required columns ({wanted}) in the first "
            f"{HEADER_SEARCH_ROWS} rows for a {mapping.kind} roster "
            f"(synonyms are listed in {mapping.path.name})",
            where=str(table.path),
            code="roster-header",
        )
    _, index, columns = best
    number, upper = table.rows[index]
    header_rows = [number]
    labels = [clean(c) for c in upper]
    if index + 1 < len(table.rows):
        lower_number, lower = table.rows[index + 1]
        combined = _second_header(upper, lower, synonyms, columns)
        if combined is not None:
            columns, labels = combined
            header_rows.append(lower_number)
    claimed = set(columns.values())
    return Layout(
        header_rows=header_rows,
        columns=columns,
        headers={name: labels[i] for name, i in columns.items()},
        labels=labels,
        unmapped=[label for i, label in enumerate(labels) if label and i not in claimed],
        title=title_text(table, index),
    )


def _match(cells: tuple[str, ...], synonyms: dict[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        for key in header_keys(cell) if cell else []:
            name = synonyms.get(key)
            if name is not None:
                columns.setdefault(name, i)
                break
    return columns


def _second_header(
    upper: tuple[str, ...],
    lower: tuple[str, ...],
    synonyms: dict[str, str],
    columns: dict[str, int],
) -> tuple[dict[str, int], list[str]] | None:
    """Columns and labels over two header rows (依托单位 above 名称 | 信用代码), if it is one."""
    if any(_USCC_LIKE.match(clean(c).upper()) for c in lower) or (
        lower and clean(lower[0]).isdigit()
    ):
        return None
    width = max(len(upper), len(lower))
    merged_columns: dict[str, int] = {}
    labels: list[str] = []
    new_match = False
    for i in range(width):
        top = clean(upper[i]) if i < len(upper) else ""
        bottom = clean(lower[i]) if i < len(lower) else ""
        candidates = [top + bottom, bottom, top] if bottom and bottom != top else [top]
        label = candidates[-1] if not bottom or bottom == top else top + bottom
        for candidate in candidates:
            name = next((synonyms[k] for k in header_keys(candidate) if k in synonyms), None)
            if name is not None and name not in merged_columns:
                merged_columns[name] = i
                label = candidate
                if candidate != top:
                    new_match = True
                break
        labels.append(label)
    if not new_match or len(merged_columns) < len(columns):
        return None
    return merged_columns, labels


def data_rows(table: RawTable, layout: Layout) -> DataRows:
    """The records below the header; group headings and notes after the table are set aside."""
    result = DataRows(layout)
    start = layout.header_rows[-1]
    name_col = layout.columns.get("name", layout.columns.get("host"))
    seq_col = layout.columns.get("seq", 0)
    kinds: list[tuple[int, tuple[str, ...], str]] = []
    for number, cells in table.rows:
        if number <= start:
            continue
        tidy = tuple(clean(cell) for cell in cells)
        values = list(dict.fromkeys(value for value in tidy if value))
        if not values:
            result.blank += 1
            continue
        result.cleaned[number] = tidy
        single = len(values) == 1 or number in table.banner_rows
        first = values[0]
        in_name = name_col is not None and name_col < len(tidy) and bool(tidy[name_col])
        if (
            len(values) == 1
            and in_name
            and _non_empty(tidy) == 1
            and not _looks_like_heading(first)
        ):
            kinds.append((number, cells, "record"))  # a name alone: a record with gaps
        elif (
            single
            or _note_in(tidy, seq_col)
            or _note_in(tidy, name_col)
            or (NOTE_MARKERS.match(first) and not _name_is_other(tidy, name_col, first))
        ):
            kinds.append((number, cells, "aside"))
        else:
            kinds.append((number, cells, "record"))
    last_record = max((i for i, k in enumerate(kinds) if k[2] == "record"), default=-1)
    heading: str | None = None
    for i, (number, cells, kind) in enumerate(kinds):
        if kind == "record":
            result.records.append((number, cells))
            if heading is not None:
                result.heading_of[number] = heading
            continue
        text = " ".join(dict.fromkeys(v for v in result.cleaned[number] if v))
        if i > last_record or NOTE_MARKERS.match(text):
            result.ignored.append(Ignored(number, text, "note"))
        else:
            heading = text
            result.ignored.append(Ignored(number, text, "heading"))
    return result


def heading_district(text: str) -> str:
    """The district part of a group heading: 一、海陵区(12家) → 海陵区."""
    value = HEADING.sub("", clean(text).replace(" ", ""))
    return _COUNT_SUFFIX.sub("", value)


def _note_in(tidy: tuple[str, ...], column: int | None) -> bool:
    """Whether a column that holds numbers or names (序号, 名称) starts a note there (注:…)."""
    if column is None or column >= len(tidy):
        return False
    return bool(NOTE_MARKERS.match(tidy[column]))


def _looks_like_heading(text: str) -> bool:
    return bool(HEADING.match(text) or _COUNT_SUFFIX.search(text) or NOTE_MARKERS.match(text))


def _name_is_other(tidy: tuple[str, ...], name_col: int | None, first: str) -> bool:
    """A row whose name cell holds something else than the note-like first value is a record."""
    if name_col is None or name_col >= len(tidy):
        return False
    name = tidy[name_col]
    return bool(name) and name != first


def _distinct(cells: tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    for cell in cells:
        value = clean(cell)
        if value and value not in seen:
            seen.append(value)
    return seen


def _non_empty(tidy: tuple[str, ...]) -> int:
    return sum(1 for cell in tidy if cell)
