"""The pipeline on the real dev articles in ../shared (read from there, never copied)."""

import json

import pytest

from pipeline.batch.reading import read_jsonl
from pipeline.batch.run import run_articles
from pipeline.batch.writing import write_tables
from pipeline.learning import decisions
from pipeline.learning.evaluate import evaluate, read_gold
from pipeline.learning.folds import sealed_split


@pytest.fixture(scope="module")
def open_gold(shared_dir, tmp_path_factory):
    """The open part of the dev gold (the sealed part is the lead's final measure: never run here)."""
    records, _ = sealed_split(read_gold(shared_dir / "corpus" / "dev.gold.jsonl"))
    path = tmp_path_factory.mktemp("gold") / "dev-open.gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dev_run(shared_dir, open_gold, tmp_path_factory):
    out = tmp_path_factory.mktemp("dev")
    wanted = {r["id"] for r in read_gold(open_gold)}
    articles = [a for a in read_jsonl(shared_dir / "corpus" / "dev.jsonl") if a.article_id in wanted]
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
    articles, result, _ = dev_run
    gold = {g["id"]: g for g in map(json.loads, (shared_dir / "corpus" / "dev.gold.jsonl").open(encoding="utf-8"))}
    seeds = [seed for seed in ("seed-line-credit", "seed-lineyahoo") if seed in {a.article_id for a in articles}]
    assert "seed-lineyahoo" in seeds  # (the other may be in the sealed part)
    for seed in seeds:
        found = {row.value for row in result.tables["dates.csv"] if row.article_id == seed}
        assert set(gold[seed]["dates"]) <= found
    lineyahoo = {row.text: row.value for row in result.tables["dates.csv"] if row.article_id == "seed-lineyahoo"}
    assert lineyahoo["同17日"] == "2023-10-17" and lineyahoo["24年度"] == "FY2024"


def test_dev_score_stays_above_the_bar(dev_run, open_gold):
    _, result, out = dev_run
    assert result.failed == 0
    report = evaluate(open_gold, out)
    # The stock decision weights were fitted on these articles (with dev-cases and both probe
    # batches, open parts), and the rules written while reading them, so this score (0.937 when the
    # weights were last fitted; organizations F1 0.849 the lowest field, affected_total 0.944 the
    # lowest accuracy, rows right 0.794) flatters them: the honest figures are cross-validated below.
    assert report.score >= 0.92
    assert min(t.f1 for t in report.fields.values()) >= 0.83
    assert min(report.accuracy_of(name) for name in report.accuracy) >= 0.9
    assert report.rows_right >= 0.75


def test_decisions_hold_up_on_articles_their_weights_were_not_fitted_on(dev_run, open_gold):
    articles, _, _ = dev_run
    examples = decisions.collect(read_gold(open_gold), {a.article_id: a for a in articles})
    report = decisions.cross_validate(examples, folds=5, seed=0)
    # 5-fold figures by case on the open dev part alone (split seed 0) when the decision models were
    # last fitted: score 0.916; is_incident 0.941, victim 0.864, cause 0.848, affected_total 0.920
    # (bench/accuracy.py, which also fits on dev-cases and the probes, says more).
    assert report.score >= 0.9
    assert min(report.accuracy_of(name) for name in report.accuracy) >= 0.8


def test_articles_reporting_one_incident_share_a_case_and_others_stay_apart(shared_dir, tmp_path):
    from pipeline.batch.run import run_into_store
    from pipeline.batch.store import Store

    corpus = shared_dir / "corpus"
    gold_records, _ = sealed_split(read_gold(corpus / "dev.gold.jsonl") + read_gold(corpus / "dev-cases.gold.jsonl"))
    wanted = {r["id"] for r in gold_records}
    articles = [a for name in ("dev.jsonl", "dev-cases.jsonl") for a in read_jsonl(corpus / name)
                if a.article_id in wanted]
    out = tmp_path / "out"
    with Store.open(out) as store:
        run_into_store(iter(articles), store)
        write_tables(out, store.tables())
    gold = tmp_path / "open.gold.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records), encoding="utf-8")
    cases = evaluate(gold, out).cases
    # The pair model was fitted on these pairs (cross-validated by case it finds 0.80 of them with
    # no wrong link: pipeline.learning.case_pairs); SPEC: pairs of gold-incident articles.
    assert cases.precision >= 0.95 and cases.recall >= 0.85
