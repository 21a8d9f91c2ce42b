"""Fitting the decision models on gold records, and measuring them on held-out folds."""

import hashlib
import json

import pytest

from pipeline.learning import decisions
from pipeline.records import Article
from pipeline.stages import rules
from pipeline.stages.decisions import CONFIDENCE_MODELS, decision_models, read_models, use_models, weights_path

# Invented reports: the victim names itself in the headline; an outlet, a police force or a
# contractor stands beside it.
REPORTS = [
    ("a1", "北浜市、住民120人分の名簿を紛失(北浜新聞)",
     "北浜市は2日、住民120人分の名簿を紛失したと発表した。同市は対象者に謝罪した。",
     {"victim": ["北浜市"], "cause": ["loss"], "affected_total": [120]}),
    ("a2", "南浜電機、不正アクセスで顧客情報3,400件流出",
     "南浜電機は、通販サイトが不正アクセスを受け、顧客3,400件の氏名とメールアドレスが流出したと明らかにした。"
     "調査は東浜セキュリティが行った。",
     {"victim": ["南浜電機"], "cause": ["unauthorized_access"], "affected_total": [3400]}),
    ("a3", "西浜病院、患者45人の検査結果を誤送付",
     "西浜病院は、患者45人分の検査結果を別の患者に誤って郵送したと発表した。西浜警察署には相談していない。",
     {"victim": ["西浜病院"], "cause": ["misdelivery"], "affected_total": [45]}),
    ("a4", "東浜町、職員のパソコン盗まれる 児童80人分の情報",
     "東浜町は、職員が車内に置いたパソコンが盗まれ、児童80人分の氏名が入っていたと発表した。県警が捜査している。",
     {"victim": ["東浜町"], "cause": ["theft"], "affected_total": [80]}),
    ("a5", "中浜商事、委託先がランサムウェア被害 会員1万人分流出か",
     "中浜商事は、システムの保守を委託している北浜システムがランサムウェアに感染し、会員1万人分の情報が"
     "流出した可能性があると発表した。",
     {"victim": ["中浜商事"], "cause": ["ransomware"], "affected_total": [10000]}),
    ("a6", "個人情報の取り扱いに関する方針", "当社は個人情報を適切に管理し、利用目的の範囲内で利用します。",
     {"is_incident": False}),
]


def gold_and_articles():
    gold = [{"id": aid, "is_incident": True, **fields} for aid, _, _, fields in REPORTS]
    articles = {aid: Article(aid, text, "test", title=title) for aid, title, text, _ in REPORTS}
    return gold, articles


@pytest.fixture
def examples():
    gold, articles = gold_and_articles()
    return decisions.collect(gold, articles, use_ner=False)


def test_fitted_models_choose_the_victims_and_totals_of_the_gold_they_were_fitted_on(examples, tmp_path):
    gold_file = tmp_path / "invented.gold.jsonl"
    gold_file.write_text("".join(json.dumps(e.gold, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    models = decisions.fit(examples, [gold_file])
    rows = decisions.decide_with(models, examples)
    assert {aid: rows[aid].victim for aid in ("a1", "a2", "a5")} == {"a1": "北浜市", "a2": "南浜電機", "a5": "中浜商事"}
    assert [rows[aid].affected_total for aid in ("a1", "a2", "a3", "a4", "a5")] == [120, 3400, 45, 80, 10000]
    assert not rows["a6"].is_incident
    assert models.gold == {"files": {"invented.gold.jsonl": hashlib.sha256(gold_file.read_bytes()).hexdigest()},
                           "articles": 6, "stock_articles": 0,
                           "records_sha256": decisions.gold_digest([e.gold for e in examples])}


def test_the_stock_examples_join_the_fit_and_the_users_record_of_an_article_wins(examples):
    shipped = [decisions.labelled(e) for e in examples]
    # The user says a1 is no incident: their record replaces the shipped one of the same article.
    said_otherwise = decisions.Example({**examples[0].gold, "is_incident": False}, examples[0].extraction,
                                       examples[0].inputs)
    models = decisions.fit([said_otherwise], stock=shipped)
    assert (models.gold["articles"], models.gold["stock_articles"]) == (6, 5)
    alone = decisions.fit([said_otherwise])
    assert alone["victim"].weights == {}, "one article alone teaches no victim model"
    assert models["victim"].weights, "with the stock examples it does"
    restored = decisions.Labelled.from_json(json.loads(json.dumps(shipped[1].to_json(), ensure_ascii=False)))
    assert restored == shipped[1]


def test_cross_validation_scores_every_article_once_with_weights_fitted_without_it(examples):
    report = decisions.cross_validate(examples, folds=3)
    assert report.articles == 6
    assert report.accuracy["is_incident"][1] == 6 and report.accuracy["victim"][1] == 5
    assert decision_models().gold == read_models(weights_path()).gold  # the weights file is in use again


def test_refit_writes_learned_weights_that_the_pipeline_then_uses(tmp_path, monkeypatch):
    gold, articles = gold_and_articles()
    monkeypatch.setenv(rules.DATA_DIR_VARIABLE, str(tmp_path))
    assert decisions.refit(gold, articles, use_ner=False) is None  # 6 articles: too few to fit on
    assert not (tmp_path / "learned").exists()

    monkeypatch.setattr(decisions, "MIN_GOLD_ARTICLES", 5)
    try:
        path = decisions.refit(gold, articles, use_ner=False, gold_files=["small.gold.jsonl"])
        assert path == tmp_path / "learned" / "decisions.json" == weights_path()
        assert decision_models().gold["files"] == {"small.gold.jsonl": ""}  # not a file here
    finally:
        use_models(None)


def test_the_confidence_model_is_fitted_on_rows_the_choices_did_not_see(examples, monkeypatch):
    monkeypatch.setattr(decisions, "CONFIDENCE_MIN_ARTICLES", len(examples))
    seen = []
    fit_choices = decisions._fit_choices
    monkeypatch.setattr(decisions, "_fit_choices", lambda some: seen.append({e.article_id for e in some})
                        or fit_choices(some))
    models = decisions.fit(examples)
    assert all(models.get(name) is not None for name in CONFIDENCE_MODELS.values())
    # every inner fit leaves some articles out, and every article is left out of one fit per split
    everything = {e.gold["id"] for e in examples}
    inner = seen[1:]
    assert all(ids < everything for ids in inner)
    assert sum(len(everything - ids) for ids in inner) == len(everything) * decisions.CONFIDENCE_SPLITS
    rows = decisions.decide_with(models, examples)
    assert all(0 < row.confidence < 1 for row in rows.values())


def test_a_dropped_incident_weighs_more_than_a_kept_look_alike():
    # One feature, seen in two incidents and two look-alikes: the fitted model says "incident".
    features = [{"cue": 1.0}] * 4 + [{}] * 6
    labels = [True, True, False, False] + [True] * 3 + [False] * 3
    assert decisions._fit(features, labels, yes_cost=1.0).probability({"cue": 1.0}) == pytest.approx(0.5, abs=0.01)
    assert decisions._fit(features, labels, yes_cost=3.0).probability({"cue": 1.0}) > 0.6


def test_cross_validation_refits_the_confidence_models_on_each_training_part(examples, monkeypatch):
    # The models in use were fitted on every article, the held-out ones too: a fold that kept them
    # would rank its own rows with models that saw them.
    fitted_on = []
    fit_confidence = decisions._fit_confidence
    monkeypatch.setattr(decisions, "_fit_confidence", lambda some: fitted_on.append({e.gold["id"] for e in some})
                        or fit_confidence(some))
    assert len(examples) < decisions.CONFIDENCE_MIN_ARTICLES
    decisions.cross_validate(examples, folds=3)
    everything = {e.gold["id"] for e in examples}
    assert len(fitted_on) == 3 and all(ids < everything for ids in fitted_on)
