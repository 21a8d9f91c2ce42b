"""`pipeline retrain`: learn from the gold the project ships and the user's corrections, one part at a time.

The training set is the stock gold (stock.py: our probe articles with their text, and text-free
examples of the corpus the stock weights were fitted on) plus the user's gold store, whose record of
an article wins. So one correction is enough to retrain, and a small store adds to the stock fit.

1. The stock pipeline (hand-written rules, stock weights, stock ja_ginza) extracts every gold
   article that has a text.
2. Folds keep cases together. For each fold, the rules are learned from the other folds, and each
   learned part (parts.RULE_PARTS: gazetteer, not-organisations, suffixes, ...) alone extracts the
   held-out fold. A part is kept when, pooled over the folds, it does not lower the held-out score.
3. With the kept parts, the fitted parts (parts.FITTED_PARTS: the decision models, ...) are fitted
   on the other folds plus the stock examples and decide the held-out fold; kept on the same terms.
4. The NER is fine-tuned (with --epochs) and kept only if it raises the held-out score further.
Everything kept is learned again from all the gold and written to the learned folder; what is not
kept is removed from it, so the pipeline uses the stock one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.learning import decisions
from pipeline.learning.evaluate import Report, evaluate_extractions
from pipeline.learning.folds import fold_split, groups_of
from pipeline.learning.gold_store import mark_retrained
from pipeline.learning.parts import FITTED_PARTS, RULE_PARTS, merged
from pipeline.learning.rule_learning import Learned, learn
from pipeline.learning.stock import stock_examples, stock_gold
from pipeline.records import Article, Extraction
from pipeline.stages import ner, rules
from pipeline.stages.extraction import extract_article

DEFAULT_FOLDS = 5
HEADER = ("# Learned by `pipeline retrain` from gold records: do not edit by hand (retrain instead).\n"
          "# Entries are appended to the sections of the hand-written file of the same name.\n")


@dataclass
class PartVerdict:
    name: str
    says: str
    learned: int  # entries learned from all the gold (1 for a fitted model)
    before: Report  # held-out, without it
    after: Report  # held-out, with it alone added

    forced: bool = False  # --force: kept whatever the folds say
    with_others: bool = True  # False: harmless alone, it lowered the held-out score with the parts kept before it

    @property
    def kept(self) -> bool:
        return self.learned > 0 and self.with_others and (
            self.forced or self.after.score >= self.before.score - 1e-9)

    def changes(self) -> str:
        moved = []
        for name, tally in self.before.fields.items():
            delta = self.after.fields[name].f1 - tally.f1
            if abs(delta) >= 0.0005:
                moved.append(f"{name} {delta:+.3f}")
        for name in self.before.accuracy:
            delta = self.after.accuracy_of(name) - self.before.accuracy_of(name)
            if abs(delta) >= 0.0005:
                moved.append(f"{name} {delta:+.3f}")
        return ", ".join(moved) or "no held-out article changed"


@dataclass
class RetrainReport:
    before: Report  # the stock pipeline
    rules_only: Report  # the kept rule parts, stock NER and weights
    after: Report  # and the kept fitted parts, and the fine-tuned NER when kept
    folds: int
    learned: Learned
    verdicts: list[PartVerdict] = field(default_factory=list)
    stock_examples: int = 0
    store_articles: int = 0
    model_helps: bool = False
    written: bool = False
    model: Path | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def chosen(self) -> Report:
        """The held-out scores of what would be written."""
        return self.after

    def format(self) -> str:
        lines = [f"Learned from {self.before.articles} gold articles with their text ({self.store_articles} from "
                 f"your gold store) and {self.stock_examples} shipped examples without text (for the decisions).",
                 f"Each article was judged by a pipeline that never saw it ({self.folds} folds, cases kept together).",
                 ""]
        lines.append(f"{'':16} {'before':>8} {'after':>8}")
        for name, tally in self.before.fields.items():
            lines.append(f"{name:16} {tally.f1:8.3f} {self.after.fields[name].f1:8.3f}   (F1: found and right)")
        for name in self.before.accuracy:
            lines.append(f"{name:16} {self.before.accuracy_of(name):8.3f} {self.after.accuracy_of(name):8.3f}   "
                         "(share of articles right)")
        lines.append(f"{'overall':16} {self.before.score:8.3f} {self.after.score:8.3f}")
        lines.append("")
        lines.append("What was learned, part by part (kept only if the articles it never saw did not get worse):")
        for verdict in self.verdicts:
            if not verdict.learned:
                lines.append(f"  {verdict.name:18} nothing to learn ({verdict.says})")
                continue
            lines.append(f"  {verdict.name:18} {'KEPT   ' if verdict.kept else 'dropped'} {verdict.learned:4} learned: "
                         f"{verdict.changes()}  ({verdict.says})"
                         + ("" if verdict.with_others else "; dropped: worse together with the parts kept before it"))
        if self.model is not None or self.model_helps:
            lines.append("  fine-tuned NER     " + ("KEPT" if self.model_helps else "dropped"))
        if self.written:
            lines.append("")
            lines.append("written: " + (", ".join(str(p) for p in self.files + ([self.model] if self.model else []))
                                        or "nothing kept, so the stock pipeline stays"))
            lines.append("Next: `pipeline run` re-extracts your articles with it and lists the rows whose victim, "
                         "cause or total changed; your corrections stay applied to their own articles.")
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
            sources: list[str] | None = None, progress: Callable[[str], None] = lambda message: None,
            with_stock: bool = True) -> RetrainReport:
    """Learn from `gold_records` (the user's store; their texts in `articles`) and, with_stock, the
    shipped stock gold; judge every part on held-out folds; write what is kept (see the module doc)."""
    models_dir = models_dir or rules.models_dir()
    store_ids = {g["id"] for g in gold_records}
    articles = dict(articles)
    if with_stock:
        probe_gold, probe_articles = stock_gold()
        gold_records = list(gold_records) + [g for g in probe_gold if g["id"] not in store_ids]
        articles.update({k: v for k, v in probe_articles.items() if k not in articles})
    by_id = {g["id"]: g for g in gold_records}
    split = fold_split(list(by_id), folds, seed, groups=groups_of(gold_records))
    with _Pipeline() as pipeline:
        pipeline.stock()
        progress(f"extracting the {len(by_id)} gold articles with the stock pipeline")
        stock_rows = extract_articles([articles[i] for i in by_id], use_ner)
        before = evaluate_extractions(gold_records, stock_rows)
        per_part: dict[str, dict[str, Extraction]] = {part.name: {} for part in RULE_PARTS}
        fold_learned = []
        for number, fold in enumerate(split, start=1):
            train = [by_id[i] for i in sorted(by_id) if i not in fold]
            progress(f"fold {number}/{len(split)}: learning from {len(train)} articles, judging each part on "
                     f"{len(fold)}")
            pipeline.stock()
            learned = learn(train, articles, stock_rows)
            fold_learned.append(learned)
            for part in RULE_PARTS:
                files = part.select(learned)
                if files:
                    pipeline.learned(files, None)
                    per_part[part.name].update(extract_articles([articles[i] for i in fold], use_ner))
                else:
                    per_part[part.name].update({i: stock_rows[i] for i in fold})
        pipeline.stock()
        final = learn(gold_records, articles, stock_rows)
        verdicts = [PartVerdict(part.name, part.says, _entries(part.select(final)), before,
                                evaluate_extractions(gold_records, per_part[part.name]), force) for part in RULE_PARTS]
        # Parts that each do no harm may still do harm together: they join one at a time, the most
        # helpful first, each kept only if the held-out score with it and those before does not drop.
        candidates = sorted((v for v in verdicts if v.kept), key=lambda v: -(v.after.score - v.before.score))
        kept_names: list[str] = []
        held_rules = dict(stock_rows)
        current = before
        for verdict in candidates:
            part_names = {*kept_names, verdict.name}
            if verdict.after.score == verdict.before.score and not verdict.forced:
                kept_names.append(verdict.name)  # it changed no held-out article: nothing to judge together
                continue
            progress(f"judging {verdict.name} together with the parts kept so far")
            trial: dict[str, Extraction] = {}
            for fold, learned in zip(split, fold_learned, strict=True):
                pipeline.learned(merged([p.select(learned) for p in RULE_PARTS if p.name in part_names]), None)
                trial.update(extract_articles([articles[i] for i in fold], use_ner))
            together = evaluate_extractions(gold_records, trial)
            if together.score >= current.score - 1e-9 or force:
                kept_names.append(verdict.name)
                held_rules, current = trial, together
            else:
                verdict.with_others = False
        kept_parts = [part for part in RULE_PARTS if part.name in kept_names]
        rules_only = evaluate_extractions(gold_records, held_rules)
        kept_files = merged([part.select(final) for part in kept_parts])
        # The fitted parts are judged on what the kept rules propose (learned from all the gold: the
        # models are compared with and without the gold on the same candidates). The stock fit is held
        # out as well, so that "before" is the shipped pipeline on articles it never saw: the shipped
        # weights were fitted on the shipped probes themselves.
        fitted_kept, after_rows, before_rows = [], dict(held_rules), dict(stock_rows)
        for part in FITTED_PARTS:
            progress(f"judging {part.name}: fitted on the other folds and the stock examples")
            part_stock = [e for e in part.stock() if e.article_id not in by_id]
            pipeline.stock()
            stock_candidates = {e.gold["id"]: e for e in part.collect(gold_records, articles, use_ner)}
            pipeline.learned(kept_files, None)
            examples = part.collect(gold_records, articles, use_ner)
            by_example = {e.gold["id"]: e for e in examples}
            held: dict[str, Extraction] = {}
            held_stock: dict[str, Extraction] = {}
            stock_before: dict[str, Extraction] = {}
            for fold in split:
                train = [by_example[i] for i in sorted(by_example) if i not in fold]
                groups = {decisions.group_key(by_id[i]) for i in fold}
                other_stock = [e for e in part_stock if e.group not in groups]
                held.update(part.held_out(part.fit(train, other_stock), [by_example[i] for i in fold]))
                if other_stock:
                    stock_fit = part.fit([], other_stock)
                    held_stock.update(part.held_out(stock_fit, [by_example[i] for i in fold]))
                    stock_before.update(part.held_out(stock_fit, [stock_candidates[i] for i in fold]))
            # Without a stock set, the pipeline as it stands is the one to beat.
            base = held_stock or part.held_out(None, list(by_example.values()))
            stock_rows_of_part = stock_before or part.held_out(None, [stock_candidates[i] for i in by_id])
            before_rows = {i: part.merge(row, stock_rows_of_part[i]) for i, row in before_rows.items()}
            without = {i: part.merge(row, base[i]) for i, row in after_rows.items()}
            with_it = {i: part.merge(row, held[i]) for i, row in after_rows.items()}
            verdict = PartVerdict(part.name, part.says, 1, evaluate_extractions(gold_records, without),
                                  evaluate_extractions(gold_records, with_it), force)
            verdicts.append(verdict)
            after_rows = with_it if verdict.kept else without
            if verdict.kept:
                fitted_kept.append((part, examples, part_stock))
        after = evaluate_extractions(gold_records, after_rows)
        before = evaluate_extractions(gold_records, before_rows)
    report = RetrainReport(before, rules_only, after, len(split), final, verdicts,
                           stock_examples=len([e for e in stock_examples() if e.article_id not in by_id]),
                           store_articles=len(store_ids))
    train_ner = use_ner and epochs > 0
    if train_ner:
        report.model_helps = _judge_model(report, gold_records, articles, split, fold_learned, kept_parts, seed,
                                          epochs, use_ner, progress)
    if report.chosen.score < before.score and not force:
        return report
    progress("learning the kept parts from all the gold and writing them")
    kept = Learned(files=kept_files, precisions=final.precisions)
    report.files = write_learned(kept, rules.learned_dir(), sources or [])
    if train_ner and (report.model_helps or force):
        with _Pipeline() as pipeline:
            pipeline.stock()
            report.model = learn_model(gold_records, articles, seed, epochs, models_dir)
        if report.model:
            report.model.touch()  # the newest model is the one the pipeline uses
            (report.model / "meta.json").touch()
    rules.use_learned(None)
    kept_names = {part.name for part, _, _ in fitted_kept}
    for part in FITTED_PARTS:
        if part.name not in kept_names:
            part.remove()
    for part, examples, part_stock in fitted_kept:
        progress(f"fitting {part.name} on all the gold and the stock examples")
        fitted = part.fit(examples, part_stock)
        if fitted is not None:  # too little gold for this part: the stock one stays
            report.files.append(part.write(fitted))
    mark_retrained()
    report.written = True
    return report


def _entries(files: dict[str, dict[str, list[dict]]]) -> int:
    return sum(len(entries) for sections in files.values() for entries in sections.values())


def _judge_model(report: RetrainReport, gold_records: list[dict], articles: dict[str, Article],
                 split: list[list[str]], fold_learned: list[Learned], kept_parts: list, seed: int, epochs: int,
                 use_ner: bool, progress: Callable[[str], None]) -> bool:
    """Fine-tune the NER on the other folds, extract the held-out fold with it and the kept rules:
    does it raise the held-out score over the rules alone?"""
    held: dict[str, Extraction] = {}
    with _Pipeline() as pipeline, tempfile.TemporaryDirectory(prefix="retrain-") as scratch:
        for number, (fold, learned) in enumerate(zip(split, fold_learned, strict=True), start=1):
            progress(f"fold {number}/{len(split)}: fine-tuning the NER")
            train = [g for g in gold_records if g["id"] not in fold]
            pipeline.stock()
            model = learn_model(train, articles, seed, epochs, Path(scratch))
            if model is None:
                return False
            pipeline.learned(merged([part.select(learned) for part in kept_parts]), str(model))
            held.update(extract_articles([articles[i] for i in fold], use_ner))
    with_model = evaluate_extractions(gold_records, held)
    return with_model.score > report.rules_only.score
