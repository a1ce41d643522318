"""`/api/platforms`: innovation platforms by what they support, their level and type."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from pyoxigraph import NamedNode

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    LangDep,
    PageDep,
    RefPublic,
    SourcePublic,
    refs,
    resource_iri,
)
from tzkg.api.resources.lists import ItemsPublic
from tzkg.api.resources.shared import header, list_of_class, open_resource, tzo_types
from tzkg.errors import QueryParameterError
from tzkg.store import Term
from tzkg.vocab import TZO

router = APIRouter(prefix="/api/platforms", tags=["platforms"])

_LOCAL = re.compile(r"^(?:tzo:)?([A-Z][A-Za-z]+)$")


class PlatformPublic(BaseModel):
    """An innovation platform: its kinds, level, host and what it supports."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    source: SourcePublic | None = Field(description="Where the platform is named.")
    types: list[str] = Field(description="Its classes (tzo: local names).")
    level: list[RefPublic]
    hosts: list[RefPublic] = Field(description="The enterprise or institution hosting it.")
    supports: list[RefPublic] = Field(description="Fields or clusters it supports.")


def ontology_term(value: str, where: str) -> NamedNode:
    """A tzo: term given as `National`, `tzo:National` or its full IRI.

    :raises QueryParameterError: for anything else.
    """
    text = value.strip()
    if text.startswith(TZO):
        text = text[len(TZO) :]
    match = _LOCAL.match(text)
    if match is None:
        raise QueryParameterError(f"{value!r} is not an ontology term name", where=where)
    return NamedNode(TZO + match[1])


@router.get("")
def list_platforms(
    request: Request,
    store: ApiStore,
    settings: ApiSettings,
    lang: LangDep,
    page: PageDep,
    supports: Annotated[
        str | None, Query(description="A field or cluster id, e.g. field/shipbuilding.")
    ] = None,
    level: Annotated[str | None, Query(description="National, Provincial or Municipal.")] = None,
    type: Annotated[
        str | None, Query(description="A platform class, e.g. KeyLaboratory (subclasses count).")
    ] = None,
) -> ItemsPublic:
    """Innovation platforms, optionally by what they support, level and type."""
    filters: list[str] = []
    bound: dict[str, Term] = {}
    if supports:
        bound["supports"] = resource_iri(supports, settings)
        filters.append("?item tzo:supports ?supports .")
    if level:
        bound["level"] = ontology_term(level, "level")
        filters.append("?item tzo:level ?level .")
    if type:
        bound["type"] = ontology_term(type, "type")
        filters.append("?item a/rdfs:subClassOf* ?type .")
    return list_of_class(
        request, store, settings, lang, page, "InnovationPlatform", filters=filters, bound=bound
    )


@router.get("/{id:path}", responses={404: {"description": "No such platform."}})
def get_platform(id: str, store: ApiStore, settings: ApiSettings, lang: LangDep) -> PlatformPublic:
    """One platform, every fact with its source."""
    node, _, catalog = open_resource(
        store,
        settings,
        id,
        kind="platform",
        what="platform",
        types=["InnovationPlatform"],
        type_what="platform",
    )
    return PlatformPublic(
        **header(node, settings, lang, catalog),
        types=tzo_types(node),
        level=refs(node, TZO + "level", lang, settings, catalog),
        hosts=refs(node, TZO + "hostedBy", lang, settings, catalog),
        supports=refs(node, TZO + "supports", lang, settings, catalog),
    )
