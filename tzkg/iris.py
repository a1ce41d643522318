"""Stable, readable IRIs under the configurable base, and the reviewed label book of data/."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode
from pypinyin import lazy_pinyin

from tzkg.errors import SourceError

LABELS_FILE = "labels.csv"


def pinyin_slug(text: str) -> str:
    """A lower-case ASCII slug of a Chinese name: 高技术船舶 → gaojishuchuanbo."""
    joined = "".join(lazy_pinyin(text))
    slug = re.sub(r"[^a-z0-9]+", "-", joined.lower()).strip("-")
    return slug or "x"


@dataclass(frozen=True)
class LabelEntry:
    """One reviewed row of data/labels.csv."""

    kind: str
    zh: str
    en: str
    slug: str
    aliases: tuple[str, ...]
    row: int


@dataclass
class LabelBook:
    """English labels, slugs and aliases by (kind, Chinese name); reviewed data from data/."""

    path: Path | None = None
    entries: dict[tuple[str, str], LabelEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> LabelBook:
        """Read data/labels.csv (kind, zh, en, slug, aliases separated by ';'); absent is empty."""
        path = data_dir / LABELS_FILE
        book = cls(path=path if path.exists() else None)
        if not path.exists():
            return book
        with path.open(encoding="utf-8", newline="") as handle:
            # comment lines become blank lines, skipped below, so that line numbers stay true
            reader = csv.reader("\n" if line.startswith("#") else line for line in handle)
            header: list[str] | None = None
            for cells in reader:
                if not cells:
                    continue
                if header is None:
                    header = [cell.strip() for cell in cells]
                    continue
                number = reader.line_num
                row = dict(zip(header, cells, strict=False))
                try:
                    entry = LabelEntry(
                        kind=row["kind"].strip(),
                        zh=row["zh"].strip(),
                        en=row["en"].strip(),
                        slug=row["slug"].strip(),
                        aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
                        row=number,
                    )
                except (KeyError, AttributeError) as exc:
                    raise SourceError(
                        "labels.csv needs the columns kind, zh, en, slug, aliases",
                        where=f"{path}:{number}",
                        code="labels-columns",
                    ) from exc
                for name in (entry.zh, *entry.aliases):
                    book.entries.setdefault((entry.kind, name), entry)
        return book

    def find(self, kind: str, name: str) -> LabelEntry | None:
        """The reviewed entry for a name (or one of its aliases) of this kind."""
        return self.entries.get((kind, name))

    def canonical(self, kind: str, name: str) -> str:
        """The canonical Chinese name for a name or alias."""
        entry = self.find(kind, name)
        return entry.zh if entry else name


class IriMinter:
    """Mints `{base}id/{kind}/{slug}` IRIs; the same (kind, name) always gives the same IRI."""

    def __init__(self, base: str, labels: LabelBook) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.labels = labels
        self._by_name: dict[tuple[str, str], NamedNode] = {}
        self._taken: dict[str, tuple[str, str]] = {}

    def entity(self, kind: str, name: str) -> NamedNode:
        """The IRI of a named entity of a kind (cluster, field, enterprise, platform, body …)."""
        key = (kind, self.labels.canonical(kind, name))
        if key in self._by_name:
            return self._by_name[key]
        entry = self.labels.find(*key)
        slug = entry.slug if entry and entry.slug else pinyin_slug(key[1])
        candidate, n = slug, 1
        while f"{kind}/{candidate}" in self._taken:
            n += 1
            candidate = f"{slug}-{n}"
        self._taken[f"{kind}/{candidate}"] = key
        node = NamedNode(f"{self.base}id/{kind}/{candidate}")
        self._by_name[key] = node
        return node

    def path(self, *parts: str) -> NamedNode:
        """An IRI for a structural resource, e.g. path('plan', slug, 'section', '3.1')."""
        return NamedNode(self.base + "/".join(parts))
