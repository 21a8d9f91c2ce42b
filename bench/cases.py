"""Time case linking on a growing store: does it stay within n log n?

    python bench/cases.py [CORPUS...] [--sizes 1250,2500,5000,10000] [--no-ner]

The corpus (default: the dev corpus and its companion articles, ../shared/corpus/dev.jsonl and
dev-cases.jsonl) is extracted once. For each size n, a fresh store is filled with n articles (the
extracted corpus repeated, each copy under distinct ids, saved without extraction) and linked
from scratch, as one run would after extracting them: the time of that linking alone is printed,
with the time per article and the time over n·log2(n), which stays flat (or falls) when the
growth is no worse than n log n. The CPU time per article is printed too: on a shared machine the
wall-clock figures follow the other jobs' load, the CPU time much less. Then one more article is
linked into the largest store, as an incremental run would.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import iter_inputs  # noqa: E402
from pipeline.batch.run import input_key, process  # noqa: E402
from pipeline.batch.store import Store  # noqa: E402
from pipeline.cases.assign import link_store  # noqa: E402
from pipeline.records import Extraction  # noqa: E402

# ../shared beside the repository, or beside a folder holding it (a git worktree).
SHARED = next((folder / "shared" / "corpus" for folder in REPO.parents if (folder / "shared" / "corpus").is_dir()),
              REPO.parent / "shared" / "corpus")


def extracted(corpus: list[Path], use_ner: bool) -> list:
    """(article, row, extraction) for every article of the corpus that extracted."""
    return [(o.article, o.row, o.extraction) for o in process(iter_inputs(corpus), use_ner)
            if o.kind == "extracted" and o.extraction is not None]


def renamed(extraction: Extraction, article_id: str) -> Extraction:
    def rows(items: list) -> list:
        return [replace(item, article_id=article_id) for item in items]

    return Extraction(rows(extraction.organizations), rows(extraction.dates), rows(extraction.counts),
                      rows(extraction.categories), replace(extraction.incident, article_id=article_id))


def fill(store: Store, corpus: list, n: int) -> None:
    for number in range(n):
        article, row, extraction = corpus[number % len(corpus)]
        article_id = f"{row.article_id}-copy{number // len(corpus)}"
        store.save(replace(row, article_id=article_id), renamed(extraction, article_id), text=article.text,
                   input_key=input_key(article), extractor="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="*", type=Path, default=[SHARED / "dev.jsonl", SHARED / "dev-cases.jsonl"])
    parser.add_argument("--sizes", default="1250,2500,5000,10000")
    parser.add_argument("--no-ner", action="store_true")
    options = parser.parse_args()
    corpus = extracted(options.corpus, not options.no_ner)
    incidents = sum(1 for _, _, e in corpus if e.incident and e.incident.is_incident)
    print(f"corpus: {len(corpus)} extracted articles ({incidents} incidents), repeated with distinct ids")
    print(f"{'articles':>9} {'linked':>7} {'cases':>6} {'seconds':>8} {'ms/article':>11} {'µs/(n log2 n)':>14} "
          f"{'CPU ms/article':>15}")
    with tempfile.TemporaryDirectory() as scratch:
        # Warm up first (rule files read, patterns compiled), so that the first size is not charged for it.
        with Store.open(Path(scratch) / "warm-up") as store:
            fill(store, corpus, len(corpus))
            link_store(store)
        for n in (int(size) for size in options.sizes.split(",")):
            out = Path(scratch) / f"n{n}"
            with Store.open(out) as store:
                fill(store, corpus, n)
                started, cpu_started = time.perf_counter(), time.process_time()
                linked = link_store(store)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                cases = len(list(store.iter_table("cases.csv")))
                print(f"{n:>9} {linked:>7} {cases:>6} {seconds:>8.2f} {seconds / n * 1000:>11.3f} "
                      f"{seconds / (n * math.log2(n)) * 1e6:>14.2f} {cpu / n * 1000:>15.3f}")
        with Store.open(out) as store:
            article, row, extraction = next(item for item in corpus if item[2].incident.is_incident)
            store.save(replace(row, article_id="one-more"), renamed(extraction, "one-more"), text=article.text,
                       input_key=input_key(article), extractor="bench")
            started = time.perf_counter()
            link_store(store)
            print(f"one more article into the store of {n}: linked in {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
