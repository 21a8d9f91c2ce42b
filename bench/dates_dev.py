"""Score the dates stage alone on the open part of the dev corpus (sealed articles never read).

    python bench/dates_dev.py [--shared ../shared] [--errors]

Prints dates precision, recall and F1 over the set of date values per article (SPEC: "Dates"),
counting a predicted value listed in `dates_optional` neither right nor wrong, as the scorer
does. With --errors, lists each open article's extra and missing values (never its text).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.learning.evaluate import compare_sets  # noqa: E402
from pipeline.learning.folds import sealed_split  # noqa: E402
from pipeline.records import Article  # noqa: E402
from pipeline.stages.analysis import analyse  # noqa: E402
from pipeline.stages.dates import extract_dates  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    gold_records, _sealed = sealed_split(read_jsonl(corpus / "dev.gold.jsonl"))
    gold = {record["id"]: record for record in gold_records}
    tp = fp = fn = 0
    for record in read_jsonl(corpus / "dev.jsonl"):
        if record["id"] not in gold:  # sealed (or without gold): not read
            continue
        article = Article(record["id"], record["text"], "dev", title=record.get("title") or "",
                          reference_date=record.get("reference_date") or "")
        values = {row.value for row in extract_dates(analyse(article))}
        expected = gold[record["id"]]
        right, extra, missing = compare_sets(values, set(expected.get("dates", [])),
                                             set(expected.get("dates_optional", [])))
        tp, fp, fn = tp + right, fp + len(extra), fn + len(missing)
        if args.errors and (extra or missing):
            print(f"{record['id']}: extra {extra} missing {missing}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"dates on {len(gold)} open dev articles: P {precision:.3f} R {recall:.3f} F1 {f1:.3f} "
          f"(tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
