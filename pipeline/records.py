"""One record type per output table (columns exactly as in SPEC.md).

Span records carry `article_id, start, end, text`, where start/end are offsets into the
decoded article text and `text == article_text[start:end]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Article:
    """An article as read from input, before any analysis."""

    article_id: str
    text: str
    source: str
    sha256: str = ""
    encoding: str = ""
    title: str = ""
    reference_date: str = ""  # YYYY-MM-DD as given by the input, "" when absent
    url: str = ""


@dataclass(frozen=True)
class ReadFailure:
    """An input that could not be turned into an Article; it still gets an articles.csv row."""

    article_id: str
    source: str
    error: str
    sha256: str = ""


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    source: str
    sha256: str
    chars: int
    encoding: str
    title: str
    url: str
    reference_date: str
    reference_date_source: str  # given | inferred | none
    status: str  # ok | failed
    error: str


@dataclass(frozen=True)
class OrganizationRow:
    article_id: str
    start: int
    end: int
    text: str
    name: str
    kind: str  # company, government, education, medical, other
    role: str  # victim, contractor, other
    source: str


@dataclass(frozen=True)
class DateRow:
    article_id: str
    start: int
    end: int
    text: str
    value: str
    granularity: str  # day, month, year, fiscal_year
    role: str  # announced, occurred, detected, other
    rule: str


@dataclass(frozen=True)
class CountRow:
    article_id: str
    start: int
    end: int
    text: str
    value: int
    unit: str
    qualifier: str  # exact, approx, max, min, over, under
    counted: str
    possible: bool
    rule: str


@dataclass(frozen=True)
class CategoryRow:
    article_id: str
    start: int
    end: int
    text: str
    category: str
    negated: bool
    rule: str


@dataclass(frozen=True)
class IncidentRow:
    article_id: str
    case_id: str  # the articles reporting one real-world incident share it; "" for non-incidents
    is_incident: bool
    victim: str
    cause: str
    affected_total: int | None
    affected_unit: str
    affected_qualifier: str  # the qualifier of the count the total was read from (exact, approx, …)
    announced_on: str
    occurred_on: str
    detected_on: str
    categories: str  # leaked category codes joined with ";"
    not_leaked_categories: str
    confidence: float  # 0–1: how sure the victim, cause and total are, taken together
    evidence: str  # the sentence (or headline) the victim and cause were read from
    # Beyond SPEC's columns: an analyst's correction (pipeline/batch/corrections.py) set this row, and
    # the article's text has changed since (the correction may no longer fit it).
    corrected: bool = False
    correction_stale: bool = False


@dataclass(frozen=True)
class CaseRow:
    """One real-world incident over every article that reports it (pipeline/cases/)."""

    case_id: str
    victim: str
    victim_names: str  # every victim spelling seen, joined with ";"
    cause: str
    affected_total: int | None  # the latest report's total (a later report's updated total wins)
    affected_unit: str
    affected_qualifier: str
    first_announced_on: str
    last_announced_on: str
    categories: str  # leaked in any of its articles, joined with ";"
    not_leaked_categories: str  # said not leaked, and leaked in none of them
    article_ids: str  # ";"-joined, earliest report first
    articles: int
    # After the SPEC's columns: which dates first/last_announced_on are (announced, or
    # reference_date when no report gives an announcement date), and why the articles are one case
    # (each joining article, the one it matched, the key they share, the days between them).
    announced_from: str = ""
    linked_by: str = ""


@dataclass
class Extraction:
    """Everything extracted from one article: the rows of the five per-article tables."""

    organizations: list[OrganizationRow] = field(default_factory=list)
    dates: list[DateRow] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)
    categories: list[CategoryRow] = field(default_factory=list)
    incident: IncidentRow | None = None


def column_names(record_type: type) -> list[str]:
    return [f.name for f in fields(record_type)]


# Output file name -> record type, in the order the tables are written.
TABLES: dict[str, type] = {
    "articles.csv": ArticleRow,
    "incidents.csv": IncidentRow,
    "cases.csv": CaseRow,
    "organizations.csv": OrganizationRow,
    "dates.csv": DateRow,
    "counts.csv": CountRow,
    "data_categories.csv": CategoryRow,
}
