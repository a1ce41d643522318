"""The JSON API's resources for the front-end, one module per kind (see docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

from tzkg.api.common import (
    ApiSettings,
    ApiStore,
    LangDep,
    resource_iri,
    source_catalog,
)
from tzkg.api.resources import clusters, enterprises, measures, platforms, targets
from tzkg.api.resources.entities import EntityPublic, describe_entity

entities_router = APIRouter(prefix="/api/entities", tags=["entities"])


@entities_router.get("/{id:path}", responses={404: {"description": "Nothing is known of it."}})
def get_entity(id: str, store: ApiStore, settings: ApiSettings, lang: LangDep) -> EntityPublic:
    """Any resource by id (e.g. `platform/asian-star-anchor-chain-national-technology-centre`):
    every fact about it and every link to it, each with its source."""
    return describe_entity(
        store,
        resource_iri(id, settings),
        lang=lang,
        settings=settings,
        catalog=source_catalog(store, settings),
        cap=settings.api_row_cap,
    )


def build_router() -> APIRouter:
    """Every resource route of the JSON API."""
    router = APIRouter()
    for module_router in (
        clusters.router,
        enterprises.router,
        platforms.router,
        measures.router,
        targets.router,
        entities_router,
    ):
        router.include_router(module_router)
    return router
