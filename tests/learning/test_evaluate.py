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


def test_eval_scores_case_linking_like_the_reference_scorer(tmp_path, shared_dir):
    from tests.cases import articles

    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in articles.ALL), encoding="utf-8")
    write_tables(tmp_path, run_articles(iter_inputs([news]), use_ner=True).tables)
    labels = {article_id: "-".join(sorted(group)) for group in articles.SAME_INCIDENT for article_id in group}
    # One label wrong on purpose (the mail is said to be the USB loss): a missed pair and a false one.
    labels["kitahama-mail"] = labels["kitahama-usb"]
    gold = tmp_path / "news.gold.jsonl"
    gold.write_text("".join(json.dumps({"id": r["id"], "is_incident": r["id"] != "advice",
                                        **({"case": labels[r["id"]]} if r["id"] in labels else {})}) + "\n"
                            for r in articles.ALL), encoding="utf-8")
    ours = evaluate(gold, tmp_path).as_dict()
    reference = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), str(gold), str(tmp_path),
                                "--json"], capture_output=True, text=True, check=True)
    assert ours == json.loads(reference.stdout)
    assert (ours["cases"]["tp"], ours["cases"]["fn"]) == (2, 2)
