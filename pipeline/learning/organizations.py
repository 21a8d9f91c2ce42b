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
from collections import Counter
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
    OrgChoice,
    Proposal,
    find_organizations,
    merge_key,
    organization_proposals,
    pattern_candidates,
    use_org_model,
    write_org_model,
)

REGULARIZATION = 3  # sklearn's C
KEPT_THRESHOLDS = (0.15,)  # tried for a span the rules keep
# Tried for the probability any span must reach: at most 0.5, since on the examples it was fitted on
# the model is surer than on new text.
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 11))
DEFAULT_FOLDS = 5
# Below this many gold articles the weights would follow a handful of texts: `refit` keeps the ones in use.
MIN_GOLD_ARTICLES = 30


@dataclass(frozen=True)
class Example:
    """One gold article with the spans proposed in it."""

    gold: dict
    article: AnalysedArticle
    proposals: list[Proposal]
    with_ner: bool = True  # GiNZA's entities among the proposals (the pipeline can also run without)

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
        examples.append(Example(gold, analysed, organization_proposals(analysed, patterns), use_ner))
    return examples


def collect_both(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
                 progress: Callable[[str], None] = lambda message: None) -> list[Example]:
    """`collect`, and with NER also the same articles without it: the choice is fitted on both, so
    that it holds when the pipeline runs without the model (--no-ner) and on text the model read."""
    examples = collect(gold_records, articles, use_ner, progress)
    return examples + (collect(gold_records, articles, False) if use_ner else [])


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

    features, labels, weights = [], [], []
    for example in examples:
        spans_of_name = Counter(merge_key(p.name) for p in example.proposals)
        for proposal in example.proposals:
            wanted = label(proposal, example.gold)
            if wanted is not None:
                features.append(proposal.features)
                labels.append(wanted)
                # Each name of an article counts once, however often it is proposed (the score counts names).
                weights.append(1 / spans_of_name[merge_key(proposal.name)])
    if len(set(labels)) < 2:
        raise ValueError("the gold holds no organisation the candidates propose, or nothing else")
    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform(features)
    model = LogisticRegression(C=REGULARIZATION, max_iter=5000)
    model.fit(matrix, labels, sample_weight=weights)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6}
    return LinearModel(round(float(model.intercept_[0]), 5), weights)


def fit(examples: list[Example], gold_files: list[str | Path] | None = None) -> tuple[OrgChoice, dict]:
    """The choice fitted on these examples, its thresholds chosen for the best organisation F1 on them;
    and the record of the gold it was fitted on (files with their sha256, and the records' digest)."""
    model = _fit(examples)
    pairs = [(t, k) for t in THRESHOLDS for k in KEPT_THRESHOLDS if k <= t]
    threshold, kept = max(pairs, key=lambda pair: (
        tally(examples, OrgChoice(replace(model, threshold=pair[0]), pair[1])).f1, -abs(pair[0] - 0.5), pair[1]))
    choice = OrgChoice(replace(model, threshold=threshold), kept)
    records = list({e.gold["id"]: e.gold for e in examples}.values())
    gold = {"files": {Path(f).name: file_digest(Path(f)) for f in sorted(map(str, gold_files or []))},
            "articles": len(records), "records_sha256": gold_digest(records)}
    return choice, gold


def refit(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
          gold_files: list[str | Path] | None = None) -> Path | None:
    """Fit the choice on this gold and write it into the learned folder; the pipeline chooses with it
    from then on. A gold too small (fewer than MIN_GOLD_ARTICLES) leaves the weights in use: None."""
    if len(gold_records) < MIN_GOLD_ARTICLES:
        return None
    model, gold = fit(collect_both(gold_records, articles, use_ner), gold_files)
    path = write_org_model(model, gold, rules.learned_dir() / WEIGHTS_FILE)
    use_org_model(None)
    return path


# -- measuring -------------------------------------------------------------------------------

def chosen_names(example: Example, model: OrgChoice | None = None) -> list[str]:
    return [org.name for org in find_organizations(example.article, proposals=example.proposals, model=model)]


def tally(examples: list[Example], model: OrgChoice | None = None,
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


def cross_validate(examples: list[Example], folds: int = DEFAULT_FOLDS, seed: int = 0) -> dict[str, OrgChoice]:
    """For each article, the model fitted on the folds it is not in (folds keep whole cases together;
    an article's examples with and without NER stay in one fold)."""
    records = {e.gold["id"]: e.gold for e in examples}
    held_out: dict[str, OrgChoice] = {}
    for fold in fold_split(list(records), folds, seed, groups=groups_of(list(records.values()))):
        held = set(fold)
        model, _ = fit([e for e in examples if e.gold["id"] not in held])
        held_out.update({i: model for i in fold})
    return held_out


def held_out_tally(examples: list[Example], models: dict[str, OrgChoice],
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
        examples += collect_both(records, articles, use_ner, progress)
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
    measured = [e for e in examples if e.with_ner != args.no_ner]  # figures on the pipeline as run
    print(f"{len(measured)} open gold articles ({sealed} sealed left out)")
    kinds = sorted({e.source_kind for e in measured})
    print(format_tally("the rules alone (no fitted choice)", tally(measured, RULES_ALONE)))
    print(format_tally("the weights in use (not held out)", tally(measured)))
    for seed in range(args.seeds if args.cv else 0):
        models = cross_validate(examples, args.cv, seed)
        errors: list[tuple[str, list, list]] = []
        print(format_tally(f"{args.cv}-fold cross-validation, seed {seed}", held_out_tally(measured, models, errors)))
        for kind in kinds:
            part = [e for e in measured if e.source_kind == kind]
            print(format_tally(f"  {kind} ({len(part)}): held out / rules alone", held_out_tally(part, models))
                  + format_tally("  |", tally(part, RULES_ALONE))[44:])
        if args.errors:
            for article_id, extra, missing in errors:
                print(f"    {article_id}: extra={extra} missing={missing}")
    if args.write:
        model, gold = fit(examples, [gold for gold, _ in pairs])
        write_org_model(model, gold, args.write)
        print(f"written: {args.write} (thresholds {model.model.threshold}, kept {model.kept_threshold})")
    return 0


# The rules' own choice, as a model: keep what they would have kept (the measure of "before").
RULES_ALONE = OrgChoice(LinearModel(-10.0, {"rules_keep": 20.0}), 0.5)


if __name__ == "__main__":
    sys.exit(main())
