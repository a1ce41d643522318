"""`/dataset`: the DCAT 3 catalogue and VoID description of the graph, and the GB/T 21063.3
catalogue record (政务信息资源目录 核心元数据) as JSON. Crosswalk: docs/dcat-crosswalk.md.

The figures (triples, entities per class, named graphs with their sources) are counted by the
query workers once per build (or per snapshot of a writable store) and kept.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from tzkg import __version__
from tzkg.api.service import Current, HolderDep, PoolDep, SettingsDep, require_acceptable, run_job
from tzkg.config import Settings
from tzkg.dumps import read_manifest
from tzkg.vocab import DCAT, DCT, PREFIXES, PROV, RDF, RDFS, TZO, VOID, XSD
from tzkg.workers import Job, QueryPool

router = APIRouter(tags=["dataset"])

FOAF = "http://xmlns.com/foaf/0.1/"
STATS_TIMEOUT = 120.0
GROUP_AT = 10
"""Named graphs sharing a parent path with at least this many siblings are described as one
group (one per plan sentence, one per roster row) rather than one by one."""

OFFERS: dict[str, str] = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "gbt",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
}
FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "nt": RdfFormat.N_TRIPLES,
    "rdfxml": RdfFormat.RDF_XML,
}
NAMES = {"turtle": "ttl", "json": "gbt", "json-ld": "jsonld"}

_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class"""
_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_SOURCES = f"""SELECT ?g ?source ?file WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?s = ?g)
  ?g <{PROV}wasDerivedFrom> ?source .
  OPTIONAL {{ ?source <{TZO}sourceFile> ?file }}
}}"""
_TOTALS = """SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
  (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"


@dataclass
class GraphGroup:
    """Named graphs described together: one graph, or all the siblings under one path."""

    iri: str
    graphs: int = 0
    triples: int = 0
    sources: set[str] = field(default_factory=set)


@dataclass
class Stats:
    """What the catalogue says about the graph's size and shape."""

    triples: int
    subjects: int
    properties: int
    objects: int
    classes: list[tuple[str, int]]
    graphs: int
    groups: list[GraphGroup]


_cache: dict[str, Stats] = {}
_cache_lock = threading.Lock()


async def stats(pool: QueryPool, current: Current) -> Stats:
    """The figures of the build being served, counted once and kept."""
    with _cache_lock:
        found = _cache.get(current.read_path)
    if found is not None:
        return found

    async def rows(sparql: str) -> list[dict[str, Any]]:
        job = Job("rows", current.read_path, sparql)
        reply = await run_job(pool, job, STATS_TIMEOUT)
        bindings: list[dict[str, Any]] = json.loads(reply.body)["results"]["bindings"]
        return bindings

    def number(row: dict[str, Any], name: str) -> int:
        return int(row[name]["value"]) if name in row else 0

    totals = (await rows(_TOTALS))[0]
    triples = number((await rows(_TRIPLES))[0], "n")
    classes = [(r["class"]["value"], number(r, "n")) for r in await rows(_CLASSES) if "class" in r]
    graph_rows = await rows(_GRAPHS)
    sources: dict[str, set[str]] = defaultdict(set)
    for row in await rows(_SOURCES):
        source = row.get("file", row["source"])["value"]
        sources[row["g"]["value"]].add(source)
    groups = group_graphs({r["g"]["value"]: number(r, "n") for r in graph_rows}, sources)
    result = Stats(
        triples=triples,
        subjects=number(totals, "subjects"),
        properties=number(totals, "properties"),
        objects=number(totals, "objects"),
        classes=classes,
        graphs=len(graph_rows),
        groups=groups,
    )
    with _cache_lock:
        if len(_cache) > 16:
            _cache.clear()
        _cache[current.read_path] = result
    return result


_LAST = re.compile(r"^(.*[/#])[^/#]+/?$")


def group_graphs(counts: dict[str, int], sources: dict[str, set[str]]) -> list[GraphGroup]:
    """Graphs by IRI; siblings under one parent path (at least GROUP_AT) become one group.

    >>> [g.iri for g in group_graphs({"http://x/a": 1}, {})]
    ['http://x/a']
    """
    parents: dict[str, list[str]] = defaultdict(list)
    for graph in counts:
        match = _LAST.match(graph)
        parents[match[1] if match else graph].append(graph)
    groups: list[GraphGroup] = []
    for parent, members in sorted(parents.items()):
        if len(members) >= GROUP_AT:
            group = GraphGroup(parent)
            for graph in members:
                group.graphs += 1
                group.triples += counts[graph]
                group.sources |= _parent_sources(sources.get(graph, set()))
            groups.append(group)
        else:
            for graph in sorted(members):
                groups.append(GraphGroup(graph, 1, counts[graph], set(sources.get(graph, set()))))
    return groups


def _parent_sources(found: set[str]) -> set[str]:
    # One source per group member (a paragraph, a row) would repeat the group; keep the parents.
    return {m[1] if (m := _LAST.match(s)) and "/paragraph/" in s else s for s in found}


# --- the DCAT / VoID graph -------------------------------------------------------------------


def catalogue_quads(
    request: Request, settings: Settings, current: Current, figures: Stats
) -> list[Quad]:
    """The DCAT 3 catalogue with its one dataset, its distributions and VoID statistics."""
    base = settings.base_iri.rstrip("/") + "/"
    root = str(request.base_url).rstrip("/")
    catalog = NamedNode(base + "catalog")
    dataset = NamedNode(base + "dataset")
    service = NamedNode(root + "/sparql")
    info = current.info
    built = info.built_at if info else None
    t: list[tuple[Any, Any, Any]] = []
    add = t.append

    def iri(ns: str, name: str) -> NamedNode:
        return NamedNode(ns + name)

    a = iri(RDF, "type")

    def zh(text: str) -> Literal:
        return Literal(text, language="zh")

    def en(text: str) -> Literal:
        return Literal(text, language="en")

    def integer(n: int) -> Literal:
        return Literal(str(n), datatype=iri(XSD, "integer"))

    publisher = BlankNode()
    add((catalog, a, iri(DCAT, "Catalog")))
    add((catalog, iri(DCT, "title"), zh("泰州市科技创新知识图谱数据目录")))
    add((catalog, iri(DCT, "title"), en("tzkg data catalogue")))
    add((catalog, iri(DCAT, "dataset"), dataset))
    add((catalog, iri(DCAT, "service"), service))
    add((catalog, iri(DCT, "publisher"), publisher))
    add((publisher, a, iri(FOAF, "Organization")))
    add((publisher, iri(FOAF, "name"), zh(settings.publisher)))

    add((dataset, a, iri(DCAT, "Dataset")))
    add((dataset, a, iri(VOID, "Dataset")))
    add((dataset, iri(DCT, "title"), zh("泰州市科技创新三年行动方案（2021—2023年）知识图谱")))
    add(
        (
            dataset,
            iri(DCT, "title"),
            en("Knowledge graph of Taizhou's 2021-2023 S&T innovation plan"),
        )
    )
    add((dataset, iri(DCT, "description"), zh(GBT_ABSTRACT)))
    add((dataset, iri(DCT, "publisher"), publisher))
    add((dataset, iri(DCT, "license"), NamedNode(settings.licence)))
    add((dataset, iri(DCT, "accrualPeriodicity"), NamedNode(FREQUENCY)))
    add(
        (
            dataset,
            iri(DCT, "language"),
            NamedNode("http://publications.europa.eu/resource/authority/language/ZHO"),
        )
    )
    add((dataset, iri(DCT, "conformsTo"), NamedNode(TZO.rstrip("#"))))
    add((dataset, iri(DCAT, "keyword"), zh("科技创新")))
    add((dataset, iri(DCAT, "keyword"), zh("泰州")))
    add((dataset, iri(DCAT, "keyword"), en("knowledge graph")))
    add((dataset, iri(DCAT, "version"), Literal(info.build if info else __version__)))
    if built:
        stamp = Literal(built, datatype=iri(XSD, "dateTime"))
        add((dataset, iri(DCT, "modified"), stamp))
        add((dataset, iri(DCT, "issued"), stamp))
    add((dataset, iri(VOID, "sparqlEndpoint"), service))
    add((dataset, iri(VOID, "triples"), integer(figures.triples)))
    add((dataset, iri(VOID, "distinctSubjects"), integer(figures.subjects)))
    add((dataset, iri(VOID, "properties"), integer(figures.properties)))
    add((dataset, iri(VOID, "distinctObjects"), integer(figures.objects)))
    add((dataset, iri(VOID, "classes"), integer(len(figures.classes))))
    add((dataset, iri(VOID, "vocabulary"), NamedNode(TZO)))
    add((dataset, iri(VOID, "uriSpace"), Literal(base + "id/")))
    for prefix, namespace in sorted(PREFIXES.items()):
        if prefix in ("tzo", "prov", "oa", "skos", "org", "dcat"):
            add((dataset, iri(VOID, "vocabulary"), NamedNode(namespace)))
    for cls, count in figures.classes:
        partition = BlankNode()
        add((dataset, iri(VOID, "classPartition"), partition))
        add((partition, iri(VOID, "class"), NamedNode(cls)))
        add((partition, iri(VOID, "entities"), integer(count)))

    # the SPARQL endpoint as a data service
    add((service, a, iri(DCAT, "DataService")))
    add((service, iri(DCAT, "endpointURL"), service))
    add((service, iri(DCAT, "endpointDescription"), service))
    add((service, iri(DCAT, "servesDataset"), dataset))
    add((service, iri(DCT, "conformsTo"), NamedNode("https://www.w3.org/TR/sparql11-protocol/")))
    add((service, iri(DCT, "title"), en("tzkg SPARQL 1.1 endpoint")))

    # the dumps as distributions
    for dump in read_manifest(current.location) or []:
        dist = NamedNode(f"{root}/dumps/{dump.file}")
        add((dataset, iri(DCAT, "distribution"), dist))
        add((dataset, iri(VOID, "dataDump"), dist))
        add((dist, a, iri(DCAT, "Distribution")))
        add((dist, iri(DCAT, "downloadURL"), dist))
        add((dist, iri(DCAT, "accessURL"), NamedNode(root + "/dumps")))
        add((dist, iri(DCAT, "mediaType"), NamedNode(MEDIA + dump.media_type)))
        add((dist, iri(DCAT, "compressFormat"), NamedNode(MEDIA + "application/gzip")))
        add((dist, iri(DCAT, "byteSize"), integer(dump.bytes)))
        add((dist, iri(DCT, "license"), NamedNode(settings.licence)))
        checksum = BlankNode()
        add((dist, NamedNode(SPDX + "checksum"), checksum))
        add((checksum, a, NamedNode(SPDX + "Checksum")))
        add((checksum, NamedNode(SPDX + "algorithm"), NamedNode(SPDX + "checksumAlgorithm_sha256")))
        add(
            (
                checksum,
                NamedNode(SPDX + "checksumValue"),
                Literal(dump.sha256, datatype=iri(XSD, "hexBinary")),
            )
        )
    sparql_dist = BlankNode()
    add((dataset, iri(DCAT, "distribution"), sparql_dist))
    add((sparql_dist, a, iri(DCAT, "Distribution")))
    add((sparql_dist, iri(DCAT, "accessURL"), service))
    add((sparql_dist, iri(DCAT, "accessService"), service))

    # the named graphs (or groups of them) as VoID subsets, with sources and load time
    for group in figures.groups:
        subset = NamedNode(group.iri)
        add((dataset, iri(VOID, "subset"), subset))
        add((subset, a, iri(VOID, "Dataset")))
        add((subset, iri(VOID, "triples"), integer(group.triples)))
        if group.graphs == 1:
            add((subset, NamedNode(SD + "name"), subset))
        else:
            add(
                (subset, iri(RDFS, "comment"), en(f"{group.graphs} named graphs under {group.iri}"))
            )
            add((subset, NamedNode(TZKG_GRAPHS), integer(group.graphs)))
        for source in sorted(group.sources):
            value: Any = NamedNode(source) if ":" in source else Literal(source)
            add((subset, iri(DCT, "source"), value))
        if built:
            add(
                (
                    subset,
                    iri(PROV, "generatedAtTime"),
                    Literal(built, datatype=iri(XSD, "dateTime")),
                )
            )
    return [Quad(s, p, o) for s, p, o in t]


SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
MEDIA = "https://www.iana.org/assignments/media-types/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/IRREG"
TZKG_GRAPHS = VOID + "documents"  # VoID's count of documents stands for the graphs of a group

GBT_ABSTRACT = (
    "《泰州市聚焦产业强市构建科技创新生态体系三年行动方案（2021—2023年）》的知识图谱："
    "产业集群、产业领域、创新平台、重点企业、目标指标、重点举措与责任部门，"
    "每一事实均可追溯到方案原文语句或名录文件的行。"
)


def gbt_record(
    request: Request, settings: Settings, current: Current, figures: Stats
) -> dict[str, Any]:
    """The GB/T 21063.3 core metadata of the resource, keyed by the standard's element names."""
    root = str(request.base_url).rstrip("/")
    info = current.info
    dumps = read_manifest(current.location) or []
    return {
        "标准": "GB/T 21063.3—2007 政务信息资源目录体系 第3部分：核心元数据",
        "信息资源名称": "泰州市科技创新三年行动方案（2021—2023年）知识图谱",
        "信息资源代码": f"{settings.base_iri.rstrip('/')}/dataset",
        "信息资源摘要": GBT_ABSTRACT,
        "信息资源提供方": settings.publisher,
        "信息资源分类": {"主题分类": "科技", "资源形态": "数据库（RDF 知识图谱）"},
        "信息资源格式": [
            "application/n-quads",
            "text/turtle",
            "application/ld+json",
            "application/sparql-results+json",
        ],
        "信息项": [
            {"名称": cls.removeprefix(TZO).removeprefix("http://"), "类": cls, "实体数": n}
            for cls, n in figures.classes
            if cls.startswith(TZO)
        ],
        "共享属性": "无条件共享",
        "共享条件": None,
        "共享方式": {
            "SPARQL 端点": f"{root}/sparql",
            "数据下载": f"{root}/dumps",
            "接口": f"{root}/docs",
        },
        "开放属性": {"是否向社会开放": True, "开放条件": None},
        "更新周期": "不定期（随方案与名录数据重建）",
        "发布日期": (info.built_at[:10] if info else None),
        "版本": info.build if info else __version__,
        "许可": settings.licence,
        "统计": {
            "三元组": figures.triples,
            "命名图": figures.graphs,
            "主语": figures.subjects,
            "属性": figures.properties,
        },
        "下载": [
            {
                "文件": f"{root}/dumps/{d.file}",
                "格式": d.media_type,
                "压缩": "gzip",
                "字节": d.bytes,
                "sha256": d.sha256,
            }
            for d in dumps
        ],
        "DCAT": f"{root}/dataset?format=ttl",
    }


@router.get(
    "/dataset",
    response_class=Response,
    responses={200: {"content": {media: {} for media in OFFERS}}, 406: {}},
)
async def dataset(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    pool: PoolDep,
    format: Annotated[
        str | None, Query(description="ttl, jsonld, nt, rdfxml (DCAT+VoID) or json (GB/T 21063.3).")
    ] = None,
) -> Response:
    """The DCAT 3 + VoID description (Turtle by default), or the GB/T 21063.3 record as JSON."""
    accept = request.headers.get("accept")
    if format:
        chosen = NAMES.get(format.lower(), format.lower())
        accept = next((m for m, f in OFFERS.items() if f == chosen), format)
    media, kind = require_acceptable(accept, OFFERS)
    current = holder.current()
    figures = await stats(pool, current)
    if kind == "gbt":
        return JSONResponse(
            gbt_record(request, settings, current, figures), headers={"Vary": "Accept"}
        )
    fmt = FORMATS[kind]
    quads = catalogue_quads(request, settings, current, figures)
    names = {
        "dcat": DCAT,
        "dct": DCT,
        "void": VOID,
        "prov": PROV,
        "xsd": XSD,
        "spdx": SPDX,
        "foaf": FOAF,
        "rdfs": RDFS,
    }
    body = serialize(quads, format=fmt, prefixes=names)
    return Response(body, media_type=media, headers={"Vary": "Accept"})
