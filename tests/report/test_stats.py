"""`pipeline stats`: what an analyst asks of the store first."""

import json

import pytest

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import Store
from pipeline.report.stats import pad, summarize
from tests.cases import articles
from tests.conftest import REPO


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats")
    with Store.open(out) as store:
        run_into_store(iter_inputs([REPO / "data" / "raw"]), store, use_ner=False)
        return summarize(store, top=3)


def test_incidents_by_cause_and_year(summary):
    assert (summary.articles, summary.failed, summary.incidents) == (11, 0, 10)
    assert summary.by_cause.sum() == 10 and summary.by_cause["misdelivery"] == 2  # the fax and the BCC e-mail
    assert summary.by_year.sum() == 10


def test_top_victims_affected_totals_and_categories(summary):
    assert len(summary.top_victims) == 3
    assert max(unit["max"] for unit in summary.affected.values()) == 37000
    assert sum(unit["incidents_with_total"] for unit in summary.affected.values()) == 10
    categories = summary.categories.set_index("category")
    assert categories.loc["name", "leaked"] >= 5
    assert categories.loc["address", "not_leaked"] == 2  # the hospital and the card shop say so
    text = summary.format()
    assert "Incidents by cause" in text and "Top victims" in text and "Data categories" in text


def test_padding_counts_wide_characters_twice():
    assert pad("北浜市", 10) == "北浜市    "
    assert pad("abc", 10) == "abc       "


def test_an_incident_reported_twice_counts_once_and_units_are_never_added(tmp_path):
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in articles.ALL), encoding="utf-8")
    with Store.open(tmp_path / "out") as store:
        run_into_store(iter_inputs([source]), store, use_ner=True)
        summary = summarize(store)
    assert summary.incidents == summary.incident_articles - 2  # two incidents have a second report
    victims = summary.top_victims.set_index("victim")
    # The USB loss, reported twice (by the board of education, under two spellings), is one incident.
    board = victims.loc[victims.index.isin(["北浜市教委", "北浜市教育委員会"])]
    assert board[["incidents", "articles", "affected"]].values.tolist() == [[1, 2, "412 人"]]
    assert (victims.loc["北浜市", "incidents"], victims.loc["北浜市", "affected"]) == (1, "18 人")
    assert summary.affected["件"]["max"] == 28000  # the ransomware's revised count, not 30,000 + 28,000


def test_causes_and_categories_are_shown_with_their_japanese_labels(summary):
    text = summary.format()
    assert "misdelivery (誤送信・誤送付)" in text and "name (氏名)" in text and "address (住所)" in text
    assert summary.as_dict()["by_cause"]["misdelivery"] == 2  # --json keeps the codes, for scripts
