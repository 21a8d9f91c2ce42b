"""Cases in the store: linked after each run, incrementally, with ids that do not move."""

import json
import sqlite3

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import STORE_NAME, Store
from pipeline.cases.linking import link_articles
from tests.cases import articles
from tests.cases.articles import facts


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def run(out, *files, **options):
    with Store.open(out) as store:
        result = run_into_store(iter_inputs(list(files)), store, use_ner=True, **options)
        return result, store.tables()


def case_of(tables) -> dict[str, str]:
    return {row.article_id: row.case_id for row in tables["incidents.csv"]}


def test_a_new_report_joins_the_stored_case_and_keeps_its_id(tmp_path):
    first = write_jsonl(tmp_path / "first.jsonl",
                        [articles.KITAHAMA_USB, articles.HAMANASU_RANSOMWARE, articles.SAKURA_RANSOMWARE])
    _, before = run(tmp_path / "out", first)
    later = write_jsonl(tmp_path / "later.jsonl",
                        [articles.KITAHAMA_USB_FOLLOW_UP, articles.HAMANASU_SECOND_REPORT, articles.KITAHAMA_MAIL])
    result, after = run(tmp_path / "out", first, later)
    assert (result.processed, result.skipped) == (3, 3)  # the stored articles were not re-extracted
    cases = case_of(after)
    assert {k: cases[k] for k in case_of(before)} == case_of(before)
    assert cases["kitahama-usb-2"] == cases["kitahama-usb"] and cases["hamanasu-2"] == cases["hamanasu"]
    assert cases["kitahama-mail"] not in (cases["kitahama-usb"], cases["hamanasu"], cases["sakura"])
    (row,) = [c for c in after["cases.csv"] if c.case_id == cases["hamanasu"]]
    assert (row.article_ids, row.articles, row.affected_total) == ("hamanasu;hamanasu-2", 2, 28000)


def test_rerunning_unchanged_input_changes_nothing_and_a_fresh_run_gives_the_same_ids(tmp_path):
    both = write_jsonl(tmp_path / "all.jsonl", articles.ALL)
    _, first = run(tmp_path / "out", both)
    result, again = run(tmp_path / "out", both)
    assert result.processed == 0 and again == first
    _, fresh = run(tmp_path / "fresh", both)
    assert fresh["cases.csv"] == first["cases.csv"] and case_of(fresh) == case_of(first)


def test_a_changed_article_is_relinked_and_a_pruned_one_leaves_its_case(tmp_path):
    usb, follow_up, mail = articles.KITAHAMA_USB, articles.KITAHAMA_USB_FOLLOW_UP, articles.KITAHAMA_MAIL
    _, first = run(tmp_path / "out", write_jsonl(tmp_path / "a.jsonl", [usb, follow_up, mail]))
    edited = {**follow_up, "text": follow_up["text"] + "市は再発防止策を検討する。"}
    _, second = run(tmp_path / "out", write_jsonl(tmp_path / "a.jsonl", [usb, edited, mail]))
    assert case_of(second) == case_of(first)
    _, pruned = run(tmp_path / "out", write_jsonl(tmp_path / "a.jsonl", [usb, mail]), prune=True)
    remaining = [c for c in pruned["cases.csv"] if c.case_id == case_of(first)["kitahama-usb"]]
    assert [(c.article_ids, c.articles) for c in remaining] == [("kitahama-usb", 1)]


def test_a_schema_2_store_gets_its_stored_incidents_linked_by_the_next_run(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [articles.KITAHAMA_USB, articles.KITAHAMA_USB_FOLLOW_UP])
    run(tmp_path / "out", source)
    connection = sqlite3.connect(tmp_path / "out" / STORE_NAME)
    connection.executescript("DROP TABLE case_members; DROP TABLE case_keys; UPDATE incidents SET case_id = '';"
                             "PRAGMA user_version = 2;")
    connection.close()
    result, tables = run(tmp_path / "out", source)
    assert result.processed == 0
    cases = case_of(tables)
    assert cases["kitahama-usb"] and cases["kitahama-usb"] == cases["kitahama-usb-2"]


def test_a_report_that_fits_two_stored_cases_merges_them_and_later_reports_find_the_merged_case(tmp_path):
    ransomware = {"cause": "ransomware", "total": 30000}
    subsidiary = facts("sub", "2025-05-20", keys=("ハマナス電子販売",), **ransomware)
    parent = facts("parent", "2025-05-21", keys=("ミナモトホールディングス",), **ransomware)
    with Store.open(tmp_path / "out") as store:
        apart = link_articles([subsidiary, parent], store)
        assert apart["sub"] != apart["parent"]
        both = link_articles([facts("both", "2025-05-23", keys=("ハマナス電子販売", "ミナモトホールディングス"),
                                    **ransomware)], store)
        later = link_articles([facts("later", "2025-05-30", keys=("ハマナス電子販売",), **ransomware)], store)
        merged = both["both"]
        assert later["later"] == merged
        assert store.case_ids(["sub", "parent", "both", "later"]) == dict.fromkeys(("sub", "parent", "both", "later"),
                                                                                 merged)
        assert sorted(store.case_links()) == ["both", "later"]
