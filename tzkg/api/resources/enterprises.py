"""`/api/enterprises`: enterprises of the plan and the rosters, filtered and searched."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from tzkg.api.common import (
    SPARQL_PREFIXES,
    ApiSettings,
    ApiStore,
    LangDep,
    PageDep,
    RefPublic,
    SourcePublic,
    ValuePublic,
    literal_param,
    next_link,
    refs,
    resource_iri,
    source_catalog,
    value_of,
)
from tzkg.api.resources.lists import ItemPublic, ItemsPublic
from tzkg.api.resources.shared import aliases, class_pattern, header, list_of_class, open_resource
from tzkg.config import Settings
from tzkg.store import Term
from tzkg.vocab import DCT, LEGAL, TZO

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"])

ROLES = "tzo:isLeadEnterpriseOf|tzo:isBackboneEnterpriseOf|tzo:enterpriseOf"
_CODE = re.compile(r"^\d{6,12}$")


class EnterprisePublic(BaseModel):
    """An enterprise: names, place, roles in the plan and the platforms it hosts."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    aliases: list[str]
    source: SourcePublic | None = Field(description="Where the enterprise is named.")
    legal_name: ValuePublic | None
    uscc: ValuePublic | None = Field(description="统一社会信用代码, when a roster gives it.")
    district: list[RefPublic]
    lead_of: list[RefPublic] = Field(description="Fields and clusters it leads.")
    backbone_of: list[RefPublic]
    member_of: list[RefPublic] = Field(description="Fields or clusters it belongs to.")
    platforms: list[RefPublic] = Field(description="Innovation platforms it hosts.")
    measures: list[RefPublic] = Field(description="Key measures it is responsible for.")
    references: list[RefPublic] = Field(description="Public pages its reference facts cite.")


def district_param(value: str, settings: Settings) -> tuple[str, Term]:
    """A district given as a GB/T 2260 code, an id, or a Chinese name."""
    text = value.strip()
    if _CODE.match(text):
        return "district", resource_iri(f"division/{text}", settings)
    if text.startswith("division/"):
        return "district", resource_iri(text, settings)
    name = literal_param(text, "district").value
    return "district_label", RdfLiteral(name, language="zh")


@router.get("")
def list_enterprises(
    request: Request,
    store: ApiStore,
    settings: ApiSettings,
    lang: LangDep,
    page: PageDep,
    cluster: Annotated[
        str | None, Query(description="Cluster id: leads, backs, belongs to, or hosts a platform.")
    ] = None,
    field: Annotated[str | None, Query(description="Field id, e.g. field/shipbuilding.")] = None,
    district: Annotated[
        str | None, Query(description="District: code (321282), id or name (靖江市).")
    ] = None,
    q: Annotated[str | None, Query(description="Search in names, aliases and pinyin.")] = None,
) -> ItemsPublic:
    """Enterprises, optionally by cluster, field, district and a search text."""
    filters: list[str] = []
    bound: dict[str, Term] = {}
    if cluster:
        bound["cluster"] = resource_iri(cluster, settings, kind="cluster")
        filters.append(
            f"{{ ?item {ROLES}|tzo:hosts/tzo:supports ?cluster }} UNION "
            f"{{ ?item {ROLES}|tzo:hosts/tzo:supports ?in_field . "
            "?in_field tzo:inCluster ?cluster }"
        )
    if field:
        bound["field"] = resource_iri(field, settings, kind="field")
        filters.append(f"?item {ROLES}|tzo:hosts/tzo:supports ?field .")
    if district:
        name, term = district_param(district, settings)
        bound[name] = term
        if name == "district_label":
            filters.append("?district rdfs:label|skos:altLabel ?district_label .")
        filters.append("?item tzo:locatedIn+ ?district .")
    if q:
        text = class_pattern("Enterprise", filters)
        return _searched(request, store, settings, lang, text, bound, q, *page)
    return list_of_class(
        request, store, settings, lang, page, "Enterprise", filters=filters, bound=bound
    )


def _searched(
    request: Request,
    store: ApiStore,
    settings: Settings,
    lang: LangDep,
    pattern: str,
    bound: dict[str, Term],
    q: str,
    limit: int,
    offset: int,
) -> ItemsPublic:
    """Search hits among enterprises, in rank order, that also match the filters."""
    from tzkg.api.search import search_index

    hits = (
        search_index(request, store, settings)
        .search(q, kinds=["enterprise"], limit=settings.api_row_cap)
        .hits
    )
    catalog = source_catalog(store, settings)
    matching: list[ItemPublic] = []
    names = " ".join(f"?{n}" for n in sorted(bound))
    check = f"{SPARQL_PREFIXES}SELECT ?item {names} WHERE {{ {pattern} }} LIMIT 1"
    for hit in hits:
        item = NamedNode(hit.iri)
        if bound and not store.query(check, substitutions={**bound, "item": item}).rows:
            continue
        matching.append(
            ItemPublic(
                id=hit.id,
                iri=hit.iri,
                label=hit.label_in(lang),
                labels=hit.labels,
                source=catalog.best(_typing_graphs(store, item), item.value),
            )
        )
    window = matching[offset : offset + limit]
    return ItemsPublic(
        data=window,
        count=len(matching),
        next=next_link(request, limit, offset, len(matching)),
        truncated=len(window) < len(matching),
    )


def _typing_graphs(store: ApiStore, item: NamedNode) -> list[str]:
    rows = store.query(
        "SELECT ?item ?g WHERE { GRAPH ?g { ?item a ?type } }", substitutions={"item": item}
    ).rows
    return [g.value for row in rows if isinstance(g := row.get("g"), NamedNode)]


@router.get("/{id:path}", responses={404: {"description": "No such enterprise."}})
def get_enterprise(
    id: str, store: ApiStore, settings: ApiSettings, lang: LangDep
) -> EnterprisePublic:
    """One enterprise, every fact with its source."""
    node, _, catalog = open_resource(
        store,
        settings,
        id,
        kind="enterprise",
        what="enterprise",
        types=["Enterprise"],
        type_what="enterprise",
    )

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, predicate, lang, settings, catalog)

    return EnterprisePublic(
        **header(node, settings, lang, catalog),
        aliases=aliases(node),
        legal_name=value_of(node, LEGAL + "legalName", catalog),
        uscc=value_of(node, TZO + "uscc", catalog),
        district=link(TZO + "locatedIn"),
        lead_of=link(TZO + "isLeadEnterpriseOf"),
        backbone_of=link(TZO + "isBackboneEnterpriseOf"),
        member_of=link(TZO + "enterpriseOf"),
        platforms=link(TZO + "hosts"),
        measures=link(TZO + "isResponsibleDepartmentOf"),
        references=link(DCT + "source"),
    )
