"""Organisation identity across articles: which spellings share a key, and which do not."""

import shutil

import pytest

import pipeline.stages.rules as rule_files
from pipeline.cases.identity import (
    headline_name_candidates,
    identity_rules,
    key_edges,
    organisation_keys,
    paired_reading_keys,
    short_form_of,
    title_place_names,
)
from pipeline.stages.rules import RuleError, use_learned
from tests.conftest import REPO


def same_organisation(a: str, b: str) -> bool:
    return bool(organisation_keys(a) & organisation_keys(b))


def test_legal_forms_and_a_final_sha_do_not_make_another_organisation():
    assert same_organisation("株式会社ハマナス電子", "ハマナス電子")
    assert same_organisation("ハマナス電子社", "(株)ハマナス電子")


@pytest.mark.parametrize("one, other", [
    ("JR西日本", "西日本旅客鉄道"),      # a listed alias any reader knows
    ("北浜市教委", "北浜市教育委員会"),  # a kind of body's short form
    ("兵庫県北浜市", "北浜市"),
    ("潮見信金", "潮見信用金庫"),
    ("北浜大", "北浜大学"),              # a university's short form
    ("北浜大病院", "北浜大学"),          # its hospital reports under its name
    ("北浜大学医学部附属病院", "北浜大学"),
    ("北浜大学病院", "北浜大"),
    ("髙橋電機", "高橋電機"),            # old and variant character forms
    ("澤田工業", "沢田工業"),
    ("山﨑製作所", "山崎製作所"),
    ("渡邊商事", "渡辺商事"),
    ("渡邉商事", "渡辺商事"),
    ("櫻井運輸", "桜井運輸"),
    ("北應義塾", "北応義塾"),
    ("廣田病院", "広田病院"),
])
def test_spellings_of_one_organisation_share_a_key(one, other):
    assert same_organisation(one, other)


@pytest.mark.parametrize("one, other", [
    ("北浜大学", "南浜大学"),
    ("北浜大", "北浜大学院"),
    ("高橋電機", "高田電機"),
    ("沢田工業", "沢井工業"),
])
def test_alike_names_of_other_organisations_share_none(one, other):
    assert not same_organisation(one, other)


@pytest.mark.parametrize("short, long, is_short_form", [
    ("ハマナス", "ハマナス電子", True),          # a company's short name
    ("保健機構", "北浜保健機構", True),          # the start left out
    ("電子", "ハマナス電子", False),             # two characters: too common to tell
    ("ハマナス電子", "ハマナス電子", False),     # the same key is not a short form
    ("マナス電", "ハマナス電子", False),         # neither its start nor its end
])
def test_a_short_form_is_the_start_or_end_of_the_long_one(short, long, is_short_form):
    assert short_form_of(short, long) is is_short_form
    assert (short in key_edges(long)) is is_short_form


@pytest.mark.parametrize("text, known, paired", [
    ("KIRARA（キララ）は会員情報の流出を公表した。", {"kirara"}, {"キララ"}),
    ("キララ(KIRARA)は会員情報の流出を公表した。", {"キララ"}, {"kirara"}),
    ("KIRARA（キララ）は会員情報の流出を公表した。", {"キララ"}, {"kirara"}),
    ("KIRARA（キララ）は会員情報の流出を公表した。", {"ハマナス"}, set()),  # another name's reading
    ("キララの会員情報が流出した。", {"キララ"}, set()),                  # no reading given
])
def test_a_latin_name_and_the_katakana_reading_the_text_gives_it_are_one(text, known, paired):
    assert paired_reading_keys(known, text) == paired


def test_a_municipal_body_also_carries_its_municipality():
    assert same_organisation("北浜市消防局", "北浜市")
    assert same_organisation("北浜市立東小学校", "北浜市")
    assert not same_organisation("北浜市", "南浜市")


def test_a_group_company_is_not_its_parent_unless_an_article_ties_them():
    assert not same_organisation("ハマナス電子カード", "ハマナス電子")
    assert not same_organisation("JR西日本", "JR東日本")


def test_news_outlets_are_never_an_identity():
    assert organisation_keys("ITpro") == set()
    assert organisation_keys("北浜新聞") == set()
    assert organisation_keys("") == set()


def test_headline_names_are_taken_at_name_edges_only():
    assert "kirara" in headline_name_candidates("個人情報流出の恐れ、KIRARAが修正")
    assert "kirara" not in headline_name_candidates("i.KIRARAで流出")
    assert "ハマナス電子".casefold() in headline_name_candidates("ハマナス電子、流出は2万8千件")
    assert "ハマナス電子" not in headline_name_candidates("ハマナス電子カードで流出")


def test_a_headline_municipality_is_a_place_but_a_district_word_is_not():
    assert title_place_names("北浜市の46万人分USB、見つかる") == {"北浜市"}
    assert "北浜市" in title_place_names("北浜市長が陳謝")
    assert title_place_names("地区の名簿を誤掲載") == set()


@pytest.mark.parametrize("written, replaced, error", [
    ("pattern: '教委$'", "pattern: '(教委$'", r"aliases.yaml:\d+: rule 'rewrite.kyoui': bad regular expression"),
    ("pairs: 澤沢", "pairs: 澤沢沢", r"aliases.yaml:\d+: forms.kyujitai: '澤沢沢' is not a variant"),
])
def test_a_malformed_aliases_file_is_reported_with_its_file_and_rule(tmp_path, monkeypatch, written, replaced, error):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "pipeline" / "stages" / "rules", rules)
    aliases = rules / "aliases.yaml"
    aliases.write_text(aliases.read_text(encoding="utf-8").replace(written, replaced), encoding="utf-8")
    monkeypatch.setattr(rule_files, "RULES_DIR", rules)
    use_learned(None)  # drop the rules cached from the packaged files
    try:
        with pytest.raises(RuleError, match=error):
            identity_rules()
    finally:
        monkeypatch.undo()
        use_learned(None)
