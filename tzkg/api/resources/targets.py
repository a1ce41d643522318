"""`/api/targets`: the plan's quantified targets, by indicator and kind."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from pyoxigraph import NamedNode

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    Lang,
    LangDep,
    PageDep,
    RefPublic,
    SourceCatalog,
    SourcePublic,
    ValuePublic,
    labels_source,
    load_nodes,
    pick_label,
    refs,
    require,
    resource_id,
    resource_iri,
    source_catalog,
    value_of,
)
from tzkg.api.resources.lists import PagePublic
from tzkg.api.resources.platforms import ontology_term
from tzkg.api.resources.shared import list_of_class
from tzkg.config import Settings
from tzkg.store import OxigraphStore, Term
from tzkg.vocab import SCHEMA, TZO

router = APIRouter(prefix="/api/targets", tags=["targets"])


class TargetPublic(BaseModel):
    """One target: indicator, kind, value or range, unit and year, each with its source."""

    id: str | None
    iri: str
    label: str | None
    source: SourcePublic | None
    indicator: list[RefPublic]
    kind: list[RefPublic]
    bound: list[RefPublic]
    value: ValuePublic | None
    min_value: ValuePublic | None
    max_value: ValuePublic | None
    unit: ValuePublic | None
    deadline_year: ValuePublic | None
    aspirational: ValuePublic | None
    recurrence: list[RefPublic]
    of: list[RefPublic]


class TargetsPublic(PagePublic[TargetPublic]):
    """A page of targets."""


def target_of(
    store: OxigraphStore, iri: NamedNode, lang: Lang, settings: Settings, catalog: SourceCatalog
) -> TargetPublic:
    """One target with its facts."""
    node = require(load_nodes(store, iri), iri, "target")

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, TZO + predicate, lang, settings, catalog)

    return TargetPublic(
        id=resource_id(node.iri, settings),
        iri=node.iri,
        label=pick_label(node.labels, lang),
        source=labels_source(node, catalog),
        indicator=link("indicator"),
        kind=link("targetKind"),
        bound=link("bound"),
        value=value_of(node, SCHEMA + "value", catalog),
        min_value=value_of(node, SCHEMA + "minValue", catalog),
        max_value=value_of(node, SCHEMA + "maxValue", catalog),
        unit=value_of(node, SCHEMA + "unitText", catalog),
        deadline_year=value_of(node, TZO + "deadlineYear", catalog),
        aspirational=value_of(node, TZO + "isAspirational", catalog),
        recurrence=link("recurrence"),
        of=link("targetOf"),
    )


@router.get("")
def list_targets(
    request: Request,
    store: ApiStore,
    settings: ApiSettings,
    lang: LangDep,
    page: PageDep,
    indicator: Annotated[
        str | None, Query(description="An indicator id, e.g. indicator/rd-expenditure-gdp-ratio.")
    ] = None,
    kind: Annotated[str | None, Query(description="Stock, Flow or Increase.")] = None,
) -> TargetsPublic:
    """Targets in the plan's order, optionally of one indicator or kind."""
    filters: list[str] = []
    bound: dict[str, Term] = {}
    if indicator:
        bound["indicator"] = resource_iri(indicator, settings, kind="indicator")
        filters.append("?item tzo:indicator ?indicator .")
    if kind:
        bound["kind"] = ontology_term(kind, "kind")
        filters.append("?item tzo:targetKind ?kind .")
    catalog = source_catalog(store, settings)
    items = list_of_class(
        request, store, settings, lang, page, "Target", filters=filters, bound=bound
    )
    return TargetsPublic(
        data=[target_of(store, NamedNode(i.iri), lang, settings, catalog) for i in items.data],
        count=items.count,
        next=items.next,
        truncated=items.truncated,
    )
