"""A correction saved in the gold store is what the tables say, from the next export on, with no retrain."""

import json

import pytest

from pipeline.batch.corrections import CORRECTION, export_tables
from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import Store, stored_articles
from pipeline.learning.gold import draft_records
from pipeline.learning.gold_store import SERVE, GoldStore

# Invented articles.
ARTICLES = [
    {"id": "kashiwa-1", "reference_date": "2025-03-12",
     "text": "柏木精工は11日、取引先の担当者420人分の氏名とメールアドレスが、外部から閲覧できる状態だったと発表した。"
             "3月2日に設定を変えた際の誤りという。"},
    {"id": "hibari-1", "reference_date": "2025-04-03",
     "text": "ひばり台町は2日、町民57人分の住所を記した名簿を紛失したと発表した。"},
]


@pytest.fixture
def stored(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    out = tmp_path / "out"
    with Store.open(out) as store:
        run_into_store(iter_inputs([path]), store, use_ner=False)
        drafts = {r["id"]: json.loads(json.dumps(r, ensure_ascii=False)) for r in draft_records(store)}
        texts = stored_articles(store)
    return out, GoldStore(tmp_path / "gold"), drafts, texts


def tables_of(out, gold):
    with Store.open(out) as store:
        return {name: list(rows) for name, rows in export_tables(store, gold.saved()).items()}


def test_the_corrected_article_says_what_the_analyst_said_in_every_table(stored):
    out, gold, drafts, texts = stored
    correction = {**drafts["kashiwa-1"], "is_incident": True, "victim": ["柏木精工"], "cause": ["misconfiguration"],
                  "affected_total": [420], "organizations": [["柏木精工"]], "counts": [[420, "人"]],
                  "dates": ["2025-03-02", "2025-03-11"], "date_roles": {"2025-03-02": "occurred",
                                                                        "2025-03-11": "announced"},
                  "categories": {"name": True, "email": True, "phone": False}}
    gold.add([correction], SERVE, [texts["kashiwa-1"]])
    tables = tables_of(out, gold)

    incidents = {row.article_id: row for row in tables["incidents.csv"]}
    fixed, other = incidents["kashiwa-1"], incidents["hibari-1"]
    assert (fixed.victim, fixed.cause, fixed.affected_total) == ("柏木精工", "misconfiguration", 420)
    assert fixed.affected_unit == "人"
    assert (fixed.announced_on, fixed.occurred_on) == ("2025-03-11", "2025-03-02")
    assert (fixed.categories, fixed.not_leaked_categories) == ("email;name", "phone")
    assert (fixed.corrected, fixed.correction_stale, fixed.confidence) == (True, False, 1.0)
    assert not other.corrected, "an article nobody corrected keeps its extracted row"

    (case,) = [c for c in tables["cases.csv"] if "kashiwa-1" in c.article_ids]
    assert (case.victim, case.cause, case.affected_total) == ("柏木精工", "misconfiguration", 420)

    orgs = [(r.text, r.role, r.source) for r in tables["organizations.csv"] if r.article_id == "kashiwa-1"]
    assert any(t == "柏木精工" and role == "victim" for t, role, _ in orgs), orgs
    text = texts["kashiwa-1"].text
    for row in tables["organizations.csv"] + tables["counts.csv"]:
        assert row.text == text[row.start:row.end] or row.article_id != "kashiwa-1"
    dates = {r.value: (r.role, r.rule) for r in tables["dates.csv"] if r.article_id == "kashiwa-1"}
    assert set(dates) == {"2025-03-02", "2025-03-11"} and dates["2025-03-02"][0] == "occurred"
    categories = {(r.category, r.negated, r.rule == CORRECTION) for r in tables["data_categories.csv"]
                  if r.article_id == "kashiwa-1"}
    assert ("phone", True, True) in categories and ("email", False, False) in categories


def test_a_correction_that_says_no_incident_takes_the_article_out_of_its_case(stored):
    out, gold, drafts, texts = stored
    gold.add([{**drafts["hibari-1"], "is_incident": False}], SERVE, [texts["hibari-1"]])
    tables = tables_of(out, gold)
    row = next(r for r in tables["incidents.csv"] if r.article_id == "hibari-1")
    assert (row.is_incident, row.case_id, row.cause, row.corrected) == (False, "", "", True)
    assert all("hibari-1" not in c.article_ids.split(";") for c in tables["cases.csv"])


def test_a_correction_of_an_article_whose_text_changed_is_kept_and_marked_stale(stored, tmp_path):
    out, gold, drafts, texts = stored
    gold.add([{**drafts["hibari-1"], "cause": ["loss"]}], SERVE, [texts["hibari-1"]])
    changed = {**ARTICLES[1], "text": ARTICLES[1]["text"] + "名簿は後日、町内で見つかった。"}
    path = tmp_path / "changed.jsonl"
    path.write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store.open(out) as store:
        run_into_store(iter_inputs([path]), store, use_ner=False)
    row = next(r for r in tables_of(out, gold)["incidents.csv"] if r.article_id == "hibari-1")
    assert (row.cause, row.corrected, row.correction_stale) == ("loss", True, True)
