"""Validation: SHACL shapes (ontology/shapes.ttl) and violation queries (queries/checks/).

`validate_store` checks a reasoned store and returns every finding; `validation_step` is the
build step that refuses to publish a store with Violations unless `allow_invalid` is set.
"""

from __future__ import annotations

import logging

from tzkg.config import Settings
from tzkg.errors import ValidationFailedError
from tzkg.store import OxigraphStore
from tzkg.validation.engine import Finding, ValidationReport, validate_store
from tzkg.validation.report import locate, one_line, summary
from tzkg.validation.shapes import Shapes, load_shapes, shapes_path

__all__ = [
    "Finding",
    "Shapes",
    "ValidationReport",
    "load_shapes",
    "shapes_path",
    "validate_store",
    "validation_step",
]

log = logging.getLogger("tzkg.validation")


def validation_step(store: OxigraphStore, settings: Settings) -> None:
    """Build step: validate the new store; with Violations, refuse it (the old store stays).

    :raises ValidationFailedError: naming the first violations with their source places.
    """
    report = validate_store(store, settings)
    if report.conforms:
        return
    locate(store, report, settings)
    if settings.allow_invalid:
        log.warning("publishing despite %s (--allow-invalid)", summary(report))
        return
    first = report.violations[0]
    raise ValidationFailedError(one_line(report, settings.base_iri), where=first.where)
