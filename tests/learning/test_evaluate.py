"""`pipeline eval` must print the figures of the reference scorer (SPEC.md)."""

import json
import subprocess
import sys

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_articles
from pipeline.batch.writing import write_tables
from pipeline.learning.evaluate import evaluate
from tests.conftest import REPO


def test_eval_agrees_with_the_reference_scorer(tmp_path, shared_dir):
    gold = REPO / "data" / "gold" / "samples.gold.jsonl"
    # Damage the output a little so that errors of every kind are scored, not only hits.
    result = run_articles(iter_inputs([REPO / "data" / "raw"]), use_ner=False)
    result.tables["dates.csv"] = result.tables["dates.csv"][::2]
    result.tables["incidents.csv"] = result.tables["incidents.csv"][1:]
    write_tables(tmp_path, result.tables)
    ours = evaluate(gold, tmp_path).as_dict()
    reference = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), str(gold), str(tmp_path),
                                "--json"], capture_output=True, text=True, check=True)
    theirs = json.loads(reference.stdout)
    assert ours["score"] < 1.0
    assert ours == theirs
