import json

import pytest

from pipeline.stages.decisions import (
    CONFIDENCE_MODELS,
    DECISIONS,
    Candidate,
    Choice,
    DecisionModels,
    LinearModel,
    decide_yes,
    decision_models,
    rank,
    read_models,
    use_models,
    weights_path,
    write_models,
)
from pipeline.stages.rules import RuleError

IN_TITLE = LinearModel(intercept=-2.0, weights={"in_title": 3.0, "media": -5.0}, threshold=0.4)


def test_a_candidate_named_in_the_headline_outranks_one_named_only_in_the_text():
    choice = rank(IN_TITLE, [Candidate("北浜市", {}), Candidate("南浜町", {"in_title": 1.0}, "南浜町で流出")])
    assert (choice.value, choice.evidence) == ("南浜町", "南浜町で流出")
    assert choice.probability == pytest.approx(1 / (1 + 2.718281828 ** -1), abs=1e-6)


def test_no_candidate_is_taken_when_even_the_best_is_below_the_threshold():
    choice = rank(IN_TITLE, [Candidate("北浜新聞", {"in_title": 1.0, "media": 1.0}), Candidate("北浜市", {})])
    assert choice.value is None and choice.probability > 0.5  # fairly sure that none is right
    assert rank(IN_TITLE, []).value is None


def test_a_yes_no_decision_gives_the_probability_of_its_answer():
    assert decide_yes(IN_TITLE, {"in_title": 1.0}).value is True
    no = decide_yes(IN_TITLE, {})
    assert no.value is False and no.probability == pytest.approx(1 - IN_TITLE.probability({}))


def test_weights_survive_a_round_trip_through_their_file(tmp_path):
    gold = {"files": {"a.gold.jsonl": "ab"}, "records_sha256": "cd"}
    models = DecisionModels({name: IN_TITLE for name in DECISIONS}, gold)
    path = write_models(models, tmp_path / "decisions.json")
    again = read_models(path)
    assert again.models == models.models and again.gold == models.gold


def test_a_broken_weights_file_is_named_in_the_error(tmp_path):
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps({"models": {"victim": {"intercept": 1}}}), encoding="utf-8")
    with pytest.raises(RuleError, match="decisions.json.*no model for is_incident"):
        read_models(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleError, match="decisions.json:1: not valid JSON"):
        read_models(path)


def test_the_stock_weights_record_the_gold_they_were_fitted_on():
    models = decision_models()
    assert weights_path().name == "decisions.json"
    assert len(models.gold["records_sha256"]) == 64 and models.gold["articles"] >= 60
    assert all(len(digest) == 64 for digest in models.gold["files"].values())
    weights = models["victim"].weights
    # What the gold teaches, whatever the split between correlated features: outlets, authorities and
    # contractors are rarely the victim; the organisation a headline names first often is.
    assert max(weights["media"], weights["authority"], weights["contractor"]) < 0
    assert weights["in_title"] + weights["first_in_title"] + weights["title_position"] > 0


def test_a_close_call_has_a_small_margin_and_a_clear_one_a_large_one():
    close = rank(IN_TITLE, [Candidate("北浜市", {"in_title": 1.0}), Candidate("南浜町", {"in_title": 1.0})])
    clear = rank(IN_TITLE, [Candidate("北浜市", {"in_title": 1.0}), Candidate("南浜町", {"media": 1.0})])
    assert close.margin == pytest.approx(0.0) and clear.margin > 0.7
    assert (close.candidates, clear.candidates) == (2, 2)


# Confidence models: a "no" is a doubt, an empty total a bigger one, a victim surely chosen a sure answer.
DOUBTS = {
    "is_incident": LinearModel(intercept=1.0, weights={"said_no": -4.0}),
    "victim": LinearModel(intercept=0.0, weights={"logit": 1.0}),
    "cause": LinearModel(intercept=2.0, weights={}),
    "affected_total": LinearModel(intercept=2.0, weights={"none": -3.0}),
}


def test_a_rows_confidence_is_the_product_of_its_answers_confidence_and_survives_the_weights_file(tmp_path):
    from pipeline.stages.incident import DecisionInputs, confidence_features, decide, make_choices

    models = DecisionModels({**{name: IN_TITLE for name in DECISIONS},
                             **{CONFIDENCE_MODELS[name]: model for name, model in DOUBTS.items()}}, {})
    path = write_models(models, tmp_path / "decisions.json")
    assert read_models(path).models == models.models
    sure = DecisionInputs("a", {"in_title": 1.0}, [Candidate("北浜市", {"in_title": 1.0})],
                          [Candidate("loss", {"in_title": 1.0})], [Candidate((120, "人", "exact"), {"in_title": 1.0})],
                          "", "", "", "", "")
    no_total = DecisionInputs("b", {"in_title": 1.0}, sure.victims, sure.causes, [], "", "", "", "", "")
    not_incident = DecisionInputs("c", {}, [], [], [], "", "", "", "", "")
    use_models(models)
    try:
        rows = {i.article_id: decide(i) for i in (sure, no_total, not_incident)}
        answers = make_choices(sure).answers()
        assert [decision for decision, _ in answers] == list(DECISIONS)
        product = 1.0
        for decision, choice in answers:
            product *= DOUBTS[decision].probability(confidence_features(decision, choice))
        assert rows["a"].confidence == round(product, 3)
        assert [decision for decision, _ in make_choices(not_incident).answers()] == ["is_incident"]
    finally:
        use_models(None)
    assert rows["a"].confidence > rows["b"].confidence > rows["c"].confidence


SHAPE = {"article:many_organisations": 0.0, "article:many_counts": 0.0, "article:victim_subject": 0.0,
         "article:title_source": 0.0}


@pytest.mark.parametrize(("decision", "choice", "features"), [
    ("is_incident", Choice(False, 0.5, margin=0.0), {"logit": 0.0, "margin": 0.0, "said_no": 1.0, **SHAPE}),
    ("is_incident", Choice(True, 0.5, margin=0.25), {"logit": 0.0, "margin": 0.25, "said_no": 0.0, **SHAPE}),
    # An article with many organisations and counts to choose among is harder to read.
    ("is_incident", Choice(True, 0.5, margin=0.25, features={"many_organisations": 1.0, "many_counts": 1.0}),
     {"logit": 0.0, "margin": 0.25, "said_no": 0.0, **SHAPE, "article:many_organisations": 1.0,
      "article:many_counts": 1.0}),
    # A victim the organisation model doubts is a doubtful victim.
    ("victim", Choice("北浜市", 0.5, margin=0.5, candidates=1, features={"org_probability": 0.3}),
     {"logit": 0.0, "margin": 0.5, "candidates": 0.25, "none": 0.0, "org_probability": 0.3}),
    # An empty answer's log-odds and margin weigh apart from a named one's.
    ("victim", Choice(None, 0.5, margin=2.0, candidates=3), {"none_logit": 0.0, "none_margin": 1.0,
                                                             "candidates": 0.5, "none": 1.0}),
    ("cause", Choice("unknown", 0.5, candidates=0), {"none_logit": 0.0, "none_margin": 1.0, "candidates": 0.0,
                                                     "none": 1.0}),
    ("affected_total", Choice((120, "人", "exact"), 0.5, margin=0.5, candidates=1),
     {"logit": 0.0, "margin": 0.5, "candidates": 0.25, "none": 0.0}),
])
def test_what_says_an_answer_may_be_wrong(decision, choice, features):
    from pipeline.stages.incident import confidence_features

    assert confidence_features(decision, choice) == pytest.approx(features)


def test_weights_without_confidence_models_still_load_and_multiply_the_choices(tmp_path):
    from pipeline.stages.incident import DecisionInputs, decide, make_choices

    models = DecisionModels({name: IN_TITLE for name in DECISIONS}, {})
    path = write_models(models, tmp_path / "decisions.json")
    assert all(read_models(path).get(name) is None for name in CONFIDENCE_MODELS.values())
    inputs = DecisionInputs("a", {"in_title": 1.0}, [Candidate("北浜市", {"in_title": 1.0})], [], [],
                            "", "", "", "", "")
    use_models(models)
    try:
        product = 1.0
        for _, choice in make_choices(inputs).answers():
            product *= choice.probability
        assert decide(inputs).confidence == round(product, 3) < 1.0
    finally:
        use_models(None)
