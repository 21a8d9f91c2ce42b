"""`pipeline eval` must print the figures of the reference scorer (SPEC.md)."""

import json
import subprocess
import sys
from collections import defaultdict

import pytest

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_articles
from pipeline.batch.writing import write_tables
from pipeline.learning.evaluate import evaluate, evaluate_tables, review_figures
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


def test_eval_prints_the_lines_of_the_reference_scorer(tmp_path, shared_dir):
    gold = REPO / "data" / "gold" / "samples.gold.jsonl"
    result = run_articles(iter_inputs([REPO / "data" / "raw"]), use_ner=False)
    result.tables["incidents.csv"] = result.tables["incidents.csv"][1:]  # one row missing: a wrong row
    write_tables(tmp_path, result.tables)
    reference = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), str(gold), str(tmp_path),
                                "--errors"], capture_output=True, text=True, check=True)
    report = evaluate(gold, tmp_path)
    assert report.format(show_errors=True).splitlines() == reference.stdout.splitlines()
    assert any(line.startswith("rows right") for line in reference.stdout.splitlines())


# (confidence, incident row fully right), in gold order -> (rows right, triage30)
REVIEWED = [
    ([], (1.0, 1.0)),
    ([(0.9, True), (0.8, True)], (1.0, 1.0)),  # nothing wrong: nothing to find
    ([(0.1, False), (0.9, True), (0.8, True), (0.7, True)], (0.75, 1.0)),  # round(4 * 0.3) = 1 row reviewed
    ([(0.9, False), (0.1, True), (0.8, True), (0.7, True)], (0.75, 0.0)),  # the wrong row is the surest
    # ten rows, three reviewed (0.1, 0.2, 0.3): two of the four wrong ones
    ([(0.1, False), (0.2, True), (0.3, False), (0.4, False), (0.5, True), (0.6, True), (0.7, True),
      (0.8, True), (0.9, True), (0.95, False)], (0.6, 0.5)),
    # a tie at the cut keeps input order: the first 0.5 is reviewed, the second is not
    ([(0.5, True), (0.5, False), (0.9, True)], (2 / 3, 0.0)),
]


@pytest.mark.parametrize(("reviewed", "figures"), REVIEWED)
def test_rows_right_and_triage30_of_invented_rows(reviewed, figures):
    assert review_figures(reviewed) == pytest.approx(figures)


def test_a_non_incident_row_is_right_when_called_a_non_incident_and_a_missing_row_is_least_sure():
    gold = [{"id": "a", "is_incident": False}, {"id": "b", "victim": ["北浜市"], "cause": ["loss"]},
            {"id": "c", "victim": ["南浜町"], "cause": ["loss"]}]
    incidents = {"a": [{"is_incident": "false", "confidence": "0.900"}],
                 "b": [{"is_incident": "true", "victim": "北浜市", "cause": "loss", "confidence": "0.800"}]}
    tables = {name: defaultdict(list) for name in
              ("organizations.csv", "dates.csv", "counts.csv", "data_categories.csv")}
    report = evaluate_tables(gold, {**tables, "incidents.csv": incidents})
    assert report.reviewed == [(0.9, True), (0.8, True), (0.0, False)]
    assert (report.rows_right, report.triage30) == (pytest.approx(2 / 3), 1.0)
