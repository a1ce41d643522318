"""Load the OWL ontology (ontology/tzkg.ttl) into its own named graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from tzkg.config import Settings
from tzkg.errors import SourceError

ONTOLOGY_IRI = "https://w3id.org/tzkg/ontology"
"""The ontology's IRI, also the name of the graph that holds it."""

ONTOLOGY_GRAPH = NamedNode(ONTOLOGY_IRI)
ONTOLOGY_FILE = "tzkg.ttl"


def ontology_path(settings: Settings) -> Path:
    """The Turtle file of the ontology."""
    return settings.ontology_dir / ONTOLOGY_FILE


def load_ontology(settings: Settings) -> Iterator[Quad]:
    """Every triple of the ontology, as a quad in the graph <https://w3id.org/tzkg/ontology>."""
    path = ontology_path(settings)
    try:
        # Blank nodes get fresh ids so they cannot clash with those of other loaders.
        for quad in parse(path=path, format=RdfFormat.TURTLE, rename_blank_nodes=True):
            yield Quad(quad.subject, quad.predicate, quad.object, ONTOLOGY_GRAPH)
    except SyntaxError as error:
        where = f"{path}:{error.lineno}:{error.offset}" if error.lineno is not None else str(path)
        raise SourceError(f"the ontology is not valid Turtle: {error.msg}", where=where) from error
    except OSError as error:
        reason = error.strerror or str(error)
        raise SourceError(f"cannot read the ontology: {reason}", where=str(path)) from error
