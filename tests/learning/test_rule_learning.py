"""What one corrected article teaches carries over to the next article: a place's police station
names the others, and a publisher's byline taken for the victim is not taken again."""

from pipeline.learning.rule_learning import learn
from pipeline.records import Article
from pipeline.stages import rules
from pipeline.stages.extraction import extract_article

CORRECTED = Article("a1", "会員情報が閲覧可能な状態に\n\nはなみずき生協は3日、会員240人分の氏名と電話番号が"
                          "外部から閲覧できる状態だったと発表した。杉並署に相談している。", "a1.txt",
                    title="会員情報が閲覧可能な状態に（テックレポ）", reference_date="2025-02-04")
GOLD = {"id": "a1", "reference_date": "2025-02-04", "is_incident": True, "victim": ["はなみずき生協"],
        "cause": ["misconfiguration"], "affected_total": [240],
        "organizations": [["はなみずき生協"], ["杉並署"]], "organizations_optional": [],
        "dates": ["2025-02-03"], "dates_optional": [], "counts": [[240, "人"]], "counts_optional": [],
        "categories": {"name": True, "phone": True}, "categories_optional": []}
NEXT = Article("a2", "顧客名簿を紛失\n\nくるみ堂商店は10日、顧客85人分の氏名と住所を記した名簿を紛失したと"
                     "発表した。練馬署に届け出た。", "a2.txt",
               title="顧客名簿を紛失（テックレポ）", reference_date="2025-03-11")


def extract(article):
    return extract_article(article, use_ner=False)[0]


def test_a_corrected_article_teaches_a_place_suffix_and_a_bystander_that_carry_over():
    try:
        rules.use_learned({})
        before = extract(NEXT)
        assert before.incident.victim == "テックレポ"
        assert "練馬署" not in {o.name for o in before.organizations}

        learned = learn([GOLD], {"a1": CORRECTED}, {"a1": extract(CORRECTED)})
        suffixes = learned.files["organizations.yaml"]["suffixes"]
        assert [(e["terms"], e["kind"]) for e in suffixes] == [(["署"], "government")]
        bystanders = [e for e in learned.files["gazetteer.yaml"]["organizations"] if e.get("media")]
        assert [e["name"] for e in bystanders] == ["テックレポ"]

        rules.use_learned(learned.files)
        after = extract(NEXT)
        assert after.incident.victim != "テックレポ"
        station = next(o for o in after.organizations if o.name == "練馬署")
        assert station.kind == "government" and station.source.startswith("learned.suffix.")
    finally:
        rules.use_learned(None)
