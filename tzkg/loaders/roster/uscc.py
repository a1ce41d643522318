"""统一社会信用代码 (unified social credit code), GB 32100-2015: normalisation and check character.

>>> check("91110000600037341l")
('91110000600037341L', None)
>>> check("91110000600037341A")[1]
'uscc-checksum'
"""

from __future__ import annotations

import re
import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use, in value order 0-30 (no I, O, S, V, Z)."""

WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Weights of positions 1-17: 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28."""

LENGTH = 18
_VALUE = {char: value for value, char in enumerate(CHARSET)}


_PLAIN = re.compile(r"[0-9A-Z]{18}")


def normalise(raw: str) -> str:
    """Full-width to ASCII, spaces and separators removed, upper case."""
    if _PLAIN.fullmatch(raw):
        return raw
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in CHARSET)."""
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def check(raw: str) -> tuple[str, str | None]:
    """The normalised code and None, or the normalised text and a reason code.

    Reasons: `uscc-length` (not 18 characters), `uscc-charset` (a character outside the
    GB 32100 set), `uscc-checksum` (the 18th character is not the check character).
    """
    code = normalise(raw)
    if len(code) != LENGTH:
        return code, "uscc-length"
    if any(ch not in _VALUE for ch in code):
        return code, "uscc-charset"
    if check_character(code[:17]) != code[17]:
        return code, "uscc-checksum"
    return code, None


def is_valid(raw: str) -> bool:
    """Whether `raw` is a well-formed code with the right check character."""
    return check(raw)[1] is None
