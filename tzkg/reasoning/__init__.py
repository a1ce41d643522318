"""Reasoning: the ontology's entailments materialised at build, and HermiT's check of the TBox.

- `materialise` (run as the build step `materialise_step`) fills `{base}graph/inferred` with
  what the ontology's axioms entail about the data, by rules compiled from those axioms
  (`tzkg.reasoning.rules`) and run as SPARQL by Oxigraph;
- `check_tbox` (`tzkg.reasoning.tbox`) classifies the ontology with HermiT (owlready2) and names
  the unsatisfiable classes or the individuals behind an inconsistency.
"""

from __future__ import annotations

from tzkg.reasoning.materialise import (
    Materialisation,
    inferred_graph,
    materialise,
    materialise_step,
    ontology_rules,
)
from tzkg.reasoning.rules import Rule, TBox, compile_rules, read_tbox

__all__ = [
    "Materialisation",
    "Rule",
    "TBox",
    "compile_rules",
    "inferred_graph",
    "materialise",
    "materialise_step",
    "ontology_rules",
    "read_tbox",
]
