"""Which rosters a build loads: those listed in data/rosters/rosters.toml, and those loaded into
the store with `tzkg load-roster` (found in the store itself, their files kept next to it)."""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from tzkg.errors import RosterError
from tzkg.loaders.roster.linking import LinkContext
from tzkg.store import OxigraphStore, Term

ROSTERS_DIR = "rosters"
MANIFEST = "rosters.toml"


@dataclass(frozen=True)
class RosterEntry:
    """A roster to load: its file, and the kind and year to read it with (None: detect)."""

    path: Path
    kind: str | None = None
    year: int | None = None


def manifest_entries(data_dir: Path) -> list[RosterEntry]:
    """The rosters data/rosters/rosters.toml lists (`[[roster]]` tables: file, kind, year).

    :raises RosterError: if the manifest is malformed or names a missing file.
    """
    path = data_dir / ROSTERS_DIR / MANIFEST
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RosterError(
            f"cannot read the roster list: {exc}", where=str(path), code="roster-manifest"
        ) from None
    entries: list[RosterEntry] = []
    for number, item in enumerate(data.get("roster", []), start=1):
        file = item.get("file") if isinstance(item, dict) else None
        if not isinstance(file, str):
            raise RosterError(
                f"[[roster]] number {number} has no file", where=str(path), code="roster-manifest"
            )
        roster = path.parent / file
        if not roster.is_file():
            raise RosterError(
                f"{file} is listed but missing", where=str(path), code="roster-manifest"
            )
        kind, year = item.get("kind"), item.get("year")
        if (kind is not None and not isinstance(kind, str)) or (
            year is not None and not isinstance(year, int)
        ):
            raise RosterError(
                f"{file}: kind is a string and year an integer",
                where=str(path),
                code="roster-manifest",
            )
        entries.append(RosterEntry(roster, kind, year))
    return entries


# --- rosters loaded with `tzkg load-roster` --------------------------------------------------


def archive_dir(store_dir: Path) -> Path:
    """Where copies of ad-hoc loaded roster files are kept: `<store_dir>.rosters/`."""
    store_dir = Path(os.path.abspath(store_dir))
    return store_dir.parent / f"{store_dir.name}.rosters"


def archive_file(store_dir: Path, path: Path, sha256: str) -> Path:
    """Keep a copy of a roster file, addressed by its content: `<archive>/<sha256>/<name>`."""
    target = archive_dir(store_dir) / sha256 / path.name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


_ADHOC = """
SELECT ?g ?name ?sha ?kind ?year ?ended ?source WHERE {
  GRAPH ?g {
    ?g dct:type ?kindConcept ; dcat:distribution ?file ; prov:wasGeneratedBy ?load .
    ?kindConcept skos:notation ?kind .
    ?file dct:title ?name ; tzo:sha256 ?sha .
    ?load prov:endedAtTime ?ended .
    OPTIONAL { ?g tzo:designationYear ?year }
    OPTIONAL { ?file tzo:sourceFile ?source }
  }
} ORDER BY ?ended ?g
"""


@dataclass(frozen=True)
class LoadedRoster:
    """A roster graph of the store: its file (by name and digest), kind and year."""

    graph: str
    name: str
    sha256: str
    kind: str
    year: int | None
    source: str | None = None  # the path under data/, for a file that was there


def loaded_rosters(store: OxigraphStore) -> list[LoadedRoster]:
    """The roster graphs of a store, in the order they were loaded."""
    from tzkg.vocab import PREFIXES

    found: list[LoadedRoster] = []
    for row in _select(store, _ADHOC, PREFIXES):
        year = row.get("year")
        found.append(
            LoadedRoster(
                graph=row["g"],
                name=row["name"],
                sha256=row["sha"],
                kind=row["kind"],
                year=int(year) if year else None,
                source=row.get("source"),
            )
        )
    return found


# --- what is already loaded, for linking and duplicates --------------------------------------

_ROSTER_GRAPHS = """
SELECT ?g ?scheme WHERE { GRAPH ?g { ?g dct:type ?kind . ?kind skos:inScheme ?scheme } }
"""
_ENTERPRISES = """
SELECT ?g ?e ?name ?code WHERE {
  GRAPH ?g {
    ?e a tzo:Enterprise ; legal:legalName ?name .
    OPTIONAL { ?e tzo:uscc ?code }
  }
}
"""
_PLATFORMS = """
SELECT ?g ?p ?name ?class ?level WHERE {
  GRAPH ?g {
    ?p a tzo:InnovationPlatform , ?class .
    OPTIONAL { ?p rdfs:label ?name FILTER(LANG(?name) = "zh") }
    OPTIONAL { ?p tzo:level ?level }
  }
}
"""
_SUBJECTS = """
SELECT ?g ?kind ?year ?s ?n ?file WHERE {
  GRAPH ?g {
    ?g dct:type ?kindConcept ; dcat:distribution/dct:title ?file .
    ?kindConcept skos:notation ?kind .
    ?row tzo:describes ?s ; tzo:rowNumber ?n .
    OPTIONAL { ?d prov:wasDerivedFrom ?row ; tzo:designationYear ?year }
  }
}
"""


def learn_loaded(store: OxigraphStore, context: LinkContext, *, exclude: str | None) -> None:
    """Teach `context` the resources and (kind, year, subject) keys of the store's rosters.

    Each roster graph but `exclude` (the one being replaced) is read on its own, so replacing a
    big roster does not read it back.
    """
    from tzkg.vocab import PREFIXES

    scheme = context.base + "scheme/roster-kinds"
    tzo = PREFIXES["tzo"]
    graphs = [
        row["g"]
        for row in _select(store, _ROSTER_GRAPHS, PREFIXES, scheme=NamedNode(scheme))
        if row["g"] != exclude
    ]
    for graph in graphs:
        g = NamedNode(graph)
        origin = _origin(graph)
        for row in _select(store, _ENTERPRISES, PREFIXES, g=g):
            context.enterprises.add(row["e"], row["name"], row.get("code"), origin, core=False)
        for row in _select(store, _PLATFORMS, PREFIXES, g=g):
            cls = row["class"].removeprefix(tzo)
            level = row.get("level", "").removeprefix(tzo) or None
            classes = [cls] if row["class"].startswith(tzo) and cls != "InnovationPlatform" else []
            context.platforms.add(row["p"], row.get("name"), origin, classes, level)
        for row in _select(store, _SUBJECTS, PREFIXES, g=g):
            year = int(row["year"]) if row.get("year") else None
            where = f"{row['file']} row {row['n']}"
            context.loaded.setdefault((row["kind"], year, row["s"]), where)


def _origin(graph: str) -> str:
    return f"graph <{graph}>"


def _select(
    store: OxigraphStore, sparql: str, prefixes: dict[str, str], **bound: NamedNode
) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings (fast: no round trip through JSON)."""
    header = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in prefixes.items())
    substitutions: dict[Variable, Term] = {Variable(name): term for name, term in bound.items()}
    result = store.raw.query(header + sparql, substitutions=substitutions or None)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    rows: list[dict[str, str]] = []
    for solution in result:
        row: dict[str, str] = {}
        for name in names:
            term = solution[name]
            if isinstance(term, NamedNode | Literal):
                row[name] = term.value
        rows.append(row)
    return rows
