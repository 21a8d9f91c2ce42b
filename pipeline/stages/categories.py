"""Leaked data categories: a lexicon to the SPEC.md codes, with negation per mention."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import CategoryRow
from pipeline.stages.analysis import AnalysedArticle
from pipeline.stages.rules import alternation, compile_pattern, load, rule_cache, rule_path, section

RULE_FILE = "categories.yaml"


@dataclass(frozen=True)
class NotThisLeak:
    id: str
    terms: frozenset[str]  # the mentions it applies to; empty: all
    pattern: re.Pattern[str]
    years_before: int | None  # the pattern's `year` must be this much older than the reference date


@dataclass(frozen=True)
class CategoryRules:
    terms: dict[str, tuple[str, str]]  # surface -> (category, rule id)
    term_pattern: re.Pattern[str]
    leak_context: re.Pattern[str]
    field_label: re.Pattern[str]
    negations: tuple[tuple[str, re.Pattern[str]], ...]
    standalone_negations: frozenset[str]  # negations that count in a sentence with no leak word
    positive_between: re.Pattern[str]
    not_this_leak: tuple[NotThisLeak, ...]


@rule_cache
def category_rules() -> CategoryRules:
    path = rule_path(RULE_FILE)
    data = load(RULE_FILE)
    terms: dict[str, tuple[str, str]] = {}
    for entry in section(data, "lexicon", path, ["category", "terms"]):
        for term in entry["terms"]:
            terms[str(term)] = (entry["category"], entry["id"])
    negation_entries = section(data, "negation", path, ["pattern"])
    negations = tuple((e["id"], compile_pattern(e, path)) for e in negation_entries)
    return CategoryRules(
        terms=terms,
        term_pattern=re.compile(alternation(terms)),
        leak_context=compile_pattern(section(data, "leak_context", path, ["pattern"])[0], path),
        field_label=compile_pattern(section(data, "field_label", path, ["pattern"])[0], path),
        negations=negations,
        standalone_negations=frozenset(e["id"] for e in negation_entries if e.get("stands_alone")),
        positive_between=re.compile("|".join(f"(?:{compile_pattern(e, path).pattern})"
                                             for e in section(data, "positive_between", path, ["pattern"]))),
        not_this_leak=tuple(NotThisLeak(e["id"], frozenset(e.get("terms") or ()), compile_pattern(e, path),
                                        e.get("years_before"))
                            for e in section(data, "not_this_leak", path, ["pattern"])),
    )


def negation_rule(text_after: str) -> str | None:
    """The id of the negation that applies to a mention followed (in its sentence) by `text_after`."""
    rules = category_rules()
    for rule_id, pattern in rules.negations:
        match = pattern.search(text_after)
        if match and not rules.positive_between.search(text_after[:match.start()]):
            return rule_id
    return None


# A list item or table row: a line without 。 (・氏名, (1)住所, 店名/住所/連絡先). The items of one list
# sit on consecutive such lines under a heading (流出した項目) or a lead sentence (次のとおり。).
LIST_LINES_MAX = 30
# A list item's own line (`- 取引先の従業員に関する情報`, `(1)顧客`): a full sentence under it
# belongs to the list too.
LIST_ITEM = re.compile(r"\s*(?:[-・●■◆□◇*]|[(（]?[0-9０-９]{1,2}[)）.．])")


def leak_context(article: AnalysedArticle, offset: int) -> str:
    """The sentence around `offset`; for a list item, also every item above it and the heading or
    lead sentence that opens the list."""
    index = article.sentence_index(offset)
    sentences = article.sentences
    parts = [sentences[index].text]
    if "。" in sentences[index].text and not (index > 0 and LIST_ITEM.match(sentences[index - 1].text)):
        return parts[0]
    first = index
    while first > 0 and index - first < LIST_LINES_MAX:
        first -= 1
        text = sentences[first].text
        parts.insert(0, text)
        if "。" in text or not text.strip():
            break  # the lead sentence (or the blank line) above the list
    return "\n".join(parts)


def is_about_another_leak(term: str, sentence: str, reference_year: int | None) -> bool:
    """Does the sentence speak of prevention measures or another incident, for this term?"""
    for rule in category_rules().not_this_leak:
        if rule.terms and term not in rule.terms:
            continue
        for match in rule.pattern.finditer(sentence):
            if rule.years_before is None:
                return True
            if reference_year and int(match.group("year")) <= reference_year - rule.years_before:
                return True
    return False


def extract_categories(article: AnalysedArticle) -> list[CategoryRow]:
    rules = category_rules()
    text = article.text
    reference = article.article.reference_date
    reference_year = int(reference[:4]) if reference[:4].isdigit() else None
    rows = []
    for match in rules.term_pattern.finditer(text):
        category, rule_id = rules.terms[match.group()]
        if not category:
            continue
        if rules.field_label.match(text[match.end():match.end() + 40]):
            continue
        sentence = article.sentence_at(match.start())
        negation = negation_rule(text[match.end():sentence.end])
        if (negation not in rules.standalone_negations
                and not rules.leak_context.search(leak_context(article, match.start()))):
            continue
        if is_about_another_leak(match.group(), sentence.text, reference_year):
            continue
        start, end, original = article.span(match.start(), match.end())
        rows.append(CategoryRow(article.article_id, start, end, original, category, negation is not None,
                                f"{rule_id};{negation}" if negation else rule_id))
    return rows
