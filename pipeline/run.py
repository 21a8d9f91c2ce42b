"""Run the stages over articles and collect the output tables.

Reading (reading.py), extraction (the stage modules) and writing (writing.py) stay apart: this
module only passes records between them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.analysis import analyse
from pipeline.categories import extract_categories
from pipeline.counts import extract_counts
from pipeline.dates import extract_dates, reference_date_for
from pipeline.incident import headline_article, roll_up
from pipeline.ner import find_entities
from pipeline.organizations import find_organizations, organization_rows
from pipeline.records import Article, ArticleRow, Extraction, ReadFailure

log = logging.getLogger(__name__)


def extract(article: Article, use_ner: bool = True) -> tuple[Extraction, str]:
    """All rows of one article, and its reference date (given, or inferred from the text)."""
    analysed = analyse(article)
    if use_ner:
        analysed.entities = find_entities(analysed)
    organizations = find_organizations(analysed)
    dates = extract_dates(analysed)
    counts = extract_counts(analysed)
    categories = extract_categories(analysed)
    headline = headline_article(analysed)
    title_organizations = find_organizations(analyse(headline)) if headline else []
    incident = roll_up(analysed, organizations, dates, counts, categories, title_organizations)
    reference_date, _ = reference_date_for(analysed)
    return Extraction(
        organizations=organization_rows(analysed, organizations, incident.victim),
        dates=dates,
        counts=counts,
        categories=categories,
        incident=incident,
    ), reference_date


def article_row(article: Article, reference_date: str, status: str = "ok", error: str = "") -> ArticleRow:
    return ArticleRow(article.article_id, article.source, article.sha256, len(article.text), article.encoding,
                      article.title, reference_date, status, error)


def failure_row(failure: ReadFailure) -> ArticleRow:
    return ArticleRow(failure.article_id, failure.source, failure.sha256, 0, "", "", "", "failed", failure.error)


@dataclass
class RunResult:
    tables: dict[str, list] = field(default_factory=lambda: {
        "articles.csv": [], "incidents.csv": [], "organizations.csv": [], "dates.csv": [], "counts.csv": [],
        "data_categories.csv": []})
    processed: int = 0
    failed: int = 0
    characters: int = 0
    seconds: float = 0.0

    def add(self, article: Article, extraction: Extraction, reference_date: str) -> None:
        self.tables["articles.csv"].append(article_row(article, reference_date))
        self.tables["incidents.csv"].append(extraction.incident)
        self.tables["organizations.csv"].extend(extraction.organizations)
        self.tables["dates.csv"].extend(extraction.dates)
        self.tables["counts.csv"].extend(extraction.counts)
        self.tables["data_categories.csv"].extend(extraction.categories)
        self.processed += 1
        self.characters += len(article.text)

    def add_failure(self, row: ArticleRow) -> None:
        self.tables["articles.csv"].append(row)
        self.failed += 1


def run_articles(items: Iterable[Article | ReadFailure], use_ner: bool = True) -> RunResult:
    """Extract every article; a bad one is recorded as failed and the batch goes on."""
    result = RunResult()
    seen: dict[str, str] = {}
    started = time.perf_counter()
    for item in items:
        if isinstance(item, ReadFailure):
            log.warning("%s: %s", item.source, item.error)
            result.add_failure(failure_row(item))
            continue
        if item.article_id in seen:
            error = f"duplicate article id '{item.article_id}' (first read from {seen[item.article_id]})"
            log.warning("%s: %s", item.source, error)
            result.add_failure(replace(article_row(item, "", "failed", error), chars=len(item.text)))
            continue
        seen[item.article_id] = item.source
        try:
            extraction, reference_date = extract(item, use_ner)
        except Exception as exc:  # one article's bug must not stop the batch
            log.exception("%s: extraction failed", item.source)
            result.add_failure(article_row(item, item.reference_date, "failed",
                                           f"extraction failed: {type(exc).__name__}: {exc}"))
            continue
        result.add(item, extraction, reference_date)
    result.seconds = time.perf_counter() - started
    return result


def default_out_dir() -> Path:
    return Path("data/out")
