"""Fitting the case pair model on gold case labels: invented reports of a few incidents and near misses."""

import pytest

from pipeline.cases.linking import same_incident
from pipeline.learning.case_pairs import Corpus, cross_validated, distinguishable, fit, labelled_pairs, linked_tally
from pipeline.learning.case_pairs import precision_first_threshold as threshold
from tests.cases.articles import facts

# Each organisation: two reports of one incident days apart, and its other incident a year later.
ORGANISATIONS = ["北浜市", "南浜市", "ハマナス電子", "ミナモト運輸", "さくら工業", "潮見信用金庫"]


def corpus() -> Corpus:
    articles, gold = [], []
    for number, name in enumerate(ORGANISATIONS):
        day = f"2025-0{number + 1}-04"
        same = {"cause": "loss", "total": 400 + number, "keys": (name,)}
        articles += [facts(f"{number}-first", day, **same), facts(f"{number}-second", day[:-1] + "9", **same),
                     facts(f"{number}-other", f"2026-0{number + 1}-20", cause="misdelivery", total=20 + number,
                           keys=(name,))]
        gold += [{"id": f"{number}-first", "case": f"org{number}-2025"},
                 {"id": f"{number}-second", "case": f"org{number}-2025"},
                 {"id": f"{number}-other", "case": f"nm-org{number}-2026"}]
    return Corpus(gold, articles, {})


@pytest.mark.parametrize("scored, expected", [
    ([(0.9, True), (0.8, True), (0.7, False), (0.6, True)], 0.75),  # below 0.8 a wrong pair comes in
    ([(0.9, True), (0.7, True), (0.6, True)], 0.55),  # halfway down to an even chance
    ([(0.9, False), (0.8, True)], 0.99),  # no threshold keeps precision: link (almost) nothing
    ([(0.4, True), (0.3, True)], 0.99),   # none is even an even chance
])
def test_the_threshold_is_the_lowest_that_keeps_precision_first(scored, expected):
    assert threshold(scored) == pytest.approx(expected, abs=1e-5)


def test_candidate_pairs_are_the_pairs_naming_one_organisation_labelled_by_their_gold_case():
    data = corpus()
    pairs = labelled_pairs(data.facts, data.gold)
    assert len(pairs) == 3 * len(ORGANISATIONS)  # within each organisation; never across
    assert sum(same for _, same in pairs) == len(ORGANISATIONS)


def test_the_fitted_model_links_the_reports_of_one_incident_and_keeps_near_misses_apart():
    data = corpus()
    model = fit(labelled_pairs(data.facts, data.gold), {})
    tally = linked_tally(data.facts, data.gold, model)
    assert (tally.tp, tally.fp, tally.fn) == (len(ORGANISATIONS), 0, 0)
    unseen = facts("x-first", "2025-08-01", keys=("クローバー運輸",))
    assert same_incident(unseen, facts("x-second", "2025-08-03", keys=("クローバー運輸",)), model)
    assert not same_incident(unseen, facts("x-other", "2026-08-03", cause="misdelivery", total=12,
                                           keys=("クローバー運輸",)), model)


def test_cross_validation_scores_each_case_with_a_model_that_never_saw_it():
    crossed = cross_validated(corpus(), folds=3)
    assert (crossed.tp, crossed.fp, crossed.fn) == (len(ORGANISATIONS), 0, 0)


def test_pairs_of_one_kind_only_cannot_be_fitted():
    data = corpus()
    with pytest.raises(ValueError, match="both one-case and different-case pairs"):
        fit([pair for pair in labelled_pairs(data.facts, data.gold) if pair[1]], {})


def test_a_feature_the_pairs_cannot_tell_from_an_earlier_one_is_left_out_of_the_fit():
    data = corpus()
    pairs = labelled_pairs(data.facts, data.gold)
    # Every other incident is a year and more later: past the follow-up window is past a year.
    assert all(f.get("time.over_year") == f.get("time.over_follow_up") for f, _ in pairs)
    assert "time.over_follow_up" in distinguishable(pairs) and "time.over_year" not in distinguishable(pairs)
    model = fit(pairs, {})
    assert "time.over_year" not in model.model.weights and model.model.weights["time.over_follow_up"] < 0
    # Once a pair tells them apart, both are fitted.
    half_year = facts("0-later", "2025-06-20", cause="misdelivery", total=20, keys=(ORGANISATIONS[0],))
    more = labelled_pairs([*data.facts, half_year], [*data.gold, {"id": "0-later", "case": "nm-org0-2025b"}])
    assert "time.over_year" in distinguishable(more)
