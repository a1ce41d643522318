"""SPARQL Update through the single writer, with the protocol's `using-graph-uri` /
`using-named-graph-uri` applied as USING / USING NAMED clauses of each operation that has a
WHERE (pyoxigraph takes the dataset of an update only from its text)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pyoxigraph import NamedNode

from tzkg.api.service import StoreHolder
from tzkg.errors import ProtocolError, QueryParameterError, StoreError
from tzkg.store import OxigraphStore, query_syntax_error
from tzkg.vocab import PREFIXES

# Tokens that may hold braces or keywords without being syntax: comments, strings, IRIs,
# prefixed names and variables; then braces and bare words.
_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w]+)
  | (?P<pname>[\w.-]*:[\w.:%-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[A-Za-z_]\w*)
  """,
    re.VERBOSE,
)


def with_using(update: str, graphs: Sequence[str], named: Sequence[str]) -> str:
    """`update` with `USING <g>` / `USING NAMED <g>` before the WHERE of each operation.

    :raises ProtocolError: if the update already chooses its dataset (USING or WITH).
    """
    if not graphs and not named:
        return update
    clause = "".join(f" USING {NamedNode(g)}" for g in graphs)
    clause += "".join(f" USING NAMED {NamedNode(g)}" for g in named)
    depth = 0
    previous = ""
    inserts: list[int] = []
    for match in _TOKENS.finditer(update):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = match.group().upper()
            if word in ("USING", "WITH"):
                raise ProtocolError(
                    f"the update has its own {word} clause; it cannot be combined with "
                    "using-graph-uri / using-named-graph-uri",
                    where="using-graph-uri",
                )
            if word == "WHERE" and previous != "DELETE":
                inserts.append(match.start())
            previous = word
            continue
        if kind not in ("comment",) and depth == 0:
            previous = ""
    for position in reversed(inserts):
        update = update[:position] + clause.strip() + " " + update[position:]
    return update


def run_update(
    holder: StoreHolder,
    update: str,
    *,
    using_graphs: Sequence[str] = (),
    using_named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
) -> None:
    """Run a SPARQL update as one transaction through the holder's single writer.

    :raises QuerySyntaxError: if it does not parse (where = line:col).
    :raises ProtocolError: if the protocol dataset conflicts with the update's own.
    """
    for value in (*using_graphs, *using_named_graphs):
        try:
            NamedNode(value)
        except ValueError as exc:
            raise QueryParameterError(f"not an IRI: {exc}", where="using-graph-uri") from None
    text = with_using(update, using_graphs, using_named_graphs)

    def change(store: OxigraphStore) -> None:
        try:
            store.raw.update(text, base_iri=base_iri, prefixes=dict(PREFIXES))
        except SyntaxError as exc:
            raise query_syntax_error(exc) from None
        except (RuntimeError, ValueError) as exc:
            # evaluation refused the update (e.g. CLEAR GRAPH of a graph that does not exist)
            raise ProtocolError(str(exc), where="update", code="update-failed") from None
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    holder.write(change)
