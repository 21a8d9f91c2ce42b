"""Normalize article text (NFKC and a few dash/tilde unifications) keeping a map to the original.

Rules run on the normalized text, so they see `１０月` as `10月` and `㈱` as `(株)`; every span
they find is mapped back so that output rows quote the article's own characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

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

# A PDF's text layer may give a character as another code point its font draws with the same glyph:
# 長 as the radical ⻑, 民 as ⺠, ・ as the hyphenation point ‧. These pairs were read off the
# character map of Noto Sans CJK JP (with fontTools: code points sharing a glyph with a character
# of Japanese text that NFKC does not already map to it, as it does the Kangxi radicals ⼈ → 人).
_GLYPH_TWIN_PAIRS = (
    "⺂乛⺃乚⺅亻⺉刂⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺦丬⺨犭⺫罒⺭礻⺯糹⺰纟⺱罓⺲罒⺹耂"
    "⺺肀⺾艹⻂衤⻃覀⻄西⻅见⻈讠⻉贝⻋车⻍辶⻐钅⻑長⻒镸⻓长⻖阝⻘青⻙韦⻚页⻛风⻜飞⻟飠⻠饣⻢马⻥鱼⻦鸟"
    "⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻲亀⻳龟"
    "‧・⼾戸∕/")
_TWINS = str.maketrans({_GLYPH_TWIN_PAIRS[i]: _GLYPH_TWIN_PAIRS[i + 1] for i in range(0, len(_GLYPH_TWIN_PAIRS), 2)})

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
        piece = unicodedata.normalize("NFKC", original[i:j].translate(_TWINS)).translate(_EXTRA)
        for ch in piece:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return NormalizedText(original, "".join(out), tuple(starts), tuple(ends))


# Text wrapped at a fixed width (a press release pasted from a PDF viewer or an e-mail, a record
# made from either): its sentences break at the line ends, and the stages cut sentences at line
# breaks.
_WRAP_FULL_SHARE = 0.9  # a line at least this share of the wrap width is full
_WRAP_MIN_FULL_LINES = 3
_WRAP_MIN_FULL_SHARE = 0.3  # of the non-blank lines
_WRAP_MAX_WIDER_SHARE = 0.05  # lines wider than the wrap width (a URL, a table row), of the non-blank
# A full line ending in one of these ends its sentence or item (a PDF's line too); a next line
# starting with one of these starts an item of its own.
LINE_END = re.compile(r"[。．.!?！？」』)）:：]$")
_ITEM_START = re.compile(r"[\s　・●○■□◆◇▼▽▶※*＊\-－]|[0-9０-９]+[.．)）]|[(（][0-9０-９]+[)）]|[①-⑳]")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Wrapping tools and page layouts measure a line in display columns (full-width counts 2) or in
# characters (half-width digits and Latin tell the two apart), each with the least width a wrapped
# line has: narrower lines of one width are list items or table cells.
_LINE_MEASURES: tuple[tuple[Callable[[str], int], int], ...] = ((display_width, 40), (len, 20))


def _full_lines(widths: list[int], least: int) -> tuple[int, int]:
    """(width, lines): the widest cluster of line widths (each within 90% of the width) holding the
    most lines, when hardly any line is wider; (0, 0) when the lines were not wrapped."""
    widths = sorted(widths)
    best, best_count = 0, 0
    low = 0
    for high, width in enumerate(widths):
        while widths[low] < _WRAP_FULL_SHARE * width:
            low += 1
        if high + 1 < len(widths) and widths[high + 1] == width:
            continue  # count each width once, with all the lines of that width
        if high - low + 1 >= best_count:
            best, best_count = width, high - low + 1
    wider = sum(w > best + 2 for w in widths)  # 2: a closing mark hung past the edge
    if best < least or best_count < max(_WRAP_MIN_FULL_LINES, _WRAP_MIN_FULL_SHARE * len(widths)) \
            or wider > _WRAP_MAX_WIDER_SHARE * len(widths):
        return 0, 0
    return best, best_count


def wrap_width(lines: list[str]) -> tuple[Callable[[str], int], int]:
    """How `lines` were wrapped: the measure (columns or characters) and the width, the width 0
    when they were not."""
    found = [(measure, *_full_lines([measure(line.rstrip()) for line in lines if line.strip()], least))
             for measure, least in _LINE_MEASURES]
    measure, width, _ = max(found, key=lambda f: f[2])
    return measure, width


def wrapped_line_breaks(original: str) -> list[int]:
    """Offsets in `original` of the line breaks that only wrap a sentence: after a full line not
    ending its sentence, before a line that starts no item of its own."""
    lines = original.split("\n")
    measure, width = wrap_width(lines)
    if not width:
        return []
    breaks, offset = [], 0
    for line, following in pairwise(lines):
        offset += len(line)
        stripped = line.rstrip()
        if measure(stripped) >= _WRAP_FULL_SHARE * width and not LINE_END.search(stripped) \
                and following.strip() and not _ITEM_START.match(following):
            breaks.append(offset)
        offset += 1
    return breaks


def join_wrapped_lines(norm: NormalizedText) -> NormalizedText:
    """`norm` without the line breaks that only wrap a sentence (a space between two Latin words),
    still mapped to the original, so that rows quote the article's own characters."""
    breaks = set(wrapped_line_breaks(norm.original))
    if not breaks:
        return norm
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(norm.text):
        if ch == "\n" and norm.starts[i] in breaks:
            before, after = (out[-1] if out else ""), (norm.text[i + 1] if i + 1 < len(norm.text) else "")
            if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
                continue
            ch = " "
        out.append(ch)
        starts.append(norm.starts[i])
        ends.append(norm.ends[i])
    return NormalizedText(norm.original, "".join(out), tuple(starts), tuple(ends))
