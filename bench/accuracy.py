"""How accurate the pipeline is on the dev corpus, measured honestly. One command:

    python bench/accuracy.py [--folds 5] [--seeds 1] [--no-ner] [--sealed] [--write-stock]

(a) the pipeline as shipped (stock weights) on the open part of the dev corpus: per field, rows
    right and triage30;
(b) cross-validated on the open part: every fitted stage refitted on k-1 folds (folds keep whole
    cases together) and the held-out fold decided, the held-out rows pooled;
(c) with --sealed (the lead only, once, at the end): every fitted stage fitted on all the open
    gold, then the sealed part scored. Only its figures are printed, never an article or an error.

--write-stock fits every stage on all the open gold and writes its stock weights (the rule folder).

The figures are scored on the real articles of `dev.jsonl`; the fits learn from all the open
gold (dev, dev-cases and our invented probes). Sealed articles (`is_sealed`) are never read
unless --sealed is given, and never fitted on.

The fitted stages run in order, each collecting its examples under the models fitted before it in
the same fold (STAGES below): a new fitted stage plugs in as one more `FittedStage`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import read_jsonl  # noqa: E402
from pipeline.learning import decisions  # noqa: E402
from pipeline.learning import organizations as org_learning  # noqa: E402
from pipeline.learning.evaluate import INCIDENT_FIELDS, Report, evaluate_extractions, read_gold  # noqa: E402
from pipeline.learning.folds import fold_split, groups_of, is_sealed  # noqa: E402
from pipeline.records import Article, Extraction  # noqa: E402
from pipeline.stages import rules  # noqa: E402
from pipeline.stages.decisions import WEIGHTS_FILE, use_models, write_models  # noqa: E402
from pipeline.stages.incident import decide  # noqa: E402
from pipeline.stages.organizations import WEIGHTS_FILE as ORG_WEIGHTS_FILE  # noqa: E402
from pipeline.stages.organizations import use_org_model, write_org_model  # noqa: E402

# ../shared beside the repository (or beside the folder of worktrees it sits in).
SHARED = next((p / "shared" / "corpus" for p in REPO.parents if (p / "shared" / "corpus").is_dir()),
              REPO.parent / "shared" / "corpus")
SCORED = "dev"  # the real articles the figures are about
GOLD_SETS = {  # name -> (gold, articles): everything the fits learn from
    "dev": (SHARED / "dev.gold.jsonl", SHARED / "dev.jsonl"),
    "dev-cases": (SHARED / "dev-cases.gold.jsonl", SHARED / "dev-cases.jsonl"),
    "probes": (REPO / "data" / "gold" / "probes.gold.jsonl", REPO / "data" / "probes" / "probes.jsonl"),
    "probes2": (REPO / "data" / "gold" / "probes2.gold.jsonl", REPO / "data" / "probes" / "probes2.jsonl"),
    "probes3": (REPO / "data" / "gold" / "probes3.gold.jsonl", REPO / "data" / "probes" / "probes3.jsonl"),
}


@dataclass(frozen=True)
class FittedStage:
    """A model the pipeline decides with, as cross-validation needs it: `collect` runs the pipeline
    over gold articles (with the models in use) and keeps what the model learns from, `fit` fits it
    on some of those, `use` makes the pipeline decide with a fitted model (None: the shipped one),
    and `extractions` gives each collected article's rows as decided by the model in use."""

    name: str
    collect: Callable[[list[dict], dict[str, Article], bool], list[Any]]
    fit: Callable[[list[Any]], Any]
    use: Callable[[Any], None]
    extractions: Callable[[list[Any]], dict[str, Extraction]]
    article_id: Callable[[Any], str]
    write_stock: Callable[[Any], Path]  # the fitted model as the weights the pipeline ships with


def _gold_files() -> list[Path]:
    return [gold for gold, _ in GOLD_SETS.values() if gold.exists()]


ORGANIZATIONS = FittedStage(
    name="organizations",
    collect=org_learning.collect_both,
    fit=lambda examples: org_learning.fit(examples, _gold_files()),  # (choice, gold record)
    use=lambda fitted: use_org_model(fitted[0] if fitted else None),
    extractions=lambda examples: {},  # not a last stage: the decisions read its organisations
    article_id=lambda example: example.gold["id"],
    write_stock=lambda fitted: write_org_model(*fitted, rules.rule_path(ORG_WEIGHTS_FILE)),
)
DECISIONS = FittedStage(
    name="decisions",
    collect=decisions.collect,
    # Cross-validation refits the confidence models too, whatever the number of articles: the
    # shipped ones were fitted on the held-out rows.
    fit=lambda examples: decisions.fit(examples, _gold_files(), confidence_min_articles=0),
    use=use_models,
    extractions=lambda examples: {e.gold["id"]: replace(e.extraction, incident=decide(e.inputs)) for e in examples},
    article_id=lambda example: example.gold["id"],
    write_stock=lambda models: write_models(models, rules.rule_path(WEIGHTS_FILE)),
)
# In pipeline order: a stage's candidates come from the stages before it (the victims are chosen
# among the organisations the organisation model keeps).
STAGES: list[FittedStage] = [ORGANIZATIONS, DECISIONS]


def load(sealed: bool = False, scored_set: str = SCORED) -> tuple[list[dict], dict[str, Article], set[str]]:
    """The open gold of every set (or, with `sealed`, the sealed gold instead), the articles, and
    the ids scored (those of `scored_set`)."""
    gold, articles, scored = [], {}, set()
    for name, (gold_path, articles_path) in GOLD_SETS.items():
        if not gold_path.exists():
            print(f"{gold_path}: not found, left out", file=sys.stderr)
            continue
        records = [r for r in read_gold(gold_path) if is_sealed(r) == sealed]
        gold += records
        if name == scored_set:
            scored |= {r["id"] for r in records}
        wanted = {r["id"] for r in records}
        articles.update({a.article_id: a for a in read_jsonl(articles_path)
                         if isinstance(a, Article) and a.article_id in wanted})
    return gold, articles, scored


def report_on(gold: list[dict], extractions: dict[str, Extraction], scored: set[str]) -> Report:
    return evaluate_extractions([g for g in gold if g["id"] in scored],
                                {aid: e for aid, e in extractions.items() if aid in scored})


def use_shipped() -> None:
    for stage in STAGES:
        stage.use(None)


def fit_all(gold: list[dict], articles: dict[str, Article], use_ner: bool) -> list[Any]:
    """Every stage fitted on this gold in turn, each put in use before the next one collects."""
    fitted = []
    for stage in STAGES:
        model = stage.fit(stage.collect(gold, articles, use_ner))
        stage.use(model)
        fitted.append(model)
    return fitted


def shipped(gold: list[dict], articles: dict[str, Article], use_ner: bool) -> dict[str, Extraction]:
    use_shipped()
    last = STAGES[-1]
    return last.extractions(last.collect(gold, articles, use_ner))


def cross_validated(gold: list[dict], articles: dict[str, Article], folds: int, seed: int,
                    use_ner: bool) -> dict[str, Extraction]:
    """Each article's rows decided by models fitted on the folds it is not in."""
    ids = [g["id"] for g in gold]
    held_out: dict[str, Extraction] = {}
    first_examples = STAGES[0].collect(gold, articles, use_ner)  # the first stage's input is fold-free
    try:
        for fold in fold_split(ids, folds, seed, groups=groups_of(gold)):
            held = set(fold)
            examples = first_examples
            for position, stage in enumerate(STAGES):
                if position:
                    examples = stage.collect(gold, articles, use_ner)
                stage.use(stage.fit([e for e in examples if stage.article_id(e) not in held]))
            decided = STAGES[-1].extractions([e for e in examples if STAGES[-1].article_id(e) in held])
            held_out.update(decided)
            use_shipped()
    finally:
        use_shipped()
    return held_out


def format_report(title: str, report: Report) -> str:
    lines = [f"{title} ({report.articles} articles)"]
    lines += [f"  {name:16} F1 {tally.f1:.3f}" for name, tally in report.fields.items()]
    lines += [f"  {name:16} {report.accuracy[name][0]}/{report.accuracy[name][1]} = {report.accuracy_of(name):.3f}"
              for name in INCIDENT_FIELDS]
    lines.append(f"  {'rows right':16} {report.rows_right:.3f}")
    lines.append(f"  {'triage30':16} {report.triage30:.3f}")
    lines.append(f"  {'score':16} {report.score:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=decisions.DEFAULT_FOLDS)
    parser.add_argument("--seeds", type=int, default=1, help="repeat the cross-validation with this many splits")
    parser.add_argument("--no-ner", action="store_true")
    parser.add_argument("--write-stock", action="store_true",
                        help="fit every stage on all the open gold and write its stock weights")
    parser.add_argument("--sealed", action="store_true",
                        help="fit on all the open gold and score the sealed part (the lead, at the end)")
    parser.add_argument("--scored", default=SCORED, choices=sorted(GOLD_SETS),
                        help="the set whose figures are printed (the fits learn from all of them)")
    args = parser.parse_args(argv)
    use_ner = not args.no_ner
    gold, articles, scored = load(scored_set=args.scored)
    if args.write_stock:
        for stage, model in zip(STAGES, fit_all(gold, articles, use_ner), strict=True):
            print(f"{stage.name}: written {stage.write_stock(model)}")
        use_shipped()
    print(format_report(f"(a) as shipped, open part of {args.scored}", report_on(gold, shipped(gold, articles, use_ner),
                                                                               scored)))
    for seed in range(args.seeds):
        held_out = cross_validated(gold, articles, args.folds, seed, use_ner)
        print(format_report(f"(b) {args.folds}-fold cross-validation by case, split seed {seed}, open part of "
                            f"{args.scored}",
                            report_on(gold, held_out, scored)))
    if args.sealed:
        fit_all(gold, articles, use_ner)
        try:
            sealed_gold, sealed_articles, sealed_scored = load(sealed=True)
            last = STAGES[-1]
            extractions = last.extractions(last.collect(sealed_gold, sealed_articles, use_ner))
            print(format_report("(c) fitted on all the open gold, sealed part",
                                report_on(sealed_gold, extractions, sealed_scored)))
        finally:
            use_shipped()
    return 0


if __name__ == "__main__":
    sys.exit(main())
