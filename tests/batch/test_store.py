"""The store keeps each article's rows whole: saved in one transaction, exported as they went in."""

import multiprocessing
import sqlite3

import pytest

from pipeline.batch.store import SCHEMA_VERSION, STORE_NAME, RunLock, Store, StoreError
from pipeline.records import ArticleRow, CategoryRow, CountRow, DateRow, Extraction, IncidentRow, OrganizationRow


def article(article_id="a1", status="ok", error=""):
    return ArticleRow(article_id, f"in/{article_id}.txt", "ab" * 32, 40, "utf-8", "", "", "2024-06-03", "given",
                      status, error)


def extraction(article_id="a1", total=1200):
    return Extraction(
        organizations=[OrganizationRow(article_id, 0, 3, "北浜市", "北浜市", "government", "victim", "org.place")],
        dates=[DateRow(article_id, 4, 9, "6月3日", "2024-06-03", "day", "announced", "date.md")],
        counts=[CountRow(article_id, 20, 26, "1200人分", total, "人", "exact", "氏名", False, "count.unit.nin")],
        categories=[CategoryRow(article_id, 14, 16, "氏名", "name", False, "cat.name"),
                    CategoryRow(article_id, 30, 32, "口座", "bank_account", True, "cat.bank")],
        incident=IncidentRow(article_id, "", True, "北浜市", "misdelivery", total, "人", "exact", "2024-06-03", "", "",
                             "name", "bank_account", 0.8, "北浜市は6月3日、…誤送信したと発表した。"),
    )


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path) as opened:
        yield opened


def test_saved_rows_come_back_with_their_types(store):
    store.save(article(), extraction(), text="北浜市は6月3日…", input_key="k1", extractor="e1", run_id=1)
    tables = store.tables()
    assert tables["articles.csv"] == [article()]
    assert tables["counts.csv"] == extraction().counts
    assert tables["counts.csv"][0].possible is False and tables["counts.csv"][0].value == 1200
    assert tables["data_categories.csv"] == extraction().categories
    assert tables["incidents.csv"] == [extraction().incident]
    assert store.article_text("a1") == "北浜市は6月3日…"


def test_saving_again_replaces_the_rows_instead_of_adding_to_them(store):
    store.save(article(), extraction(total=1200))
    store.save(article(), extraction(total=1300))
    assert [c.value for c in store.tables()["counts.csv"]] == [1300]
    assert len(store.tables()["organizations.csv"]) == 1


def test_an_article_that_fails_to_save_keeps_its_previous_rows(store):
    store.save(article(), extraction(total=1200))
    broken = Extraction(organizations=[object()])  # not a row: the insert fails inside the transaction
    with pytest.raises(TypeError):
        store.save(article(), broken)
    assert [c.value for c in store.tables()["counts.csv"]] == [1200]
    assert store.tables()["articles.csv"] == [article()]


def test_an_article_is_current_only_for_the_same_input_and_extractor(store):
    store.save(article(), extraction(), input_key="k1", extractor="e1")
    store.save(article("a2", "failed", "empty file (0 bytes)"), None, input_key="k2", extractor="e1")
    assert store.is_current("a1", "k1", "e1")
    assert not store.is_current("a1", "k1-changed", "e1")
    assert not store.is_current("a1", "k1", "e2-newer-rules")
    assert not store.is_current("a2", "k2", "e1"), "failed articles are retried"
    assert not store.is_current("a3", "k3", "e1")


def test_tables_are_in_article_order_and_a_rejected_duplicate_is_kept_apart(store):
    store.save(article("b"), extraction("b"))
    store.save(article("a"), extraction("a"))
    store.reject(article("a", "failed", "duplicate article id 'a'"), run_id=1)
    assert [(r.article_id, r.status) for r in store.tables()["articles.csv"]] == [("a", "ok"), ("b", "ok")]
    assert [(r.article_id, r.error) for r in store.rejected()] == [("a", "duplicate article id 'a'")]
    store.begin_run("rules", "extractor")
    assert store.rejected() == [], "rejects last one run"


def test_prune_drops_articles_not_kept(store):
    store.save(article("a"), extraction("a"))
    store.save(article("b"), extraction("b"))
    assert store.prune({"a"}) == ["b"]
    assert store.article_ids() == ["a"]
    assert {r.article_id for r in store.tables()["dates.csv"]} == {"a"}


def test_runs_are_recorded_and_an_unfinished_one_is_reported(store):
    first = store.begin_run("r1", "e1")
    store.finish_run(first, processed=3, skipped=0, failed=1)
    second = store.begin_run("r2", "e2")
    assert [(r.run_id, r.rules_version, r.processed, r.failed) for r in store.runs()] == [
        (first, "r1", 3, 1), (second, "r2", 0, 0)]
    assert [r.run_id for r in store.interrupted_runs()] == [second]


def test_a_file_that_is_not_a_store_is_refused_with_its_name(tmp_path):
    (tmp_path / STORE_NAME).write_bytes(b"these are not the bytes of a SQLite database" * 100)
    with pytest.raises(StoreError, match=f"{STORE_NAME}: not a usable pipeline store"):
        Store.open(tmp_path)


def test_a_store_from_a_newer_schema_is_refused(tmp_path):
    connection = sqlite3.connect(tmp_path / STORE_NAME)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match="newer pipeline"):
        Store.open(tmp_path)


SCHEMA_1 = """
CREATE TABLE articles ("article_id" TEXT, "source" TEXT, "sha256" TEXT, "chars" INTEGER, "encoding" TEXT,
  "title" TEXT, "reference_date" TEXT, "status" TEXT, "error" TEXT, text TEXT, url TEXT, input_key TEXT,
  extractor TEXT, run_id INTEGER, PRIMARY KEY (article_id));
CREATE TABLE rejects ("article_id" TEXT, "source" TEXT, "sha256" TEXT, "chars" INTEGER, "encoding" TEXT,
  "title" TEXT, "reference_date" TEXT, "status" TEXT, "error" TEXT, run_id INTEGER);
CREATE TABLE "incidents" (seq INTEGER NOT NULL, "article_id" TEXT, "is_incident" INTEGER, "victim" TEXT,
  "cause" TEXT, "affected_total" INTEGER, "affected_unit" TEXT, "announced_on" TEXT, "occurred_on" TEXT,
  "detected_on" TEXT, "categories" TEXT, "not_leaked_categories" TEXT);
INSERT INTO articles VALUES ('old', 'in/old.txt', 'ab', 12, 'utf-8', '', '2024-06-03', 'ok', '', '北浜市は誤送信した。',
  'https://example.jp/a', 'key', 'extractor-v1', 1);
INSERT INTO incidents VALUES (0, 'old', 1, '北浜市', 'misdelivery', 32, '人', '2024-06-03', '', '', 'name', '');
PRAGMA user_version = 1;
"""


def test_a_schema_1_store_is_upgraded_in_place_and_its_articles_are_re_extracted(tmp_path):
    connection = sqlite3.connect(tmp_path / STORE_NAME)
    connection.executescript(SCHEMA_1)
    connection.close()
    with Store.open(tmp_path) as store:
        (row,) = store.tables()["articles.csv"]
        assert (row.article_id, row.url, row.reference_date_source) == ("old", "https://example.jp/a", "given")
        (incident,) = store.tables()["incidents.csv"]
        assert (incident.victim, incident.case_id, incident.confidence) == ("北浜市", "", 0.0)
        assert not store.is_current("old", "key", "extractor-v1")  # stale: the next run fills the new columns
    assert sqlite3.connect(tmp_path / STORE_NAME).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _hold_lock(folder, ready, release):
    with RunLock(folder):
        ready.set()
        release.wait(30)


def test_only_one_run_holds_an_output_folder_and_a_dead_run_holds_nothing(tmp_path):
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    other_run = context.Process(target=_hold_lock, args=(tmp_path, ready, release))
    other_run.start()
    assert ready.wait(30)
    with pytest.raises(StoreError, match=rf"another pipeline run \(pid {other_run.pid}\) is writing this folder"):
        RunLock(tmp_path).__enter__()
    other_run.kill()  # as `kill -9` would
    other_run.join(30)
    with RunLock(tmp_path):
        pass
