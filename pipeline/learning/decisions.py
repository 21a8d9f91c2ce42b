"""Fit the decision models (pipeline/stages/decisions.py) on gold records, and measure them honestly.

    python -m pipeline.learning.decisions GOLD.jsonl ARTICLES.jsonl --cv 5          # held-out figures
    python -m pipeline.learning.decisions GOLD.jsonl ARTICLES.jsonl --write FILE    # fit on all, save

The rules run once per article; their candidates and features do not depend on the weights, so
each fold only refits the models (logistic regression, scikit-learn) and decides again.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipeline.batch.writing import cell
from pipeline.learning.evaluate import (
    Report,
    evaluate_extractions,
    incident_checks,
    normalize_org,
    read_gold,
)
from pipeline.learning.folds import case_group, fold_split, groups_of
from pipeline.records import Article, Extraction, IncidentRow
from pipeline.stages import rules
from pipeline.stages.decisions import (
    CONFIDENCE_MODELS,
    WEIGHTS_FILE,
    Candidate,
    DecisionModels,
    Features,
    LinearModel,
    decision_models,
    use_models,
    write_models,
)
from pipeline.stages.extraction import extract_with_inputs
from pipeline.stages.incident import UNKNOWN_CAUSE, DecisionInputs, confidence_features, decide, make_choices

REGULARIZATION = 1.0  # sklearn's C: smaller is smoother; 1.0 held up best under cross-validation
CONSTANT_LOGIT = 20.0
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 16))  # tried for "no candidate is right"
DEFAULT_FOLDS = 5
CONFIDENCE_FOLDS = 5
CONFIDENCE_REGULARIZATION = 1.0
CONFIDENCE_SPLITS = 3
# A gold incident called a non-incident vanishes from the analyst's database; a look-alike kept is
# seen and struck out. Missing an incident weighs this many times keeping a look-alike.
INCIDENT_COST = 3.0
# The confidence models learn from held-out rows of articles whose text is at hand: the stock ones
# from the corpus (about 240 articles). A user's store refits them only once it holds enough of
# its own (with our 50 probe articles): on fewer, the rows of every other article turned less sure.
CONFIDENCE_MIN_ARTICLES = 150
# Below this many gold articles the fitted weights would follow a handful of texts: `refit` keeps
# the weights in use (the stock ones were fitted on 68).
MIN_GOLD_ARTICLES = 30


@dataclass(frozen=True)
class Example:
    """One gold article with what the rules proposed for it."""

    gold: dict
    extraction: Extraction
    inputs: DecisionInputs

    @property
    def incident(self) -> bool:
        return bool(self.gold.get("is_incident", True))


def collect(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
            progress: Callable[[str], None] = lambda message: None) -> list[Example]:
    examples = []
    for number, gold in enumerate(gold_records, start=1):
        if number % 20 == 0:
            progress(f"extracted {number}/{len(gold_records)}")
        extraction, _, inputs = extract_with_inputs(articles[gold["id"]], use_ner)
        examples.append(Example(gold, extraction, inputs))
    return examples


def gold_digest(gold_records: list[dict]) -> str:
    """A hash of the gold records' content (not of a file's bytes: retrain may merge several files)."""
    ordered = sorted(gold_records, key=lambda g: g["id"])
    body = "\n".join(json.dumps(g, ensure_ascii=False, sort_keys=True) for g in ordered)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# -- fitting ---------------------------------------------------------------------------------

def _fit(features: list[Features], labels: list[bool], balanced: bool = False,
         yes_cost: float = 1.0, regularization: float = REGULARIZATION) -> LinearModel:
    """A logistic model; `balanced` weighs the rarer answer up (non-incidents are one gold article in
    ten, and without it the model learns to say "incident" to everything); `yes_cost` weighs a
    missed "yes" that many times a false one."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to tell apart: always the one answer seen
        return LinearModel(CONSTANT_LOGIT if labels and labels[0] else -CONSTANT_LOGIT, {})
    vectorizer = DictVectorizer(sparse=False)
    matrix = vectorizer.fit_transform(features)
    yes = sum(labels)
    weight = {True: 1.0, False: 1.0}
    if balanced:
        weight = {True: len(labels) / (2 * yes), False: len(labels) / (2 * (len(labels) - yes))}
    weight[True] *= yes_cost
    model = LogisticRegression(C=regularization, max_iter=5000)
    model.fit(matrix, labels, sample_weight=[weight[label] for label in labels])
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6}
    return LinearModel(round(float(model.intercept_[0]), 5), weights)


def _right(candidate: Candidate, decision: str, gold: dict) -> bool:
    if decision == "cause":
        return candidate.value in (set(gold.get("cause", [])) or {UNKNOWN_CAUSE})
    if decision == "victim":
        return normalize_org(candidate.value) in {normalize_org(v) for v in gold.get("victim", [])}
    return candidate.value[0] in set(gold.get("affected_total", []))


CANDIDATES = {"victim": lambda inputs: inputs.victims, "cause": lambda inputs: inputs.causes,
              "affected_total": lambda inputs: inputs.totals}


@dataclass(frozen=True)
class Labelled:
    """What fitting needs of one gold article, and nothing of its text: the features of the incident
    decision and of each candidate, and which candidates the gold says are right. The stock training
    set (stock.py) ships in this form for articles whose text is not ours to ship."""

    article_id: str
    group: str  # a hash of its case group (group_key): which articles go together, without naming the case
    incident: bool
    incident_features: Features
    candidates: dict[str, list[tuple[Features, bool]]]  # decision -> [(features, right)]
    wanted: dict[str, bool]  # decision -> whether the gold gives a value at all

    def to_json(self) -> dict:
        return {"id": self.article_id, "group": self.group, "incident": self.incident,
                "incident_features": self.incident_features,
                "candidates": {k: [[f, r] for f, r in v] for k, v in self.candidates.items()},
                "wanted": self.wanted}

    @classmethod
    def from_json(cls, data: dict) -> Labelled:
        return cls(data["id"], data["group"], data["incident"], data["incident_features"],
                   {k: [(f, bool(r)) for f, r in v] for k, v in data["candidates"].items()}, data["wanted"])


def group_key(record: dict) -> str:
    """A record's case group (folds.case_group), hashed: the label may spell an organisation's name."""
    return hashlib.sha256(case_group(record).encode("utf-8")).hexdigest()[:12]


def labelled(example: Example) -> Labelled:
    gold = example.gold
    return Labelled(gold["id"], group_key(gold), example.incident, example.inputs.incident,
                    {decision: [(c.features, _right(c, decision, gold)) for c in CANDIDATES[decision](example.inputs)]
                     for decision in CANDIDATES},
                    {decision: bool(gold.get(decision, [])) for decision in CANDIDATES})


def _fit_ranker(examples: list[Labelled], decision: str, with_threshold: bool = True) -> LinearModel:
    """A yes/no model over candidates (is this the right one?), with the threshold under which
    the best candidate is still not taken chosen for the most right answers on the same examples."""
    groups = [(example.wanted[decision], example.candidates[decision]) for example in examples if example.incident]
    features = [f for _, candidates in groups for f, _ in candidates]
    labels = [right for _, candidates in groups for _, right in candidates]
    model = _fit(features, labels)
    if len(set(labels)) == 1:
        return model
    if not with_threshold:  # `unknown` is a candidate: the best is always taken
        return replace(model, threshold=0.0)

    def right_answers(threshold: float) -> int:
        total = 0
        for wanted, candidates in groups:
            best = max(candidates, key=lambda c: model.probability(c[0]), default=None)
            take = best is not None and model.probability(best[0]) >= threshold
            total += best[1] if take else not wanted
        return total

    # Equally good thresholds tie because no gold example's best candidate falls between them: the
    # threshold goes to the middle of the lowest run of them, as far from either side's examples as
    # the gold allows (low: on the examples it was fitted on the model is surer than it will be on
    # new articles, and an empty answer is wrong wherever the gold has one, nearly always).
    scores = {t: right_answers(t) for t in THRESHOLDS}
    best = max(scores.values())
    lowest = next(i for i, t in enumerate(THRESHOLDS) if scores[t] == best)
    run = list(itertools.takewhile(lambda t: scores[t] == best, THRESHOLDS[lowest:]))
    return replace(model, threshold=round((run[0] + run[-1]) / 2, 3))


def _fit_choices(examples: list[Labelled]) -> dict[str, LinearModel]:
    return {
        "is_incident": _fit([e.incident_features for e in examples], [e.incident for e in examples], balanced=True,
                            yes_cost=INCIDENT_COST),
        "victim": _fit_ranker(examples, "victim"),
        "cause": _fit_ranker(examples, "cause", with_threshold=False),
        "affected_total": _fit_ranker(examples, "affected_total"),
    }


def _fit_confidence(examples: list[Example]) -> dict[str, LinearModel]:
    """The models of "is this answer right?" (is_incident, and victim, cause and total of a row
    that says "incident"), fitted on rows decided by choice models that did not see them (inner
    folds by case, dealt CONFIDENCE_SPLITS times): on the rows the choices were fitted on they are
    right too often to learn what a doubtful answer looks like."""
    by_id = {e.gold["id"]: e for e in examples}
    groups = groups_of([e.gold for e in examples])
    features: dict[str, list[Features]] = {decision: [] for decision in CONFIDENCE_MODELS}
    labels: dict[str, list[bool]] = {decision: [] for decision in CONFIDENCE_MODELS}
    splits = [fold for seed in range(CONFIDENCE_SPLITS)
              for fold in fold_split(list(by_id), CONFIDENCE_FOLDS, seed, groups=groups)]
    for fold in splits:
        held = set(fold)
        use_models(DecisionModels(_fit_choices([labelled(e) for e in examples if e.gold["id"] not in held]), {}))
        try:
            for article_id in fold:
                example = by_id[article_id]
                row = decide(example.inputs)
                checks = incident_checks({name: cell(value) for name, value in asdict(row).items()}, example.gold)
                # An answer the gold has no check for (the victim of a look-alike) teaches nothing.
                for decision, choice in make_choices(example.inputs).answers():
                    if decision in checks:
                        features[decision].append(confidence_features(decision, choice))
                        labels[decision].append(checks[decision])
        finally:
            use_models(None)
    return {name: _fit(features[decision], labels[decision], regularization=CONFIDENCE_REGULARIZATION)
            for decision, name in CONFIDENCE_MODELS.items()}


def fit(examples: list[Example], gold_files: list[str | Path] | None = None,
        stock: list[Labelled] = (), confidence_min_articles: int | None = None) -> DecisionModels:
    """The decision models fitted on these examples and the stock ones (text-free, stock.py), and
    the confidence models on held-out rows of the examples that have their text; recording the gold
    files (name and sha256 of their bytes) and the records they came from. With fewer than
    `confidence_min_articles` (default CONFIDENCE_MIN_ARTICLES) such examples the confidence models
    in use are kept (cross-validation sets 0: the models in use were fitted on the held-out rows)."""
    own = [labelled(e) for e in examples]
    seen = {e.article_id for e in own}
    everything = own + [e for e in stock if e.article_id not in seen]  # the user's record of an article wins
    models = _fit_choices(everything)
    if len(examples) >= (CONFIDENCE_MIN_ARTICLES if confidence_min_articles is None else confidence_min_articles):
        models.update(_fit_confidence(examples))
    else:
        in_use = decision_models().models
        models.update({name: in_use[name] for name in CONFIDENCE_MODELS.values() if name in in_use})
    gold = {"files": {Path(f).name: file_digest(Path(f)) for f in sorted(map(str, gold_files or []))},
            "articles": len(everything), "stock_articles": len(everything) - len(own),
            "records_sha256": gold_digest([e.gold for e in examples])}
    return DecisionModels(models, gold)


def file_digest(path: Path) -> str:
    """The sha256 of a gold file's bytes ("" when it is not at hand)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def refit(gold_records: list[dict], articles: dict[str, Article], use_ner: bool = True,
          gold_files: list[str | Path] | None = None, stock: list[Labelled] = ()) -> Path | None:
    """Fit the decision models on this gold and the stock examples and write them into the learned
    folder; the pipeline decides with them from then on. Too few articles in all to fit four models
    on (fewer than MIN_GOLD_ARTICLES) leaves the weights in use: None."""
    if len({g["id"] for g in gold_records} | {e.article_id for e in stock}) < MIN_GOLD_ARTICLES:
        return None
    examples = collect(gold_records, articles, use_ner)
    path = write(fit(examples, gold_files, stock))
    return path


def write(models: DecisionModels, learned_dir: Path | None = None) -> Path:
    path = write_models(models, (learned_dir or rules.learned_dir()) / WEIGHTS_FILE)
    use_models(None)
    return path


# -- measuring -------------------------------------------------------------------------------

def score(examples: list[Example], incidents: dict[str, IncidentRow]) -> Report:
    """Score the extractions, with these incident rows in place of their own."""
    extractions = {e.gold["id"]: replace(e.extraction, incident=incidents[e.gold["id"]]) for e in examples}
    return evaluate_extractions([e.gold for e in examples], extractions)


def decide_with(models: DecisionModels, examples: list[Example]) -> dict[str, IncidentRow]:
    use_models(models)
    try:
        return {e.gold["id"]: decide(e.inputs) for e in examples}
    finally:
        use_models(None)


def cross_validate(examples: list[Example], folds: int = DEFAULT_FOLDS, seed: int = 0,
                   stock: list[Labelled] = ()) -> Report:
    """Fit on all folds but one (and the stock examples of other case groups), decide the held-out
    one; the held-out decisions pooled and scored. Folds keep cases together."""
    by_id = {e.gold["id"]: e for e in examples}
    held_out: dict[str, IncidentRow] = {}
    for fold in fold_split(list(by_id), folds, seed, groups=groups_of([e.gold for e in examples])):
        train = [by_id[i] for i in sorted(by_id) if i not in fold]
        held_groups = {group_key(by_id[i].gold) for i in fold}
        held_out.update(decide_with(fit(train, stock=[e for e in stock if e.group not in held_groups],
                                        confidence_min_articles=0), [by_id[i] for i in fold]))
    return score(examples, held_out)


def held_out(models: DecisionModels, examples: list[Example]) -> dict[str, Extraction]:
    """The examples' extractions with the incident rows these models decide."""
    incidents = decide_with(models, examples)
    return {e.gold["id"]: replace(e.extraction, incident=incidents[e.gold["id"]]) for e in examples}


def format_figures(title: str, report: Report) -> str:
    lines = [title]
    lines += [f"  {name:16} F1 {tally.f1:.3f}" for name, tally in report.fields.items()]
    lines += [f"  {name:16} {right}/{total} = {report.accuracy_of(name):.3f}"
              for name, (right, total) in report.accuracy.items()]
    lines.append(f"  {'rows right':16} {report.rows_right:.3f}")
    lines.append(f"  {'triage30':16} {report.triage30:.3f}")
    lines.append(f"  {'score':16} {report.score:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from pipeline.batch.reading import read_jsonl

    parser = argparse.ArgumentParser(prog="python -m pipeline.learning.decisions", description=__doc__.split("\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("articles", type=Path)
    parser.add_argument("--cv", type=int, default=DEFAULT_FOLDS, help="folds (0: no cross-validation)")
    parser.add_argument("--seeds", type=int, default=1, help="repeat the cross-validation with this many splits")
    parser.add_argument("--write", type=Path, help="fit on all the gold and write the weights here")
    parser.add_argument("--no-ner", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the held-out incident errors")
    args = parser.parse_args(argv)
    gold_records = read_gold(args.gold)
    articles = {a.article_id: a for a in read_jsonl(args.articles)}
    missing = [g["id"] for g in gold_records if g["id"] not in articles]
    if missing:
        print(f"{args.articles}: no article for gold ids {', '.join(missing[:5])}", file=sys.stderr)
        return 2
    examples = collect(gold_records, articles, not args.no_ner, progress=lambda m: print(m, file=sys.stderr))
    print(format_figures("the weights in use, on this gold (not held out)",
                         score(examples, {e.gold["id"]: e.extraction.incident for e in examples})))
    for seed in range(args.seeds if args.cv else 0):
        report = cross_validate(examples, args.cv, seed)
        print(format_figures(f"{args.cv}-fold cross-validation, split seed {seed} (held-out folds pooled)", report))
        if args.errors:
            for article_id, name, got, wanted in report.errors:
                if name in ("is_incident", "victim", "cause", "affected_total"):
                    print(f"    {article_id} {name}: got {got} want {wanted}")
    if args.write:
        write_models(fit(examples, [args.gold]), args.write)
        print(f"written: {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
