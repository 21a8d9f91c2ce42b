"""Parse Japanese numerals: arabic with commas, kanji, and 万/億/兆 combinations.

Works on NFKC-normalized text, where full-width digits are already ASCII.
"""

from __future__ import annotations

import re

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                 "九": 9, "壱": 1, "弐": 2, "参": 3}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4}

_ARABIC = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_KANJI = r"[〇一二三四五六七八九十百千]+"
_SECTION = rf"(?:(?:\d+ ?)?{_KANJI}|{_ARABIC})"
# A whole number: sections joined by 兆/億/万 (`1万8,843`, `3億2700万`, `三十五`, `2千`).
NUMBER_PATTERN = rf"(?:{_SECTION})(?: ?[兆億万](?: ?{_SECTION})?)*"
NUMBER = re.compile(NUMBER_PATTERN)


def _parse_section(text: str) -> float:
    """Parse a number below 10,000 that may mix arabic digits and 千百十 (`2千`, `三十五`, `1,780`)."""
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return 0
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total = 0.0
    pending: float | None = None
    digits = ""
    for ch in text:
        if ch.isdigit():
            digits += ch
            continue
        if digits:
            pending, digits = float(digits), ""
        if ch in _KANJI_DIGITS:
            pending = (pending or 0) * 10 + _KANJI_DIGITS[ch] if pending is not None else _KANJI_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (pending if pending is not None else 1) * _SMALL_UNITS[ch]
            pending = None
        else:
            raise ValueError(f"not a numeral: {text!r}")
    if digits:
        pending = float(digits)
    return total + (pending or 0)


def parse_number(text: str) -> int:
    """`1万8,843` -> 18843, `約` and other words must already be stripped. Raises ValueError."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    total = 0.0
    section = ""
    for ch in text:
        if ch in _BIG_UNITS:
            total += (_parse_section(section) if section.strip() else 1) * _BIG_UNITS[ch]
            section = ""
        else:
            section += ch
    total += _parse_section(section)
    return int(round(total))


def parse_date_number(text: str) -> int:
    """A year, month or day as dates write it: `12`, `十二`, `三十一`, `二〇二四` (kanji digit by
    digit), `二千二十四`, and `元` (an era's first year). Raises ValueError."""
    text = text.strip()
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if len(text) > 1 and all(ch in _KANJI_DIGITS for ch in text):  # 二〇二四: one kanji per digit
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in text))
    return parse_number(text)
