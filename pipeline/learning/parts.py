"""The learned parts `pipeline retrain` judges one by one: each is kept only where held-out folds say
it does not make the pipeline worse.

Two kinds:
- a RulePart is a slice of what rule_learning.learn writes (entries of one section of one learned
  rule file, told apart by their id prefix): judged by extracting the held-out fold with only that
  slice learned from the other folds;
- a FittedPart is a model fitted on examples the rules propose (like decisions.py: collect, fit,
  decide): judged by fitting on the other folds plus the stock examples and deciding the held-out
  fold, against the pipeline as it stands.

A new fitted model is one entry of FITTED_PARTS: give `collect`, `fit` (examples and the stock
examples -> the fitted thing), `held_out` (fitted thing, examples -> their extractions with it),
`write` (fitted thing -> the file written into the learned folder), `remove` (undo `write`), and
`merge` when it decides more than the incident row (an organisation model: its organisation rows).
Parts are judged in the order of FITTED_PARTS, each on top of those kept before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.learning import decisions
from pipeline.learning import organizations as org_learning
from pipeline.learning.rule_learning import Learned
from pipeline.learning.stock import stock_examples
from pipeline.records import Article, Extraction
from pipeline.stages import rules
from pipeline.stages.decisions import WEIGHTS_FILE
from pipeline.stages.organizations import WEIGHTS_FILE as ORG_WEIGHTS_FILE
from pipeline.stages.organizations import find_organizations, organization_rows, use_org_model, write_org_model


@dataclass(frozen=True)
class RulePart:
    name: str
    says: str  # what it is, in plain words for the report
    slices: tuple[tuple[str, str, str], ...]  # (learned file, section, entry id prefix)

    def select(self, learned: Learned) -> dict[str, dict[str, list[dict]]]:
        """The learned rule files holding only this part's entries ({} when it learned nothing)."""
        files: dict[str, dict[str, list[dict]]] = {}
        for file_name, section, prefix in self.slices:
            entries = [e for e in learned.files.get(file_name, {}).get(section, []) if e["id"].startswith(prefix)]
            if entries:
                files.setdefault(file_name, {}).setdefault(section, []).extend(entries)
        return files


@dataclass(frozen=True)
class FittedPart:
    name: str
    says: str
    collect: Callable[[list[dict], dict[str, Article], bool], list]  # examples: objects with a `.gold` record
    fit: Callable[[list, Sequence], Any]  # (examples, stock examples of other case groups) -> fitted
    held_out: Callable[[Any, list], dict[str, Extraction]]  # (fitted, examples) -> their extractions with it
    write: Callable[[Any], Path]  # into rules.learned_dir()
    remove: Callable[[], None]  # back to the stock one
    stock: Callable[[], Sequence] = tuple  # text-free stock examples, each with a `.group` (decisions.group_key)
    # What of an extraction the part decides: taken from its held-out extraction into the row being scored.
    merge: Callable[[Extraction, Extraction], Extraction] = lambda row, decided: replace(row, incident=decided.incident)


RULE_PARTS: tuple[RulePart, ...] = (
    RulePart("gazetteer", "organisation names the pipeline missed",
             (("gazetteer.yaml", "organizations", "learned.gaz."),)),
    RulePart("bystanders", "names taken for the victim that only stand by (a publisher, a shop)",
             (("gazetteer.yaml", "organizations", "learned.bystander."),)),
    RulePart("not_organizations", "names the gold says are no organisation",
             (("organizations.yaml", "not_organizations", "learned.notorg."),)),
    RulePart("suffixes", "organisation-name endings (a place name + 署)", (("organizations.yaml", "suffixes", ""),)),
    RulePart("category_terms", "data-category terms of the lexicon", (("categories.yaml", "lexicon", ""),)),
    RulePart("counters", "counter words after numbers", (("counts.yaml", "units", ""),)),
    RulePart("cause_cues", "cause phrases of the headline and lead", (("incident.yaml", "causes", ""),)),
    RulePart("rule_switches", "rules switched off for mostly wrong output", (("disabled.yaml", "disabled_rules", ""),)),
)


def _remove_weights() -> None:
    (rules.learned_dir() / WEIGHTS_FILE).unlink(missing_ok=True)
    decisions.use_models(None)


def _fit_organizations(examples: list, stock: Sequence) -> Any:
    """The organisation choice refitted on these examples alone (it has no text-free stock set: the
    stock weights stay the one to beat); None below MIN_GOLD_ARTICLES articles, where the stock
    weights stay in use."""
    if len({e.gold["id"] for e in examples}) < org_learning.MIN_GOLD_ARTICLES:
        return None
    return org_learning.fit(examples)


def _organizations_held_out(fitted: Any, examples: list) -> dict[str, Extraction]:
    choice = fitted[0] if fitted else None  # None: the weights in use
    return {e.gold["id"]: Extraction(organizations=organization_rows(
                e.article, find_organizations(e.article, proposals=e.proposals, model=choice)))
            for e in examples}


def _remove_org_weights() -> None:
    (rules.learned_dir() / ORG_WEIGHTS_FILE).unlink(missing_ok=True)
    use_org_model(None)


FITTED_PARTS: tuple[FittedPart, ...] = (
    FittedPart("organisations", "the organisation choice (which proposed spans are organisations)",
               collect=org_learning.collect, fit=_fit_organizations, held_out=_organizations_held_out,
               write=lambda fitted: write_org_model(*fitted, rules.learned_dir() / ORG_WEIGHTS_FILE),
               remove=_remove_org_weights,
               merge=lambda row, decided: replace(row, organizations=decided.organizations)),
    FittedPart("decisions", "the incident decisions (is it an incident, victim, cause, total)",
               collect=decisions.collect,
               fit=lambda examples, stock: decisions.fit(examples, stock=stock),
               held_out=decisions.held_out, write=decisions.write, remove=_remove_weights, stock=stock_examples),
)


def merged(files: Sequence[dict[str, dict[str, list[dict]]]]) -> dict[str, dict[str, list[dict]]]:
    """Several parts' learned rule files as one set of files."""
    out: dict[str, dict[str, list[dict]]] = {}
    for part in files:
        for file_name, sections in part.items():
            for section, entries in sections.items():
                out.setdefault(file_name, {}).setdefault(section, []).extend(entries)
    return out
