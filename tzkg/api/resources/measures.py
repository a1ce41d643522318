"""`/api/measures` and `/api/departments/{id}`: the plan's key measures and who carries them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    LangDep,
    PageDep,
    RefPublic,
    SourcePublic,
    ValuePublic,
    labels_source,
    load_nodes,
    pick_label,
    refs,
    require,
    require_type,
    resource_id,
    resource_iri,
    source_catalog,
    value_of,
)
from tzkg.api.resources.lists import ItemsPublic, list_items
from tzkg.vocab import TZO

router = APIRouter(prefix="/api", tags=["measures and departments"])

BODY_TYPES = [
    "PublicBody",
    "GovernmentDepartment",
    "LocalGovernment",
    "AdministrativeCommittee",
    "FinancialRegulator",
    "CoordinationBody",
]


class MeasurePublic(BaseModel):
    """A key measure: who leads it, who is responsible, its targets and programmes."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    aliases: list[str]
    source: SourcePublic | None
    order: ValuePublic | None
    section: list[RefPublic]
    lead_departments: list[RefPublic]
    responsible_departments: list[RefPublic]
    involved_bodies: list[RefPublic]
    targets: list[RefPublic]
    programmes: list[RefPublic]


class DepartmentPublic(BaseModel):
    """A department or other public body and the measures it leads or is responsible for."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    aliases: list[str]
    source: SourcePublic | None
    types: list[str]
    located_in: list[RefPublic]
    measures_led: list[RefPublic] = Field(description="Measures it leads (牵头).")
    measures_responsible: list[RefPublic] = Field(description="Measures it is responsible for.")


@router.get("/measures")
def list_measures(
    request: Request, store: ApiStore, settings: ApiSettings, lang: LangDep, page: PageDep
) -> ItemsPublic:
    """The key measures, in the plan's order."""
    return list_items(
        store,
        settings,
        source_catalog(store, settings),
        request,
        pattern="?item a tzo:KeyMeasure .",
        type_iri=TZO + "KeyMeasure",
        bound={},
        lang=lang,
        limit=page[0],
        offset=page[1],
        by_order=True,
    )


@router.get("/measures/{id:path}", responses={404: {"description": "No such measure."}})
def get_measure(id: str, store: ApiStore, settings: ApiSettings, lang: LangDep) -> MeasurePublic:
    """One key measure (id `plan/<plan>/measure/<n>`), every fact with its source."""
    iri = resource_iri(id, settings)
    node = require(load_nodes(store, iri), iri, "measure")
    require_type(node, ["KeyMeasure"], "key measure")
    catalog = source_catalog(store, settings)

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, TZO + predicate, lang, settings, catalog)

    return MeasurePublic(
        id=resource_id(node.iri, settings),
        iri=node.iri,
        label=pick_label(node.labels, lang),
        labels={k: v for k, v in node.labels.items() if k},
        aliases=[alias for _, alias in node.alt_labels],
        source=labels_source(node, catalog),
        order=value_of(node, TZO + "order", catalog),
        section=link("section"),
        lead_departments=link("leadDepartment"),
        responsible_departments=link("responsibleDepartment"),
        involved_bodies=link("involvedBody"),
        targets=link("hasTarget"),
        programmes=link("hasProgramme"),
    )


@router.get("/departments/{id:path}", responses={404: {"description": "No such department."}})
def get_department(
    id: str, store: ApiStore, settings: ApiSettings, lang: LangDep
) -> DepartmentPublic:
    """One department or public body (id `body/<slug>` or `<slug>`) and its measures."""
    iri = resource_iri(id, settings, kind="body")
    node = require(load_nodes(store, iri), iri, "department")
    require_type(node, BODY_TYPES, "department or public body")
    catalog = source_catalog(store, settings)

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, TZO + predicate, lang, settings, catalog)

    return DepartmentPublic(
        id=resource_id(node.iri, settings),
        iri=node.iri,
        label=pick_label(node.labels, lang),
        labels={k: v for k, v in node.labels.items() if k},
        aliases=[alias for _, alias in node.alt_labels],
        source=labels_source(node, catalog),
        types=sorted(t[len(TZO) :] for t in node.types if t.startswith(TZO)),
        located_in=link("locatedIn"),
        measures_led=link("isLeadDepartmentOf"),
        measures_responsible=link("isResponsibleDepartmentOf"),
    )
