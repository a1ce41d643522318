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
    refs,
    value_of,
)
from tzkg.api.resources.lists import ItemsPublic
from tzkg.api.resources.shared import aliases, header, list_of_class, open_resource, tzo_types
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
    return list_of_class(request, store, settings, lang, page, "KeyMeasure", by_order=True)


@router.get("/measures/{id:path}", responses={404: {"description": "No such measure."}})
def get_measure(id: str, store: ApiStore, settings: ApiSettings, lang: LangDep) -> MeasurePublic:
    """One key measure (id `plan/<plan>/measure/<n>`), every fact with its source."""
    node, _, catalog = open_resource(
        store,
        settings,
        id,
        kind=None,
        what="measure",
        types=["KeyMeasure"],
        type_what="key measure",
    )

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, TZO + predicate, lang, settings, catalog)

    return MeasurePublic(
        **header(node, settings, lang, catalog),
        aliases=aliases(node),
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
    node, _, catalog = open_resource(
        store,
        settings,
        id,
        kind="body",
        what="department",
        types=BODY_TYPES,
        type_what="department or public body",
    )

    def link(predicate: str) -> list[RefPublic]:
        return refs(node, TZO + predicate, lang, settings, catalog)

    return DepartmentPublic(
        **header(node, settings, lang, catalog),
        aliases=aliases(node),
        types=tzo_types(node),
        located_in=link("locatedIn"),
        measures_led=link("isLeadDepartmentOf"),
        measures_responsible=link("isResponsibleDepartmentOf"),
    )
