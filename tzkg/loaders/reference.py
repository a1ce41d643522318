"""Reference tables in data/reference/: GB/T 2260 divisions, townships, enterprises' legal names."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from tzkg.config import Settings
from tzkg.errors import SourceError
from tzkg.iris import LABELS_FILE, IriMinter, LabelBook
from tzkg.vocab import (
    DCT,
    LABEL,
    LEGAL,
    PROV,
    SKOS,
    A,
    iri,
    tzo,
)

REFERENCE_DIR = "reference"
COUNTIES_GLOB = "*counties*.csv"
TOWNSHIPS_GLOB = "*townships*.csv"
PLAN_ENTERPRISES = "plan-enterprises-public.csv"


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with their 1-based line numbers, skipping '#' comment lines."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if row and not row[0].startswith("#"):
                    yield number, [cell.strip() for cell in row]
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read reference table: {exc}", where=str(path)) from exc


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Divisions:
    """The county-level divisions of one city, by name."""

    city: str | None
    city_code: str | None
    counties: dict[str, NamedNode] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path, minter: IriMinter, city: str | None) -> Divisions:
        """Find the city (by name) in the county tables and list its county-level divisions."""
        for path in sorted((data_dir / REFERENCE_DIR).glob(COUNTIES_GLOB)):
            rows = list(_rows(path))
            cities = {row[0]: row[1] for _, row in rows if len(row[0]) == 4}
            for code, name in cities.items():
                if city is not None and name != city:
                    continue
                found = cls(city=name, city_code=code + "00")
                for _, row in rows:
                    if len(row[0]) == 6 and row[2] == code:
                        found.counties[row[1]] = division_iri(minter, row[0])
                        found.codes[row[1]] = row[0]
                return found
        return cls(city=city, city_code=None)


def division_iri(minter: IriMinter, code: str) -> NamedNode:
    """Divisions are identified by their GB/T 2260 (or NBS township) code."""
    return minter.path("id", "division", code)


def known_enterprise_names(data_dir: Path, labels: LabelBook) -> list[str]:
    """Short names of enterprises known from reviewed data (reference table, label book)."""
    names: list[str] = []
    path = data_dir / REFERENCE_DIR / PLAN_ENTERPRISES
    if path.exists():
        rows = list(_rows(path))
        names.extend(row[0] for _, row in rows[1:] if row)
    names.extend(name for (kind, name) in labels.entries if kind == "enterprise")
    return names


def _graph_description(
    minter: IriMinter, graph: NamedNode, path: Path, settings: Settings
) -> Iterator[Quad]:
    source = minter.path("source", path.relative_to(settings.data_dir).as_posix())
    yield Quad(graph, A, iri(PROV, "Entity"), graph)
    yield Quad(graph, iri(PROV, "wasDerivedFrom"), source, graph)
    yield Quad(
        source, tzo("sourceFile"), Literal(path.relative_to(settings.data_dir).as_posix()), graph
    )
    yield Quad(source, tzo("sha256"), Literal(sha256(path)), graph)


def load_reference(settings: Settings) -> Iterator[Quad]:
    """Divisions, townships and the legal names of plan enterprises, each table in its own graph."""
    labels = LabelBook.load(settings.data_dir)
    minter = IriMinter(settings.base_iri, labels)
    ref = settings.data_dir / REFERENCE_DIR
    for path in sorted(ref.glob(COUNTIES_GLOB)):
        graph = minter.path("graph", "reference", path.stem)
        yield from _graph_description(minter, graph, path, settings)
        city_node: NamedNode | None = None
        for _, row in _rows(path):
            code, name = row[0], row[1]
            if len(code) == 4:
                code = code + "00"
            node = division_iri(minter, code)
            yield Quad(node, A, tzo("AdministrativeDivision"), graph)
            yield Quad(node, LABEL, Literal(name, language="zh"), graph)
            yield Quad(node, tzo("divisionCode"), Literal(code), graph)
            yield Quad(node, iri(SKOS, "notation"), Literal(code), graph)
            entry = labels.find("division", name)
            if entry is not None and entry.en:
                yield Quad(node, LABEL, Literal(entry.en, language="en"), graph)
            if code.endswith("00") and len(code) == 6 and code[4:] == "00":
                city_node = node
            else:
                yield Quad(node, A, tzo("CountyLevelDivision"), graph)
                if city_node is not None:
                    yield Quad(node, tzo("locatedIn"), city_node, graph)
    for path in sorted(ref.glob(TOWNSHIPS_GLOB)):
        graph = minter.path("graph", "reference", path.stem)
        yield from _graph_description(minter, graph, path, settings)
        for number, row in list(_rows(path))[1:]:
            if len(row) < 3:
                raise SourceError(
                    "a township row needs code, name, areaCode",
                    where=f"{path}:{number}",
                    code="reference-row",
                )
            node = division_iri(minter, row[0])
            yield Quad(node, A, tzo("Township"), graph)
            yield Quad(node, A, tzo("AdministrativeDivision"), graph)
            yield Quad(node, LABEL, Literal(row[1], language="zh"), graph)
            yield Quad(node, tzo("divisionCode"), Literal(row[0]), graph)
            yield Quad(node, tzo("locatedIn"), division_iri(minter, row[2]), graph)
    yield from _plan_enterprises(settings, minter)
    labels_path = settings.data_dir / LABELS_FILE
    if labels_path.exists():
        yield from _graph_description(minter, minter.path("graph", "labels"), labels_path, settings)


def _plan_enterprises(settings: Settings, minter: IriMinter) -> Iterator[Quad]:
    """Legal names and districts of enterprises the plan names by short name (one graph a row)."""
    path = settings.data_dir / REFERENCE_DIR / PLAN_ENTERPRISES
    if not path.exists():
        return
    rows = list(_rows(path))
    header = rows[0][1]
    divisions = Divisions.load(settings.data_dir, minter, None)
    for number, row in rows[1:]:
        record = dict(zip(header, row, strict=False))
        short, legal = record.get("plan_name", ""), record.get("legal_name", "")
        if not short or not legal:
            raise SourceError(
                "plan_name and legal_name are required",
                where=f"{path}:{number}",
                code="reference-row",
            )
        graph = minter.path("graph", "reference", path.stem, "row", str(number))
        yield from _graph_description(minter, graph, path, settings)
        node = minter.entity("enterprise", short)
        yield Quad(node, A, tzo("Enterprise"), graph)
        yield Quad(
            node, LABEL, Literal(minter.labels.canonical("enterprise", short), language="zh"), graph
        )
        yield Quad(node, iri(LEGAL, "legalName"), Literal(legal, language="zh"), graph)
        yield Quad(node, iri(SKOS, "altLabel"), Literal(legal, language="zh"), graph)
        if record.get("source"):
            yield Quad(node, iri(DCT, "source"), NamedNode(record["source"]), graph)
        district = divisions.counties.get(record.get("district", ""))
        if district is not None:
            yield Quad(node, tzo("locatedIn"), district, graph)
