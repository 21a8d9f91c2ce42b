"""`pipeline retrain`: learn from gold records, measured by k-fold cross-validation.

1. The stock pipeline (hand-written rules, stock ja_ginza, nothing learned) extracts every gold
   article once.
2. For each of k folds, the rules (learning.py) and the NER (ner_training.py) are learned from
   the other folds and the fold is extracted with them. Pooled over the folds, the held-out
   scores are compared with the stock pipeline's on the same articles, per field.
3. When the cross-validated score does not drop (or with --force), everything is learned again
   from all the gold and written: the learned rule files, and the fine-tuned model if it raised
   the held-out score over the learned rules alone (a model that changes nothing measurable
   is not worth the risk on articles unlike the gold).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.learning import decisions
from pipeline.learning.evaluate import Report, evaluate_extractions
from pipeline.learning.folds import fold_split
from pipeline.learning.rule_learning import Learned, learn
from pipeline.records import Article, Extraction
from pipeline.stages import ner, rules
from pipeline.stages.extraction import extract_article

DEFAULT_FOLDS = 5
HEADER = ("# Learned by `pipeline retrain` from gold records: do not edit by hand (retrain instead).\n"
          "# Entries are appended to the sections of the hand-written file of the same name.\n")


@dataclass
class RetrainReport:
    before: Report  # the stock pipeline
    rules_only: Report  # learned rules, stock NER
    after: Report  # learned rules and, when trained, the fine-tuned NER
    folds: int
    learned: Learned
    model_helps: bool = False
    written: bool = False
    model: Path | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def chosen(self) -> Report:
        """The held-out scores of what would be written."""
        return self.after if self.model_helps else self.rules_only

    def format(self) -> str:
        lines = [f"{self.folds}-fold cross-validation over {self.before.articles} gold articles "
                 "(held-out folds pooled)", ""]
        lines.append(f"{'field':16} {'stock':>8} {'+rules':>8} {'+NER':>8}   tp/fp/fn: stock -> retrained")
        for name, tally in self.before.fields.items():
            rules_only, after = self.rules_only.fields[name], self.after.fields[name]
            lines.append(f"{name:16} {tally.f1:8.3f} {rules_only.f1:8.3f} {after.f1:8.3f}   "
                         f"{tally.tp}/{tally.fp}/{tally.fn} -> {after.tp}/{after.fp}/{after.fn}")
        for name in self.before.accuracy:
            lines.append(f"{name:16} {self.before.accuracy_of(name):8.3f} {self.rules_only.accuracy_of(name):8.3f} "
                         f"{self.after.accuracy_of(name):8.3f}")
        lines.append(f"{'score':16} {self.before.score:8.3f} {self.rules_only.score:8.3f} {self.after.score:8.3f}")
        trained = "" if self.after is not self.rules_only else " (not trained)"
        lines.append("stock: hand-written rules, stock ja_ginza; +rules: with the rules learned from the other "
                     f"folds; +NER: and the NER fine-tuned on them{trained}")
        lines.append("")
        counts = self.learned.count()
        lines.append("learned from all the gold: " + (", ".join(f"{n} {k}" for k, n in counts.items()) or "nothing"))
        weak = [p for p in self.learned.precisions if p.fp]
        if weak:
            lines.append("rules with false positives on the gold (precision, tp/fp):")
            lines += [f"  {p.rule:40} {p.precision:.2f}  {p.tp}/{p.fp}"
                      + ("  -> switched off" if p.rule in self.learned.disabled else "") for p in weak]
        if self.after is not self.rules_only and not self.model_helps:
            lines.append("the fine-tuned NER did not raise the held-out score: the stock model is kept")
        if self.written:
            lines.append("written: " + (", ".join(str(p) for p in self.files + ([self.model] if self.model else []))
                                        or "nothing learned, so no learned files"))
        return "\n".join(lines)


def extract_articles(articles: list[Article], use_ner: bool) -> dict[str, Extraction]:
    return {article.article_id: extract_article(article, use_ner)[0] for article in articles}


class _Pipeline:
    """Switch the process between the stock pipeline and learned rules/models, and back."""

    def __enter__(self) -> _Pipeline:
        return self

    @staticmethod
    def stock() -> None:
        rules.use_learned({})
        ner.use_model(ner.MODEL_NAME)

    @staticmethod
    def learned(files: dict, model: str | None) -> None:
        rules.use_learned(files)
        ner.use_model(model or ner.MODEL_NAME)

    def __exit__(self, *exc_info: object) -> None:
        rules.use_learned(None)
        ner.use_model(None)


def learn_model(gold_records: list[dict], articles: dict[str, Article], seed: int, epochs: int,
                models_dir: Path) -> Path | None:
    from pipeline.learning import ner_training

    examples = ner_training.training_examples(gold_records, articles)
    if not examples or epochs <= 0:
        return None
    name = ner_training.model_name_for(examples, seed, epochs)
    if (models_dir / name / "meta.json").exists():
        return models_dir / name  # the same data, seed and epochs make the same model
    return ner_training.save(ner_training.train(examples, seed, epochs), models_dir, name)


def write_learned(learned: Learned, learned_dir: Path, sources: list[str]) -> list[Path]:
    """Replace the learned rule files with these (a file with nothing learned is removed)."""
    learned_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for old in learned_dir.glob("*.yaml"):
        if old.name not in learned.files:
            old.unlink()
    for name, sections in sorted(learned.files.items()):
        path = learned_dir / name
        body = yaml.safe_dump(sections, allow_unicode=True, sort_keys=False, width=1000)
        path.write_text(HEADER + f"# Gold: {', '.join(sources)}\n" + body, encoding="utf-8")
        written.append(path)
    return written


def retrain(gold_records: list[dict], articles: dict[str, Article], *, folds: int = DEFAULT_FOLDS, seed: int = 0,
            epochs: int = 8, use_ner: bool = True, force: bool = False, models_dir: Path | None = None,
            sources: list[str] | None = None, progress: Callable[[str], None] = lambda message: None
            ) -> RetrainReport:
    models_dir = models_dir or rules.models_dir()
    train_ner = use_ner and epochs > 0
    by_id = {g["id"]: g for g in gold_records}
    with _Pipeline() as pipeline, tempfile.TemporaryDirectory(prefix="retrain-") as scratch:
        pipeline.stock()
        progress("extracting the gold articles with the stock pipeline")
        stock = extract_articles([articles[i] for i in by_id], use_ner)
        before = evaluate_extractions(gold_records, stock)
        held_rules: dict[str, Extraction] = {}
        held_full: dict[str, Extraction] = {}
        split = fold_split(list(by_id), folds, seed)
        for number, fold in enumerate(split, start=1):
            train = [by_id[i] for i in sorted(by_id) if i not in fold]
            progress(f"fold {number}/{len(split)}: learning from {len(train)} articles, scoring {len(fold)}")
            pipeline.stock()
            learned = learn(train, articles, stock)
            model = learn_model(train, articles, seed, epochs, Path(scratch)) if train_ner else None
            held = [articles[i] for i in fold]
            pipeline.learned(learned.files, None)
            held_rules.update(extract_articles(held, use_ner))
            if model:
                pipeline.learned(learned.files, str(model))
                held_full.update(extract_articles(held, use_ner))
        rules_only = evaluate_extractions(gold_records, held_rules)
        after = evaluate_extractions(gold_records, {**held_rules, **held_full}) if held_full else rules_only
        pipeline.stock()
        final = learn(gold_records, articles, stock)
    report = RetrainReport(before, rules_only, after, len(split), final,
                           model_helps=bool(held_full) and after.score > rules_only.score)
    if report.chosen.score < before.score and not force:
        return report
    progress("learning from all the gold and writing the result")
    report.files = write_learned(final, rules.learned_dir(), sources or [])
    if train_ner and (report.model_helps or force):
        with _Pipeline() as pipeline:
            pipeline.stock()
            report.model = learn_model(gold_records, articles, seed, epochs, models_dir)
        if report.model:
            report.model.touch()  # the newest model is the one the pipeline uses
            (report.model / "meta.json").touch()
    rules.use_learned(None)
    # The decision models are fitted last, on what the pipeline now proposes with everything learned.
    progress("fitting the decision models")
    weights = decisions.refit(gold_records, articles, use_ner, sources or [])
    report.files += [weights] if weights else []
    report.written = True
    return report
