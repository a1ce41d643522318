"""Key measures with their departments, programmes, work mechanisms and the bodies they set up.

Department notes follow the genre: (牵头部门:市科技局,责任部门:市发展改革委、工业和信息化局…,
以下责任单位均包含各市(区)人民政府、…,不再列出). The 市 of the first name distributes over the
list; 各市(区)人民政府 means every county-level government of the city; a 以下…均包含 clause adds
its units to this measure and every later one.
"""

from __future__ import annotations

import re

from pyoxigraph import NamedNode

from tzkg.loaders.plan import lexicon
from tzkg.loaders.plan.emit import PlanGraph, integer, zh
from tzkg.loaders.plan.structure import Item
from tzkg.loaders.plan.targets import emit_targets
from tzkg.loaders.plan.text import Sentence
from tzkg.vocab import LABEL, A, tzo

QUOTED_PROGRAMME = re.compile(
    r"“(?P<name>[^”]{2,20})”(?P<suffix>(?:保障|培育)?(?:计划|工程)|业务)?"
)
PLAIN_PROGRAMME = re.compile(r"(?:实施|启动)(?P<name>[^,。、“”;]{2,12}?计划)")
ESTABLISHED_BODY = re.compile(r"(?:设立|组建|成立)(?P<name>市[^,。、;]*?委员会)")


def split_top(text: str, separators: str) -> list[str]:
    """Split at separators that are not inside parentheses."""
    parts: list[str] = []
    depth, begin = 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in separators and depth == 0:
            parts.append(text[begin:i].strip())
            begin = i + 1
    parts.append(text[begin:].strip())
    return [part for part in parts if part]


class DepartmentReader:
    """Expands the shorthand of department notes for one city."""

    def __init__(self, city: str | None, counties: list[str]) -> None:
        self.city_short = city[:-1] if city and city.endswith("市") else (city or "")
        self.counties = counties

    def expand(self, listed: str) -> list[str]:
        """Full names of the units of one 、-list."""
        names: list[str] = []
        items = split_top(listed, "、")
        city_list = bool(items) and items[0].startswith("市")
        for item in items:
            if lexicon.ALL_COUNTY_GOVERNMENTS.match(item):
                names.extend(f"{county}人民政府" for county in self.counties)
                continue
            if city_list and item is not items[0] and self._needs_city_prefix(item):
                item = "市" + item
            names.append(item)
        return names

    def _needs_city_prefix(self, item: str) -> bool:
        if not lexicon.CITY_DEPARTMENT_SUFFIX.search(item):
            return False
        if item.startswith(("各", "人行")) or (
            self.city_short and item.startswith(self.city_short)
        ):
            return False
        return not item.startswith("市") or item.startswith("市场")


def read_note(
    sentence: Sentence, reader: DepartmentReader
) -> tuple[list[str], list[str], list[str]]:
    """(lead, responsible, sticky) names of a department note sentence."""
    text = sentence.norm
    lead: list[str] = []
    responsible: list[str] = []
    sticky: list[str] = []
    inner = text[1:-1] if text.endswith(")") else text[1:]
    mode = lead
    for part in split_top(inner, ",;"):
        head, _, rest = part.partition(":")
        if head in ("牵头部门", "牵头单位"):
            mode, part = lead, rest
        elif head in ("责任部门", "责任单位", "配合部门"):
            mode, part = responsible, rest
        elif (extra := lexicon.STICKY_UNITS.match(part)) is not None:
            sticky.extend(reader.expand(extra["units"]))
            continue
        elif part.startswith("不再"):
            continue
        mode.extend(reader.expand(part))
    return lead, responsible, sticky


def body(graph: PlanGraph, name: str, where: Sentence) -> NamedNode:
    """A public body (or a company in a department list) as an entity."""
    cls = lexicon.body_class(name)
    classes = [cls] if cls in ("Enterprise", "PublicBody") else ["PublicBody", cls]
    return graph.entity("body", name, classes, where)


def read_measures(
    graph: PlanGraph,
    items: list[Item],
    reader: DepartmentReader,
    county_divisions: dict[str, NamedNode],
) -> None:
    """Emit each numbered item of the measures section as a tzo:KeyMeasure."""
    sticky: list[str] = []
    number = 0
    for item in items:
        if item.role != "measures" or item.title_sentence is None:
            if item.role in ("goals", "measures", "mechanisms"):
                emit_targets(graph, item.node, item.number, item.sentences, [item.node, graph.plan])
            continue
        number += 1
        measure = graph.minter.path("id", "plan", graph.plan_slug, "measure", str(number))
        where = item.title_sentence
        graph.fact(measure, A, tzo("KeyMeasure"), where)
        graph.fact(measure, LABEL, zh(item.title), where)
        graph.reviewed_labels(measure, "measure", item.title)
        graph.fact(measure, tzo("section"), item.node, where)
        graph.fact(measure, tzo("order"), integer(number), where)
        emit_targets(
            graph, item.node, item.number, item.sentences, [measure, item.node, graph.plan]
        )
        for sentence in item.sentences:
            if lexicon.DEPARTMENT_NOTE.match(sentence.norm):
                lead, responsible, new_sticky = read_note(sentence, reader)
                sticky.extend(n for n in new_sticky if n not in sticky)
                _departments(graph, measure, lead, responsible + sticky, sentence, county_divisions)
            _programmes(graph, measure, sentence)


def _departments(
    graph: PlanGraph,
    measure: NamedNode,
    lead: list[str],
    responsible: list[str],
    where: Sentence,
    county_divisions: dict[str, NamedNode],
) -> None:
    for names, prop, inverse in (
        (lead, "leadDepartment", "isLeadDepartmentOf"),
        (responsible, "responsibleDepartment", "isResponsibleDepartmentOf"),
    ):
        for name in names:
            node = body(graph, name, where)
            graph.fact(measure, tzo(prop), node, where)
            graph.fact(node, tzo(inverse), measure, where)
            graph.fact(measure, tzo("involvedBody"), node, where)
            division = county_divisions.get(name.removesuffix("人民政府"))
            if division is not None and name.endswith("人民政府"):
                graph.fact(node, tzo("locatedIn"), division, where)


def _programmes(graph: PlanGraph, owner: NamedNode | None, sentence: Sentence) -> None:
    names: list[str] = []
    for match in QUOTED_PROGRAMME.finditer(sentence.norm):
        name, suffix = match["name"], match["suffix"] or ""
        if suffix or name.endswith(("计划", "工程")):
            names.append(name if suffix == "业务" else name + suffix)
    names.extend(match["name"] for match in PLAIN_PROGRAMME.finditer(sentence.norm))
    for name in names:
        node = graph.entity("programme", name, ["Programme"], sentence)
        graph.fact(node, tzo("programmeKind"), tzo(lexicon.programme_kind(name)), sentence)
        if owner is not None:
            graph.fact(owner, tzo("hasProgramme"), node, sentence)


def read_mechanisms(graph: PlanGraph, items: list[Item]) -> None:
    """Each numbered item of the mechanisms section, and the committees it sets up."""
    number = 0
    for item in items:
        if item.role != "mechanisms" or item.title_sentence is None:
            continue
        number += 1
        node = graph.minter.path("id", "plan", graph.plan_slug, "mechanism", str(number))
        where = item.title_sentence
        graph.fact(node, A, tzo("WorkMechanism"), where)
        graph.fact(node, LABEL, zh(item.title), where)
        graph.reviewed_labels(node, "mechanism", item.title)
        graph.fact(node, tzo("section"), item.node, where)
        graph.fact(node, tzo("order"), integer(number), where)
        for sentence in item.sentences:
            for match in ESTABLISHED_BODY.finditer(sentence.norm):
                committee = graph.entity(
                    "body", match["name"], ["PublicBody", "CoordinationBody"], sentence
                )
                graph.fact(node, tzo("establishes"), committee, sentence)
            _programmes(graph, node, sentence)
