"""`/api/search?q=`: one box for every entity, over the search index of the build being served."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from tzkg.api.common import ApiSettings, ApiStore, LangDep, PageDep, next_link
from tzkg.config import Settings
from tzkg.errors import QueryParameterError
from tzkg.search.index import SearchIndex, SearchIndexError, build_dir_of
from tzkg.store import OxigraphStore

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["search"])

MAX_QUERY = 200


class SearchHitPublic(BaseModel):
    """One entity that matches, with the name that matched best."""

    id: str
    iri: str
    kind: str = Field(description="enterprise, platform, field, cluster, body, ...")
    label: str | None
    labels: dict[str, str]
    matched: str | None = Field(description="The name (label, alias, legal name) matched.")
    score: float


class SearchHitsPublic(BaseModel):
    """A page of hits, best first."""

    data: list[SearchHitPublic]
    count: int
    next: str | None = None
    truncated: bool


_lock = threading.Lock()


def search_index(request: Request, store: OxigraphStore, settings: Settings) -> SearchIndex:
    """The index of the build the store comes from, opened once per build.

    A store built without the finish step (or a legacy store) gets an index made in memory
    from the store itself, so search still answers from exactly the graph being served.
    """
    state = request.app.state
    with _lock:
        key = f"{id(store)}:{store.location}"  # a new build is a new store at a new place
        cached: tuple[str, SearchIndex] | None = getattr(state, "search_index", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            index = SearchIndex.open(build_dir_of(store))
        except SearchIndexError as exc:
            log.warning("%s; indexing the served store in memory", exc.message)
            index = SearchIndex.in_memory(store, settings)
        state.search_index = (key, index)
        return index


@router.get("/search")
def search(
    request: Request,
    store: ApiStore,
    settings: ApiSettings,
    lang: LangDep,
    page: PageDep,
    q: Annotated[
        str,
        Query(
            description="Chinese or English name, part of one, an alias, a legal name or pinyin.",
            examples=["亚星", "yaxing", "Asian Star", "船舶"],
        ),
    ],
    kind: Annotated[
        list[str] | None, Query(description="Only these kinds (repeatable), e.g. enterprise.")
    ] = None,
) -> SearchHitsPublic:
    """Every entity whose names match `q`, ranked: exact names, then the best share of a name."""
    if not q.strip() or len(q) > MAX_QUERY:
        raise QueryParameterError(f"q must have 1 to {MAX_QUERY} characters", where="q")
    limit, offset = page
    results = search_index(request, store, settings).search(
        q, kinds=kind, limit=limit, offset=offset
    )
    data = [
        SearchHitPublic(
            id=hit.id,
            iri=hit.iri,
            kind=hit.kind,
            label=hit.label_in(lang),
            labels=hit.labels,
            matched=hit.matched,
            score=hit.score,
        )
        for hit in results.hits
    ]
    return SearchHitsPublic(
        data=data,
        count=results.count,
        next=next_link(request, limit, offset, results.count),
        truncated=len(data) < results.count,
    )
