"""Fit the choice of organisations (pipeline/stages/organizations.py) on gold records, and measure it.

    python -m pipeline.learning.organizations GOLD ARTICLES [GOLD ARTICLES ...] --cv 5   # held-out figures
    python -m pipeline.learning.organizations GOLD ARTICLES --write FILE                  # fit on all, save

The candidates and their features do not depend on the weights: each article is analysed (and read
by GiNZA) once, and each fold only refits the logistic model and chooses again. Sealed gold articles
(pipeline.learning.folds.is_sealed) are left out of everything this command reads, fits and prints.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.learning.decisions import file_digest, gold_digest
from pipeline.learning.evaluate import Tally, compare_organizations, normalize_org, read_gold
from pipeline.learning.folds import fold_split, groups_of, sealed_split
from pipeline.records import Article
from pipeline.stages import rules
from pipeline.stages.analysis import AnalysedArticle, analyse
from pipeline.stages.decisions import LinearModel
from pipeline.stages.ner import find_entities
from pipeline.stages.organizations import (
    WEIGHTS_FILE,
    Proposal,
    find_organizations,
    organization_proposals,
    pattern_candidates,
    use_org_model,
    write_org_model,
)

REGULARIZATION = 0.5  # sklearn's C
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 15))  # tried for the probability a name must reach
DEFAULT_FOLDS = 5
# Below this many gold articles the weights would follow a handful of texts: `refit` keeps the ones in use.
MIN_GOLD_ARTICLES = 30


@dataclass(frozen=True)
class Example:
    """One gold article with the spans proposed in it."""

    gold: dict
    article: AnalysedArticle
    proposals: list[Proposal]

    @property
    def source_kind(self) -> str:
        """Where the article comes from (its id's first part: the corpus's batches, our probes)."""
        return self.gold["id"].split("-")[0].rstrip("0123456789") or "other"


def collect(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
            progress: Callable[[str], None] = lambda message: None) -> list[Example]:
    """Each gold article analysed once (GiNZA read where the pipeline reads), with its proposals."""
    examples = []
    for number, gold in enumerate(gold_records, start=1):
        if number % 20 == 0:
            progress(f"analysed {number}/{len(gold_records)}")
        analysed = analyse(articles[gold["id"]])
        patterns = pattern_candidates(analysed)
        if use_ner:
            analysed.entities = find_entities(analysed, claimed=[(c.start, c.end) for c in patterns])
        examples.append(Example(gold, analysed, organization_proposals(analysed, patterns)))
    return examples


def label(proposal: Proposal, gold: dict) -> bool | None:
    """Is the proposed name one of the gold organisations? None for an optional one (not learned from)."""
    name = normalize_org(proposal.name)
    if any(name in {normalize_org(n) for n in org} for org in gold.get("organizations", [])):
        return True
    if any(name in {normalize_org(n) for n in org} for org in gold.get("organizations_optional", [])):
        return None
    return False


# -- fitting ---------------------------------------------------------------------------------

def _fit(examples: list[Example]) -> LinearModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    features, labels = [], []
    for example in examples:
        for proposal in example.proposals:
            wanted = label(proposal, example.gold)
            if wanted is not None:
                features.append(proposal.features)
                labels.append(wanted)
    if len(set(labels)) < 2:
        raise ValueError("the gold holds no organisation the candidates propose, or nothing else")
    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform(features)
    model = LogisticRegression(C=REGULARIZATION, max_iter=5000)
    model.fit(matrix, labels)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6}
    return LinearModel(round(float(model.intercept_[0]), 5), weights)


def fit(examples: list[Example], gold_files: list[str | Path] | None = None) -> tuple[LinearModel, dict]:
    """The choice fitted on these examples, its threshold chosen for the best organisation F1 on them;
    and the record of the gold it was fitted on (files with their sha256, and the records' digest)."""
    model = _fit(examples)
    threshold = max(THRESHOLDS, key=lambda t: (tally(examples, replace(model, threshold=t)).f1, -abs(t - 0.5)))
    gold = {"files": {Path(f).name: file_digest(Path(f)) for f in sorted(map(str, gold_files or []))},
            "articles": len(examples), "records_sha256": gold_digest([e.gold for e in examples])}
    return replace(model, threshold=threshold), gold


def refit(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
          gold_files: list[str | Path] | None = None) -> Path | None:
    """Fit the choice on this gold and write it into the learned folder; the pipeline chooses with it
    from then on. A gold too small (fewer than MIN_GOLD_ARTICLES) leaves the weights in use: None."""
    if len(gold_records) < MIN_GOLD_ARTICLES:
        return None
    model, gold = fit(collect(gold_records, articles, use_ner), gold_files)
    path = write_org_model(model, gold, rules.learned_dir() / WEIGHTS_FILE)
    use_org_model(None)
    return path


# -- measuring -------------------------------------------------------------------------------

def chosen_names(example: Example, model: LinearModel | None = None) -> list[str]:
    return [org.name for org in find_organizations(example.article, proposals=example.proposals, model=model)]


def tally(examples: list[Example], model: LinearModel | None = None,
          errors: list[tuple[str, list, list]] | None = None) -> Tally:
    """Organisation precision and recall as SPEC.md scores them (each gold org once, optional ones ignored)."""
    total = Tally()
    for example in examples:
        tp, extra, missing = compare_organizations(chosen_names(example, model), example.gold.get("organizations", []),
                                                   example.gold.get("organizations_optional", []))
        total.tp += tp
        total.fp += len(extra)
        total.fn += len(missing)
        if errors is not None and (extra or missing):
            errors.append((example.gold["id"], extra, missing))
    return total


def cross_validate(examples: list[Example], folds: int = DEFAULT_FOLDS, seed: int = 0) -> dict[str, LinearModel]:
    """For each article, the model fitted on the folds it is not in (folds keep whole cases together)."""
    by_id = {e.gold["id"]: e for e in examples}
    held_out: dict[str, LinearModel] = {}
    for fold in fold_split(list(by_id), folds, seed, groups=groups_of([e.gold for e in examples])):
        model, _ = fit([by_id[i] for i in sorted(by_id) if i not in fold])
        held_out.update({i: model for i in fold})
    return held_out


def held_out_tally(examples: list[Example], models: dict[str, LinearModel],
                   errors: list[tuple[str, list, list]] | None = None) -> Tally:
    total = Tally()
    for example in examples:
        one = tally([example], models[example.gold["id"]], errors)
        total.tp, total.fp, total.fn = total.tp + one.tp, total.fp + one.fp, total.fn + one.fn
    return total


def format_tally(title: str, tally_: Tally) -> str:
    return (f"{title:44} P {tally_.precision:.3f} R {tally_.recall:.3f} F1 {tally_.f1:.3f}"
            f"   {tally_.tp}/{tally_.fp}/{tally_.fn}")


def open_examples(pairs: list[tuple[Path, Path]], use_ner: bool,
                  progress: Callable[[str], None]) -> tuple[list[Example], int]:
    """The examples of every (gold, articles) pair, sealed articles left out; and how many were."""
    from pipeline.batch.reading import read_jsonl

    examples, sealed_count = [], 0
    for gold_path, articles_path in pairs:
        records, sealed = sealed_split(read_gold(gold_path))
        sealed_count += len(sealed)
        articles = {a.article_id: a for a in read_jsonl(articles_path)}
        missing = [g["id"] for g in records if g["id"] not in articles]
        if missing:
            raise SystemExit(f"{articles_path}: no article for gold ids {', '.join(missing[:5])}")
        examples += collect(records, articles, use_ner, progress)
    return examples, sealed_count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.learning.organizations",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="pairs: a gold file, then its articles (JSONL)")
    parser.add_argument("--cv", type=int, default=DEFAULT_FOLDS, help="folds (0: no cross-validation)")
    parser.add_argument("--seeds", type=int, default=1, help="repeat the cross-validation with this many splits")
    parser.add_argument("--write", type=Path, help="fit on all the open gold and write the weights here")
    parser.add_argument("--no-ner", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the held-out errors per article")
    args = parser.parse_args(argv)
    if len(args.files) % 2:
        parser.error("give the files in pairs: GOLD ARTICLES")
    pairs = list(zip(args.files[::2], args.files[1::2], strict=True))
    examples, sealed = open_examples(pairs, not args.no_ner, lambda m: print(m, file=sys.stderr))
    print(f"{len(examples)} open gold articles ({sealed} sealed left out)")
    kinds = sorted({e.source_kind for e in examples})
    print(format_tally("the rules alone (no fitted choice)", tally(examples, RULES_ALONE)))
    print(format_tally("the weights in use (not held out)", tally(examples)))
    for seed in range(args.seeds if args.cv else 0):
        models = cross_validate(examples, args.cv, seed)
        errors: list[tuple[str, list, list]] = []
        print(format_tally(f"{args.cv}-fold cross-validation, seed {seed}", held_out_tally(examples, models, errors)))
        for kind in kinds:
            part = [e for e in examples if e.source_kind == kind]
            print(format_tally(f"  {kind} ({len(part)}): held out / rules alone", held_out_tally(part, models))
                  + format_tally("  |", tally(part, RULES_ALONE))[44:])
        if args.errors:
            for article_id, extra, missing in errors:
                print(f"    {article_id}: extra={extra} missing={missing}")
    if args.write:
        model, gold = fit(examples, [gold for gold, _ in pairs])
        write_org_model(model, gold, args.write)
        print(f"written: {args.write} (threshold {model.threshold})")
    return 0


# The rules' own choice, as a model: keep what they would have kept (the measure of "before").
RULES_ALONE = LinearModel(-10.0, {"rules_keep": 20.0})


if __name__ == "__main__":
    sys.exit(main())
