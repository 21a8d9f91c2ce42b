"""The pipeline on the real dev articles in ../shared (read from there, never copied)."""

import json

import pytest

from pipeline.batch.reading import read_jsonl
from pipeline.batch.run import run_articles
from pipeline.batch.writing import write_tables
from pipeline.learning import decisions
from pipeline.learning.evaluate import evaluate, read_gold


@pytest.fixture(scope="module")
def dev_run(shared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("dev")
    articles = list(read_jsonl(shared_dir / "corpus" / "dev.jsonl"))
    result = run_articles(articles)
    write_tables(out, result.tables)
    return articles, result, out


def test_every_span_row_quotes_the_article_text(dev_run):
    articles, result, _ = dev_run
    texts = {a.article_id: a.text for a in articles}
    rows = [row for name in ("organizations.csv", "dates.csv", "counts.csv", "data_categories.csv")
            for row in result.tables[name]]
    assert len(rows) > 400
    for row in rows:
        assert texts[row.article_id][row.start:row.end] == row.text


def test_every_date_of_the_seed_articles_resolves(dev_run, shared_dir):
    _, result, _ = dev_run
    gold = {g["id"]: g for g in map(json.loads, (shared_dir / "corpus" / "dev.gold.jsonl").open(encoding="utf-8"))}
    for seed in ("seed-line-credit", "seed-lineyahoo"):
        found = {row.value for row in result.tables["dates.csv"] if row.article_id == seed}
        assert set(gold[seed]["dates"]) <= found
    lineyahoo = {row.text: row.value for row in result.tables["dates.csv"] if row.article_id == "seed-lineyahoo"}
    assert lineyahoo["同17日"] == "2023-10-17" and lineyahoo["24年度"] == "FY2024"


def test_dev_score_stays_above_the_bar(dev_run, shared_dir):
    _, result, out = dev_run
    assert result.failed == 0
    report = evaluate(shared_dir / "corpus" / "dev.gold.jsonl", out)
    # The stock decision weights were fitted on these very articles, so this score (0.926 when they
    # were fitted) flatters them: the honest figures are cross-validated below. Organizations F1
    # (0.832) is the lowest field.
    assert report.score >= 0.92
    assert min(t.f1 for t in report.fields.values()) >= 0.82
    assert min(report.accuracy_of(name) for name in report.accuracy) >= 0.9


def test_decisions_hold_up_on_articles_their_weights_were_not_fitted_on(dev_run, shared_dir):
    articles, _, _ = dev_run
    gold = read_gold(shared_dir / "corpus" / "dev.gold.jsonl")
    examples = decisions.collect(gold, {a.article_id: a for a in articles})
    report = decisions.cross_validate(examples, folds=5, seed=0)
    # 5-fold figures when the decision models were written: score 0.908; is_incident 0.941,
    # victim 0.903, cause 0.935, affected_total 0.887 (README, "Learned decisions").
    assert report.score >= 0.895
    assert min(report.accuracy_of(name) for name in report.accuracy) >= 0.85
