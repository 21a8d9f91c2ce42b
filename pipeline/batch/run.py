"""Run the stages over articles: in memory (`run_articles`) or into the store (`run_into_store`).

Reading (reading.py), extraction (the stage modules) and writing (writing.py, store.py) stay
apart: this module only passes records between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.batch.parallel import Executor, InlineExecutor, make_executor
from pipeline.batch.reading import first_line_title
from pipeline.batch.store import Store
from pipeline.cases.assign import link_store, link_tables
from pipeline.cases.identity import identity_rules
from pipeline.cases.linking import linking_rules, pair_model
from pipeline.records import TABLES, Article, ArticleRow, Extraction, IncidentRow, ReadFailure
from pipeline.stages.extraction import ExtractionJob, check_rules
from pipeline.stages.ner import model_identity
from pipeline.stages.rules import RuleError, rules_version

log = logging.getLogger(__name__)
# The case linker runs after extraction, but a malformed aliases.yaml or linking.yaml must stop the
# run before any article is read, like a stage's rule file.
CASE_RULES = (identity_rules, linking_rules, pair_model)
PACKAGE_DIR = Path(__file__).parent.parent


def article_row(article: Article, reference_date: str, status: str = "ok", error: str = "",
                date_source: str = "") -> ArticleRow:
    date_source = date_source or ("given" if article.reference_date else "none")
    return ArticleRow(article.article_id, article.source, article.sha256, len(article.text), article.encoding,
                      article.title or first_line_title(article.text), article.url, reference_date, date_source,
                      status, error)


def failure_row(failure: ReadFailure) -> ArticleRow:
    return ArticleRow(failure.article_id, failure.source, failure.sha256, 0, "", "", "", "", "none", "failed",
                      failure.error)


def input_key(article: Article) -> str:
    """A hash of everything extraction reads from an input: a change to any of it is a new article."""
    payload = json.dumps([article.text, article.title, article.reference_date], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@cache
def _code_version() -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def extractor_version(use_ner: bool) -> str:
    """What produced a row: the rules, the code and the NER setting. Output from another is stale."""
    ner = model_identity() if use_ner else "no-ner"
    return hashlib.sha256(f"{rules_version()}|{_code_version()}|{ner}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Outcome:
    """What became of one input: extracted, skipped (already current in the store), failed, or
    rejected (a duplicate id, which must not displace the article first read under that id)."""

    kind: str
    row: ArticleRow
    article: Article | None = None
    extraction: Extraction | None = None


def process(items: Iterable[Article | ReadFailure], use_ner: bool = True,
            is_current: Callable[[Article], bool] = lambda article: False,
            executor: Executor | None = None) -> Iterator[Outcome]:
    """Extract every article that is not current; a bad one fails alone and the batch goes on.

    Outcomes come in input order. Extraction runs on `executor` (default: in this process);
    a bounded number of articles is in flight at once, so memory stays flat on any batch size.
    """
    executor = executor or InlineExecutor(ExtractionJob.here(use_ner))
    in_flight = max(4, 4 * getattr(executor, "workers", 1))
    pending: deque[Outcome | tuple[Article, Future]] = deque()
    seen: dict[str, str] = {}
    for item in items:
        pending.append(_classify(item, seen, is_current) or (item, executor.submit(item)))
        while pending and (isinstance(pending[0], Outcome) or len(pending) > in_flight):
            yield _resolve(pending.popleft(), executor)
    while pending:
        yield _resolve(pending.popleft(), executor)


def _classify(item: Article | ReadFailure, seen: dict[str, str],
              is_current: Callable[[Article], bool]) -> Outcome | None:
    """The outcome of an input that needs no extraction, or None when it must be extracted."""
    if isinstance(item, ReadFailure):
        log.warning("%s: %s", item.source, item.error)
        kind = "rejected" if item.article_id in seen else "failed"
        seen.setdefault(item.article_id, item.source)
        return Outcome(kind, failure_row(item))
    if item.article_id in seen:
        error = f"duplicate article id '{item.article_id}' (first read from {seen[item.article_id]})"
        log.warning("%s: %s", item.source, error)
        return Outcome("rejected", replace(article_row(item, "", "failed", error), chars=len(item.text)), item)
    seen[item.article_id] = item.source
    if is_current(item):
        return Outcome("skipped", article_row(item, item.reference_date), item)
    return None


def _resolve(entry: Outcome | tuple[Article, Future], executor: Executor) -> Outcome:
    if isinstance(entry, Outcome):
        return entry
    article, future = entry
    try:
        extracted = future.result()
    except (RuleError, KeyboardInterrupt):
        raise
    except Exception:  # the worker died (killed, out of memory) with this article and maybe others
        # in flight; alone on a fresh worker, an innocent article goes through and the culprit
        # fails again without taking others with it.
        log.warning("%s: the extraction worker died; retrying this article alone", article.source)
        try:
            extracted = executor.submit(article).result()
        except (RuleError, KeyboardInterrupt):
            raise
        except Exception as exc:
            error = f"extraction worker died on this article twice ({type(exc).__name__}: {exc})"
            log.error("%s: %s", article.source, error)
            return Outcome("failed", article_row(article, article.reference_date, "failed", error), article)
    date_source = extracted.reference_date_source
    if extracted.error:
        return Outcome("failed", article_row(article, extracted.reference_date, "failed", extracted.error,
                                             date_source), article)
    return Outcome("extracted", article_row(article, extracted.reference_date, date_source=date_source), article,
                   extracted.extraction)


@dataclass
class RunResult:
    tables: dict[str, list] = field(default_factory=lambda: {name: [] for name in TABLES})
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    rejected: list[ArticleRow] = field(default_factory=list)  # duplicate ids: in no table, one article_id one row
    pruned: int | None = None  # with --prune: how many stored articles were dropped
    # Re-extracted articles whose incident now says another victim, cause or total: (id, field, before, now).
    moved: list[tuple[str, str, object, object]] = field(default_factory=list)
    characters: int = 0
    seconds: float = 0.0

    def count(self, outcome: Outcome) -> None:
        if outcome.kind == "extracted":
            self.processed += 1
            self.characters += outcome.row.chars
        elif outcome.kind == "skipped":
            self.skipped += 1
        elif outcome.kind == "rejected":
            self.rejected.append(outcome.row)
        else:
            self.failed += 1

    def add(self, outcome: Outcome) -> None:
        self.count(outcome)
        if outcome.kind == "rejected":
            return
        self.tables["articles.csv"].append(outcome.row)
        extraction = outcome.extraction
        if extraction is None:
            return
        self.tables["incidents.csv"].append(extraction.incident)
        self.tables["organizations.csv"].extend(extraction.organizations)
        self.tables["dates.csv"].extend(extraction.dates)
        self.tables["counts.csv"].extend(extraction.counts)
        self.tables["data_categories.csv"].extend(extraction.categories)


def run_articles(items: Iterable[Article | ReadFailure], use_ner: bool = True, workers: int = 1) -> RunResult:
    """Extract every article into in-memory tables, in input order (no store involved)."""
    check_rules(also=CASE_RULES)
    result = RunResult()
    started = time.perf_counter()
    executor = make_executor(workers, ExtractionJob.here(use_ner))
    texts = {}
    try:
        for outcome in process(items, use_ner, executor=executor):
            result.add(outcome)
            if outcome.extraction is not None and outcome.article is not None:
                texts[outcome.article.article_id] = outcome.article.text
    finally:
        executor.close()
    result.tables = link_tables(result.tables, texts)
    result.seconds = time.perf_counter() - started
    return result


def run_into_store(items: Iterable[Article | ReadFailure], store: Store, use_ner: bool = True,
                   rebuild: bool = False, prune: bool = False, executor: Executor | None = None,
                   on_outcome: Callable[[Outcome], None] = lambda outcome: None) -> RunResult:
    """Extract the new and changed articles into the store, one transaction per article.

    `result.tables` stays empty: the tables are the store's to export. `on_outcome` hears of
    every input as it is settled (for a progress bar).
    """
    check_rules(also=CASE_RULES)
    extractor = extractor_version(use_ner)
    run_id = store.begin_run(rules_version(), extractor)
    result = RunResult()
    started = time.perf_counter()
    seen: set[str] = set()

    def is_current(article: Article) -> bool:
        return not rebuild and store.is_current(article.article_id, input_key(article), extractor)

    for outcome in process(items, use_ner, is_current, executor):
        result.count(outcome)
        on_outcome(outcome)
        seen.add(outcome.row.article_id)
        article = outcome.article
        if outcome.kind == "rejected":
            store.reject(outcome.row, run_id)
        elif outcome.kind == "skipped":
            store.update_source(outcome.row.article_id, outcome.row.source)
        else:
            if outcome.extraction is not None and outcome.extraction.incident is not None:
                result.moved += moved_fields(store.incident(outcome.row.article_id), outcome.extraction.incident)
            store.save(outcome.row, outcome.extraction, text=article.text if article else "",
                       input_key=input_key(article) if article else "",
                       extractor=extractor, run_id=run_id)
    if prune:
        pruned = store.prune(seen)
        for article_id in pruned:
            log.info("pruned %s (not among this run's inputs)", article_id)
        result.pruned = len(pruned)
    link_store(store)
    result.seconds = time.perf_counter() - started
    store.finish_run(run_id, result.processed, result.skipped, result.failed + len(result.rejected))
    return result


MOVED_FIELDS = ("victim", "cause", "affected_total")


def moved_fields(before: IncidentRow | None, now: IncidentRow) -> list[tuple[str, str, object, object]]:
    """What a re-extraction changed in the fields an analyst reads first (nothing for a new article)."""
    if before is None:
        return []
    return [(now.article_id, name, getattr(before, name), getattr(now, name)) for name in MOVED_FIELDS
            if getattr(before, name) != getattr(now, name)]


def default_out_dir() -> Path:
    return Path("data/out")
