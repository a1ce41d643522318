"""The plan as text: width-preserving normalisation, paragraphs and sentences with offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tzkg.errors import SourceError

SENTENCE_END = "。！？!?"


def normalize_char(char: str) -> str:
    """NFKC of one character when that keeps it one character (full-width , ( ) : ; → ASCII)."""
    norm = unicodedata.normalize("NFKC", char)
    return norm if len(norm) == 1 else char


def normalize(text: str) -> str:
    """NFKC, character by character, so that offsets in the result equal offsets in the source."""
    return "".join(normalize_char(c) for c in text)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a paragraph: `start`/`end` are offsets in the whole document."""

    paragraph: int
    index: int
    start: int
    end: int
    norm: str


@dataclass
class Paragraph:
    """A non-blank line of the source, stripped; offsets are into the whole document."""

    index: int
    start: int
    end: int
    norm: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class PlanText:
    """The source text as read (`raw`), its normalised twin (`norm`) and its paragraphs."""

    path: Path
    raw: str
    norm: str
    paragraphs: list[Paragraph]

    def quote(self, start: int, end: int) -> str:
        """The exact source text between two offsets."""
        return self.raw[start:end]


def split_sentences(paragraph: Paragraph) -> list[Sentence]:
    """Sentences end at 。！？; a parenthesis is never split (the department notes stay whole)."""
    sentences: list[Sentence] = []
    depth = 0
    begin = 0
    text = paragraph.norm
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in SENTENCE_END and depth == 0:
            sentences.append(_sentence(paragraph, len(sentences), begin, i + 1))
            begin = i + 1
    if text[begin:].strip():
        sentences.append(_sentence(paragraph, len(sentences), begin, len(text)))
    return sentences


def _sentence(paragraph: Paragraph, index: int, begin: int, end: int) -> Sentence:
    while begin < end and paragraph.norm[begin].isspace():
        begin += 1
    return Sentence(
        paragraph=paragraph.index,
        index=index,
        start=paragraph.start + begin,
        end=paragraph.start + end,
        norm=paragraph.norm[begin:end],
    )


def read_plan(path: Path) -> PlanText:
    """Read a plan file (UTF-8, BOM tolerated) and split it into paragraphs and sentences."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the plan: {exc.strerror}", where=str(path)) from exc
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_number = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            "the plan is not UTF-8 text", where=f"{path}:{line_number}", code="plan-encoding"
        ) from exc
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    norm = normalize(raw)
    paragraphs: list[Paragraph] = []
    for match in re.finditer(r"[^\n]+", norm):
        line = match.group()
        stripped = line.strip().strip("\u00a0\u3000 ")
        if not stripped:
            continue
        start = match.start() + line.index(stripped)
        paragraph = Paragraph(len(paragraphs) + 1, start, start + len(stripped), stripped)
        paragraph.sentences = split_sentences(paragraph)
        paragraphs.append(paragraph)
    if not paragraphs:
        raise SourceError("the plan is empty", where=str(path), code="plan-empty")
    return PlanText(path=path, raw=raw, norm=norm, paragraphs=paragraphs)
