"""`/api/clusters`: the industrial clusters, with their fields, parks, enterprises and platforms."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    LangDep,
    Node,
    PageDep,
    RefPublic,
    SourceCatalog,
    SourcePublic,
    pick_label,
    refs,
    resource_id,
    source_rank,
)
from tzkg.api.common import (
    Lang as LangCode,
)
from tzkg.api.resources.lists import ItemsPublic
from tzkg.api.resources.shared import header, list_of_class, open_resource
from tzkg.config import Settings
from tzkg.vocab import TZO

router = APIRouter(prefix="/api/clusters", tags=["clusters"])


class ClusterPublic(BaseModel):
    """An industrial cluster and what the plan links to it (directly or through its fields)."""

    id: str | None
    iri: str
    label: str | None
    labels: dict[str, str]
    source: SourcePublic | None = Field(description="Where the cluster is named.")
    fields: list[RefPublic]
    parks: list[RefPublic] = Field(description="Core zone and the parks its fields rely on.")
    lead_enterprises: list[RefPublic] = Field(description="Lead and backbone enterprises.")
    platforms: list[RefPublic] = Field(description="Platforms supporting it or its fields.")
    technologies: list[RefPublic] = Field(description="Key technologies of its fields.")
    focus_areas: list[RefPublic]
    targets: list[RefPublic]


@router.get("")
def list_clusters(
    request: Request, store: ApiStore, settings: ApiSettings, lang: LangDep, page: PageDep
) -> ItemsPublic:
    """The industrial clusters of the plan."""
    return list_of_class(request, store, settings, lang, page, "IndustrialCluster")


@router.get("/{id:path}", responses={404: {"description": "No such cluster."}})
def get_cluster(id: str, store: ApiStore, settings: ApiSettings, lang: LangDep) -> ClusterPublic:
    """One cluster: fields, parks, lead enterprises, platforms, technologies and targets."""
    cluster, nodes, catalog = open_resource(
        store,
        settings,
        id,
        kind="cluster",
        what="cluster",
        types=["IndustrialCluster"],
        type_what="cluster",
        related="tzo:hasField",
    )
    fields = [nodes[f.iri] for f in refs(cluster, TZO + "hasField", lang, settings, catalog)]
    fields = [f for f in fields if f.iri in nodes]

    def gather(predicates: list[tuple[str, str | None]]) -> list[RefPublic]:
        found: dict[tuple[str, str | None], RefPublic] = {}
        for node in [cluster, *fields]:
            via = None if node is cluster else resource_id(node.iri, settings)
            for predicate, role in predicates:
                for ref in refs(node, TZO + predicate, lang, settings, catalog):
                    ref.role, ref.via = role, via
                    known = found.get((ref.iri, role))
                    # a link stated in the plan beats the same link inferred by the reasoner
                    if known is None or source_rank(ref.source) < source_rank(known.source):
                        found[(ref.iri, role)] = ref
        return sorted(found.values(), key=lambda r: (r.label or "", r.iri))

    return ClusterPublic(
        **header(cluster, settings, lang, catalog),
        fields=[_field_ref(f, lang, settings, catalog, cluster) for f in fields],
        parks=gather([("coreZone", "core"), ("reliesOn", "base")]),
        lead_enterprises=gather(
            [("hasLeadEnterprise", "lead"), ("hasBackboneEnterprise", "backbone")]
        ),
        platforms=gather([("supportedBy", None)]),
        technologies=gather([("hasKeyTechnology", None)]),
        focus_areas=gather([("hasFocusArea", None)]),
        targets=gather([("hasTarget", None)]),
    )


def _field_ref(
    field: Node, lang: LangCode, settings: Settings, catalog: SourceCatalog, cluster: Node
) -> RefPublic:
    link = cluster.facts.get(TZO + "hasField", {}).get(field.iri, set())
    return RefPublic(
        id=resource_id(field.iri, settings),
        iri=field.iri,
        label=pick_label(field.labels, lang),
        source=catalog.best(link, cluster.iri),
    )
