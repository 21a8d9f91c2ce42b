"""The stock training set ships with the package: text-free, open part only, and as the stages compute it today."""

import json

import pytest

from pipeline.learning.folds import is_sealed
from pipeline.learning.gold import read_gold_files
from pipeline.learning.stock import EXAMPLES_FILE, PROBES_GOLD_FILE, features_version, stock_examples, stock_gold
from tests.conftest import SHARED

HAS_CORPUS = (SHARED / "corpus" / "dev.gold.jsonl").exists()


def test_the_stock_set_holds_features_and_labels_and_no_article_text():
    body = EXAMPLES_FILE.read_text(encoding="utf-8")
    assert {ch for ch in body if not ch.isascii()} <= set("人件名"), "only the unit feature names are not ASCII"
    examples = stock_examples()
    assert len(examples) >= 100 and all(e.candidates["cause"] for e in examples if e.incident)
    assert any(right for e in examples for _, right in e.candidates["victim"])
    gold, articles = stock_gold()
    assert len(gold) == len(PROBES_GOLD_FILE.read_text(encoding="utf-8").splitlines()) and set(articles) >= {
        g["id"] for g in gold}


@pytest.mark.skipif(not HAS_CORPUS, reason="needs ../shared/corpus to know which articles are sealed")
def test_no_sealed_article_is_in_the_stock_set():
    gold = read_gold_files([SHARED / "corpus" / "dev.gold.jsonl", SHARED / "corpus" / "dev-cases.gold.jsonl"])
    sealed = {g["id"] for g in gold if is_sealed(g)}
    shipped = {e.article_id for e in stock_examples()}
    assert sealed and not (sealed & shipped)
    assert {g["id"] for g in gold} - sealed <= shipped, "every open corpus article is in it"


@pytest.mark.skipif(not HAS_CORPUS, reason="the set is regenerated from ../shared/corpus")
def test_the_shipped_stock_set_is_up_to_date_with_the_stages():
    shipped = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))["features_version"]
    assert shipped == features_version(True), (
        "the stages changed since the stock set was computed: run `python -m pipeline.learning.stock` and commit "
        "pipeline/learning/data/")
