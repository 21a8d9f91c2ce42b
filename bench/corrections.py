"""Do corrections carry over to new articles? Half B of a real corpus, before and after retraining on
half A's gold, and after a second retrain on another gold file.

    python bench/corrections.py [CORPUS.jsonl GOLD.jsonl ...] [--second GOLD.jsonl --second-articles INPUT]
                                [--epochs N] [--no-ner] [--seed S]

Only the open part of the corpus is read (`folds.is_sealed` articles are left out of everything).
Its gold articles are dealt into two halves by case (the articles of one incident stay together):
A, whose gold is added to a fresh gold store as an analyst's corrections would be, and B, the
articles that come in afterwards, which nothing is fitted on. On B:
1. "shipped": the pipeline as shipped, except that the stock decision weights and the stock
   training set hold none of A's or B's cases (the shipped ones were fitted on the whole dev corpus);
2. "retrained": after `retrain` on the store (A's gold) plus that stock training set;
3. "+2nd": after a second retrain that adds another gold file (default: the samples' gold).
Everything is written to a temporary data folder and rules copy; the project's files are untouched.
Only figures are printed: no text, row or error of any article.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import iter_inputs  # noqa: E402
from pipeline.learning import decisions, stock  # noqa: E402
from pipeline.learning.evaluate import INCIDENT_FIELDS, Report, evaluate_extractions  # noqa: E402
from pipeline.learning.folds import fold_split, groups_of, sealed_split  # noqa: E402
from pipeline.learning.gold import read_gold_files  # noqa: E402
from pipeline.learning.gold_store import GoldStore  # noqa: E402
from pipeline.learning.retrain import extract_articles, retrain  # noqa: E402
from pipeline.records import Article  # noqa: E402
from pipeline.stages import ner, rules  # noqa: E402
from pipeline.stages.decisions import WEIGHTS_FILE, write_models  # noqa: E402

SHARED = next((p / "shared" / "corpus" for p in REPO.parents if (p / "shared" / "corpus").is_dir()),
              REPO.parent / "shared" / "corpus")


def figures(report: Report) -> dict[str, float]:
    values = {name: tally.f1 for name, tally in report.fields.items()}
    values.update({name: report.accuracy_of(name) for name in INCIDENT_FIELDS})
    values["score"] = report.score
    return values


def articles_of(inputs: list[Path]) -> dict[str, Article]:
    return {item.article_id: item for item in iter_inputs(inputs) if isinstance(item, Article)}


def halves(gold: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """Two halves of the gold, whole cases in one or the other."""
    first, second = fold_split([g["id"] for g in gold], 2, seed, groups=groups_of(gold))
    return [g for g in gold if g["id"] in set(first)], [g for g in gold if g["id"] in set(second)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path,
                        default=[SHARED / "dev.jsonl", SHARED / "dev.gold.jsonl",
                                 SHARED / "dev-cases.jsonl", SHARED / "dev-cases.gold.jsonl"],
                        help="pairs: articles, then their gold")
    parser.add_argument("--second", type=Path, default=REPO / "data" / "gold" / "samples.gold.jsonl")
    parser.add_argument("--second-articles", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--epochs", type=int, default=0, help="NER fine-tuning epochs (0: none)")
    parser.add_argument("--no-ner", dest="ner", action="store_false")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--swap", action="store_true", help="correct half B and score half A")
    args = parser.parse_args()

    articles: dict[str, Article] = {}
    gold: list[dict] = []
    for text_file, gold_file in zip(args.inputs[::2], args.inputs[1::2], strict=True):
        found = articles_of([text_file])
        records = [g for g in read_gold_files([gold_file]) if g["id"] in found]
        open_part, _ = sealed_split(records)
        gold += open_part
        articles.update({g["id"]: found[g["id"]] for g in open_part})
    corrected, next_gold = halves(gold, args.seed)
    if args.swap:
        corrected, next_gold = next_gold, corrected
    next_articles = [articles[g["id"]] for g in next_gold]
    held_back = {decisions.group_key(g) for g in gold}
    shipped = tuple(e for e in stock.stock_examples() if e.group not in held_back and e.article_id not in articles)

    with tempfile.TemporaryDirectory(prefix="bench-corrections-") as scratch:
        rules_copy = Path(scratch) / "rules"
        shutil.copytree(rules.RULES_DIR, rules_copy)
        rules.RULES_DIR = rules_copy
        rules.set_data_dir(Path(scratch) / "data")
        stock.use_stock(shipped)
        # The shipped weights, as they would be had A and B never been seen.
        write_models(decisions.fit([], stock=list(shipped)), rules_copy / WEIGHTS_FILE)
        rules.use_learned(None)
        ner.use_model(None)
        decisions.use_models(None)
        columns = {"shipped": figures(evaluate_extractions(next_gold, extract_articles(next_articles, args.ner)))}
        store = GoldStore(rules.gold_dir())
        store.add(corrected, "half A", [articles[g["id"]] for g in corrected])
        second = read_gold_files([args.second])
        second_texts = articles_of([args.second_articles])
        for label, added in (("retrained", []), ("+2nd", second)):
            store.add(added, str(args.second), [second_texts[g["id"]] for g in added])
            report = retrain(store.records(), {**second_texts, **store.texts()}, seed=args.seed, epochs=args.epochs,
                             use_ner=args.ner, sources=[str(store.records_path)],
                             progress=lambda message: print(f"  {message}", file=sys.stderr))
            kept = [v.name for v in report.verdicts if v.kept]
            print(f"{label}: {len(store.records())} gold articles in the store; "
                  + ("written" if report.written else "REFUSED") + f"; kept: {', '.join(kept) or 'nothing'}",
                  file=sys.stderr)
            rules.use_learned(None)
            ner.use_model(None)
            decisions.use_models(None)
            columns[label] = figures(evaluate_extractions(next_gold, extract_articles(next_articles, args.ner)))

    print(f"half B (scored): {len(next_gold)} open articles; half A (corrected): {len(corrected)}; "
          f"shipped stock examples outside both: {len(shipped)} (seed {args.seed}, NER {'on' if args.ner else 'off'}, "
          f"{args.epochs} fine-tuning epochs)")
    names = list(columns)
    print(f"{'field':16}" + "".join(f"{n:>11}" for n in names) + f"{'change':>9}{'after 2nd':>11}")
    for field in columns["shipped"]:
        row = [columns[n][field] for n in names]
        print(f"{field:16}" + "".join(f"{v:11.3f}" for v in row) + f"{row[1] - row[0]:+9.3f}{row[2] - row[0]:+11.3f}")


if __name__ == "__main__":
    main()
