"""Do corrections carry over to new articles? Prints stock versus retrained, per field, on articles
the retrain never saw.

    python bench/corrections.py [CORPUS.jsonl GOLD.jsonl] [--second GOLD.jsonl --second-articles INPUT]
                                [--epochs N] [--no-ner] [--seed S]

The gold articles are dealt at random (seeded) into two halves: "corrected", whose gold is added
to a fresh gold store as an analyst's corrections would be, and "next", the articles that come in
afterwards. Then, each time on the "next" half:
1. the stock pipeline;
2. after `retrain` on the corrected half (the real retrain: cross-validated, refusing a worse model);
3. after a second retrain that adds another gold file (default: the samples' gold), which must
   keep the first one's gain.
Everything is written to a temporary data folder; the project's own learned files are untouched.

The shipped decision weights were fitted on the dev gold itself, "next" half included, so they
cannot stand for the pipeline before the corrections. The deployment the analyst starts from is
therefore one whose gold store holds only `--base` (default: our invented probe articles), with
decision weights fitted on that: "stock" below. Each retrain learns from the base and what was
added since, as `pipeline retrain` does from a real gold store.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import iter_inputs  # noqa: E402
from pipeline.learning.decisions import refit as refit_decisions  # noqa: E402
from pipeline.learning.evaluate import INCIDENT_FIELDS, Report, evaluate_extractions  # noqa: E402
from pipeline.learning.gold import read_gold_files  # noqa: E402
from pipeline.learning.gold_store import GoldStore  # noqa: E402
from pipeline.learning.retrain import extract_articles, retrain  # noqa: E402
from pipeline.records import Article  # noqa: E402
from pipeline.stages import ner, rules  # noqa: E402

# ../shared beside the repository (or beside the folder of worktrees it sits in).
SHARED = next((p / "shared" / "corpus" for p in REPO.parents if (p / "shared" / "corpus").is_dir()),
              REPO.parent / "shared" / "corpus")


def figures(report: Report) -> dict[str, float]:
    values = {name: tally.f1 for name, tally in report.fields.items()}
    values.update({name: report.accuracy_of(name) for name in INCIDENT_FIELDS})
    values["score"] = report.score
    return values


def articles_of(inputs: list[Path]) -> dict[str, Article]:
    return {item.article_id: item for item in iter_inputs(inputs) if isinstance(item, Article)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=SHARED / "dev.jsonl")
    parser.add_argument("gold", nargs="?", type=Path, default=SHARED / "dev.gold.jsonl")
    parser.add_argument("--second", type=Path, default=REPO / "data" / "gold" / "samples.gold.jsonl")
    parser.add_argument("--second-articles", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--epochs", type=int, default=0, help="NER fine-tuning epochs (0: rules only)")
    parser.add_argument("--no-ner", dest="ner", action="store_false")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base", type=Path, default=REPO / "data" / "gold" / "probes.gold.jsonl",
                        help="the gold the deployment already holds before the corrections")
    parser.add_argument("--keep", type=Path, help="use this data folder (kept, to read what was learned)")
    parser.add_argument("--base-articles", type=Path, default=REPO / "data" / "probes" / "probes.jsonl")
    args = parser.parse_args()

    articles = articles_of([args.corpus])
    gold = [g for g in read_gold_files([args.gold]) if g["id"] in articles]
    ids = sorted(g["id"] for g in gold)
    random.Random(args.seed).shuffle(ids)
    corrected_ids, next_ids = set(ids[: len(ids) // 2]), set(ids[len(ids) // 2:])
    corrected = [g for g in gold if g["id"] in corrected_ids]
    next_gold = [g for g in gold if g["id"] in next_ids]
    next_articles = [articles[i] for i in sorted(next_ids)]

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(str(args.keep)) if args.keep
          else tempfile.TemporaryDirectory(prefix="bench-corrections-")) as data:
        rules.set_data_dir(Path(data))
        rules.use_learned(None)
        ner.use_model(None)
        store = GoldStore(rules.gold_dir())
        base_texts = articles_of([args.base_articles])
        base = [g for g in read_gold_files([args.base]) if g["id"] in base_texts]
        store.add(base, str(args.base), [base_texts[g["id"]] for g in base])
        refit_decisions(base, base_texts, use_ner=args.ner, gold_files=[args.base])
        columns = {"stock": figures(evaluate_extractions(next_gold, extract_articles(next_articles, args.ner)))}
        store.add(corrected, str(args.gold), [articles[i] for i in sorted(corrected_ids)])
        second = read_gold_files([args.second])
        second_texts = articles_of([args.second_articles])
        for label, added in (("retrained", []), ("+2nd retrain", second)):
            store.add(added, str(args.second), [second_texts[g["id"]] for g in added])
            records = store.records()
            texts = {**base_texts, **second_texts, **store.texts()}
            report = retrain(records, texts, seed=args.seed, epochs=args.epochs, use_ner=args.ner,
                             sources=[str(store.records_path)],
                             progress=lambda message: print(f"  {message}", file=sys.stderr))
            kept = (f"fine-tuned NER kept ({report.model.name})" if report.model else
                    "fine-tuned NER not kept (no held-out gain)" if args.epochs and args.ner else "")
            print(f"{label}: {len(records)} gold articles; "
                  + ("written" if report.written else "REFUSED by the cross-validated guard") + f"; {kept}",
                  file=sys.stderr)
            rules.use_learned(None)
            ner.use_model(None)
            columns[label] = figures(evaluate_extractions(next_gold, extract_articles(next_articles, args.ner)))

    print(f"held-out 'next' half: {len(next_ids)} articles; corrected half: {len(corrected_ids)} "
          f"(seed {args.seed}, NER {'on' if args.ner else 'off'}, {args.epochs} fine-tuning epochs)")
    names = list(columns)
    print(f"{'field':16}" + "".join(f"{n:>14}" for n in names) + f"{'change':>10}{'after 2nd':>10}")
    for field in columns["stock"]:
        row = [columns[n][field] for n in names]
        print(f"{field:16}" + "".join(f"{v:14.3f}" for v in row) + f"{row[1] - row[0]:+10.3f}{row[2] - row[0]:+10.3f}")


if __name__ == "__main__":
    main()
