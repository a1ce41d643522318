"""What the resource routes share: listing one class, opening one resource, its first fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request

from tzkg.api.common import (
    Lang,
    Node,
    SourceCatalog,
    labels_source,
    load_nodes,
    pick_label,
    require,
    require_type,
    resource_id,
    resource_iri,
    source_catalog,
)
from tzkg.api.resources.lists import ItemsPublic, list_items
from tzkg.config import Settings
from tzkg.store import OxigraphStore, Term
from tzkg.vocab import TZO


def class_pattern(cls: str, filters: Iterable[str] = ()) -> str:
    """The graph pattern of the `tzo:{cls}` resources that match every filter pattern."""
    return "\n".join([f"?item a tzo:{cls} .", *filters])


def list_of_class(
    request: Request,
    store: OxigraphStore,
    settings: Settings,
    lang: Lang,
    page: tuple[int, int],
    cls: str,
    *,
    filters: Iterable[str] = (),
    bound: Mapping[str, Term] | None = None,
    by_order: bool = False,
) -> ItemsPublic:
    """The page (limit, offset) of `tzo:{cls}` resources matching `filters` with `bound` terms."""
    return list_items(
        store,
        settings,
        source_catalog(store, settings),
        request,
        pattern=class_pattern(cls, filters),
        type_iri=TZO + cls,
        bound=bound or {},
        lang=lang,
        limit=page[0],
        offset=page[1],
        by_order=by_order,
    )


def open_resource(
    store: OxigraphStore,
    settings: Settings,
    id: str,
    *,
    kind: str | None,
    what: str,
    types: Sequence[str],
    type_what: str,
    related: str | None = None,
) -> tuple[Node, dict[str, Node], SourceCatalog]:
    """The node of one resource of `types` (with `related` nodes), and the source catalogue.

    :raises NotFoundError: if the store says nothing of it, or it has none of `types`.
    """
    iri = resource_iri(id, settings, kind=kind)
    nodes = load_nodes(store, iri, related=related)
    node = require(nodes, iri, what)
    require_type(node, types, type_what)
    return node, nodes, source_catalog(store, settings)


def header(node: Node, settings: Settings, lang: Lang, catalog: SourceCatalog) -> dict[str, Any]:
    """The fields a resource shows first: id, iri, label, labels and where it is named."""
    return {
        "id": resource_id(node.iri, settings),
        "iri": node.iri,
        "label": pick_label(node.labels, lang),
        "labels": {k: v for k, v in node.labels.items() if k},
        "source": labels_source(node, catalog),
    }


def aliases(node: Node) -> list[str]:
    """A node's alternative labels, in the order found."""
    return [alias for _, alias in node.alt_labels]


def tzo_types(node: Node) -> list[str]:
    """A node's tzo: classes, as sorted local names."""
    return sorted(t[len(TZO) :] for t in node.types if t.startswith(TZO))
