"""What one corrected article teaches carries over to the next article: a place's branch office
names the others, and a publisher's byline taken for the victim is not taken again."""

from dataclasses import replace

from pipeline.learning.rule_learning import learn
from pipeline.records import Article
from pipeline.stages import rules
from pipeline.stages.extraction import extract_article, extract_with_inputs

CORRECTED = Article("a1", "会員情報が閲覧可能な状態に\n\nはなみずき生協は3日、会員240人分の氏名と電話番号が"
                          "外部から閲覧できる状態だったと発表した。杉並出張所に相談している。", "a1.txt",
                    title="会員情報が閲覧可能な状態に（テックレポ）", reference_date="2025-02-04")
GOLD = {"id": "a1", "reference_date": "2025-02-04", "is_incident": True, "victim": ["はなみずき生協"],
        "cause": ["misconfiguration"], "affected_total": [240],
        "organizations": [["はなみずき生協"], ["杉並出張所"]], "organizations_optional": [],
        "dates": ["2025-02-03"], "dates_optional": [], "counts": [[240, "人"]], "counts_optional": [],
        "categories": {"name": True, "phone": True}, "categories_optional": []}
NEXT = Article("a2", "組合員情報が閲覧可能な状態に\n\nあおぞら生協は10日、組合員85人分の氏名と電話番号が外部から"
                     "閲覧できる状態だったと発表した。練馬出張所に相談している。", "a2.txt",
               title="組合員情報が閲覧可能な状態に（テックレポ）", reference_date="2025-03-11")


def extract(article):
    return extract_article(article, use_ner=False)[0]


def victim_features(article):
    _, _, inputs = extract_with_inputs(article, use_ner=False)
    return {candidate.value: candidate.features for candidate in inputs.victims}


def test_a_corrected_article_teaches_a_place_suffix_and_a_bystander_that_carry_over():
    try:
        rules.use_learned({})
        before = extract(NEXT)
        assert "練馬出張所" not in {o.name for o in before.organizations}
        assert victim_features(NEXT)["テックレポ"]["media"] == 0.0

        # The pipeline's output on the corrected article, as the analyst saw it: the headline's
        # source tag taken for the victim (what a stock pipeline did here before the learned
        # decisions), and the branch office missed.
        seen = extract(CORRECTED)
        seen = replace(seen, incident=replace(seen.incident, victim="テックレポ"))
        learned = learn([GOLD], {"a1": CORRECTED}, {"a1": seen})
        suffixes = learned.files["organizations.yaml"]["suffixes"]
        assert [e["terms"] for e in suffixes] == [["出張所"]]
        bystanders = [e for e in learned.files["gazetteer.yaml"]["organizations"] if e.get("media")]
        assert [e["name"] for e in bystanders] == ["テックレポ"]

        rules.use_learned(learned.files)
        after = extract(NEXT)
        assert victim_features(NEXT)["テックレポ"]["media"] == 1.0  # weighed like a news outlet now
        assert after.incident.victim != "テックレポ"
        station = next(o for o in after.organizations if o.name == "練馬出張所")
        assert station.kind == suffixes[0]["kind"] and station.source.startswith("learned.suffix.")
    finally:
        rules.use_learned(None)


def test_a_learned_category_term_that_does_not_mean_its_category_across_the_gold_is_dropped():
    from pipeline.learning.rule_learning import Learned, drop_unfaithful_terms

    learned = Learned()
    for term in ("診察券番号", "対象"):
        learned.add("categories.yaml", "lexicon", {"id": f"learned.cat.{term}", "category": "account_id",
                                                   "terms": [term]})
    texts = {"b1": "診察券番号と氏名が対象の名簿を紛失した。", "b2": "対象は会員の氏名と住所。",
             "b3": "対象は職員の氏名。"}
    gold = [{"id": "b1", "categories": {"account_id": True, "name": True}},
            {"id": "b2", "categories": {"name": True, "address": True}},
            {"id": "b3", "categories": {"name": True}}]
    drop_unfaithful_terms(gold, {i: Article(i, t, f"{i}.txt") for i, t in texts.items()}, learned)
    assert [e["terms"] for e in learned.files["categories.yaml"]["lexicon"]] == [["診察券番号"]]
