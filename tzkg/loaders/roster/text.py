"""Cell text as bureaus write it, made comparable: NFKC, spaces, brackets, legal-name parts.

>>> clean("  扬子江药业集团（江苏）有限公司\u3000")
'扬子江药业集团(江苏)有限公司'
>>> NameRules().core("江苏亚星锚链股份有限公司")
('亚星锚链', ())
>>> NameRules().core("新浦化学(泰兴)有限公司")
('新浦化学', ('泰兴',))
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")"})
_SPACES = re.compile(r"\s+")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef()"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_BRACKETED = re.compile(r"\(([^()]*)\)")

LEGAL_FORM_SUFFIXES = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "公司",
    "集团",
    "股份",
)
"""Legal-form words at the end of a name, dropped (repeatedly) to get its trade-name core."""

LEGAL_FORM_BRACKETS = frozenset({"有限合伙", "普通合伙", "特殊普通合伙", "个人独资"})
"""Bracketed parts that are a legal form, not a regional qualifier."""

REGION_PREFIXES = ("中国", "江苏省", "江苏", "泰州市", "泰州")
"""Administrative-area words that names carry in front of their trade name."""


_PLAIN = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]*")
"""Text that NFKC and the rest leave as it is (ASCII letters and digits, CJK ideographs)."""
_ODD = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad〔〕【】［］]")


def clean(value: object) -> str:
    """A cell as text: NFKC (full-width to ASCII), invisible characters and stray spaces gone.

    Spaces next to Chinese characters are dropped; other runs of spaces become one.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 2021.0 from a spreadsheet is 2021
    text = value if isinstance(value, str) else str(value)
    if _PLAIN.fullmatch(text):
        return text  # the common case, made fast: most cells are plain names, codes, numbers
    text = unicodedata.normalize("NFKC", text)
    if _ODD.search(text):
        text = text.translate(_INVISIBLE).translate(_BRACKETS)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text) if " " in text else text


def name_key(name: str) -> str:
    """The normalised form of a name used to compare names: cleaned, no spaces, lower case."""
    return clean(name).replace(" ", "").lower()


@dataclass(frozen=True)
class NameRules:
    """How a legal name reduces to its trade-name core and regional qualifiers."""

    region_prefixes: tuple[str, ...] = REGION_PREFIXES
    suffixes: tuple[str, ...] = LEGAL_FORM_SUFFIXES
    _prefixes: tuple[str, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(set(self.region_prefixes), key=len, reverse=True))
        object.__setattr__(self, "_prefixes", ordered)
        words = "|".join(map(re.escape, sorted(self.suffixes, key=len, reverse=True)))
        object.__setattr__(self, "_suffix_re", re.compile(f"(?:{words})+$"))
        words = "|".join(map(re.escape, ordered)) or "(?!)"
        object.__setattr__(self, "_prefix_re", re.compile(f"^(?:{words})+"))

    def with_regions(self, names: Iterable[str]) -> NameRules:
        """These rules with more region words (e.g. the county names of the city)."""
        return NameRules(region_prefixes=(*self.region_prefixes, *names), suffixes=self.suffixes)

    def core(self, name: str) -> tuple[str, tuple[str, ...]]:
        """The trade-name core and the sorted bracketed qualifiers of a name.

        扬子江药业集团有限公司 → 扬子江药业; 新浦化学(泰兴)有限公司 → 新浦化学 with (泰兴).
        Region words are dropped only in front; a name that reduces to fewer than two
        characters keeps its normalised form as core (it is too generic to compare by core).
        """
        key = name_key(name)
        qualifiers = sorted(
            {q for q in _BRACKETED.findall(key) if q and q not in LEGAL_FORM_BRACKETS}
        )
        text = _BRACKETED.sub("", key) if "(" in key else key
        fast = self._strip_fast(text)
        if fast is not None:
            return fast, tuple(qualifiers)
        changed = True
        while changed:
            changed = False
            for suffix in self.suffixes:
                if text.endswith(suffix) and len(text) > len(suffix):
                    text = text[: -len(suffix)]
                    changed = True
                    break
        changed = True
        while changed:
            changed = False
            for prefix in self._prefixes:
                if text.startswith(prefix) and len(text) > len(prefix) + 1:
                    text = text[len(prefix) :]
                    changed = True
                    break
        if len(text) < 2 or any(suffix.startswith(text) for suffix in self.suffixes):
            return key, tuple(qualifiers)
        return text, tuple(qualifiers)

    def _strip_fast(self, text: str) -> str | None:
        """The core by two anchored regexes, when that leaves a clear core (else None)."""
        suffix = self._suffix_re.search(text)  # type: ignore[attr-defined]
        core = text[: suffix.start()] if suffix else text
        prefix = self._prefix_re.match(core)  # type: ignore[attr-defined]
        if prefix:
            core = core[prefix.end() :]
        if len(core) >= 3 and not any(s.startswith(core) for s in self.suffixes):
            return core
        return None  # short or odd: the careful loop decides
