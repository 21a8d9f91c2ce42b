"""The `pipeline` command on the project's sample articles, as a user runs it."""

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from pipeline.api import read_tables, tables_to_frames
from pipeline.batch.reading import iter_inputs
from pipeline.batch.store import Store
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
    # The docs promise every field right on our own samples (docs/accuracy.md, the sample articles).
    assert report["score"] == 1.0, report


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
    assert [(r["article_id"], r["status"]) for r in rows] == [("dup", "ok")], "one article id, one row"
    assert f"rejected: {batch}:2: duplicate article id 'dup' (first read from {batch}:1)" in result.stderr
    assert "1 rejected (duplicate ids)" in result.stderr


def sample_records(copies):
    """Our sample articles, repeated under distinct ids, as JSON Lines records."""
    samples = [a for a in iter_inputs([REPO / "data" / "raw"]) if isinstance(a, Article)]
    return [{"id": f"{a.article_id}-{n:03d}", "text": a.text, "reference_date": "2024-06-03"}
            for n in range(copies) for a in samples]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def stored_articles(out):
    if not (out / "pipeline.sqlite").exists():
        return 0
    connection = sqlite3.connect(f"file:{out / 'pipeline.sqlite'}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the run has not created its tables yet
        return 0
    finally:
        connection.close()


def test_a_run_killed_mid_batch_is_finished_by_the_next_and_matches_a_clean_run(tmp_path):
    batch = write_jsonl(tmp_path / "batch.jsonl", sample_records(copies=20))
    total = 220
    killed_out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "run", batch, "--out", killed_out, "--no-ner"],
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while stored_articles(killed_out) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    saved = stored_articles(killed_out)
    assert process.returncode == -signal.SIGKILL
    assert 5 <= saved < total, "the run must have been killed in the middle of the batch"
    assert not (killed_out / "articles.csv").exists(), "tables are exported only at the end of a run"

    resumed = run_cli("run", batch, "--out", killed_out, "--no-ner")
    assert resumed.returncode == 0, resumed.stderr
    assert "was interrupted" in resumed.stderr
    assert f"{total - saved} articles processed, {saved} skipped" in resumed.stderr

    clean = run_cli("run", batch, "--out", tmp_path / "clean", "--no-ner")
    assert clean.returncode == 0, clean.stderr
    for name in TABLES:
        assert (killed_out / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name
    assert len(read_csv(killed_out / "articles.csv")) == total


def test_a_rerun_extracts_nothing_and_an_added_file_is_the_only_one_processed(tmp_path):
    inputs = tmp_path / "raw"
    inputs.mkdir()
    for record in sample_records(copies=1)[:3]:
        (inputs / f"{record['id']}.txt").write_text(record["text"], encoding="utf-8")
    out = tmp_path / "out"
    first = run_cli("run", inputs, "--out", out, "--no-ner")
    tables = {name: (out / name).read_bytes() for name in TABLES}
    second = run_cli("run", inputs, "--out", out, "--no-ner")
    assert "3 articles processed, 0 skipped" in first.stderr
    assert "0 articles processed, 3 skipped" in second.stderr
    assert {name: (out / name).read_bytes() for name in TABLES} == tables
    (inputs / "new.txt").write_text("北浜市は6月3日、市民32人分の氏名と住所を誤送信したと発表した。", encoding="utf-8")
    third = run_cli("run", inputs, "--out", out, "--no-ner")
    assert "1 articles processed, 3 skipped" in third.stderr
    assert len(read_csv(out / "incidents.csv")) == 4


def test_a_folder_of_good_and_bad_files_extracts_every_good_one_and_explains_every_bad_one(tmp_path):
    inputs = tmp_path / "mixed"
    inputs.mkdir()
    text = "北浜市は6月3日、市民32人分の氏名と住所を記載した名簿を紛失したと発表した。"
    (inputs / "utf8.txt").write_text(text, encoding="utf-8")
    (inputs / "sjis.txt").write_bytes(text.encode("cp932"))
    (inputs / "euc.txt").write_bytes(text.encode("euc_jp"))
    (inputs / "utf16.txt").write_bytes(text.encode("utf-16"))
    (inputs / "page.html").write_text(f"<nav>メニュー</nav><script>var x = 1;</script><p>{text}&#x3002;</p>",
                                      encoding="utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.txt").write_text(" \n\n ", encoding="utf-8")
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (inputs / "damaged.txt").write_bytes(text.encode("utf-8")[:10] + b"\xff" + text.encode("utf-8"))
    (inputs / "huge.txt").write_text(text * 200, encoding="utf-8")
    (inputs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    write_jsonl(inputs / "batch.jsonl", [{"id": "j1", "text": text}, {"id": "j2"}, {"id": "utf8", "text": text}])
    with (inputs / "batch.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{broken json\n")

    result = run_cli("run", inputs, "--out", tmp_path / "out", "--no-ner", "--max-bytes", "8KB")
    assert result.returncode == 1
    assert "8 article(s) failed: see the status and error columns of" in result.stderr
    assert (f"rejected: {inputs / 'utf8.txt'}: duplicate article id 'utf8' (first read from "
            f"{inputs / 'batch.jsonl'}:3); it is in no table") in result.stderr
    rows = read_csv(tmp_path / "out" / "articles.csv")
    ok = {r["article_id"]: r["encoding"] for r in rows if r["status"] == "ok"}
    assert ok == {"utf8": "utf-8", "sjis": "shift_jis", "euc": "euc-jp", "utf16": "utf-16", "page": "utf-8",
                  "j1": "utf-8"}
    errors = {(r["article_id"], r["error"].split(":")[0].split(" (")[0]) for r in rows if r["status"] == "failed"}
    assert errors == {
        ("empty", "empty file"), ("blank", "file holds only whitespace"), ("image", "binary file"),
        ("damaged", "invalid UTF-8"), ("huge", f"file is {len(text.encode()) * 200} bytes, over the 8192-byte limit"),
        ("gone", "broken symbolic link"),
        ("j2", "record has no 'text' string"), ("batch-line4", "malformed JSON")}
    assert [r["article_id"] for r in rows].count("utf8") == 1, "the duplicate is in no table"
    incidents = read_csv(tmp_path / "out" / "incidents.csv")
    assert len(incidents) == 6 and {i["victim"] for i in incidents} == {"北浜市"}


def test_usage_errors_exit_with_2_and_say_what_is_wrong(tmp_path):
    (tmp_path / "a.txt").write_text("北浜市は6月3日、氏名を誤送信した。", encoding="utf-8")
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[run]\nmax_bytes = \"lots\"\n", encoding="utf-8")
    cases = {
        ("run", tmp_path / "missing"): "input not found",
        ("run", tmp_path / "a.txt", "--max-bytes", "lots"): "not a size: 'lots'",
        ("run", tmp_path / "a.txt", "--frobnicate"): "No such option",
        ("run", tmp_path / "a.txt", "--time-limit", "-1"): "--time-limit",
        ("run", tmp_path / "a.txt", "--config", bad_config): f"{bad_config}: [run] not a size",
    }
    for args, message in cases.items():
        result = run_cli(*args, "--out", tmp_path / "out")
        assert result.returncode == 2, args
        assert message in result.stderr, (args, result.stderr)


def test_a_store_that_is_not_a_store_stops_the_run_with_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text("北浜市は6月3日、氏名を誤送信した。", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "pipeline.sqlite").write_text("not a database" * 100, encoding="utf-8")
    result = run_cli("run", tmp_path / "a.txt", "--out", tmp_path / "out", "--no-ner")
    assert result.returncode == 2
    assert "pipeline.sqlite: not a usable pipeline store" in result.stderr


def test_a_malformed_rule_file_stops_the_run_at_start_up_naming_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "pipeline" / "stages" / "rules", rules)
    dates = rules / "dates.yaml"
    dates.write_text(dates.read_text(encoding="utf-8").replace("pattern: '(?P<era>", "pattern: '((?P<era>", 1),
                     encoding="utf-8")
    (tmp_path / "a.txt").write_text("北浜市は6月3日、氏名を誤送信した。", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", tmp_path / "a.txt", "--out", tmp_path / "out"],
                            cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PIPELINE_RULES_DIR": str(rules)})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: malformed rule file: {dates}:8: rule 'date.era': bad regular expression")
    assert not (tmp_path / "out" / "articles.csv").exists()


def test_formula_payloads_are_guarded_in_the_csv_and_exact_in_the_store(tmp_path):
    batch = write_jsonl(tmp_path / "batch.jsonl", [
        {"id": "=1+2", "title": "@SUM(1)", "text": "北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。"}])
    result = run_cli("run", batch, "--out", tmp_path / "out", "--no-ner")
    assert result.returncode == 0, result.stderr
    article = read_csv(tmp_path / "out" / "articles.csv")[0]
    assert (article["article_id"], article["title"]) == ("'=1+2", "'@SUM(1)")
    assert {row["article_id"] for row in read_csv(tmp_path / "out" / "counts.csv")} == {"'=1+2"}
    connection = sqlite3.connect(tmp_path / "out" / "pipeline.sqlite")
    assert connection.execute("SELECT article_id, title FROM articles").fetchall() == [("=1+2", "@SUM(1)")]
    connection.close()


def test_the_csvs_round_trip_through_pandas_with_their_types(sample_run):
    _, out = sample_run
    with Store.open(out) as store:
        expected = tables_to_frames(store.tables())
    read = read_tables(out)
    for stem, frame in expected.items():
        pd.testing.assert_frame_equal(read[stem], frame, check_dtype=True)
        plain = pd.read_csv(out / f"{stem}.csv")
        assert (plain.isna().to_numpy() == frame.isna().to_numpy()).all(), f"{stem}: missing where extract has NaN"
    counts = pd.read_csv(out / "counts.csv")
    assert counts.columns[0] == "article_id", "the BOM must not leak into the first column's name"
    assert (counts["start"].dtype, counts["value"].dtype, counts["possible"].dtype) == ("int64", "int64", "bool")


def test_stats_and_review_read_the_store_of_a_run(sample_run):
    _, out = sample_run
    stats = run_cli("stats", "--out", out, "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["incidents"] == 10
    review = run_cli("review", "--out", out)
    assert review.returncode == 0, review.stderr
    assert (out / "review" / "index.html").exists() and len(list((out / "review" / "articles").iterdir())) == 11
    missing = run_cli("stats", "--out", out / "nowhere")
    assert missing.returncode == 2 and "no store in" in missing.stderr


def test_progress_is_silent_off_a_terminal_and_the_summary_names_the_figures(tmp_path):
    (tmp_path / "a.txt").write_text("北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。", encoding="utf-8")
    result = run_cli("run", tmp_path / "a.txt", "--out", tmp_path / "out", "--no-ner")
    assert "article/s" not in result.stderr and "\r" not in result.stderr
    assert re.search(r"1 articles processed, 0 skipped \(unchanged\), 0 failed in [\d.]+ s "
                     r"\([\d,]+ characters, [\d,]+ chars/s\); tables in ", result.stderr)
    quiet = run_cli("run", tmp_path / "a.txt", "--out", tmp_path / "out", "--no-ner", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_saved_pages_named_alike_get_their_folder_in_the_id_and_text_prints_what_offsets_count_in(tmp_path):
    for month, city in (("2024-10", "北浜市"), ("2024-11", "南浜町")):
        (tmp_path / "in" / month).mkdir(parents=True)
        (tmp_path / "in" / month / "index.html").write_text(
            f"<html><body><nav>メニュー</nav><p>{city}は11月8日、32人分の氏名を誤送信したと発表した。</p></body></html>",
            encoding="utf-8")
    shutil.copy(REPO / "tests" / "fixtures" / "pdf" / "press_release.pdf", tmp_path / "in")
    out = tmp_path / "out"
    result = run_cli("run", tmp_path / "in", "--out", out, "--no-ner", "--workers", "1")
    assert result.returncode == 0, result.stderr
    articles = read_csv(out / "articles.csv")
    assert [a["article_id"] for a in articles] == ["2024-10/index", "2024-11/index", "press_release"]
    victims = {row["article_id"]: row["victim"] for row in read_csv(out / "incidents.csv")}
    assert victims == {"2024-10/index": "北浜市", "2024-11/index": "南浜町", "press_release": "ハマナス通商"}
    for article_id in victims:
        printed = run_cli("text", article_id, "--out", out)
        assert printed.returncode == 0 and "メニュー" not in printed.stdout
        for table in SPAN_TABLES:
            for row in read_csv(out / table):
                if row["article_id"] == article_id:
                    assert printed.stdout[int(row["start"]):int(row["end"])] == row["text"]
    missing = run_cli("text", "nowhere", "--out", out)
    assert missing.returncode == 2 and "no article 'nowhere'" in missing.stderr


def test_prune_says_how_many_stored_articles_it_dropped(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a", "b"):
        (tmp_path / "in" / f"{name}.txt").write_text("北浜市は6月3日、氏名を誤送信したと発表した。", encoding="utf-8")
    assert run_cli("run", tmp_path / "in", "--out", tmp_path / "out", "--no-ner").returncode == 0
    (tmp_path / "in" / "b.txt").unlink()
    result = run_cli("run", tmp_path / "in", "--out", tmp_path / "out", "--no-ner", "--prune")
    assert "1 pruned from the store" in result.stderr
    quiet = run_cli("run", tmp_path / "in", "--out", tmp_path / "out", "--no-ner", "--prune", "--quiet")
    assert "0 stored article(s) pruned" in quiet.stderr


def test_a_txt_or_pdf_article_is_titled_by_its_first_line_and_a_one_line_text_has_no_title(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notice.txt").write_text("お客様情報の誤送信について\n北浜市は6月3日、氏名を誤送信した。",
                                               encoding="utf-8")
    (tmp_path / "in" / "lead.txt").write_text("北浜市は6月3日、氏名を誤送信した。", encoding="utf-8")
    shutil.copy(REPO / "tests" / "fixtures" / "pdf" / "press_release.pdf", tmp_path / "in")
    result = run_cli("run", tmp_path / "in", "--out", tmp_path / "out", "--no-ner", "--quiet")
    assert result.returncode == 0, result.stderr
    titles = {row["article_id"]: row["title"] for row in read_csv(tmp_path / "out" / "articles.csv")}
    assert titles == {"notice": "お客様情報の誤送信について", "lead": "",
                      "press_release": "お客様情報の流出に関するお知らせ"}


def test_a_file_of_an_unread_type_named_alone_is_an_error_and_beside_others_a_warning(tmp_path):
    (tmp_path / "note.docx").write_bytes(b"PK\x03\x04 not read")
    (tmp_path / "a.txt").write_text("北浜市は6月3日、氏名を誤送信した。", encoding="utf-8")
    alone = run_cli("run", tmp_path / "note.docx", "--out", tmp_path / "out", "--no-ner")
    assert alone.returncode == 2
    assert "note.docx: unsupported file type; the pipeline reads .htm, .html, .jsonl, .pdf, .txt" in alone.stderr
    beside = run_cli("run", tmp_path / "note.docx", tmp_path / "a.txt", "--out", tmp_path / "out", "--no-ner")
    assert beside.returncode == 0 and "note.docx: ignored, unsupported file type" in beside.stderr


def test_help_names_every_input_type_cites_no_outside_path_and_never_cuts_a_summary():
    run_help = run_cli("run", "--help").stdout
    assert all(suffix in run_help for suffix in (".txt", ".html", ".pdf", ".jsonl"))
    for command in ("run", "eval", "review", "serve", "stats", "retrain", "draft-gold", "text"):
        assert "../" not in run_cli(command, "--help").stdout, command
    top = subprocess.run([sys.executable, "-m", "pipeline", "--help"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "80"}).stdout
    listed = " ".join(top.split("Commands:")[1].split())
    assert "..." not in listed
    assert "Print the decoded text of ARTICLE_ID from the store: what the start/end offsets of its rows count in" \
        in listed
    assert "Score the tables in --out against GOLD, a gold JSONL file" in listed
