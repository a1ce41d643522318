"""Linked data: every IRI under the base dereferences to HTML for people and RDF for machines.

The IRI `{base_iri}X` is served at the path `/X` of this server (w3id.org redirects the
public IRIs here). With `deref_redirect` (the default) `/id/X` answers `303 See Other` to a
document about it: `/page/id/X` (HTML) or `/data/id/X.ttl|.jsonld|.nt|.rdf|.trig|.nq`;
otherwise `/id/X` itself answers by `Accept`. The ontology is served at its namespace
(`https://w3id.org/tzkg/ontology` -> `/ontology`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    Lang,
    LangDep,
    NotFoundError,
    accept_language,
    local_path,
    source_catalog,
)
from tzkg.api.resources.entities import EntityPublic, describe_entity
from tzkg.api.service import parse_accept
from tzkg.config import Settings
from tzkg.errors import QueryParameterError, TzkgError
from tzkg.store import OxigraphStore
from tzkg.vocab import PREFIXES, TZO

router = APIRouter(tags=["linked data"])

TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))

SPACES: Final = ("id", "scheme", "graph", "source")
"""The first path segments under the base whose IRIs name resources."""

FORMATS: Final[dict[str, tuple[str, RdfFormat]]] = {
    "ttl": ("text/turtle", RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    "nt": ("application/n-triples", RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", RdfFormat.RDF_XML),
    "trig": ("application/trig", RdfFormat.TRIG),
    "nq": ("application/n-quads", RdfFormat.N_QUADS),
}
"""RDF documents by extension; the quad formats keep each fact's named graph (its source)."""

_BY_MEDIA: Final = {media: ext for ext, (media, _) in FORMATS.items()} | {
    "application/json": "jsonld",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/plain": "nt",
    "application/xml": "rdf",
}
_HTML: Final = ("text/html", "application/xhtml+xml")


class NotAcceptableError(TzkgError):
    """No representation fits the Accept header."""

    code = "not-acceptable"
    status = 406


def choose(accept: str | None) -> str:
    """`html` or an RDF extension for an Accept header (HTML when it is absent or `*/*`).

    >>> choose("text/turtle;q=0.9, text/html;q=0.8")
    'ttl'
    >>> choose("application/ld+json")
    'jsonld'

    :raises NotAcceptableError: when nothing offered is acceptable.
    """
    if not accept or not accept.strip():
        return "html"
    ranked = [(-q, position, media) for media, q, position in parse_accept(accept) if q > 0]
    for _, _, media in sorted(ranked):
        if media in _HTML or media in ("*/*", "text/*"):
            return "html"
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
        if media == "application/*":
            return "jsonld"
    raise NotAcceptableError(
        "this resource is available as text/html, "
        + ", ".join(media for media, _ in FORMATS.values()),
        where=accept,
    )


def iri_of(path: str, settings: Settings) -> NamedNode:
    """The IRI a local path stands for (`/id/x` -> `{base}id/x`).

    :raises QueryParameterError: if the path cannot be part of an IRI.
    """
    if any(c in path for c in ' <>"{}|\\^`') or ".." in path.split("/"):
        raise QueryParameterError(f"{path!r} cannot name a resource", where="path")
    base = settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
    return NamedNode(base + path.lstrip("/"))


def rdf_document(store: OxigraphStore, iri: NamedNode, ext: str) -> bytes:
    """The quads about `iri` (and its `#fragment` parts, such as text selectors) as RDF.

    :raises NotFoundError: if the graph has no statement about it.
    """
    raw = store.raw
    quads = list(raw.quads_for_pattern(iri, None, None, None))
    if not quads:
        raise NotFoundError(f"the graph says nothing about {iri.value}", where=iri.value)
    parts = {
        q.object.value
        for q in quads
        if isinstance(q.object, NamedNode) and q.object.value.startswith(iri.value + "#")
    }
    for part in sorted(parts):
        quads.extend(raw.quads_for_pattern(NamedNode(part), None, None, None))
    _, fmt = FORMATS[ext]
    used = {name: ns for name, ns in PREFIXES.items() if any(ns in str(q) for q in quads)}
    if fmt.supports_datasets:
        data = serialize(quads, format=fmt, prefixes=used)
    else:
        seen: set[tuple[Any, Any, Any]] = set()
        triples = []
        for q in quads:
            if (q.subject, q.predicate, q.object) not in seen:
                seen.add((q.subject, q.predicate, q.object))
                triples.append(q.triple)
        data = serialize(triples, format=fmt, prefixes=used)
    assert data is not None
    return data


def _ontology_quads(store: OxigraphStore, ontology: NamedNode) -> list[Quad]:
    return list(store.raw.quads_for_pattern(None, None, None, ontology))


def answer(
    request: Request,
    store: OxigraphStore,
    settings: Settings,
    iri: NamedNode,
    ext: str,
    lang: Lang,
) -> Response:
    """The representation `ext` (html or an RDF extension) of the resource `iri`."""
    if ext == "html":
        return page(request, store, settings, iri, lang)
    media, _ = FORMATS[ext]
    return Response(rdf_document(store, iri, ext), media_type=media)


def page(
    request: Request, store: OxigraphStore, settings: Settings, iri: NamedNode, lang: Lang
) -> HTMLResponse:
    """The HTML page of a resource: labels, facts with their sources, links to it."""
    entity = describe_entity(
        store,
        iri,
        lang=lang,
        settings=settings,
        catalog=source_catalog(store, settings),
        cap=settings.api_row_cap,
    )
    root = request.scope.get("root_path", "")
    context = {
        "entity": entity,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "sources": _numbered_sources(entity),
        "href": lambda target: _href(target, settings, root),
        "data_href": _data_href(iri, settings, root),
        "formats": FORMATS,
        "root": root,
        "ontology": iri.value == TZO.rstrip("#"),
    }
    response = templates.TemplateResponse(request, "entity.html", context)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = lang
    return response


def _href(target: str | None, settings: Settings, root: str) -> str | None:
    if target is None:
        return None
    if target.startswith(TZO):
        return f"{root}/ontology#{target[len(TZO) :]}"
    local = local_path(target.split("#")[0], settings)
    if local is None:
        return target
    if local.startswith("/id/") or local.startswith("/scheme/"):
        return f"{root}/page{local}" if settings.deref_redirect else f"{root}{local}"
    return f"{root}{local}"


def _data_href(iri: NamedNode, settings: Settings, root: str) -> str:
    local = local_path(iri.value, settings) or ""
    return f"{root}/data{local}" if settings.deref_redirect else f"{root}{local}?format="


def _numbered_sources(entity: EntityPublic) -> list[dict[str, Any]]:
    """Each distinct source of the page once, numbered in order of first use."""
    numbered: dict[str, dict[str, Any]] = {}
    for fact in [*entity.facts, *entity.incoming]:
        if fact.source is not None and fact.source.graph not in numbered:
            numbered[fact.source.graph] = {
                "n": len(numbered) + 1,
                "source": fact.source,
            }
    return list(numbered.values())


FormatParam = Annotated[
    str | None,
    Query(description="ttl, jsonld, nt, rdf, trig, nq or html: overrides Accept."),
]


def _resolve(request: Request, format: str | None) -> str:
    if format:
        if format != "html" and format not in FORMATS:
            raise QueryParameterError(
                f"format is html or one of {', '.join(FORMATS)}", where="format"
            )
        return format
    return choose(request.headers.get("accept"))


def _lang(request: Request, lang: str | None) -> Lang:
    if lang in ("zh", "en"):
        return "en" if lang == "en" else "zh"
    return accept_language(request.headers.get("accept-language"))


def _serve(
    request: Request,
    store: OxigraphStore,
    settings: Settings,
    path: str,
    format: str | None,
    lang: Lang,
) -> Response:
    iri = iri_of(path, settings)
    ext = _resolve(request, format)
    if settings.deref_redirect and format is None:
        root = request.scope.get("root_path", "")
        local = "/" + path.lstrip("/")
        target = f"{root}/page{local}" if ext == "html" else f"{root}/data{local}.{ext}"
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    response = answer(request, store, settings, iri, ext, lang)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Location"] = str(request.url)
    return response


def _add_space(space: str) -> None:
    @router.get(f"/{space}/{{path:path}}", name=f"deref_{space}", include_in_schema=False)
    def deref(
        request: Request,
        store: ApiStore,
        settings: ApiSettings,
        lang: LangDep,
        path: str,
        format: FormatParam = None,
    ) -> Response:
        return _serve(request, store, settings, f"{space}/{path}", format, lang)


for _space in SPACES:
    _add_space(_space)


@router.get("/page/{path:path}", summary="The HTML page of a resource")
def resource_page(
    request: Request, store: ApiStore, settings: ApiSettings, lang: LangDep, path: str
) -> HTMLResponse:
    """A readable page: labels, every fact with its source sentence, links to it."""
    return page(request, store, settings, iri_of(path, settings), lang)


@router.get("/data/{path:path}", summary="An RDF document about a resource")
def resource_data(request: Request, store: ApiStore, settings: ApiSettings, path: str) -> Response:
    """`/data/id/X.ttl` (or .jsonld, .nt, .rdf, .trig, .nq); the quad formats keep sources."""
    stem, dot, ext = path.rpartition(".")
    if not dot or ext not in FORMATS:
        raise QueryParameterError(
            f"name a format: {path}.ttl (or {', '.join('.' + e for e in FORMATS)})", where=path
        )
    media, _ = FORMATS[ext]
    return Response(rdf_document(store, iri_of(stem, settings), ext), media_type=media)


@router.get("/ontology", summary="The ontology, at its namespace")
def ontology(
    request: Request, store: ApiStore, settings: ApiSettings, format: FormatParam = None
) -> Response:
    """The tzo ontology: Turtle (or another RDF format) by Accept, HTML for browsers."""
    iri = NamedNode(TZO.rstrip("#"))
    ext = _resolve(request, format)
    if ext == "html":
        return page(request, store, settings, iri, _lang(request, request.query_params.get("lang")))
    media, fmt = FORMATS[ext]
    quads = _ontology_quads(store, iri)
    if not quads:
        raise NotFoundError("the store has no ontology graph", where=iri.value)
    if fmt.supports_datasets:
        data = serialize(quads, format=fmt, prefixes=PREFIXES)
    else:
        data = serialize([q.triple for q in quads], format=fmt, prefixes=PREFIXES)
    assert data is not None
    return Response(data, media_type=media, headers={"Vary": "Accept"})
