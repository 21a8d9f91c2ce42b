"""Leaked data categories: a lexicon to the SPEC.md codes, with negation per mention."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import CategoryRow
from pipeline.stages.analysis import AnalysedArticle
from pipeline.stages.rules import alternation, compile_pattern, load, rule_cache, rule_path, section

RULE_FILE = "categories.yaml"


@dataclass(frozen=True)
class CategoryRules:
    terms: dict[str, tuple[str, str]]  # surface -> (category, rule id)
    term_pattern: re.Pattern[str]
    leak_context: re.Pattern[str]
    field_label: re.Pattern[str]
    negations: tuple[tuple[str, re.Pattern[str]], ...]
    positive_between: re.Pattern[str]


@rule_cache
def category_rules() -> CategoryRules:
    path = rule_path(RULE_FILE)
    data = load(RULE_FILE)
    terms: dict[str, tuple[str, str]] = {}
    for entry in section(data, "lexicon", path, ["category", "terms"]):
        for term in entry["terms"]:
            terms[str(term)] = (entry["category"], entry["id"])
    negations = tuple((e["id"], compile_pattern(e, path)) for e in section(data, "negation", path, ["pattern"]))
    return CategoryRules(
        terms=terms,
        term_pattern=re.compile(alternation(terms)),
        leak_context=compile_pattern(section(data, "leak_context", path, ["pattern"])[0], path),
        field_label=compile_pattern(section(data, "field_label", path, ["pattern"])[0], path),
        negations=negations,
        positive_between=compile_pattern(section(data, "positive_between", path, ["pattern"])[0], path),
    )


def negation_rule(text_after: str) -> str | None:
    """The id of the negation that applies to a mention followed (in its sentence) by `text_after`."""
    rules = category_rules()
    for rule_id, pattern in rules.negations:
        match = pattern.search(text_after)
        if match and not rules.positive_between.search(text_after[:match.start()]):
            return rule_id
    return None


def extract_categories(article: AnalysedArticle) -> list[CategoryRow]:
    rules = category_rules()
    text = article.text
    rows = []
    for match in rules.term_pattern.finditer(text):
        category, rule_id = rules.terms[match.group()]
        if not category:
            continue
        if rules.field_label.match(text[match.end():match.end() + 40]):
            continue
        if not rules.leak_context.search(article.context_text(match.start())):
            continue
        sentence = article.sentence_at(match.start())
        negation = negation_rule(text[match.end():sentence.end])
        start, end, original = article.span(match.start(), match.end())
        rows.append(CategoryRow(article.article_id, start, end, original, category, negation is not None,
                                f"{rule_id};{negation}" if negation else rule_id))
    return rows
