"""How names become search tokens: Chinese words (jieba) and bigrams, pinyin, English words.

The same functions analyse names at index time and the query at search time, so both sides
always agree. Tokens never contain spaces (the index splits fields on whitespace).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

import jieba
from pypinyin import Style, lazy_pinyin
from pypinyin.core import Pinyin

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")
MAX_PINYIN_RUN = 8  # syllables in one pinyin token (names are short; this bounds the tokens)

_jieba: Any = None
_jieba_lock = threading.Lock()


def segmenter() -> Any:
    """jieba's tokenizer, loaded once per process (its dictionary takes about a second)."""
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _jieba = tokenizer
        return _jieba


def normalize(text: str) -> str:
    """NFKC (full-width to ASCII), lower case, single spaces, trimmed.

    >>> normalize("  Ａsian  Star ")
    'asian star'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def compact(text: str) -> str:
    """The normalized text without any spaces: the form exact matches compare."""
    return normalize(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    """Whether the text has Chinese characters."""
    return _CJK.search(text) is not None


def chinese_tokens(text: str) -> set[str]:
    """jieba's search-mode words and every character bigram of each Chinese run.

    >>> sorted(chinese_tokens("亚星锚链"))
    ['亚星', '星锚', '锚链']
    """
    tokens: set[str] = set()
    for run in _CJK_RUN.findall(normalize(text)):
        tokens.update(_run_tokens(run))
    return tokens


@functools.lru_cache(maxsize=65_536)
def _run_tokens(run: str) -> frozenset[str]:
    """The tokens of one run of Chinese characters (runs recur: 科技有限公司 …)."""
    tokens = {w for w in segmenter().cut_for_search(run) if w.strip()}
    tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    if len(run) == 1:
        tokens.add(run)
    return frozenset(t for t in tokens if " " not in t)


def chinese_chars(text: str) -> set[str]:
    """Single Chinese characters (for one-character queries)."""
    return set(_CJK.findall(normalize(text)))


_PINYIN = Pinyin()


@functools.lru_cache(maxsize=200_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    """The syllables of one word of pypinyin's segmentation (words recur across names)."""
    found: list[str] = []
    for piece in lazy_pinyin(word, style=Style.NORMAL, errors="default"):
        found.extend(_WORD.findall(piece.lower()))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of the Chinese characters (phrase-aware), ASCII words kept whole.

    pypinyin segments the text into its phrases and converts each on its own, so converting
    the words one by one (cached: 有限公司, 科技, 泰州 … recur in every roster) is the same.

    >>> syllables("泰州亚星锚链有限公司 2021")
    ('tai', 'zhou', 'ya', 'xing', 'mao', 'lian', 'you', 'xian', 'gong', 'si', '2021')
    """
    found: list[str] = []
    for word in _PINYIN.seg(normalize(text)):
        found.extend(_word_syllables(word))
    return tuple(found)


def pinyin_tokens(text: str) -> set[str]:
    """Every run of up to MAX_PINYIN_RUN consecutive syllables, joined, and the initials.

    >>> sorted(pinyin_tokens("亚星"))
    ['xing', 'ya', 'yaxing', 'yx']
    """
    parts = syllables(text)
    tokens: set[str] = set()
    for start in range(len(parts)):
        run = ""
        for part in parts[start : start + MAX_PINYIN_RUN]:
            run += part
            tokens.add(run)
    if len(parts) > 1:
        tokens.add("".join(p[0] for p in parts))
    return tokens


def pinyin_compact(text: str) -> str:
    """The whole name in pinyin without spaces: 亚星锚链 -> yaxingmaolian."""
    return "".join(syllables(text))


def english_words(text: str) -> list[str]:
    """Lower-case ASCII words and numbers."""
    return _WORD.findall(normalize(text))


def english_prefixes(words: Iterable[str], shortest: int = 2) -> set[str]:
    """Every prefix of each word from `shortest` characters on (for type-ahead)."""
    return {w[:n] for w in words for n in range(shortest, len(w) + 1)}
