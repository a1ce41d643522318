"""The search index of one build: every named entity, by Chinese, pinyin and English names.

`write_index` is a build finish step: it reads the new store and writes a tantivy index into
the build directory (`<build>/search/`), so the index is swapped in with the store it was made
from and can never drift from it. `SearchIndex.search` ranks with BM25 (tantivy) over
pre-analysed tokens (tzkg.search.text), then re-ranks the best candidates by how much of a
name the query covers, exact and prefix matches, and a small prior by kind of entity.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import tantivy
from pyoxigraph import DefaultGraph, NamedNode
from pyoxigraph import Literal as RdfLiteral

from tzkg.config import Settings
from tzkg.errors import TzkgError
from tzkg.search import text as analysis
from tzkg.store import DATA_DIR, OxigraphStore
from tzkg.vocab import LEGAL, RDFS, SKOS, TZO

log = logging.getLogger(__name__)

INDEX_DIR: Final = "search"
META_FILE: Final = "tzkg-search.json"
FORMAT_VERSION: Final = 1

NAME_PROPERTIES: Final = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    SKOS + "altLabel": "alias",
    LEGAL + "legalName": "legal",
}
CODE_PROPERTIES: Final = (TZO + "uscc", TZO + "divisionCode")
SKIPPED_KINDS: Final = frozenset({"span", "paragraph", "designation"})
"""Not entities one searches by name: source spans and paragraphs, and designations (a roster's
高新技术企业(2021) — one per enterprise, all with the same label; the enterprise is found)."""

KIND_PRIOR: Final = {
    "field": 5.0,
    "cluster": 3.5,
    "enterprise": 3.0,
    "body": 3.0,
    "platform": 2.0,
    "org": 2.0,
    "zone": 2.0,
    "technology": 1.5,
    "focus-area": 1.0,
    "indicator": 1.0,
    "programme": 1.0,
    "measure": 1.0,
    "division": 1.0,
    "plan": 1.0,
    "meeting": 0.5,
    "target": 0.5,
    "section": 0.3,
}
"""When two entities match a query equally well, the broader or more sought kind comes first."""

_FIELD_BOOST: Final = {
    "exact": 40.0,
    "code": 40.0,
    "zh": 1.0,
    "zh1": 0.5,
    "py": 1.0,
    "en": 1.0,
    "enp": 0.3,
}


class SearchIndexError(TzkgError):
    """The search index of the build is missing or cannot be read."""

    code = "search-index"
    status = 503


@dataclass
class Entry:
    """One entity as the index sees it."""

    iri: str
    id: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchHit:
    """One ranked result."""

    iri: str
    id: str
    kind: str
    labels: dict[str, str]
    score: float
    matched: str | None

    def label_in(self, lang: str) -> str | None:
        """The label in `lang`, else the other language."""
        for tag in (lang, "zh", "en", *self.labels):
            if tag in self.labels:
                return self.labels[tag]
        return None


@dataclass(frozen=True)
class SearchResults:
    """A page of hits and how many entities match in all."""

    hits: list[SearchHit]
    count: int


def kind_of(entity_id: str) -> str:
    """The kind of an entity from its id: `platform/x` -> platform, `plan/p/measure/2` -> measure.

    >>> kind_of("plan/taizhou-sti-plan-2021-2023/target/1.1-1")
    'target'
    """
    parts = entity_id.split("/")
    if parts[0] == "plan" and len(parts) >= 3:
        return parts[2]
    return parts[0]


def entries(store: OxigraphStore, settings: Settings) -> list[Entry]:
    """Every entity under `{base}id/` with a name, with its names and codes.

    Read predicate by predicate with quad patterns (labels first, then aliases, legal names and
    codes): no SPARQL result to serialize, which matters with a roster of 100,000 entities."""
    prefix = (settings.base_iri.rstrip("/") + "/") + "id/"
    found: dict[str, Entry] = {}
    skipped: set[str] = set()
    raw = store.raw
    for predicate in [*NAME_PROPERTIES, *CODE_PROPERTIES]:
        is_code = predicate in CODE_PROPERTIES
        is_label = not is_code and NAME_PROPERTIES[predicate] == "label"
        for quad in raw.quads_for_pattern(None, NamedNode(predicate), None, None):
            subject_term, value = quad.subject, quad.object
            if not isinstance(subject_term, NamedNode) or not isinstance(value, RdfLiteral):
                continue
            if isinstance(quad.graph_name, DefaultGraph):
                continue  # as the union of the named graphs: the default graph is no source
            subject = subject_term.value
            entry = found.get(subject)
            if entry is None:
                if subject in skipped:
                    continue
                if not subject.startswith(prefix) or "#" in subject:
                    skipped.add(subject)
                    continue
                entity_id = subject[len(prefix) :]
                kind = kind_of(entity_id)
                if kind in SKIPPED_KINDS:
                    skipped.add(subject)
                    continue
                entry = found[subject] = Entry(subject, entity_id, kind)
            text = value.value
            if is_code:
                if text not in entry.codes:
                    entry.codes.append(text)
                continue
            language = value.language or ""
            if is_label and language in ("zh", "en"):
                entry.labels.setdefault(language, text)
            if text not in entry.names:
                entry.names.append(text)
    return sorted(found.values(), key=lambda e: e.iri)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("iri", stored=True, tokenizer_name="raw")
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("labels", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("names", stored=True, tokenizer_name="raw", index_option="basic")
    for name in _FIELD_BOOST:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace")
    return builder.build()


def _document(entry: Entry) -> tantivy.Document:
    chinese = [n for n in entry.names if analysis.has_cjk(n)]
    words = [w for n in entry.names for w in analysis.english_words(n)]
    tokens = {
        "exact": {analysis.compact(n) for n in entry.names},
        "code": {analysis.compact(c) for c in entry.codes},
        "zh": set().union(*(analysis.chinese_tokens(n) for n in chinese)),
        "zh1": set().union(*(analysis.chinese_chars(n) for n in chinese)),
        "py": set().union(*(analysis.pinyin_tokens(n) for n in chinese)),
        "en": set(words),
        "enp": analysis.english_prefixes(words),
    }
    names = {
        "names": entry.names,
        "pinyin": [analysis.pinyin_compact(n) for n in chinese],
    }
    doc = tantivy.Document(
        iri=entry.iri,
        id=entry.id,
        kind=entry.kind,
        labels=json.dumps(entry.labels, ensure_ascii=False),
        names=json.dumps(names, ensure_ascii=False),
    )
    for name, values in tokens.items():
        if values:
            doc.add_text(name, " ".join(sorted(values)))
    return doc


def build_dir_of(store: OxigraphStore) -> Path:
    """The build directory of a store opened by `open_store` or being built by `build_store`.

    :raises SearchIndexError: for a store that lives in memory.
    """
    location = store.location
    if location is None:
        raise SearchIndexError("a store in memory has no build directory for a search index")
    return location.parent if location.name == DATA_DIR else location


def write_index(store: OxigraphStore, settings: Settings) -> None:
    """Finish step: write the search index of the new store into its build directory."""
    directory = build_dir_of(store) / INDEX_DIR
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    found = entries(store, settings)
    _fill(tantivy.Index(_schema(), path=str(directory)), found)
    (directory / META_FILE).write_text(
        json.dumps({"format": FORMAT_VERSION, "entities": len(found)}) + "\n", encoding="utf-8"
    )


def _fill(index: tantivy.Index, found: Iterable[Entry]) -> None:
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for entry in found:
        writer.add_document(_document(entry))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()


class SearchIndex:
    """A tantivy index of entities and the ranking of queries over it."""

    def __init__(self, index: tantivy.Index, *, location: Path | None = None) -> None:
        self.index = index
        self.location = location
        self.schema = index.schema

    @classmethod
    def open(cls, build_dir: Path) -> SearchIndex:
        """The index written into a build directory.

        :raises SearchIndexError: if it is missing or of another format.
        """
        directory = build_dir / INDEX_DIR
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION:
                raise SearchIndexError(
                    f"the search index is format {meta.get('format')}, not {FORMAT_VERSION}; "
                    "rebuild the store",
                    where=str(directory),
                )
            return cls(tantivy.Index.open(str(directory)), location=directory)
        except (OSError, ValueError) as exc:
            raise SearchIndexError(
                f"no readable search index: {exc}; rebuild the store", where=str(directory)
            ) from exc

    @classmethod
    def in_memory(cls, store: OxigraphStore, settings: Settings) -> SearchIndex:
        """An index of the store held in memory (for stores built without the finish step)."""
        index = tantivy.Index(_schema())
        _fill(index, entries(store, settings))
        return cls(index)

    def __len__(self) -> int:
        return int(self.index.searcher().num_docs)

    def search(
        self,
        q: str,
        *,
        kinds: Sequence[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """The entities that match `q`, best first."""
        query = self._query(q, kinds)
        if query is None:
            return SearchResults([], 0)
        searcher = self.index.searcher()
        pool = max(200, (offset + limit) * 4)
        result = searcher.search(query, limit=pool, count=True)
        hits = [self._hit(searcher.doc(address), score, q) for score, address in result.hits]
        hits.sort(key=lambda h: (-h.score, h.id))
        found = getattr(result, "count", None)  # set when searched with count=True
        count = int(found) if found is not None else len(hits)
        return SearchResults(hits[offset : offset + limit], count)

    def _query(self, q: str, kinds: Sequence[str] | None) -> tantivy.Query | None:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for name, tokens in _query_tokens(q).items():
            for token in sorted(tokens):
                term = tantivy.Query.term_query(self.schema, name, token)
                boosted = tantivy.Query.boost_query(term, _FIELD_BOOST[name])
                clauses.append((tantivy.Occur.Should, boosted))
        if not clauses:
            return None
        query = tantivy.Query.boolean_query(clauses)
        if kinds:
            allowed = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "kind", k))
                    for k in kinds
                ]
            )
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, allowed)]
            )
        return query

    def _hit(self, doc: tantivy.Document, score: float, q: str) -> SearchHit:
        names = json.loads(doc.get_first("names") or "{}")
        kind = doc.get_first("kind") or ""
        bonus, matched = _rerank(q, names.get("names", []), names.get("pinyin", []))
        return SearchHit(
            iri=doc.get_first("iri") or "",
            id=doc.get_first("id") or "",
            kind=kind,
            labels=json.loads(doc.get_first("labels") or "{}"),
            score=round(float(score) + bonus + KIND_PRIOR.get(kind, 0.5), 4),
            matched=matched,
        )


def _query_tokens(q: str) -> dict[str, set[str]]:
    text = analysis.normalize(q)
    if not text:
        return {}
    tokens: dict[str, set[str]] = {"exact": {analysis.compact(text)}, "code": set()}
    if analysis.compact(text).isalnum() and not analysis.has_cjk(text):
        tokens["code"] = {analysis.compact(text)}
    if analysis.has_cjk(text):
        chars = analysis.chinese_chars(text)
        tokens["zh"] = analysis.chinese_tokens(text)
        if len(chars) == 1:
            tokens["zh1"] = chars
    words = analysis.english_words(text)
    if words:
        tokens["en"] = set(words)
        tokens["enp"] = {words[-1]}  # the last word may be typed half-way
        if not analysis.has_cjk(text):
            tokens["py"] = {"".join(words)}
    return {name: values for name, values in tokens.items() if values}


def _rerank(q: str, names: Sequence[str], pinyins: Sequence[str]) -> tuple[float, str | None]:
    """A bonus for how well the query matches a name: exact, prefix, share of the name."""
    wanted = analysis.compact(q)
    if not wanted:
        return 0.0, None
    best, matched = 0.0, None
    for name, form in _forms(names, pinyins):
        if not form or wanted not in form:
            continue
        bonus = 10.0 * len(wanted) / len(form)
        if form == wanted:
            bonus += 100.0
        elif form.startswith(wanted):
            bonus += 1.0
        if bonus > best:
            best, matched = bonus, name
    return best, matched


def _forms(names: Sequence[str], pinyins: Sequence[str]) -> Iterator[tuple[str, str]]:
    for name in names:
        yield name, analysis.compact(name)
    chinese = [n for n in names if analysis.has_cjk(n)]
    yield from zip(chinese, pinyins, strict=False)


def finish_step(store: OxigraphStore, settings: Settings) -> None:
    """The build finish step (registered in tzkg.build.FINISH_STEPS)."""
    write_index(store, settings)
    log.info("search index written for %s", build_dir_of(store).name)
