"""ODK-style violation queries: `queries/checks/*-violation.rq` return rows only when wrong.

A check that SPARQL over the union of graphs cannot do quickly is built in (`BUILT_IN`): a fact
outside every named graph (the union hides which graph a triple is in, and asking it of each
of two million triples takes half a minute; reading Oxigraph's default graph takes none).

Each is a named query (the `#+ title_zh/title_en/description` header of queries/*.rq) without
parameters. A row is one finding: `?focus` is the resource at fault (the first projected
variable when there is no `?focus`), `?value` the offending value if any, `?message` an extra
explanation if any. Every row is a Violation: a build with one is refused.
"""

from __future__ import annotations

from pathlib import Path

from tzkg.errors import SourceError
from tzkg.queries import NamedQuery, load_named_queries

BUILT_IN = {
    "fact-outside-named-graph-violation": "Fact outside every named graph, so without a source",
}
"""Built-in checks by name, with their English title (tzkg.validation.engine runs them)."""
MAX_ROWS = 1000
"""A built-in check reports at most this many rows."""

CHECKS_DIR = "checks"
SUFFIX = "-violation"


def checks_dir(queries_dir: Path) -> Path:
    """queries/checks/."""
    return queries_dir / CHECKS_DIR


def load_checks(queries_dir: Path) -> dict[str, NamedQuery]:
    """The violation queries by name (file stem), sorted.

    :raises SourceError: for a malformed query, or one with parameters.
    """
    directory = checks_dir(queries_dir)
    if not directory.is_dir():
        return {}
    checks = {
        name: query
        for name, query in load_named_queries(directory).items()
        if name.endswith(SUFFIX)
    }
    for query in checks.values():
        if query.params:
            raise SourceError("a violation query takes no parameters", where=str(query.path))
    return checks
