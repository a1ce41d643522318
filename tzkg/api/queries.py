"""Named queries as REST: every `queries/*.rq` at `/api/queries/{name}`, typed in OpenAPI.

Each query gets its own operation, built from the file's header, so `/docs` shows its title,
description and parameters (type, example, enum). Values are checked and converted by
`NamedQuery.bind` and reach the query as RDF terms through substitutions, never as text.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pyoxigraph import BlankNode, NamedNode, RdfFormat
from pyoxigraph import Literal as RdfLiteral

from tzkg.api.common import ApiSettings, ApiStore, plain
from tzkg.config import Settings
from tzkg.errors import QueryParameterError
from tzkg.queries import NamedQuery, QueryParam, get_named_query, load_named_queries
from tzkg.store import QueryResult, Term

ResultFormat = Literal["json", "csv", "jsonld"]
RESERVED = ("format", "limit", "offset")
"""Query-string names the API itself uses; a named query cannot have a parameter so named."""

_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "literal@zh": {"type": "string"},
    "literal@en": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}
_NOTES = {
    "iri": "An IRI: absolute, prefixed (tzo:National) or relative to the base (id/field/x).",
    "literal@zh": "Bound as a Chinese-language literal (@zh).",
    "literal@en": "Bound as an English-language literal (@en).",
}

ErrorResponses: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter is unknown, missing or of the wrong type."},
    404: {"description": "No named query has that name."},
    503: {"description": "No store has been built yet."},
}


class QueryParamPublic(BaseModel):
    """One parameter of a named query."""

    name: str
    type: str
    example: str
    description: str
    required: bool
    enum: list[str] = Field(default_factory=list)


class NamedQueryPublic(BaseModel):
    """A named query: what it asks and how to call it."""

    name: str
    title_zh: str
    title_en: str
    description: str
    url: str
    params: list[QueryParamPublic]
    sparql: str


class NamedQueriesPublic(BaseModel):
    """Every named query."""

    data: list[NamedQueryPublic]
    count: int


class QueryRowsPublic(BaseModel):
    """The rows of a named SELECT query (or the answer of an ASK)."""

    query: str
    title: str
    variables: list[str]
    data: list[dict[str, Any]] = Field(description="One object per row; unbound cells left out.")
    count: int = Field(description="All rows of the answer.")
    truncated: bool = Field(description="True when `data` holds fewer rows than `count`.")
    next: str | None = None
    boolean: bool | None = Field(default=None, description="The answer of an ASK query.")


def describe(query: NamedQuery, prefix: str) -> NamedQueryPublic:
    """The public description of one named query."""
    return NamedQueryPublic(
        name=query.name,
        title_zh=query.title_zh,
        title_en=query.title_en,
        description=query.description,
        url=f"{prefix}/{query.name}",
        params=[
            QueryParamPublic(
                name=p.name,
                type=p.type,
                example=p.example,
                description=p.description,
                required=not p.optional,
                enum=list(p.enum),
            )
            for p in query.params
        ],
        sparql=query.text,
    )


def openapi_parameter(param: QueryParam) -> dict[str, Any]:
    """The OpenAPI parameter object of one named-query parameter."""
    schema: dict[str, Any] = dict(_SCHEMAS[param.type])
    if param.enum:
        schema["enum"] = list(param.enum)
    description = param.description.rstrip(".") + "."
    if param.type in _NOTES:
        description += f" {_NOTES[param.type]}"
    return {
        "name": param.name,
        "in": "query",
        "required": not param.optional,
        "description": description,
        "schema": schema,
        "example": param.example,
    }


def build_router(settings: Settings) -> APIRouter:
    """The router of `/api/queries`, one operation per file of `settings.queries_dir`.

    :raises SourceError: if a query file is malformed (the app must not start with it).
    """
    queries = load_named_queries(settings.queries_dir)
    router = APIRouter(prefix="/api/queries", tags=["named queries"])
    for query in queries.values():
        clash = [p.name for p in query.params if p.name in RESERVED]
        if clash:
            raise QueryParameterError(
                f"{query.name}: parameter names {', '.join(clash)} are reserved by the API",
                where=str(query.path),
            )

    @router.get("", summary="Every named query")
    def list_queries(request: Request) -> NamedQueriesPublic:
        """The named queries with their parameters; each runs at `/api/queries/{name}`."""
        prefix = str(request.url_for("list_queries")).rstrip("/")
        data = [describe(q, prefix) for q in queries.values()]
        return NamedQueriesPublic(data=data, count=len(data))

    for query in queries.values():
        _add_operation(router, query)

    @router.get("/{name}", include_in_schema=False)
    def unknown_query(name: str) -> None:
        get_named_query(queries, name)  # raises UnknownQueryError (404) for an unknown name

    return router


def _add_operation(router: APIRouter, query: NamedQuery) -> None:
    def run(
        request: Request,
        store: ApiStore,
        settings: ApiSettings,
        format: Annotated[
            ResultFormat, Query(description="json (rows), csv, or jsonld (rows as nodes).")
        ] = "json",
        limit: Annotated[int | None, Query(ge=1, description="Rows per page.")] = None,
        offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
    ) -> Response:
        raw = _raw_params(request, query)
        result = query.run(store, raw, base_iri=settings.base_iri)
        window = min(limit or settings.api_row_cap, settings.api_row_cap)
        return respond(query, result, request, format, window, offset, settings)

    title = f"{query.title_zh} · {query.title_en}"
    description = query.description or query.title_en
    router.add_api_route(
        f"/{query.name}",
        run,
        methods=["GET"],
        name=f"query_{query.name}",
        summary=title,
        description=f"{description}\n\n```sparql\n{query.text}\n```",
        response_model=QueryRowsPublic,
        response_class=JSONResponse,
        responses={
            200: {"content": {"text/csv": {}, "application/ld+json": {}}},
            **ErrorResponses,
        },
        openapi_extra={"parameters": [openapi_parameter(p) for p in query.params]},
    )


def _raw_params(request: Request, query: NamedQuery) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key in request.query_params:
        if key in RESERVED:
            continue
        values = request.query_params.getlist(key)
        if len(values) > 1:
            raise QueryParameterError(f"{key} is given {len(values)} times", where=key)
        raw[key] = values[0]
    return raw


def respond(
    query: NamedQuery,
    result: QueryResult,
    request: Request,
    fmt: ResultFormat,
    limit: int,
    offset: int,
    settings: Settings,
) -> Response:
    """The result in the requested format, windowed to `limit` rows from `offset`."""
    headers: dict[str, str] = {}
    if result.kind == "construct":
        rdf = RdfFormat.JSON_LD if fmt != "csv" else RdfFormat.N_TRIPLES
        media = "application/ld+json" if rdf == RdfFormat.JSON_LD else "application/n-triples"
        return Response(result.serialize(rdf), media_type=media)
    if result.kind == "ask":
        body = QueryRowsPublic(
            query=query.name,
            title=query.title_en,
            variables=[],
            data=[],
            count=1,
            truncated=False,
            boolean=result.boolean,
        )
        return JSONResponse(body.model_dump(mode="json"))
    rows = result.rows
    page = rows[offset : offset + limit]
    count = len(rows)
    following = None
    if offset + limit < count:
        following = str(request.url.include_query_params(limit=limit, offset=offset + limit))
        headers["Link"] = f'<{following}>; rel="next"'
    headers["X-Total-Count"] = str(count)
    if fmt == "csv":
        return Response(
            _csv(result.variables, page), media_type="text/csv; charset=utf-8", headers=headers
        )
    if fmt == "jsonld":
        document = _jsonld(query, result.variables, page, settings)
        return Response(
            json.dumps(document, ensure_ascii=False),
            media_type="application/ld+json",
            headers=headers,
        )
    body = QueryRowsPublic(
        query=query.name,
        title=query.title_en,
        variables=result.variables,
        data=[{k: plain(v) for k, v in row.items()} for row in page],
        count=count,
        truncated=len(page) < count,
        next=following,
    )
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


def _csv(variables: list[str], rows: list[dict[str, Term]]) -> bytes:
    """SPARQL 1.1 CSV: a header of variable names, IRIs and lexical forms as plain cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_cell(row.get(v)) for v in variables])
    return out.getvalue().encode("utf-8")


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | RdfLiteral):
        return term.value
    return str(term)


def _jsonld(
    query: NamedQuery,
    variables: list[str],
    rows: list[dict[str, Term]],
    settings: Settings,
) -> dict[str, Any]:
    """Rows as JSON-LD nodes whose properties are the query's variables (count and next page
    are in the X-Total-Count and Link headers)."""
    vocab = f"{settings.base_iri}query/{query.name}#"
    graph: list[dict[str, Any]] = []
    for row in rows:
        node: dict[str, Any] = {"@type": "Row"}
        for name in variables:
            term = row.get(name)
            if term is None:
                continue
            node[name] = _jsonld_value(term)
        graph.append(node)
    return {"@context": {"@vocab": vocab}, "@graph": graph}


def _jsonld_value(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"@id": term.value}
    if isinstance(term, BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, RdfLiteral):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value.endswith("#string"):
            return {"@value": term.value}
        return {"@value": term.value, "@type": term.datatype.value}
    return {"@value": str(term)}
