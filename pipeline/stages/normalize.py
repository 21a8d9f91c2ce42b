"""Normalize article text (NFKC and a few dash/tilde unifications) keeping a map to the original.

Rules run on the normalized text, so they see `１０月` as `10月` and `㈱` as `(株)`; every span
they find is mapped back so that output rows quote the article's own characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Characters NFKC leaves alone but that mean the same to our rules.
_EXTRA = str.maketrans({
    "〜": "~",  # wave dash, used for ranges
    "∼": "~",
    "－": "-",
    "−": "-",
    "‐": "-",
    "—": "-",
    "―": "-",
    "ｰ": "ー",
})

# Marks that combine with the character before them (half-width and combining (semi-)voiced marks).
_COMBINING = {"ﾞ", "ﾟ", "\u3099", "\u309a"}


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str
    starts: tuple[int, ...]  # for each normalized character, where its source begins in `original`
    ends: tuple[int, ...]  # ... and where its source ends

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span [start, end) to the original span that produced it."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]

    def original_slice(self, start: int, end: int) -> str:
        orig_start, orig_end = self.to_original(start, end)
        return self.original[orig_start:orig_end]


def normalize_text(original: str) -> NormalizedText:
    """NFKC-normalize `original` one character cluster at a time, recording the offset map."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(original)
    while i < n:
        j = i + 1
        while j < n and original[j] in _COMBINING:
            j += 1
        piece = unicodedata.normalize("NFKC", original[i:j]).translate(_EXTRA)
        for ch in piece:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return NormalizedText(original, "".join(out), tuple(starts), tuple(ends))
