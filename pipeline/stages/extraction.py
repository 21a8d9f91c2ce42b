"""One article through every stage: `extract_article`, and `ExtractionJob`, the picklable unit of
work that the executors (pipeline.batch.parallel) run without knowing what it does."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.records import Article, Extraction
from pipeline.stages.analysis import analyse
from pipeline.stages.categories import category_rules, extract_categories
from pipeline.stages.counts import count_rules, extract_counts, without_leading_space
from pipeline.stages.dates import date_rules, extract_dates, reference_date_for
from pipeline.stages.decisions import decision_models
from pipeline.stages.incident import DecisionInputs, decide, decision_inputs, headline_article, incident_rules
from pipeline.stages.ner import current_model, find_entities, load_model, not_name_words, use_model
from pipeline.stages.organizations import (
    find_organizations,
    org_model,
    org_rules,
    organization_rows,
    pattern_candidates,
)
from pipeline.stages.rules import RULES_DIR, RuleError, check_no_unread_sections, disabled_rules
from pipeline.stages.time_limit import ArticleTimeout, time_limit

# Seconds one article may take before it fails (pipeline.toml `[run] time_limit`, `--time-limit`).
DEFAULT_TIME_LIMIT = 60.0

log = logging.getLogger(__name__)


def extract_article(article: Article, use_ner: bool = True) -> tuple[Extraction, str]:
    """All rows of one article, and its reference date (given, or inferred from the text; see
    `reference_date_source`)."""
    extraction, reference_date, _ = extract_with_inputs(article, use_ner)
    return extraction, reference_date


def extract_with_inputs(article: Article, use_ner: bool = True) -> tuple[Extraction, str, DecisionInputs]:
    """`extract_article`, and the candidates and features its incident row was decided from (what
    the decision models are fitted on)."""
    analysed = analyse(article)
    patterns = pattern_candidates(analysed)
    if use_ner:
        analysed.entities = find_entities(analysed, claimed=[(c.start, c.end) for c in patterns])
    organizations = find_organizations(analysed, patterns)
    off = disabled_rules()  # switched off by `pipeline retrain` for mostly false positives
    dates = [row for row in extract_dates(analysed) if row.rule not in off]
    counts = [row for row in extract_counts(analysed) if row.rule not in off]
    categories = [row for row in extract_categories(analysed) if row.rule not in off]
    headline = headline_article(analysed)
    title_organizations = find_organizations(analyse(headline)) if headline else []
    inputs = decision_inputs(analysed, organizations, dates, counts, categories, title_organizations)
    incident = decide(inputs)
    reference_date, _ = reference_date_for(analysed)
    return Extraction(
        organizations=organization_rows(analysed, organizations, incident.victim),
        dates=dates,
        counts=[without_leading_space(row) for row in counts],
        categories=categories,
        incident=incident,
    ), reference_date, inputs


def load_stage_rules() -> None:
    """Every stage's rules, loaded and compiled (each loader caches its result)."""
    for load_rules in (date_rules, count_rules, category_rules, org_rules, org_model, incident_rules, not_name_words,
                       decision_models):
        load_rules()


def check_rules(also: Iterable[Callable[[], object]] = ()) -> None:
    """Load and compile every rule file now, so that a malformed one stops the run before any
    article is read (RuleError names the file, the line and the reason). `also`: the loaders of
    rule files read outside the stages (the case linker's), so that no section counts as unread."""
    load_stage_rules()
    for load_rules in also:
        load_rules()
    for path in sorted(RULES_DIR.glob("*.yaml")):
        check_no_unread_sections(path.name)


@dataclass(frozen=True)
class Extracted:
    """The result of extracting one article: rows and reference date, or the error."""

    extraction: Extraction | None
    reference_date: str
    error: str = ""
    reference_date_source: str = "given"  # given | inferred | none


def reference_date_source(article: Article, reference_date: str) -> str:
    """Whether articles.csv's reference date was given with the input, inferred from the text, or is
    missing (a guessed date must not look like a given one)."""
    if article.reference_date:
        return "given"
    return "inferred" if reference_date else "none"


def failed(article: Article, error: str) -> Extracted:
    return Extracted(None, article.reference_date, error, reference_date_source(article, article.reference_date))


@dataclass(frozen=True)
class ExtractionJob:
    """Extract one article per call, in whatever process runs it.

    `model` names the NER model of the process that made the job, so that a worker on another
    machine (or in another folder) uses the same one rather than its own choice. An article that
    takes longer than `time_limit` seconds fails with an error saying so (0: no limit).
    """

    use_ner: bool = True
    model: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT

    @classmethod
    def here(cls, use_ner: bool = True, time_limit: float = DEFAULT_TIME_LIMIT) -> ExtractionJob:
        """A job that uses this process's NER model choice."""
        return cls(use_ner, current_model() if use_ner else None, time_limit)

    def warm_up(self) -> None:
        """Load the rules (and the NER model) now, once per process, not inside the first article.
        (The calling process checked every rule file before the run: `check_rules`.)"""
        load_stage_rules()
        if self.use_ner:
            if self.model and self.model != current_model():
                use_model(self.model)
            load_model()

    def extract(self, article: Article) -> tuple[Extraction, str]:
        return extract_article(article, self.use_ner)

    def __call__(self, article: Article) -> Extracted:
        """Extract one article; a bug in one article becomes its error, a broken rule file stops all."""
        if self.use_ner and self.model and self.model != current_model():
            use_model(self.model)
        try:
            with time_limit(self.time_limit):
                extraction, reference_date = self.extract(article)
        except RuleError:
            raise  # the rules are broken for every article, not this one
        except ArticleTimeout:
            error = (f"extraction took longer than the {self.time_limit:g} s limit per article and was stopped "
                     "(raise `time_limit` in pipeline.toml [run] or --time-limit; 0 means no limit)")
            log.error("%s: %s", article.source, error)
            return failed(article, error)
        except Exception as exc:  # one article's bug must not stop the batch
            log.exception("%s: extraction failed", article.source)
            return failed(article, f"extraction failed: {type(exc).__name__}: {exc}")
        return Extracted(extraction, reference_date, "", reference_date_source(article, reference_date))
