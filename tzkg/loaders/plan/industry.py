"""The tasks section: clusters, fields, zones, lead enterprises, platforms, technologies, partners.

The phrases read here are the genre's: 以…为核心区 / 以…为依托 / 以…等龙头骨干企业为牵引 /
以…等骨干企业为重点 / 大力提升…等载体平台的支撑能力 / 深化与…等研究机构的合作 / 突破…等关键技术 /
重点发展…等 / 向…方向发展.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from tzkg.loaders.plan import lexicon
from tzkg.loaders.plan.emit import PlanGraph, zh
from tzkg.loaders.plan.structure import Item
from tzkg.loaders.plan.text import Sentence
from tzkg.vocab import ALT_LABEL, SKOS, iri, tzo

FIELD_OPENING = re.compile(r"^(?P<field>[^,。、]{2,12})领域,")
AS_ROLE = re.compile(r"以(?P<x>[^,。;以]+?)为(?P<role>核心区|依托|牵引|重点)(?=[,。;]|$)")
PLATFORMS = re.compile(r"(?:大力提升|提升|加快|加强)(?P<x>[^,。]+?)等(?:载体|创新)?平台")
PARTNERS = re.compile(r"与(?P<x>[^,。]+?)等(?P<tail>[^,。]*?)(?:的)?(?:科技)?合作")
TECHNOLOGIES = re.compile(r"突破(?P<x>[^,。]+?)(?:等(?P<tail>[^,。]*))?(?=[,。]|$)")
FOCUS = [
    re.compile(
        r"(?:重点发展|大力发展|鼓励发展|统筹推进|重点开展)(?P<x>[^,。]+)等(?P<tail>[^,。等]*)"
    ),
    re.compile(r"重点在(?P<x>[^,。]+?)等领域(?P<tail>)"),
    re.compile(r"向(?P<x>[^,。]+?)方向发展(?P<tail>)"),
    re.compile(r"以“(?P<x>[^”]+)”为战略方向(?P<tail>)"),
]
PARENTHESIS = re.compile(r"^(?P<name>.+?)\((?P<note>[^()]+)\)$")


def split_list(text: str, separators: re.Pattern[str] = lexicon.LIST_SEPARATORS) -> list[str]:
    """Split a 、-list and drop the trailing 等… of its last item."""
    items = [item.strip() for item in separators.split(text)]
    if items:
        items[-1] = lexicon.TRAILING_ETC.sub("", items[-1])
    return [item for item in items if item]


@dataclass
class IndustryContext:
    """What the tasks pass knows: the city's divisions and the enterprises named so far."""

    divisions: dict[str, NamedNode]
    enterprises: dict[str, NamedNode] = field(default_factory=dict)


def read_tasks(graph: PlanGraph, items: list[Item], context: IndustryContext) -> None:
    """Emit clusters and everything the tasks section says of them."""
    clusters = [item for item in items if item.role == "tasks" and "集群" in item.title]
    for item in clusters:
        for sentence in item.sentences:
            _enterprises(graph, sentence, None, context, dry_run=True)
    for order, item in enumerate(clusters, start=1):
        assert item.title_sentence is not None
        cluster = graph.entity("cluster", item.title, ["IndustrialCluster"], item.title_sentence)
        graph.concept_in_scheme(cluster, "industries", item.title_sentence)
        graph.list_order(cluster, order, item.title_sentence)
        graph.fact(cluster, tzo("section"), item.node, item.title_sentence)
        subject = cluster
        fields = 0
        for sentence in item.sentences:
            opening = FIELD_OPENING.match(sentence.norm)
            if opening:
                fields += 1
                name = opening["field"]
                subject = graph.entity("field", name, ["IndustrialField"], sentence)
                graph.fact(subject, ALT_LABEL, zh(name + "领域"), sentence)
                graph.concept_in_scheme(subject, "industries", sentence, top=False)
                graph.list_order(subject, fields, sentence)
                graph.fact(subject, tzo("inCluster"), cluster, sentence)
                graph.fact(subject, iri(SKOS, "broader"), cluster, sentence)
                graph.fact(cluster, tzo("hasField"), subject, sentence)
                graph.fact(cluster, iri(SKOS, "narrower"), subject, sentence)
            _read_sentence(graph, sentence, subject, context)


def _read_sentence(
    graph: PlanGraph, sentence: Sentence, subject: NamedNode, context: IndustryContext
) -> None:
    _enterprises(graph, sentence, subject, context, dry_run=False)
    _zones(graph, sentence, subject, context)
    for match in PLATFORMS.finditer(sentence.norm):
        _platforms(graph, sentence, subject, context, match["x"])
    for match in PARTNERS.finditer(sentence.norm):
        for name in split_list(match["x"]):
            org = graph.entity("org", name, ["ResearchOrganization"], sentence)
            graph.fact(subject, tzo("hasResearchPartner"), org, sentence)
            graph.fact(org, tzo("isResearchPartnerOf"), subject, sentence)
    for match in TECHNOLOGIES.finditer(sentence.norm):
        tail = match["tail"] or ""
        if "技术" not in tail and "技术" not in match["x"]:
            continue
        names = [f"{match['x']}等{tail}"] if "的" in tail else split_list(match["x"])
        for name in names:
            tech = graph.entity("technology", name, ["KeyTechnology"], sentence)
            graph.concept_in_scheme(tech, "technologies", sentence)
            graph.fact(subject, tzo("hasKeyTechnology"), tech, sentence)
    for pattern in FOCUS:
        for match in pattern.finditer(sentence.norm):
            # each item may carry its own 等: PET-MR等高性能影像、数字化可穿戴及远程诊疗等设备
            for name in dict.fromkeys(item.split("等")[0] for item in split_list(match["x"])):
                area = graph.entity("focus-area", name, ["FocusArea"], sentence)
                graph.concept_in_scheme(area, "focus-areas", sentence)
                graph.fact(subject, tzo("hasFocusArea"), area, sentence)


def _enterprises(
    graph: PlanGraph,
    sentence: Sentence,
    subject: NamedNode | None,
    context: IndustryContext,
    *,
    dry_run: bool,
) -> None:
    """以…为牵引 (lead) and 以…骨干企业为重点 (backbone); a dry run only learns the names."""
    for match in AS_ROLE.finditer(sentence.norm):
        role, listed = match["role"], match["x"]
        if role == "重点" and "企业" not in listed:
            continue
        if role not in ("牵引", "重点"):
            continue
        for name in split_list(listed):
            if dry_run or subject is None:
                context.enterprises.setdefault(name, graph.minter.entity("enterprise", name))
                continue
            node = graph.entity("enterprise", name, ["Enterprise"], sentence)
            prop, inverse = (
                ("hasLeadEnterprise", "isLeadEnterpriseOf")
                if role == "牵引"
                else ("hasBackboneEnterprise", "isBackboneEnterpriseOf")
            )
            graph.fact(subject, tzo(prop), node, sentence)
            graph.fact(node, tzo(inverse), subject, sentence)


def _zones(
    graph: PlanGraph, sentence: Sentence, subject: NamedNode, context: IndustryContext
) -> None:
    """以…为核心区 and 以…为依托: parks, zones and divisions."""
    for match in AS_ROLE.finditer(sentence.norm):
        role = match["role"]
        if role not in ("核心区", "依托"):
            continue
        for name in split_list(match["x"]):
            node = _place(graph, sentence, name, context)
            if node is None:
                continue
            graph.fact(subject, tzo("coreZone" if role == "核心区" else "reliesOn"), node, sentence)


def _place(
    graph: PlanGraph, sentence: Sentence, name: str, context: IndustryContext
) -> NamedNode | None:
    note = None
    bracketed = PARENTHESIS.match(name)
    if bracketed:
        name, note = bracketed["name"], bracketed["note"]
    zone_class = lexicon.zone_class(name)
    if zone_class is not None:
        classes = (
            ["Zone", "DevelopmentZone", zone_class]
            if zone_class == "HighTechZone"
            else ["Zone", zone_class]
        )
        node = graph.entity("zone", name, classes, sentence)
        division = _division(note, context) if note else None
        if division is not None:
            graph.fact(node, tzo("administeredWith"), division, sentence)
        return node
    return _division(name, context)


def _division(name: str, context: IndustryContext) -> NamedNode | None:
    """The county-level division a short name (靖江, 高港区) refers to, if exactly one."""
    matches = {full: node for full, node in context.divisions.items() if full.startswith(name)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def _platforms(
    graph: PlanGraph,
    sentence: Sentence,
    subject: NamedNode,
    context: IndustryContext,
    listed: str,
) -> None:
    """A platform list, distributing type and host: A、B国家级技术中心 / A技术中心和省级实验室."""
    parts: list[tuple[str, str]] = []
    for item in split_list(listed, lexicon.PLATFORM_LIST_SEPARATORS):
        type_match = lexicon.TYPE_PART.search(item)
        if type_match:
            parts.append((item[: type_match.start()], type_match.group()))
        else:
            parts.append((item, ""))
    for i in range(len(parts) - 2, -1, -1):  # A、B技术中心: A borrows the type on its right
        if not parts[i][1] and parts[i + 1][1]:
            parts[i] = (parts[i][0], parts[i + 1][1])
    for i in range(1, len(parts)):  # A技术中心和省级重点实验室: the second borrows A's host
        if not parts[i][0] and parts[i - 1][0]:
            parts[i] = (parts[i - 1][0], parts[i][1])
    for prefix, type_part in parts:
        name = prefix + type_part
        typed = lexicon.platform_class_and_level(name)
        if typed is None:
            continue
        cls, level = typed
        node = graph.entity("platform", name, ["InnovationPlatform", cls], sentence)
        if level is not None:
            graph.fact(node, tzo("level"), tzo(level), sentence)
        graph.fact(node, tzo("supports"), subject, sentence)
        graph.fact(subject, tzo("supportedBy"), node, sentence)
        host = _host(graph, sentence, prefix, context)
        if host is not None:
            graph.fact(node, tzo("hostedBy"), host, sentence)
            graph.fact(host, tzo("hosts"), node, sentence)


def _host(
    graph: PlanGraph, sentence: Sentence, prefix: str, context: IndustryContext
) -> NamedNode | None:
    """The host named at the start of a platform name: a known enterprise, or an org by suffix."""
    known = [name for name in context.enterprises if prefix.startswith(name)]
    if known:
        return graph.entity("enterprise", max(known, key=len), ["Enterprise"], sentence)
    head = re.sub(lexicon.LEVEL_WORDS + "$", "", prefix)
    if lexicon.ENTERPRISE_SUFFIX.search(head):
        return graph.entity("enterprise", head, ["Enterprise"], sentence)
    if lexicon.RESEARCH_ORG_SUFFIX.search(head):
        return graph.entity("org", head, ["ResearchOrganization"], sentence)
    return None
