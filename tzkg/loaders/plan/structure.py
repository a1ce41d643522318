"""The plan as a document: its metadata (title, issuer, dates, meeting, period) and section tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from tzkg.loaders.plan import lexicon
from tzkg.loaders.plan.emit import PlanGraph, integer, zh
from tzkg.loaders.plan.lexicon import SECTION_ROLES
from tzkg.loaders.plan.text import Paragraph, Sentence
from tzkg.vocab import DCT, ELI, LABEL, TIME, XSD, A, iri, tzo

CHINESE_NUMERALS = "一二三四五六七八九十"
TOP_HEADING = re.compile(r"^(?P<num>[一二三四五六七八九十]+)、\s*(?P<title>.+)$")
ITEM_HEADING = re.compile(r"^(?P<num>\d+)[.、]\s*(?P<title>[^。]+)。")
NOTICE_TITLE = re.compile(r"^(?P<issuer>.+?)关于印发(?P<title>.+)的通知$")
PUBLICATION = re.compile(r"发布日期:\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
SIGNING = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
QUOTED_TITLE = re.compile(r"《(?P<title>[^》]+)》")
MEETING = re.compile(r"已经(?P<meeting>.+?)(?:讨论|审议)?通过")
PERIOD = re.compile(r"\((?P<start>\d{4})\s*[-—–~至]\s*(?P<end>\d{4})年?\)")
CITY = re.compile(r"^(?P<city>[\u4e00-\u9fff]{2,4}?市)")


def chinese_number(text: str) -> int:
    """一 → 1 … 十九 → 19 (enough for section numbers)."""
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CHINESE_NUMERALS.index(text[1]) + 1
    if text.endswith("十"):
        return (CHINESE_NUMERALS.index(text[0]) + 1) * 10
    if "十" in text:
        tens, ones = text.split("十")
        return (CHINESE_NUMERALS.index(tens) + 1) * 10 + CHINESE_NUMERALS.index(ones) + 1
    return CHINESE_NUMERALS.index(text) + 1


@dataclass
class Item:
    """A numbered item (1. 2. …) of a top-level section, or the section's own lead-in text."""

    role: str
    node: NamedNode
    number: str
    title: str
    title_sentence: Sentence | None
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class DocumentFacts:
    """What the structure pass learned that later passes need."""

    city: str | None
    items: list[Item]


def section_role(title: str) -> str:
    """goals / tasks / measures / mechanisms / other, by the words of a section title."""
    for pattern, role in SECTION_ROLES:
        if re.search(pattern, title):
            return role
    return "other"


def date_literal(y: str, m: str, d: str) -> Literal:
    """An xsd:date literal."""
    return Literal(f"{int(y):04d}-{int(m):02d}-{int(d):02d}", datatype=NamedNode(XSD + "date"))


def read_structure(graph: PlanGraph, paragraphs: list[Paragraph]) -> DocumentFacts:
    """Emit document metadata, sections and paragraphs; return the items for the content passes."""
    plan = graph.plan
    doc = None  # facts stated by the document layout rather than a sentence
    graph.fact(plan, A, tzo("Plan"), doc)
    city: str | None = None
    items: list[Item] = []
    top: NamedNode | None = None
    top_number = ""
    role = "front"
    current: Item | None = None
    for paragraph in paragraphs:
        para = graph.paragraph_iri(paragraph.index)
        graph.fact(para, A, tzo("Paragraph"), doc)
        graph.fact(para, tzo("order"), integer(paragraph.index), doc)
        graph.fact(para, tzo("text"), zh(graph.text.raw[paragraph.start : paragraph.end]), doc)
        first = paragraph.sentences[0]
        text = paragraph.norm
        if role == "front":
            city = _front_matter(graph, paragraph, first) or city
        heading = TOP_HEADING.match(text)
        item_heading = ITEM_HEADING.match(text)
        if heading:
            top_number = str(chinese_number(heading["num"]))
            top = graph.minter.path("id", "plan", graph.plan_slug, "section", top_number)
            role = section_role(heading["title"])
            _section(graph, top, plan, heading["num"], heading["title"], int(top_number), first)
            current = Item(role, top, top_number, heading["title"], None)
            items.append(current)
            graph.fact(para, iri(ELI, "is_part_of"), top, doc)
            continue
        if top is None:
            graph.fact(para, iri(ELI, "is_part_of"), plan, doc)
            continue
        if item_heading:
            number = f"{top_number}.{item_heading['num']}"
            node = graph.minter.path("id", "plan", graph.plan_slug, "section", number)
            _section(
                graph,
                node,
                top,
                item_heading["num"],
                item_heading["title"],
                int(item_heading["num"]),
                first,
            )
            current = Item(role, node, number, item_heading["title"], first)
            items.append(current)
        assert current is not None
        graph.fact(para, iri(ELI, "is_part_of"), current.node, doc)
        current.sentences.extend(paragraph.sentences)
    return DocumentFacts(city=city, items=items)


def _section(
    graph: PlanGraph,
    node: NamedNode,
    parent: NamedNode,
    number: str,
    title: str,
    order: int,
    where: Sentence,
) -> None:
    graph.fact(node, A, tzo("Section"), None)
    graph.fact(node, iri(ELI, "is_part_of"), parent, None)
    if parent == graph.plan:
        graph.fact(parent, tzo("hasSection"), node, None)
    graph.fact(node, iri(ELI, "number"), Literal(number), None)
    graph.fact(node, iri(ELI, "title"), zh(title), where)
    graph.fact(
        node,
        LABEL,
        zh(f"{number}、{title}" if not number.isdigit() else f"{number}. {title}"),
        where,
    )
    graph.fact(node, tzo("order"), integer(order), None)


def _front_matter(graph: PlanGraph, paragraph: Paragraph, first: Sentence) -> str | None:
    """Metadata lines before the first section; returns the city when the issuer names it."""
    plan = graph.plan
    text = paragraph.norm
    city = None
    notice = NOTICE_TITLE.match(text)
    if notice:
        issuer_name = notice["issuer"]
        issuer = graph.entity(
            "body", issuer_name, ["PublicBody", lexicon.body_class(issuer_name)], first
        )
        graph.fact(plan, iri(ELI, "passed_by"), issuer, first)
        graph.fact(plan, iri(DCT, "publisher"), issuer, first)
        city_match = CITY.match(issuer_name)
        city = city_match["city"] if city_match else None
        _title(graph, notice["title"], first)
    if (published := PUBLICATION.search(text)) is not None:
        graph.fact(plan, iri(ELI, "date_publication"), date_literal(*published.groups()), first)
        graph.fact(plan, iri(DCT, "issued"), date_literal(*published.groups()), first)
    if (signed := SIGNING.match(text)) is not None:
        graph.fact(plan, iri(ELI, "date_document"), date_literal(*signed.groups()), first)
    for sentence in paragraph.sentences:
        quoted = QUOTED_TITLE.search(sentence.norm)
        meeting = MEETING.search(sentence.norm)
        if quoted and meeting:
            _title(graph, quoted["title"], sentence)
            node = graph.entity("meeting", meeting["meeting"], ["Meeting"], sentence)
            graph.fact(plan, tzo("approvedAt"), node, sentence)
    return city


def _title(graph: PlanGraph, title: str, where: Sentence) -> None:
    """The plan's title and, from it, its period (2021—2023年)."""
    plan = graph.plan
    if graph.titled:
        return
    graph.titled = True
    graph.fact(plan, iri(ELI, "title"), zh(title), where)
    graph.fact(plan, LABEL, zh(title), where)
    graph.reviewed_labels(plan, "plan", title)
    period = PERIOD.search(title)
    if period:
        start, end = int(period["start"]), int(period["end"])
        graph.fact(plan, tzo("periodStartYear"), integer(start), where)
        graph.fact(plan, tzo("periodEndYear"), integer(end), where)
        interval = graph.minter.path("id", "plan", graph.plan_slug, "period")
        graph.fact(plan, iri(DCT, "temporal"), interval, where)
        graph.fact(interval, A, iri(TIME, "ProperInterval"), where)
        for prop, year in (("hasBeginning", start), ("hasEnd", end)):
            instant = graph.minter.path("id", "plan", graph.plan_slug, "period", str(year))
            graph.fact(interval, iri(TIME, prop), instant, where)
            graph.fact(instant, A, iri(TIME, "Instant"), where)
            graph.fact(
                instant,
                iri(TIME, "inXSDgYear"),
                Literal(str(year), datatype=NamedNode(XSD + "gYear")),
                where,
            )
