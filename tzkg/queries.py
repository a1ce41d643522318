"""Named queries: one competency question per `queries/*.rq` file, with a grlc-style header.

The header is the file's leading comment block; its `#+ key: value` lines describe the query::

    #+ title_zh: 哪些平台支撑高技术船舶领域
    #+ title_en: Which platforms support the shipbuilding field
    #+ description: One or more lines; repeated description lines are joined.
    #+ param: field_label | literal@zh | 高技术船舶 | The field's Chinese label
    #+ param?: level | iri | tzo:National | Platform level | enum: tzo:National, tzo:Provincial

A parameter is `name | type | example | description [| enum: a, b, …]`; `param?` marks an
optional one, left unbound when not given. The query's variable `?name` is bound by
substitution, never by editing the text, so a SELECT must project it (`SELECT *` does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final
from urllib.parse import urljoin

from pyoxigraph import Literal, NamedNode

from tzkg.errors import (
    QueryParameterError,
    QuerySyntaxError,
    SourceError,
    TzkgError,
    UnknownQueryError,
)
from tzkg.store import GraphStore, OxigraphStore, QueryResult, Term
from tzkg.vocab import PREFIXES, XSD

PARAM_TYPES: Final = (
    "iri",
    "string",
    "literal@zh",
    "literal@en",
    "integer",
    "decimal",
    "boolean",
    "date",
)
HEADER_KEYS: Final = ("title_zh", "title_en", "description", "param", "param?")

_HEADER_LINE = re.compile(r"^#\+\s*(?P<key>[A-Za-z_]+\??)\s*:\s*(?P<value>.*?)\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}


@dataclass(frozen=True)
class QueryParam:
    """One parameter of a named query."""

    name: str
    type: str
    example: str
    description: str
    enum: tuple[str, ...] = ()
    optional: bool = False

    def convert(self, raw: str, base_iri: str) -> Term:
        """The RDF term for a raw string value.

        :raises QueryParameterError: if the value does not fit the type or the enum.
        """
        value = raw.strip()
        try:
            term = _convert(self.type, value, base_iri)
        except ValueError as exc:
            raise QueryParameterError(
                f"{value!r} is not a valid {self.type}: {exc}", where=self.name
            ) from None
        if self.enum:
            allowed = [_enum_value(self.type, choice, base_iri) for choice in self.enum]
            if _enum_value(self.type, value, base_iri) not in allowed:
                raise QueryParameterError(
                    f"{value!r} is not one of {', '.join(self.enum)}", where=self.name
                )
        return term


@dataclass(frozen=True)
class NamedQuery:
    """A competency question: its SPARQL text and the header that describes it."""

    name: str
    path: Path
    text: str
    title_zh: str
    title_en: str
    description: str = ""
    params: tuple[QueryParam, ...] = field(default=())

    def bind(self, raw: Mapping[str, str], base_iri: str) -> dict[str, Term]:
        """Substitutions for `raw` parameter values (checked and converted, by variable name).

        :raises QueryParameterError: naming the parameter that is unknown, missing or invalid.
        """
        known = {param.name: param for param in self.params}
        for name in raw:
            if name not in known:
                expected = ", ".join(known) or "none"
                raise QueryParameterError(
                    f"{self.name} has no parameter {name!r} (parameters: {expected})", where=name
                )
        bound: dict[str, Term] = {}
        for param in self.params:
            value = raw.get(param.name)
            if value is None or (param.optional and not value.strip()):
                if not param.optional:
                    raise QueryParameterError(
                        f"{self.name} needs {param.name} ({param.type}), e.g. {param.example}",
                        where=param.name,
                    )
                continue
            bound[param.name] = param.convert(value, base_iri)
        return bound

    def run(self, store: GraphStore, raw: Mapping[str, str], *, base_iri: str) -> QueryResult:
        """Bind `raw` and run the query on `store`."""
        return store.query(self.text, substitutions=self.bind(raw, base_iri), base_iri=base_iri)

    def examples(self) -> dict[str, str]:
        """The example value of every parameter."""
        return {param.name: param.example for param in self.params}


def load_named_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every `*.rq` file of `directory` by name (the file stem), sorted by name.

    :raises SourceError: for a malformed header (where = file:line) or a query that does not parse.
    """
    return {path.stem: parse_named_query(path) for path in sorted(directory.glob("*.rq"))}


def get_named_query(queries: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The named query `name`.

    :raises UnknownQueryError: if there is none.
    """
    try:
        return queries[name]
    except KeyError:
        known = ", ".join(queries) or "none"
        raise UnknownQueryError(f"no named query {name!r} (known: {known})", where=name) from None


def parse_named_query(path: Path) -> NamedQuery:
    """Read one `.rq` file and its header.

    :raises SourceError: with where = file:line for what is wrong in it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the query: {exc}", where=str(path)) from exc
    fields: dict[str, str] = {}
    descriptions: list[str] = []
    params: list[QueryParam] = []
    param_lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break  # the header ends where the query starts
        if not stripped.startswith("#+"):
            continue
        where = f"{path}:{number}"
        match = _HEADER_LINE.match(stripped)
        if match is None:
            raise SourceError(f"a header line is `#+ key: value`, not {stripped!r}", where=where)
        key, value = match["key"], match["value"]
        if key not in HEADER_KEYS:
            raise SourceError(
                f"unknown header key {key!r} (known: {', '.join(HEADER_KEYS)})", where=where
            )
        if key == "description":
            descriptions.append(value)
        elif key in ("param", "param?"):
            param = _parse_param(value, optional=key == "param?", where=where)
            if param.name in param_lines:
                raise SourceError(f"parameter {param.name!r} is declared twice", where=where)
            params.append(param)
            param_lines[param.name] = number
        elif key in fields:
            raise SourceError(f"{key} is given twice", where=where)
        elif not value:
            raise SourceError(f"{key} is empty", where=where)
        else:
            fields[key] = value
    for key in ("title_zh", "title_en"):
        if key not in fields:
            raise SourceError(f"the header has no `#+ {key}:` line", where=f"{path}:1")
    query = NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title_zh=fields["title_zh"],
        title_en=fields["title_en"],
        description="\n".join(d for d in descriptions if d),
        params=tuple(params),
    )
    _check(query, param_lines)
    return query


def _parse_param(spec: str, *, optional: bool, where: str) -> QueryParam:
    parts = [part.strip() for part in spec.split("|")]
    if len(parts) not in (4, 5):
        raise SourceError(
            "a parameter is `name | type | example | description [| enum: a, b]`", where=where
        )
    name, kind, example, description = parts[:4]
    if not _NAME.match(name):
        raise SourceError(f"{name!r} is not a SPARQL variable name", where=where)
    if kind not in PARAM_TYPES:
        raise SourceError(
            f"unknown parameter type {kind!r} (types: {', '.join(PARAM_TYPES)})", where=where
        )
    enum: tuple[str, ...] = ()
    if len(parts) == 5:
        head, _, choices = parts[4].partition(":")
        enum = tuple(choice.strip() for choice in choices.split(",") if choice.strip())
        if head.strip() != "enum" or not enum:
            raise SourceError("the fifth part of a parameter is `enum: a, b, …`", where=where)
    if not example:
        raise SourceError(f"parameter {name!r} needs an example value", where=where)
    return QueryParam(name, kind, example, description, enum, optional)


def _check(query: NamedQuery, param_lines: Mapping[str, int]) -> None:
    """Parse the query and bind every parameter's example, on an empty store."""
    substitutions: dict[str, Term] = {}
    for param in query.params:
        where = f"{query.path}:{param_lines[param.name]}"
        try:
            substitutions[param.name] = param.convert(param.example, "https://example.org/")
        except QueryParameterError as exc:
            raise SourceError(f"the example of {param.name}: {exc.message}", where=where) from None
        if not re.search(rf"[?$]{param.name}\b", query.text):
            raise SourceError(f"the query has no variable ?{param.name}", where=where)
    empty = OxigraphStore.in_memory()
    try:
        empty.query(query.text)
    except QuerySyntaxError as exc:
        raise SourceError(
            f"the query does not parse: {exc.message}", where=f"{query.path}:{exc.where}"
        ) from None
    try:
        empty.query(query.text, substitutions=substitutions)
    except TzkgError as exc:
        raise SourceError(
            f"the parameters cannot be bound: {exc.message}", where=str(query.path)
        ) from None


def _convert(kind: str, value: str, base_iri: str) -> Term:
    if kind == "iri":
        return NamedNode(resolve_iri(value, base_iri))
    if kind == "string":
        return Literal(value)
    if kind.startswith("literal@"):
        if not value:
            raise ValueError("it is empty")
        return Literal(value, language=kind.removeprefix("literal@"))
    if kind == "integer":
        if not _INTEGER.match(value):
            raise ValueError("expected digits, e.g. 2023")
        return Literal(str(int(value)), datatype=NamedNode(XSD + "integer"))
    if kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError("expected a number, e.g. 2.76") from None
        if not number.is_finite():
            raise ValueError("expected a finite number")
        return Literal(str(number), datatype=NamedNode(XSD + "decimal"))
    if kind == "boolean":
        if value.lower() not in _BOOLEANS:
            raise ValueError("expected true or false")
        return Literal(_BOOLEANS[value.lower()], datatype=NamedNode(XSD + "boolean"))
    if kind == "date":
        return Literal(date.fromisoformat(value).isoformat(), datatype=NamedNode(XSD + "date"))
    raise ValueError(f"unknown type {kind}")


def resolve_iri(value: str, base_iri: str) -> str:
    """An absolute IRI: `tzo:X` expands a known prefix, `field/x` resolves against the base.

    >>> resolve_iri("field/shipbuilding", "https://w3id.org/tzkg/")
    'https://w3id.org/tzkg/field/shipbuilding'

    :raises ValueError: if the value cannot be an IRI.
    """
    if not value:
        raise ValueError("it is empty")
    if any(c in value for c in ' <>"{}|\\^`'):
        raise ValueError('an IRI has no spaces or any of <>"{}|\\^`')
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if _SCHEME.match(value):
        return value
    return urljoin(base_iri, value)


def _enum_value(kind: str, value: str, base_iri: str) -> str:
    if kind == "iri":
        try:
            return resolve_iri(value.strip(), base_iri)
        except ValueError:
            return value.strip()
    return value.strip()
