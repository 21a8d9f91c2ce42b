"""Fit the case pair model (pipeline/cases/linking.py) on gold case labels, and measure it.

    python -m pipeline.learning.case_pairs [--source ARTICLES GOLD]... [--write PATH] [--folds 5] [--no-ner]

The gold: the dev corpus, its companion articles and our probe articles, each with a gold file
whose `case` labels say which articles report one incident (`nm-…`: the same organisation's other
incident). The sealed part (`folds.is_sealed`) is left out of everything here: it is not read,
fitted on or scored. The articles are extracted once; every pair of incident articles that
names one organisation (`linking.shared_name`) is a candidate, labelled by whether their gold
cases agree, and described by `linking.pair_features`.

A logistic regression (scikit-learn, here only) is fitted on the candidates; its weights are
written as data (`case_pairs.json`) that linking applies without scikit-learn. Its threshold is
set for precision first: the lowest probability at which the training pairs are still linked
with precision of at least `PRECISION_FLOOR`. Figures are pairs P/R/F1 over the linked cases
(as `../shared/eval/score.py` scores them): the stock weights as they are, in-sample, and
cross-validated with folds that keep each case group together (`folds.groups_of`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import RunResult, process
from pipeline.cases.assign import facts_of_tables
from pipeline.cases.linking import (
    FEATURES,
    PAIR_MODEL_FILE,
    ArticleFacts,
    MemoryCaseIndex,
    PairModel,
    link_articles,
    pair_features,
)
from pipeline.learning.evaluate import Report, Tally, score_cases
from pipeline.learning.folds import fold_split, groups_of, is_sealed
from pipeline.records import Article
from pipeline.stages.decisions import LinearModel
from pipeline.stages.rules import rule_path

REPO = Path(__file__).resolve().parents[2]
SHARED = next((folder / "shared" / "corpus" for folder in REPO.parents if (folder / "shared" / "corpus").is_dir()),
              REPO.parent / "shared" / "corpus")
# (articles, gold) pairs read by default.
DEFAULT_SOURCES = ((SHARED / "dev.jsonl", SHARED / "dev.gold.jsonl"),
                   (SHARED / "dev-cases.jsonl", SHARED / "dev-cases.gold.jsonl"),
                   (REPO / "data" / "probes" / "probes.jsonl", REPO / "data" / "gold" / "probes.gold.jsonl"),
                   (REPO / "data" / "probes" / "probes2.jsonl", REPO / "data" / "gold" / "probes2.gold.jsonl"),
                   (REPO / "data" / "probes" / "probes3.jsonl", REPO / "data" / "gold" / "probes3.gold.jsonl"))
PRECISION_FLOOR = 0.97
# L2 strength: few positive pairs, so the weights are kept small.
REGULARISATION = 1.0
# Which way a feature may push: agreement never counts against a link, and disagreement never
# for one. With a few dozen pairs a weight can come out the wrong way by chance (no near miss
# had that feature); such a feature is left out and the model refitted.
FOR_A_LINK = frozenset({"name.key", "time.same_news", "time.yearless_agrees", "cause.same", "figures.shared",
                        "figures.shared_size", "figures.revision", "occurred.same", "categories.overlap",
                        "headline.overlap"})
AGAINST_A_LINK = frozenset({"name.place_far", "time.undated", "time.fallback", "time.log_gap", "time.over_follow_up",
                            "time.over_year", "time.before_occurrence", "time.yearless_disagrees", "cause.conflict",
                            "figures.conflict", "occurred.apart"})


@dataclass
class Corpus:
    """The open gold and what linking knows of its incident articles."""

    gold: list[dict]
    facts: list[ArticleFacts]
    sources: dict[str, str]  # gold file -> sha256


def open_corpus(sources: Iterable[tuple[Path, Path]], use_ner: bool) -> Corpus:
    """Read and extract the open articles of each (articles, gold) pair (the sealed ones are never read)."""
    gold: list[dict] = []
    articles: list[Article] = []
    hashes = {}
    for article_path, gold_path in sources:
        data = gold_path.read_bytes()
        hashes[gold_path.name] = hashlib.sha256(data).hexdigest()
        records = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
        open_ids = {record["id"] for record in records if not is_sealed(record)}
        gold += [record for record in records if record["id"] in open_ids]
        articles += [a for a in iter_inputs([article_path]) if isinstance(a, Article) and a.article_id in open_ids]
    result = RunResult()
    for outcome in process(articles, use_ner):
        result.add(outcome)
    return Corpus(gold, facts_of_tables(result.tables, {a.article_id: a.text for a in articles}), hashes)


def labelled_pairs(facts: list[ArticleFacts], gold: list[dict]) -> list[tuple[dict[str, float], bool]]:
    """Every candidate pair (the two name one organisation) with its features and whether it is one case."""
    label = {record["id"]: record.get("case") or record["id"] for record in gold}
    pairs = []
    for position, a in enumerate(facts):
        for b in facts[position + 1:]:
            features, key = pair_features(a, b)
            if key and a.article_id in label and b.article_id in label:
                pairs.append((features, label[a.article_id] == label[b.article_id]))
    return pairs


def fit(pairs: list[tuple[dict[str, float], bool]], gold: dict) -> PairModel:
    """A logistic model of the pairs, its threshold the lowest that keeps precision first."""
    from sklearn.linear_model import LogisticRegression

    labels = [same for _, same in pairs]
    if len(set(labels)) < 2:
        raise ValueError("the candidate pairs need both one-case and different-case pairs to fit on")
    used = distinguishable(pairs)
    while True:
        rows = [[features.get(name, 0.0) for name in used] for features, _ in pairs]
        regression = LogisticRegression(C=REGULARISATION, max_iter=2000).fit(rows, labels)
        fitted = dict(zip(used, (float(w) for w in regression.coef_[0]), strict=True))
        wrong = {name for name, w in fitted.items()
                 if (name in FOR_A_LINK and w < 0) or (name in AGAINST_A_LINK and w > 0)}
        if not wrong:
            break
        used = [name for name in used if name not in wrong]
    weights = {name: round(w, 6) for name, w in fitted.items() if w}
    model = LinearModel(round(float(regression.intercept_[0]), 6), weights)
    threshold = precision_first_threshold([(model.probability(f), same) for f, same in pairs])
    merge = round(threshold + (1 - threshold) / 2, 4)
    return PairModel(LinearModel(model.intercept, weights, threshold), merge, gold)


def distinguishable(pairs: list[tuple[dict[str, float], bool]]) -> list[str]:
    """The features to fit: each that takes the same value as an earlier one in every pair is left
    out. The pairs cannot tell them apart (no pair past the follow-up window but within a year,
    say), so a fit would split one weight between them at random, and a pair that does tell them
    apart would get only part of it."""
    used, columns = [], set()
    for name in FEATURES:
        column = tuple(features.get(name, 0.0) for features, _ in pairs)
        if column not in columns:
            used.append(name)
            columns.add(column)
    return used


def precision_first_threshold(scored: list[tuple[float, bool]]) -> float:
    """A threshold that keeps precision >= PRECISION_FLOOR over the pairs: halfway between the
    lowest probability that still does and the next one down (an even chance at least), so that
    a pair a little less sure than the training ones is not lost; 0.99 when no threshold does."""
    ranked = sorted((probability for probability, _ in scored), reverse=True)
    labels = [same for _, same in sorted(scored, key=lambda pair: -pair[0])]
    cut = None
    right = 0
    for position, (probability, same) in enumerate(zip(ranked, labels, strict=True)):
        right += same
        if probability >= 0.5 and right / (position + 1) >= PRECISION_FLOOR:
            cut = position
    if cut is None:
        return 0.99
    below = ranked[cut + 1] if cut + 1 < len(ranked) else 0.5
    return round(max((ranked[cut] + max(below, 0.5)) / 2, 0.5), 6)


def linked_tally(facts: list[ArticleFacts], gold: list[dict], model: PairModel | None) -> Tally:
    """Pairs P/R/F1 of linking these articles alone with `model` (None: the weights file)."""
    case_of = link_articles(facts, MemoryCaseIndex(), model)
    report = Report()
    score_cases(gold, {article_id: {"case_id": case_id} for article_id, case_id in case_of.items()}, report)
    assert report.cases is not None
    return report.cases


def cross_validated(corpus: Corpus, folds: int, seed: int = 0) -> Tally:
    """Pairs P/R/F1 summed over folds: each fold linked with a model fitted on the others (whole
    case groups in one fold)."""
    ids = [record["id"] for record in corpus.gold]
    total = Tally()
    for held_out in fold_split(ids, folds, seed, groups=groups_of(corpus.gold)):
        test = set(held_out)
        train_facts = [f for f in corpus.facts if f.article_id not in test]
        model = fit(labelled_pairs(train_facts, [g for g in corpus.gold if g["id"] not in test]), {})
        tally = linked_tally([f for f in corpus.facts if f.article_id in test],
                             [g for g in corpus.gold if g["id"] in test], model)
        total.tp, total.fp, total.fn = total.tp + tally.tp, total.fp + tally.fp, total.fn + tally.fn
    return total


def figures(tally: Tally) -> dict[str, float | int]:
    return {"p": round(tally.precision, 3), "r": round(tally.recall, 3), "f1": round(tally.f1, 3),
            "tp": tally.tp, "fp": tally.fp, "fn": tally.fn}


def line(name: str, tally: Tally) -> str:
    return f"{name:28} P {tally.precision:.3f} R {tally.recall:.3f} F1 {tally.f1:.3f}  {tally.tp}/{tally.fp}/{tally.fn}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help=f"write the weights fitted on all the open gold here "
                                                   f"(the stock file is {rule_path(PAIR_MODEL_FILE)})")
    parser.add_argument("--source", nargs=2, type=Path, action="append", metavar=("ARTICLES", "GOLD"),
                        help="articles (JSONL) and their gold; default: dev, dev-cases and our probes")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-ner", action="store_true", help="extract without the NER stage (faster)")
    options = parser.parse_args(argv)
    corpus = open_corpus(options.source or DEFAULT_SOURCES, not options.no_ner)
    pairs = labelled_pairs(corpus.facts, corpus.gold)
    print(f"open gold: {len(corpus.gold)} articles, {len(corpus.facts)} incident articles, "
          f"{len(pairs)} candidate pairs ({sum(same for _, same in pairs)} one case)")
    print(line("current weights file", linked_tally(corpus.facts, corpus.gold, None)))
    crossed = cross_validated(corpus, options.folds)
    print(line(f"cross-validated ({options.folds} folds)", crossed))
    model = fit(pairs, {})
    in_sample = linked_tally(corpus.facts, corpus.gold, model)
    print(line("in-sample", in_sample))
    print(f"threshold {model.model.threshold:.3f}, merge at {model.merge_threshold:.3f}")
    if options.write:
        model = PairModel(model.model, model.merge_threshold, {
            "files": corpus.sources, "sealed": "left out (pipeline.learning.folds.is_sealed)",
            "candidate_pairs": len(pairs), "one_case_pairs": sum(same for _, same in pairs),
            "in_sample": figures(in_sample), "cross_validated": {"folds": options.folds, **figures(crossed)}})
        options.write.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"written: {options.write}")


if __name__ == "__main__":
    main()
