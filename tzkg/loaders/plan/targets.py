"""Quantitative targets: 到2023年…达2.76% / 每年新增…200家 / 1-2家 / 7件以上 / 提高0.5% / 前50强."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from tzkg.loaders.plan import lexicon
from tzkg.loaders.plan.emit import PlanGraph, integer, zh
from tzkg.loaders.plan.text import Sentence
from tzkg.vocab import LABEL, SCHEMA, XSD, A, iri, tzo

QUOTED = re.compile(r"“[^”]*”")
CLAUSE_SEPARATORS = ",;"


@dataclass(frozen=True)
class Target:
    """One target as read from a clause."""

    indicator: str
    label: str
    kind: str  # Stock / Flow / Increase
    bound: str  # Exact / Range / AtLeast / AtMost
    value: str | None
    min_value: str | None
    max_value: str | None
    unit: str
    deadline: int | None
    annual: bool
    aspirational: bool


def clauses(text: str) -> list[tuple[int, str]]:
    """Split a sentence at top-level commas and semicolons; (offset, clause) pairs."""
    result: list[tuple[int, str]] = []
    depth, begin = 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in CLAUSE_SEPARATORS and depth == 0:
            result.append((begin, text[begin:i]))
            begin = i + 1
    result.append((begin, text[begin:].rstrip("。")))
    return result


def _verb(segment: str) -> tuple[str, str | None, str]:
    """(indicator text, verb, kind) for the words before a number."""
    for verb in lexicon.INCREASE_VERBS:
        if segment.endswith(verb):
            return segment[: -len(verb)], verb, "Increase"
    for verb in lexicon.LEVEL_VERBS_AT_END:
        if segment.endswith(verb) and len(segment) > len(verb):
            segment = segment[: -len(verb)]
            break
    for verb in lexicon.FLOW_VERBS:
        if segment.startswith(verb):
            return segment, verb, "Flow"
    for verb in lexicon.STOCK_VERBS:
        if segment.startswith(verb):
            return segment[len(verb) :], verb, "Stock"
    if "累计" in segment:
        return segment, "累计", "Flow"
    return segment, None, "Stock"


def read_targets(sentence: Sentence, carried_deadline: int | None = None) -> list[Target]:
    """Every numeric target a sentence states, in order.

    A deadline (到2023年) stated earlier in the same paragraph carries over to targets that are
    not annual.
    """
    text = sentence.norm
    if text.startswith("(牵头"):
        return []
    deadline_match = lexicon.DEADLINE.search(text)
    deadline = int(deadline_match["year"]) if deadline_match else carried_deadline
    annual_at = lexicon.ANNUAL.search(text)
    targets: list[Target] = []
    for offset, clause in clauses(text):
        aspirational = bool(lexicon.ASPIRATIONAL.search(clause))
        annual = annual_at is not None and annual_at.start() < offset + len(clause)
        quoted = [m.span() for m in QUOTED.finditer(clause)]
        boundary = 0
        inherited: tuple[str | None, str] = (None, "Stock")
        for match in lexicon.NUMBER.finditer(clause):
            if any(a <= match.start() < b for a, b in quoted):
                continue
            segment = lexicon.SCOPE_WORDS.sub("", clause[boundary : match.start()].lstrip("、和及"))
            indicator, verb, kind = _verb(segment)
            label = segment + match.group()
            end = match.end()
            if not indicator.strip() or indicator == verb:
                noun = re.match(r"[^、,;。]+", clause[match.end() :])
                if noun:
                    indicator = (verb or "") + noun.group()
                    label += noun.group()
                    end = match.end() + noun.end()
            elif verb is None and boundary > 0:
                verb, kind = inherited
                if kind == "Flow" and verb and not indicator.startswith(verb):
                    indicator = verb + indicator
                    label = verb + label
            inherited = (verb, kind)
            boundary = end
            targets.append(
                _target(
                    match,
                    indicator.strip(),
                    label,
                    kind,
                    None if annual else deadline,
                    annual,
                    aspirational,
                )
            )
        for rank in lexicon.RANK.finditer(clause):
            targets.append(
                Target(
                    indicator=rank["indicator"] + "排名",
                    label=rank.group(),
                    kind="Stock",
                    bound="AtMost",
                    value=None,
                    min_value=None,
                    max_value=rank["num"],
                    unit="名",
                    deadline=None if annual else deadline,
                    annual=annual,
                    aspirational=aspirational,
                )
            )
    return targets


def _target(
    match: re.Match[str],
    indicator: str,
    label: str,
    kind: str,
    deadline: int | None,
    annual: bool,
    aspirational: bool,
) -> Target:
    num, num2, unit, floor = match["num"], match["num2"], match["unit"], match["floor"]
    if num2:
        bound, value, low, high = "Range", None, num, num2
    elif floor:
        bound, value, low, high = "AtLeast", None, num, None
    else:
        bound, value, low, high = "Exact", num, None, None
    return Target(
        indicator=indicator,
        label=label,
        kind=kind,
        bound=bound,
        value=value,
        min_value=low,
        max_value=high,
        unit=unit,
        deadline=deadline,
        annual=annual,
        aspirational=aspirational,
    )


def decimal(value: str) -> Literal:
    """An xsd:decimal literal."""
    return Literal(value, datatype=NamedNode(XSD + "decimal"))


def emit_targets(
    graph: PlanGraph,
    section: NamedNode,
    number: str,
    sentences: list[Sentence],
    owners: list[NamedNode],
) -> list[NamedNode]:
    """Emit the targets of one plan item; `owners` (section, measure, plan) get tzo:hasTarget."""
    nodes: list[NamedNode] = []
    deadline: int | None = None
    paragraph = -1
    for sentence in sentences:
        if sentence.paragraph != paragraph:
            paragraph, deadline = sentence.paragraph, None
        if (stated := lexicon.DEADLINE.search(sentence.norm)) is not None:
            deadline = int(stated["year"])
        for target in read_targets(sentence, deadline):
            node = graph.minter.path(
                "id", "plan", graph.plan_slug, "target", f"{number}-{len(nodes) + 1}"
            )
            nodes.append(node)
            _emit(graph, node, target, sentence)
            graph.fact(node, tzo("section"), section, sentence)
            graph.fact(node, tzo("order"), integer(len(nodes)), sentence)
            for owner in owners:
                graph.fact(owner, tzo("hasTarget"), node, sentence)
                graph.fact(node, tzo("targetOf"), owner, sentence)
    return nodes


def _emit(graph: PlanGraph, node: NamedNode, target: Target, where: Sentence) -> None:
    indicator = graph.entity("indicator", target.indicator, ["Indicator"], where)
    graph.concept_in_scheme(indicator, "indicators", where)
    facts: list[tuple[NamedNode, NamedNode | Literal]] = [
        (A, tzo("Target")),
        (LABEL, zh(target.label)),
        (tzo("indicator"), indicator),
        (tzo("targetKind"), tzo(target.kind)),
        (tzo("bound"), tzo(target.bound)),
        (iri(SCHEMA, "unitText"), Literal(target.unit)),
        (
            tzo("isAspirational"),
            Literal(
                "true" if target.aspirational else "false", datatype=NamedNode(XSD + "boolean")
            ),
        ),
    ]
    if target.unit == "%":
        facts.append((iri(SCHEMA, "unitCode"), Literal(lexicon.PERCENT_UNIT_CODE)))
    for name, value in (
        ("value", target.value),
        ("minValue", target.min_value),
        ("maxValue", target.max_value),
    ):
        if value is not None:
            facts.append((iri(SCHEMA, name), decimal(value)))
    if target.deadline is not None:
        facts.append((tzo("deadlineYear"), integer(target.deadline)))
    if target.annual:
        facts.append((tzo("recurrence"), tzo("Annual")))
    for prop, obj in facts:
        graph.fact(node, prop, obj, where)
