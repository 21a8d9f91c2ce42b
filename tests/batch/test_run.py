"""Runs into the store are incremental: only new, changed or stale articles are extracted."""

import shutil

import pytest

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import extractor_version, run_articles, run_into_store
from pipeline.batch.store import Store
from pipeline.stages.rules import RuleError
from tests.conftest import REPO

SAMPLES = REPO / "data" / "raw"


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in ("s01_minato_ransomware.txt", "s02_kitahama_fax.txt", "s06_kirara_misconfig.html"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def run(folder, out, **options):
    options.setdefault("use_ner", False)
    with Store.open(out) as store:
        result = run_into_store(iter_inputs([folder]), store, **options)
        return result, store.tables()


def test_a_second_run_on_unchanged_input_extracts_nothing_and_keeps_the_tables(inputs, tmp_path):
    first, tables = run(inputs, tmp_path / "out")
    second, again = run(inputs, tmp_path / "out")
    assert (first.processed, first.skipped) == (3, 0)
    assert (second.processed, second.skipped, second.characters) == (0, 3, 0)
    assert again == tables


def test_only_the_added_and_the_changed_article_are_processed(inputs, tmp_path):
    run(inputs, tmp_path / "out")
    shutil.copy(SAMPLES / "s10_yoshino_card.txt", inputs)
    changed = inputs / "s02_kitahama_fax.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("北浜", "南浜"), encoding="utf-8")
    result, tables = run(inputs, tmp_path / "out")
    assert (result.processed, result.skipped) == (2, 2)
    victims = {row.article_id: row.victim for row in tables["incidents.csv"]}
    assert victims["s02_kitahama_fax"].startswith("南浜")
    assert "s10_yoshino_card" in victims


def test_other_rules_or_settings_make_stored_rows_stale(inputs, tmp_path):
    run(inputs, tmp_path / "out", use_ner=False)
    assert extractor_version(True) != extractor_version(False)
    result, _ = run(inputs, tmp_path / "out", use_ner=True)
    assert result.processed == 3, "rows made without NER are reprocessed when NER is switched on"


def test_rebuild_reprocesses_everything_and_gives_the_same_tables(inputs, tmp_path):
    _, tables = run(inputs, tmp_path / "out")
    result, rebuilt = run(inputs, tmp_path / "out", rebuild=True)
    assert result.processed == 3 and rebuilt == tables


def test_the_store_accumulates_until_pruned(inputs, tmp_path):
    run(inputs, tmp_path / "out")
    (inputs / "s01_minato_ransomware.txt").unlink()
    _, kept = run(inputs, tmp_path / "out")
    assert len(kept["articles.csv"]) == 3
    result, pruned = run(inputs, tmp_path / "out", prune=True)
    assert result.pruned == 1
    assert [row.article_id for row in pruned["articles.csv"]] == ["s02_kitahama_fax", "s06_kirara_misconfig"]


def test_store_tables_hold_the_same_rows_as_an_in_memory_run(inputs, tmp_path):
    _, stored = run(inputs, tmp_path / "out")
    in_memory = run_articles(iter_inputs([inputs]), use_ner=False).tables
    assert stored == in_memory


def test_a_bad_file_is_saved_as_failed_and_retried_once_fixed(inputs, tmp_path):
    (inputs / "later.txt").write_bytes(b"")
    result, tables = run(inputs, tmp_path / "out")
    assert result.failed == 1
    assert [r.error for r in tables["articles.csv"] if r.status == "failed"] == ["empty file (0 bytes)"]
    (inputs / "later.txt").write_text("北浜市は6月3日、住民32人分の氏名を誤って送信したと発表した。", encoding="utf-8")
    result, tables = run(inputs, tmp_path / "out")
    assert (result.processed, result.skipped, result.failed) == (1, 3, 0)
    assert {r.status for r in tables["articles.csv"]} == {"ok"}


def test_a_broken_rule_file_stops_the_run_before_any_article(inputs, tmp_path, monkeypatch):
    def broken():
        raise RuleError("counts.yaml", 3, "bad regular expression")

    monkeypatch.setattr("pipeline.stages.extraction.count_rules", broken)
    with pytest.raises(RuleError), Store.open(tmp_path / "out") as store:
        run_into_store(iter_inputs([inputs]), store, use_ner=False)
    with Store.open(tmp_path / "out") as store:
        assert store.article_ids() == []
