"""Counts: numbers of people, records, companies… with their qualifier and counted noun."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.records import CountRow
from pipeline.stages.analysis import AnalysedArticle
from pipeline.stages.numerals import NUMBER_PATTERN, parse_number
from pipeline.stages.rules import RuleError, alternation, load, rule_cache, rule_path, section
from pipeline.stages.tokens import Token

RULE_FILE = "counts.yaml"
_KANJI_NUMERAL_START = re.compile(r"^[〇一二三四五六七八九十百千]")
_WORD_CHAR = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffー々]")
# Prefix words after which a kanji numeral may follow a kanji (計三十人, 約二千件).
_KANJI_NUMERAL_PREFIXES = ("約", "計", "合計", "最大", "およそ")


@dataclass(frozen=True)
class UnitRule:
    id: str
    surface: str
    unit: str
    not_before: str


@dataclass(frozen=True)
class CountRules:
    units: dict[str, UnitRule]  # by surface
    prefixes: dict[str, tuple[str, str]]  # surface -> (qualifier, rule id)
    suffixes: dict[str, tuple[str, str]]
    not_after: tuple[str, ...]
    possible_cues: tuple[str, ...]
    pattern: re.Pattern[str]


@rule_cache
def count_rules() -> CountRules:
    path = rule_path(RULE_FILE)
    data = load(RULE_FILE)
    units = {e["surface"]: UnitRule(e["id"], e["surface"], e["unit"], e.get("not_before", ""))
             for e in section(data, "units", path, ["surface", "unit"])}
    prefixes, suffixes = {}, {}
    for entry in section(data, "qualifiers", path, ["position", "surface", "qualifier"]):
        target = {"prefix": prefixes, "suffix": suffixes}.get(entry["position"])
        if target is None:
            raise RuleError(path, entry.get("__line__"), f"rule '{entry['id']}': position must be prefix or suffix")
        target[entry["surface"]] = (entry["qualifier"], entry["id"])
    not_after = tuple(e["surface"] for e in section(data, "not_after", path, ["surface"]))
    possible = tuple(e["surface"] for e in section(data, "possible_cues", path, ["surface"]))
    pattern = re.compile(
        rf"(?P<prefix>{alternation(list(prefixes))})?\s?"
        rf"(?<![\d,.])(?P<number>{NUMBER_PATTERN})\s?"
        rf"(?P<unit>{alternation(list(units))})"
        rf"(?P<suffix>{alternation(list(suffixes))})?"
    )
    return CountRules(units, prefixes, suffixes, not_after, possible, pattern)


_NOUN_POS = ("名詞", "接尾辞", "接頭辞")
# Particles that may stand between a noun and its count (`個人情報など約30万件`, `件数は253件`).
_LINKING_PARTICLES = ("など", "等", "は", "が", "も", "計")


def _is_noun(token: Token) -> bool:
    return token.pos1 in _NOUN_POS and token.pos2 != "数詞"


def _trailing_nouns(tokens: list[Token]) -> str:
    words: list[str] = []
    position = None
    for token in reversed(tokens):
        if not _is_noun(token) or (position is not None and token.end != position):
            break
        words.insert(0, token.surface)
        position = token.start
    return "".join(words)


def _leading_nouns(tokens: list[Token]) -> str:
    words: list[str] = []
    position = tokens[0].start if tokens else None
    for token in tokens:
        if not _is_noun(token) or token.start != position:
            break
        words.append(token.surface)
        position = token.end
    return "".join(words)


def counted_noun(article: AnalysedArticle, start: int, end: int) -> str:
    """The noun the count counts: `個人情報280件`, `7409人のクレジットカード情報`, `個人情報など30万件`."""
    sentence = article.sentence_at(start)
    preceding = article.tokens_between(sentence.start, start)
    # Symbols and qualifiers between the noun and the number (`メールアドレス: 約1,780件`).
    while preceding and ((preceding[-1].pos1 == "補助記号" and preceding[-1].pos2 not in ("読点", "句点"))
                         or preceding[-1].surface in ("約", "最大", "で", "延べ")):
        preceding = preceding[:-1]
    adjacent = _trailing_nouns(preceding)
    if adjacent:
        return adjacent
    following = article.tokens_between(end, sentence.end)
    if following and following[0].surface == "の":
        noun = _leading_nouns(following[1:])
        if noun:
            return noun
    if preceding and preceding[-1].surface in _LINKING_PARTICLES:
        return _trailing_nouns(preceding[:-1])
    return ""


@dataclass(frozen=True)
class CountMatch:
    """A count found in a text, before the article-level details (counted noun, possible)."""

    start: int
    end: int
    value: int
    unit: str
    qualifier: str
    rule: str


def find_counts(text: str) -> list[CountMatch]:
    """Every count in `text` (an article's normalized text or a headline)."""
    rules = count_rules()
    found = []
    for match in rules.pattern.finditer(text):
        number_text = match.group("number")
        unit_rule = rules.units[match.group("unit")]
        after_unit = text[match.end("unit"):match.end("unit") + 1]
        if after_unit and after_unit in unit_rule.not_before and not match.group("suffix"):
            continue
        if any(text[:match.start("number")].endswith(word) for word in rules.not_after):
            continue
        if _KANJI_NUMERAL_START.match(number_text):
            before = text[max(0, match.start() - 1):match.start()]
            # A lone kanji digit after a word is part of it (同一人物, 唯一人); 市民三十二人 is a count.
            lone = len(number_text) == 1
            if number_text == "一" or (lone and not match.group("prefix") and _WORD_CHAR.match(before or " ")):
                continue
        try:
            value = parse_number(number_text)
        except ValueError:
            continue
        qualifier = "exact"
        if match.group("prefix"):
            qualifier, _ = rules.prefixes[match.group("prefix")]
        if match.group("suffix"):
            qualifier, _ = rules.suffixes[match.group("suffix")]
        found.append(CountMatch(match.start(), match.end(), value, unit_rule.unit, qualifier, unit_rule.id))
    return found


def extract_counts(article: AnalysedArticle) -> list[CountRow]:
    possible_cues = count_rules().possible_cues
    rows = []
    for count in find_counts(article.text):
        sentence = article.sentence_at(count.start)
        possible = any(cue in sentence.text for cue in possible_cues)
        start, end, original = article.span(count.start, count.end)
        rows.append(CountRow(article.article_id, start, end, original, count.value, count.unit, count.qualifier,
                             counted_noun(article, count.start, count.end), possible, count.rule))
    return rows


def without_leading_space(row: CountRow) -> CountRow:
    """The row as the tables show it: never starting with the space before its number (a full-width
    one in a table cell or an indented line). The decisions read the span as matched, the way their
    weights were fitted, so the trimming happens after them."""
    kept = row.text.lstrip()
    if kept == row.text:
        return row
    return replace(row, start=row.start + len(row.text) - len(kept), text=kept)
