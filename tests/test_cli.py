"""The `pipeline` command on the project's sample articles, as a user runs it."""

import csv
import json
import subprocess
import sys

import pytest

from pipeline.reading import iter_inputs
from pipeline.records import TABLES, Article, column_names

from .conftest import REPO

SPAN_TABLES = ("organizations.csv", "dates.csv", "counts.csv", "data_categories.csv")


def run_cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_cli("run", REPO / "data" / "raw", "--out", out)
    return result, out


def test_run_writes_the_six_tables_with_the_spec_columns(sample_run):
    result, out = sample_run
    assert result.returncode == 0, result.stderr
    for name, record_type in TABLES.items():
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} must start with a BOM for Excel"
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            assert next(csv.reader(handle)) == column_names(record_type)
    articles = read_csv(out / "articles.csv")
    assert len(articles) == 11 and {a["status"] for a in articles} == {"ok"}
    assert {a["encoding"] for a in articles} >= {"shift_jis", "euc-jp", "utf-8-sig", "utf-8"}


def test_every_span_row_quotes_the_article_text(sample_run):
    _, out = sample_run
    texts = {a.article_id: a.text for a in iter_inputs([REPO / "data" / "raw"]) if isinstance(a, Article)}
    checked = 0
    for table in SPAN_TABLES:
        for row in read_csv(out / table):
            assert texts[row["article_id"]][int(row["start"]):int(row["end"])] == row["text"], (table, row)
            checked += 1
    assert checked > 100


def test_incidents_one_row_per_article(sample_run):
    _, out = sample_run
    incidents = {row["article_id"]: row for row in read_csv(out / "incidents.csv")}
    assert len(incidents) == 11
    card = incidents["s10_yoshino_card"]
    assert (card["is_incident"], card["victim"], card["cause"], card["affected_total"]) == (
        "true", "ヨシノ珈琲", "unauthorized_access", "2418")
    assert (card["categories"], card["not_leaked_categories"]) == ("credit_card", "address;name")
    assert incidents["s09_advice"]["is_incident"] == "false"


def test_eval_on_the_samples_prints_the_scores(sample_run):
    _, out = sample_run
    result = run_cli("eval", REPO / "data" / "gold" / "samples.gold.jsonl", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["articles"] == 11
    assert report["score"] >= 0.9


def test_a_bad_file_fails_alone_and_the_exit_status_says_so(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text("北浜市は11月8日、32人分の氏名を誤送信したと発表した。", encoding="utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    result = run_cli("run", inputs, "--out", tmp_path / "out", "--no-ner")
    assert result.returncode == 1
    assert "1 article(s) failed" in result.stderr
    rows = {r["article_id"]: r for r in read_csv(tmp_path / "out" / "articles.csv")}
    assert rows["good"]["status"] == "ok" and rows["empty"]["status"] == "failed"
    assert rows["empty"]["error"] == "empty file (0 bytes)"
    assert read_csv(tmp_path / "out" / "incidents.csv")[0]["victim"] == "北浜市"


def test_a_missing_input_is_a_usage_error(tmp_path):
    result = run_cli("run", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "input not found" in result.stderr


def test_duplicate_ids_fail_the_second_article(tmp_path):
    batch = tmp_path / "batch.jsonl"
    record = {"id": "dup", "text": "佐賀県は24日、33人分の住所を誤掲載したと発表した。", "reference_date": "2016-06-25"}
    batch.write_text((json.dumps(record, ensure_ascii=False) + "\n") * 2, encoding="utf-8")
    result = run_cli("run", batch, "--out", tmp_path / "out", "--no-ner")
    assert result.returncode == 1
    rows = read_csv(tmp_path / "out" / "articles.csv")
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert "duplicate article id" in rows[1]["error"]
