"""Read, validate and link a roster row by row: every data row becomes a record or a reject."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tzkg.config import Settings
from tzkg.errors import RosterError
from tzkg.iris import pinyin_slug
from tzkg.loaders.reference import sha256
from tzkg.loaders.roster import uscc
from tzkg.loaders.roster.districts import DistrictIndex, Division
from tzkg.loaders.roster.linking import LinkContext
from tzkg.loaders.roster.mapping import Field, RosterMapping, load_mappings
from tzkg.loaders.roster.read import RawTable, read_table
from tzkg.loaders.roster.table import (
    DataRows,
    Ignored,
    Layout,
    data_rows,
    find_layout,
    heading_district,
    title_text,
)
from tzkg.loaders.roster.text import clean, name_key

FIRST_YEAR = 1980
"""Rosters of science-and-technology status start after the reform; earlier years are typos."""

_YEAR = re.compile(r"^((?:19|20)\d{2})(?:年度?|[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?|年?第.+批.*)?$")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})(?:年|-\d{4}年|$|[^0-9])")
_NUMBER_CODE = re.compile(r"^\d(?:\.\d+)?E\+?\d+$")
LEVEL_WORDS = (
    ("国家", "National"),
    ("全国", "National"),
    ("省", "Provincial"),
    ("市", "Municipal"),
)

REASONS: dict[str, str] = {
    "missing-name": "the name column is empty",
    "missing-uscc": "the 统一社会信用代码 column is required and empty",
    "uscc-length": "a 统一社会信用代码 has 18 characters",
    "uscc-charset": "a 统一社会信用代码 uses 0-9 and A-Y without I, O, S, V, Z",
    "uscc-checksum": "the 18th character is not the GB 32100-2015 check character",
    "uscc-number": "the code was stored as a number and lost digits",
    "missing-district": "the district column is required and empty",
    "unknown-district": "not a division of the city (GB/T 2260, NBS townships, reviewed aliases)",
    "missing-year": "no year in the row, the title, the file name or --year",
    "bad-year": "not a year, or outside the sane range",
    "bad-level": "not 国家级, 省级 or 市级",
    "unknown-type": "not one of the types the mapping lists",
    "duplicate": "the same resource is already in this roster or loaded from another",
    "ambiguous-link": "the name or code could be two resources: reported, never guessed",
    "class-conflict": "the platform the row names is already of another kind or level",
}
"""Reason codes of rejected rows, with what they mean."""


@dataclass(frozen=True)
class Problem:
    """Why a row is not loaded: where (row, column), what was there, and a reason code."""

    row: int
    column: int | None  # 1-based, None for the row as a whole
    header: str | None
    value: str
    code: str
    message: str


@dataclass(slots=True)
class Record:
    """A validated, linked data row."""

    row: int
    cells: tuple[str, ...]
    subject: str
    name: str
    new: bool
    code: str | None = None
    division: Division | None = None
    year: int | None = None
    classes: tuple[str, ...] = ()
    level: str | None = None
    host: str | None = None
    host_name: str | None = None
    host_code: str | None = None
    host_new: bool = False
    extras: tuple[tuple[Field, str], ...] = ()


@dataclass(frozen=True)
class LinkNote:
    """A row linked to a resource that existed before it (the plan's, or an earlier load's)."""

    row: int
    name: str
    iri: str
    rule: str
    known: str


@dataclass
class PreparedRoster:
    """A roster read, validated and linked, not yet written anywhere."""

    path: Path
    sha256: str
    size: int
    mapping: RosterMapping
    table: RawTable
    layout: Layout
    graph: str
    year: int | None
    started: dt.datetime
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    links: list[LinkNote] = field(default_factory=list)
    data_rows: int = 0
    blank_rows: int = 0

    @property
    def loaded(self) -> int:
        """Rows that became records."""
        return len(self.records)

    @property
    def rejected(self) -> int:
        """Rows with at least one problem."""
        return len({p.row for p in self.problems})


def graph_iri(base: str, path: Path) -> str:
    """The named graph of a roster file: `{base}graph/roster/<slug of the file stem>`."""
    base = base if base.endswith("/") else base + "/"
    return f"{base}graph/roster/{pinyin_slug(path.stem)}"


def file_digest(path: Path) -> tuple[str, int]:
    """sha256 and size of a file."""
    return sha256(path), path.stat().st_size


def choose_mapping(
    mappings: dict[str, RosterMapping], kind: str | None, path: Path, table: RawTable
) -> RosterMapping:
    """The mapping named by --kind, or the one whose `detect` words the file name or title has.

    :raises RosterError: for an unknown kind, or when the kind cannot be told (code `roster-kind`).
    """
    kinds = ", ".join(sorted(mappings))
    if kind is not None:
        if kind not in mappings:
            raise RosterError(
                f"unknown kind {kind!r} (kinds: {kinds})", where=str(path), code="roster-kind"
            )
        return mappings[kind]
    text = clean(path.stem) + " " + " ".join(title_text(table))
    scored: list[tuple[int, str]] = []
    for name, mapping in mappings.items():
        lengths = [len(word) for word in mapping.detect if clean(word) in text]
        if lengths:
            scored.append((max(lengths), name))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        candidates = ", ".join(name for _, name in scored) or "none"
        raise RosterError(
            f"cannot tell the kind of roster from its name or title (matches: {candidates}); "
            f"give --kind (one of: {kinds})",
            where=str(path),
            code="roster-kind",
        )
    return mappings[scored[0][1]]


def title_year(path: Path, layout: Layout) -> int | None:
    """A single year the title rows or the file name state (2021年度…名单), if exactly one."""
    years = {
        int(m) for text in [*layout.title, clean(path.stem)] for m in _TITLE_YEAR.findall(text)
    }
    return years.pop() if len(years) == 1 else None


def parse_year(text: str, today: dt.date | None = None) -> int | None:
    """2021, 2021年, 2021年度, 2021-12-15, 2021年第一批 → 2021; None if not a sane year."""
    value = clean(text).replace(" ", "")
    match = _YEAR.match(value)
    if match is None:
        return None
    year = int(match[1])
    last = (today or dt.date.today()).year + 1
    return year if FIRST_YEAR <= year <= last else None


def prepare_roster(
    path: Path,
    settings: Settings,
    *,
    kind: str | None = None,
    year: int | None = None,
    context: LinkContext | None = None,
    districts: DistrictIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
    sheet: str | None = None,
) -> PreparedRoster:
    """Read, validate and link a roster; `context` learns its resources for later rosters.

    :raises RosterError: when the file as a whole cannot be read (format, header, kind).
    """
    started = dt.datetime.now(dt.UTC)
    table = read_table(path, sheet=sheet)
    mapping = choose_mapping(load_mappings(settings.data_dir), kind, path, table)
    layout = find_layout(table, mapping)
    rows = data_rows(table, layout)
    if year is not None and parse_year(str(year)) is None:
        raise RosterError(f"--year {year} is not a sane year", where="--year", code="roster-year")
    districts = districts or DistrictIndex.load(settings.data_dir)
    if context is None:
        context = LinkContext.for_plan(settings, region_words(districts))
    digest, size = file_digest(path)
    prepared = PreparedRoster(
        path=path,
        sha256=digest,
        size=size,
        mapping=mapping,
        table=table,
        layout=layout,
        graph=graph_iri(settings.base_iri, path),
        year=year if year is not None else title_year(path, layout),
        started=started,
        ignored=rows.ignored,
        data_rows=len(rows.records),
        blank_rows=rows.blank,
    )
    _Validator(prepared, rows, context, districts, progress).run()
    return prepared


def region_words(districts: DistrictIndex) -> list[str]:
    words = [name for name in districts.names if len(name) >= 2]
    return sorted(set(words))


class _Validator:
    """Turns the data rows of one roster into records and problems."""

    def __init__(
        self,
        prepared: PreparedRoster,
        rows: DataRows,
        context: LinkContext,
        districts: DistrictIndex,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.p = prepared
        self.rows = rows
        self.context = context
        self.districts = districts
        self.progress = progress
        self.mapping = prepared.mapping
        self.columns = prepared.layout.columns
        self.headers = prepared.layout.headers
        self.seen: dict[tuple[str, int | None, str], tuple[int, str, str | None]] = {}
        self.heading_divisions: dict[str, Division | None] = {}
        self.status_key = self.mapping.kind
        self.pending: list[tuple[int, str, str, str, str | None]] = []
        self.tidy: tuple[str, ...] = ()
        self.cached_divisions: dict[str, Division | None] = {}
        self.cached_years: dict[str, int | None] = {}
        self.file_names: dict[tuple[str, int | None], int] = {}
        self.file_codes: dict[tuple[str, int | None], int] = {}

    def run(self) -> None:
        total = len(self.rows.records)
        for i, (number, cells) in enumerate(self.rows.records, start=1):
            self.tidy = self.rows.cleaned[number]
            self.row(number, cells)
            if self.progress is not None and (i % 2000 == 0 or i == total):
                self.progress(i, total)

    def cell(self, cells: tuple[str, ...], name: str) -> tuple[str, str]:
        """The raw and cleaned value of a role's column ('' when the column is absent)."""
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return "", ""
        return cells[index], self.tidy[index]

    def problem(self, row: int, name: str | None, value: str, code: str, message: str) -> None:
        column = self.columns.get(name) if name else None
        self.p.problems.append(
            Problem(
                row=row,
                column=column + 1 if column is not None else None,
                header=self.headers.get(name) if name else None,
                value=value,
                code=code,
                message=message,
            )
        )

    def row(self, number: int, cells: tuple[str, ...]) -> None:
        before = len(self.p.problems)
        m = self.mapping
        platform = m.subject == "platform"
        host_raw, host = self.cell(cells, "host") if platform else ("", "")
        raw_name, name = self.cell(cells, "name")
        name_column = "name"
        if not name and platform and m.platform_name and host:
            name = m.platform_name.format(host=host)
        if not name:
            name_column = "name" if "name" in self.columns else "host"
            self.problem(
                number, name_column, raw_name or host_raw, "missing-name", REASONS["missing-name"]
            )
        code = self.code(number, cells, "host_uscc" if platform else "uscc")
        division = self.division(number, cells)
        year = self.year(number, cells)
        level = self.level(number, cells)
        classes = self.classes(number, cells, level)
        extras = tuple((f, value) for f in m.fields if (value := self.cell(cells, f.name)[1]))
        if len(self.p.problems) > before:
            return
        key_name = name_key(name)
        first_row = self.file_names.get((key_name, year)) or (
            self.file_codes.get((code, year)) if code else None
        )
        if first_row is not None:
            same = "name" if self.file_names.get((key_name, year)) else "统一社会信用代码"
            self.problem(
                number,
                name_column,
                raw_name or name,
                "duplicate",
                f"the same {same} as row {first_row}",
            )
            return
        record = Record(
            number,
            cells,
            "",
            name,
            False,
            division=division,
            year=year,
            classes=classes,
            level=level,
            extras=extras,
        )
        if platform:
            record.host_name = host or None
            record.host_code = code
            if not self.link_platform(record):
                return
        else:
            record.code = code
            if not self.link_enterprise(record):
                return
        key = (self.status_key, year, record.subject)
        first = self.seen.get(key)
        if first is not None:
            self.problem(
                number,
                name_column,
                raw_name or name,
                "duplicate",
                f"{self.why_same(record, first)} as row {first[0]}",
            )
            return
        loaded = self.context.loaded.get(key)
        if loaded is not None:
            self.problem(
                number, name_column, raw_name or name, "duplicate", f"already loaded from {loaded}"
            )
            return
        self.seen[key] = (number, key_name, record.code or record.host_code)
        self.file_names[(key_name, year)] = number
        if code:
            self.file_codes[(code, year)] = number
        self.p.records.append(record)
        self.remember(record)

    def why_same(self, record: Record, first: tuple[int, str, str | None]) -> str:
        code = record.code or record.host_code
        if code and code == first[2]:
            return "the same 统一社会信用代码"
        if name_key(record.name) == first[1]:
            return "the same name"
        return "the same resource (linked)"

    # --- fields --------------------------------------------------------------------------
    def code(self, number: int, cells: tuple[str, ...], role: str) -> str | None:
        raw, value = self.cell(cells, role)
        column = self.mapping.columns.get(role)
        if not value:
            if column is not None and column.required:
                self.problem(number, role, raw, "missing-uscc", REASONS["missing-uscc"])
            return None
        if _NUMBER_CODE.match(value.upper()):
            self.problem(
                number,
                role,
                raw,
                "uscc-number",
                "the 统一社会信用代码 was stored as a number and lost its last digits; "
                "format the column as text",
            )
            return None
        normal, reason = uscc.check(value)
        if reason is not None:
            if reason == "uscc-length":
                detail = f"{len(normal)} characters; a 统一社会信用代码 has {uscc.LENGTH}"
            elif reason == "uscc-charset":
                wrong = "".join(sorted({c for c in normal if c not in uscc.CHARSET}))
                detail = f"{wrong} is not used (0-9 and A-Y without I, O, S, V, Z)"
            else:
                right = uscc.check_character(normal[:17])
                detail = f"the check character (18th) should be {right}, not {normal[17]}"
            self.problem(number, role, raw, reason, detail)
            return None
        return normal

    def division(self, number: int, cells: tuple[str, ...]) -> Division | None:
        raw, value = self.cell(cells, "district")
        if value:
            if value not in self.cached_divisions:
                self.cached_divisions[value] = self.districts.resolve(value)
            found = self.cached_divisions[value]
            if found is None:
                self.problem(
                    number,
                    "district",
                    raw,
                    "unknown-district",
                    f"{value}: {REASONS['unknown-district']}",
                )
            return found
        heading = self.rows.heading_of.get(number)
        if heading is not None:
            if heading not in self.heading_divisions:
                self.heading_divisions[heading] = self.districts.resolve(heading_district(heading))
            found = self.heading_divisions[heading]
            if found is not None:
                return found
        column = self.mapping.columns.get("district")
        if column is not None and column.required:
            self.problem(number, "district", raw, "missing-district", REASONS["missing-district"])
        return None

    def year(self, number: int, cells: tuple[str, ...]) -> int | None:
        raw, value = self.cell(cells, "year")
        if value:
            if value not in self.cached_years:
                self.cached_years[value] = parse_year(value)
            year = self.cached_years[value]
            if year is None:
                self.problem(
                    number,
                    "year",
                    raw,
                    "bad-year",
                    f"{value}: not a year from {FIRST_YEAR} to next year",
                )
            return year
        if self.p.year is None and self.mapping.year_required:
            self.problem(
                number,
                "year" if "year" in self.columns else None,
                raw,
                "missing-year",
                REASONS["missing-year"],
            )
        return self.p.year

    def level(self, number: int, cells: tuple[str, ...]) -> str | None:
        raw, value = self.cell(cells, "level")
        if not value:
            return self.mapping.level
        for word, level in LEVEL_WORDS:
            if word in value:
                return level
        self.problem(number, "level", raw, "bad-level", f"{value}: {REASONS['bad-level']}")
        return None

    def classes(self, number: int, cells: tuple[str, ...], level: str | None) -> tuple[str, ...]:
        m = self.mapping
        classes = list(m.classes)
        raw, value = self.cell(cells, "type")
        if value and "type" in m.columns:
            matched = [cls for text, cls in m.columns["type"].values if text in value]
            if not matched:
                listed = ", ".join(text for text, _ in m.columns["type"].values)
                self.problem(number, "type", raw, "unknown-type", f"{value}: not one of {listed}")
                return ()
            classes = matched[:1]
        if level is not None and level in m.level_classes:
            classes.append(m.level_classes[level])
        return tuple(classes)

    # --- linking -------------------------------------------------------------------------
    def link_enterprise(self, record: Record) -> bool:
        index = self.context.enterprises
        mint = self.context.enterprise_iri(record.name, record.code)
        link = index.link(record.name, record.code, mint)
        if link.iri is None:
            self.problem(
                record.row, "name", record.name, link.problem or "ambiguous-link", link.message
            )
            return False
        record.subject = link.iri
        record.new = link.rule == "new"
        self.pending = [(record.row, record.name, link.iri, link.rule, link.known)]
        return True

    def link_platform(self, record: Record) -> bool:
        host_iri: str | None = None
        host_note: tuple[int, str, str, str, str | None] | None = None
        if record.host_name:
            index = self.context.enterprises
            mint = self.context.enterprise_iri(record.host_name, record.host_code)
            link = index.link(record.host_name, record.host_code, mint)
            if link.iri is None:
                self.problem(
                    record.row,
                    "host",
                    record.host_name,
                    link.problem or "ambiguous-link",
                    link.message,
                )
                return False
            host_iri = link.iri
            record.host = host_iri
            record.host_new = link.rule == "new"
            host_note = (record.row, record.host_name, host_iri, link.rule, link.known)
        cls = record.classes[-1] if record.classes else "InnovationPlatform"
        platforms = self.context.platforms
        link = platforms.link(
            record.name,
            host_iri,
            cls,
            record.level,
            self.context.hierarchy,
            self.context.platform_iri(record.name),
        )
        if link.iri is None:
            self.problem(
                record.row,
                "name" if "name" in self.columns else "host",
                record.name,
                link.problem or "ambiguous-link",
                link.message,
            )
            return False
        record.subject = link.iri
        record.new = link.rule == "new"
        self.pending = [(record.row, record.name, link.iri, link.rule, link.known)]
        if host_note is not None:
            self.pending.append(host_note)
        return True

    def remember(self, record: Record) -> None:
        """Make an accepted record's resources known to the rows and rosters after it."""
        origin = f"{self.p.path.name} row {record.row}"
        self.context.loaded.setdefault((self.status_key, record.year, record.subject), origin)
        if self.mapping.subject == "platform":
            self.context.platforms.add(
                record.subject, record.name, origin, record.classes, record.level
            )
            if record.host is not None and record.host_name:
                self.context.enterprises.add(
                    record.host, record.host_name, record.host_code, origin, core=False
                )
        else:
            self.context.enterprises.add(
                record.subject, record.name, record.code, origin, core=False
            )
        for row, name, iri, rule, known in self.pending:
            if rule != "new" and known == "plan":
                self.p.links.append(LinkNote(row, name, iri, rule, known))
