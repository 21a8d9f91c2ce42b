"""Organisation identity across articles: which spellings share a key, and which do not."""

import shutil

import pytest

import pipeline.stages.rules as rule_files
from pipeline.cases.identity import headline_name_candidates, identity_rules, organisation_keys, title_place_names
from pipeline.stages.rules import RuleError, use_learned
from tests.conftest import REPO


def same_organisation(a: str, b: str) -> bool:
    return bool(organisation_keys(a) & organisation_keys(b))


def test_legal_forms_and_a_final_sha_do_not_make_another_organisation():
    assert same_organisation("株式会社ハマナス電子", "ハマナス電子")
    assert same_organisation("ハマナス電子社", "(株)ハマナス電子")


def test_listed_aliases_and_rewritten_short_forms_are_one_organisation():
    assert same_organisation("JR西日本", "西日本旅客鉄道")
    assert same_organisation("北浜市教委", "北浜市教育委員会")
    assert same_organisation("兵庫県北浜市", "北浜市")
    assert same_organisation("潮見信金", "潮見信用金庫")


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
    assert "alias.jtb" in headline_name_candidates("個人情報流出の恐れ、JTBが修正")
    assert "alias.jtb" not in headline_name_candidates("i.JTBで流出")
    assert "ハマナス電子".casefold() in headline_name_candidates("ハマナス電子、流出は2万8千件")
    assert "ハマナス電子" not in headline_name_candidates("ハマナス電子カードで流出")


def test_a_headline_municipality_is_a_place_but_a_district_word_is_not():
    assert title_place_names("北浜市の46万人分USB、見つかる") == {"北浜市"}
    assert "北浜市" in title_place_names("北浜市長が陳謝")
    assert title_place_names("地区の名簿を誤掲載") == set()


def test_a_malformed_aliases_file_is_reported_with_its_file_and_rule(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "pipeline" / "stages" / "rules", rules)
    aliases = rules / "aliases.yaml"
    aliases.write_text(aliases.read_text(encoding="utf-8").replace("pattern: '教委$'", "pattern: '(教委$'"),
                       encoding="utf-8")
    monkeypatch.setattr(rule_files, "RULES_DIR", rules)
    use_learned(None)  # drop the rules cached from the packaged files
    try:
        with pytest.raises(RuleError, match=r"aliases.yaml:\d+: rule 'rewrite.kyoui': bad regular expression"):
            identity_rules()
    finally:
        monkeypatch.undo()
        use_learned(None)
