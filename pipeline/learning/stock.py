"""The stock training set: the gold the project ships, which every retrain starts from.

    python -m pipeline.learning.stock [--shared ../shared] [--no-ner]    # regenerate it

Shipped with the package (pipeline/learning/data/):
- `stock_examples.json`: for every open (not sealed) gold article of ../shared/corpus (dev and
  dev-cases) and of our probe articles, what the decision models are fitted on (decisions.Labelled:
  features and which candidates are right, no text: the corpus texts are not ours to ship), with the
  version of the stages that computed them;
- `probes.jsonl`, `probes.gold.jsonl`: our own invented probe articles and their gold, whole, so
  that the rule-learning parts and the held-out folds have articles to read even before the first
  correction.

`pipeline retrain` learns from these plus the user's gold store (the store's record of an article
wins): one correction is enough to retrain, and a small store adds to the stock fit, never replaces it.
The features depend on the stages: after a change to them, regenerate the set (a test says when).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from functools import cache
from pathlib import Path

from pipeline.learning.decisions import Labelled, collect, labelled
from pipeline.learning.folds import sealed_split
from pipeline.learning.gold import json_records
from pipeline.records import Article
from pipeline.stages import ner, rules
from pipeline.stages.decisions import WEIGHTS_FILE

DATA_DIR = Path(__file__).parent / "data"
EXAMPLES_FILE = DATA_DIR / "stock_examples.json"
PROBES_FILE, PROBES_GOLD_FILE = DATA_DIR / "probes.jsonl", DATA_DIR / "probes.gold.jsonl"
REPO = Path(__file__).resolve().parent.parent.parent
PROBE_SOURCES = [("data/probes/probes.jsonl", "data/gold/probes.gold.jsonl"),
                 ("data/probes/probes2.jsonl", "data/gold/probes2.gold.jsonl"),
                 ("data/probes/probes3.jsonl", "data/gold/probes3.gold.jsonl")]
CORPUS_SOURCES = [("corpus/dev.jsonl", "corpus/dev.gold.jsonl"),
                  ("corpus/dev-cases.jsonl", "corpus/dev-cases.gold.jsonl")]
STAGES_DIR = Path(__file__).resolve().parent.parent / "stages"


def features_version(use_ner: bool = True) -> str:
    """A hash of what the features are computed by: the stages' code, their hand-written rule files
    (not the decision weights, which the features do not depend on) and the NER model."""
    digest = hashlib.sha256()
    for path in sorted([*STAGES_DIR.rglob("*.py"), *STAGES_DIR.glob("rules/*.yaml"), *STAGES_DIR.glob("rules/*.json")]):
        if path.name != WEIGHTS_FILE:
            digest.update(str(path.relative_to(STAGES_DIR)).encode())
            digest.update(path.read_bytes())
    digest.update((ner.MODEL_NAME if use_ner else "no-ner").encode())
    return digest.hexdigest()[:16]


# Examples in place of the shipped ones while set (a benchmark holds back the articles it scores).
_override: tuple[Labelled, ...] | None = None


def use_stock(examples: tuple[Labelled, ...] | None) -> None:
    """Retrain from these stock examples from now on (None: the shipped set)."""
    global _override
    _override = examples


def stock_examples() -> tuple[Labelled, ...]:
    """The shipped text-free training examples (none when the package holds no set)."""
    return _override if _override is not None else _shipped()


@cache
def _shipped() -> tuple[Labelled, ...]:
    if not EXAMPLES_FILE.exists():
        return ()
    data = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return tuple(Labelled.from_json(e) for e in data["examples"])


def stock_version() -> str:
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))["features_version"] if EXAMPLES_FILE.exists() else ""


def _articles(path: Path) -> dict[str, Article]:
    from pipeline.batch.reading import iter_inputs

    return {a.article_id: a for a in iter_inputs([path]) if isinstance(a, Article)}


def stock_gold() -> tuple[list[dict], dict[str, Article]]:
    """The shipped probe gold and articles: the stock examples that come with their text."""
    if not PROBES_GOLD_FILE.exists():
        return [], {}
    articles = _articles(PROBES_FILE)
    return [g for g in json_records(PROBES_GOLD_FILE) if g["id"] in articles], articles


def build(shared: Path, use_ner: bool = True, progress=lambda message: None) -> dict:
    """The stock set from the open part of the corpus in `shared` and our probes, computed with the
    stock pipeline (hand-written rules, stock NER, nothing learned)."""
    gold: list[dict] = []
    articles: dict[str, Article] = {}
    for text_file, gold_file in [(REPO / t, REPO / g) for t, g in PROBE_SOURCES] + \
            [(shared / t, shared / g) for t, g in CORPUS_SOURCES]:
        found = _articles(text_file)
        records = [g for g in json_records(gold_file) if g["id"] in found]
        open_part, _ = sealed_split(records)  # the sealed quarter is neither read nor fitted on
        gold += open_part
        articles.update({g["id"]: found[g["id"]] for g in open_part})
    rules.use_learned({})
    ner.use_model(ner.MODEL_NAME)
    try:
        examples = collect(gold, articles, use_ner, progress)
    finally:
        rules.use_learned(None)
        ner.use_model(None)
    return {"features_version": features_version(use_ner), "ner": use_ner, "articles": len(examples),
            "examples": [labelled(e).to_json() for e in examples]}


def write(stock: dict) -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    EXAMPLES_FILE.write_text(json.dumps(stock, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    for target, column in ((PROBES_FILE, 0), (PROBES_GOLD_FILE, 1)):
        sources = [REPO / pair[column] for pair in PROBE_SOURCES]
        lines = [line for path in sources for line in path.read_text(encoding="utf-8").splitlines() if line]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _shipped.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.learning.stock", description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared folder holding corpus/ (default: ../shared)")
    parser.add_argument("--no-ner", dest="ner", action="store_false")
    args = parser.parse_args(argv)
    if not (args.shared / "corpus").is_dir():
        print(f"{args.shared}: no corpus/ folder here; pass --shared", file=sys.stderr)
        return 2
    stock = build(args.shared, args.ner, progress=lambda message: print(message, file=sys.stderr))
    write(stock)
    print(f"{EXAMPLES_FILE}: {stock['articles']} articles, features version {stock['features_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
