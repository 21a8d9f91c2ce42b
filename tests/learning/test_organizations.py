"""Fitting the choice of organisations on gold records, and measuring it on held-out folds."""

import hashlib
import json

import pytest

from pipeline.learning import organizations as learning
from pipeline.records import Article
from pipeline.stages import rules
from pipeline.stages.organizations import org_model, org_weights_path, read_org_model, use_org_model

# Invented reports (no NER: the choice also runs without it). Each holds an organisation the rules
# propose and a word they propose wrongly; the gold says which is which.
REPORTS = [
    ("b1", "株式会社ミナミ精工は2日、顧客120人分の名簿を紛失したと発表した。ミナミ精工は謝罪した。",
     [["ミナミ精工"]], "c1"),
    ("b2", "北浜市は3日、住民45人分の書類を誤送付したと発表した。北浜市によると、職員が宛先を誤った。",
     [["北浜市"]], ""),
    ("b3", "コトブキ運輸は5日、会員情報が流出したと発表した。委託先のアオバ電工が調べている。",
     [["コトブキ運輸"], ["アオバ電工"]], ""),
    ("b4", "西浜病院は、患者の検査結果を誤って郵送した。西浜病院は患者に謝罪した。", [["西浜病院"]], ""),
    ("b5", "ミナミ精工の委託先で情報が漏れた。株式会社ミナミ精工が公表した。", [["ミナミ精工"]], "c1"),
    ("b6", "東浜町は、職員のパソコンが盗まれたと発表した。東浜町は住民に謝罪した。", [["東浜町"]], ""),
]


def gold_and_articles():
    gold = [{"id": aid, "is_incident": True, "organizations": orgs, "organizations_optional": [],
             **({"case": case} if case else {})} for aid, _, orgs, case in REPORTS]
    articles = {aid: Article(aid, text, "test") for aid, text, _, _ in REPORTS}
    return gold, articles


@pytest.fixture
def examples():
    gold, articles = gold_and_articles()
    return learning.collect(gold, articles, use_ner=False)


def test_proposals_are_labelled_by_the_gold_names_and_optional_ones_are_not_learned_from(examples):
    proposals = {p.name: p for e in examples for p in e.proposals}
    gold = {"organizations": [["ミナミ精工", "株式会社ミナミ精工"]], "organizations_optional": [["北浜市"]]}
    assert learning.label(proposals["ミナミ精工"], gold) is True
    assert learning.label(proposals["北浜市"], gold) is None
    assert learning.label(proposals["コトブキ運輸"], gold) is False


def test_the_fitted_choice_keeps_the_gold_organisations_it_was_fitted_on(examples, tmp_path):
    gold_file = tmp_path / "invented.gold.jsonl"
    gold_file.write_text("".join(json.dumps(e.gold, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    choice, gold = learning.fit(examples, [gold_file])
    assert {e.gold["id"]: learning.chosen_names(e, choice) for e in examples} == {
        "b1": ["ミナミ精工"], "b2": ["北浜市"], "b3": ["コトブキ運輸", "アオバ電工"], "b4": ["西浜病院"],
        "b5": ["ミナミ精工"], "b6": ["東浜町"]}
    assert learning.tally(examples, choice).f1 == 1.0
    assert gold == {"files": {"invented.gold.jsonl": hashlib.sha256(gold_file.read_bytes()).hexdigest()},
                    "articles": 6, "records_sha256": learning.gold_digest([e.gold for e in examples])}
    assert choice.kept_threshold <= choice.model.threshold


def test_cross_validation_keeps_a_case_in_one_fold_and_scores_every_article_once(examples):
    models = learning.cross_validate(examples, folds=3)
    assert set(models) == {e.gold["id"] for e in examples}
    assert models["b1"] is models["b5"]  # one case: fitted without either
    held_out = learning.held_out_tally(examples, models)
    assert held_out.tp + held_out.fn == 7  # every gold organisation counted once
    assert org_model() == read_org_model(org_weights_path())  # the weights file is in use again


def test_examples_with_and_without_ner_stay_in_one_fold(examples):
    both = examples + [learning.Example(e.gold, e.article, e.proposals, with_ner=False) for e in examples]
    models = learning.cross_validate(both, folds=3)
    assert len(models) == 6


def test_refit_writes_learned_weights_that_the_pipeline_then_uses(tmp_path, monkeypatch):
    gold, articles = gold_and_articles()
    monkeypatch.setenv(rules.DATA_DIR_VARIABLE, str(tmp_path))
    assert learning.refit(gold, articles, use_ner=False) is None  # 6 articles: too few to fit on
    assert not (tmp_path / "learned").exists()

    monkeypatch.setattr(learning, "MIN_GOLD_ARTICLES", 5)
    try:
        path = learning.refit(gold, articles, use_ner=False, gold_files=["small.gold.jsonl"])
        assert path == tmp_path / "learned" / "organizations.json" == org_weights_path()
        written = json.loads(path.read_text(encoding="utf-8"))
        assert written["gold"]["files"] == {"small.gold.jsonl": ""}  # not a file here
        assert org_model() == read_org_model(path)
    finally:
        use_org_model(None)
