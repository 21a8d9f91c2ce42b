"""Linking invented articles into cases: the reports of one incident link, near misses stay apart."""

from dataclasses import replace

import pytest

import pipeline
from pipeline.cases.identity import headline_index_names, headline_name_candidates
from pipeline.cases.linking import (
    MemoryCaseIndex,
    link_articles,
    same_incident,
    same_organisation,
    shared_name,
)
from tests.cases.articles import ALL, SAME_INCIDENT, SPELLINGS, SPELLINGS_SAME_INCIDENT, facts


@pytest.fixture(scope="module")
def tables():
    return pipeline.extract(ALL)


def linked_groups(tables) -> list[set[str]]:
    cases: dict[str, set[str]] = {}
    for article_id, case_id in tables.incidents.set_index("article_id")["case_id"].items():
        if case_id:
            cases.setdefault(case_id, set()).add(article_id)
    return sorted((members for members in cases.values() if len(members) > 1), key=sorted)


def test_the_reports_of_one_incident_share_a_case_and_nothing_else_does(tables):
    assert linked_groups(tables) == sorted(SAME_INCIDENT, key=sorted)
    incidents = tables.incidents.set_index("article_id")
    assert incidents["case_id"].notna().equals(incidents["is_incident"])  # a non-incident is in no case


def test_reports_that_spell_the_organisation_another_way_share_a_case():
    tables = pipeline.extract(SPELLINGS)
    assert linked_groups(tables) == sorted(SPELLINGS_SAME_INCIDENT, key=sorted)
    why = dict(zip(tables.cases["article_ids"], tables.cases["linked_by"], strict=True))
    assert why["takahashi-1;takahashi-2"].startswith("takahashi-2<takahashi-1 (高橋精機, 2 days")
    assert why["kitahama-univ-1;kitahama-univ-2"].startswith("kitahama-univ-2<kitahama-univ-1 (北浜大学, 4 days")


def test_the_cases_table_combines_the_reports(tables):
    cases = tables.cases.set_index("article_ids")
    ransomware = cases.loc["hamanasu;hamanasu-2"]
    assert ransomware["articles"] == 2
    assert ransomware["affected_total"] == 28000  # the second report's revised count wins
    assert (ransomware["first_announced_on"], ransomware["last_announced_on"]) == ("2025-05-20", "2025-06-27")
    assert ransomware["announced_from"] == "announced"
    assert ransomware["linked_by"].startswith("hamanasu-2<hamanasu (ハマナス電子, 38 days, p=")
    assert len(tables.cases) == tables.incidents["case_id"].replace("", None).nunique()


FIRST = facts("a", "2025-03-04", occurred="2025-02")
UNDATED = replace(facts("b", ""), day=None)


@pytest.mark.parametrize("later, why", [
    (facts("b", "2025-03-06"), "two days on, the same cause and figure"),
    (facts("b", "2025-03-10", cause="theft"), "a week on, a cause of the same group"),
    (facts("b", "2025-05-20"), "a follow-up ten weeks on that repeats the figure"),
    (facts("b", "2025-05-20", total=430), "a follow-up with a revised count"),
    (facts("b", "2025-04-20", total=None, occurred="2025-02"), "a follow-up on the same month's loss"),
    (UNDATED, "undated, the same cause and figure"),
])
def test_reports_of_one_incident_link(later, why):
    assert same_incident(FIRST, later), why


@pytest.mark.parametrize("later, why", [
    (facts("b", "2026-03-04", cause="misdelivery", total=18), "a year later, another cause and figure"),
    (facts("b", "2025-09-01", cause="misdelivery", total=18, occurred="2025-08"), "months later, another leak"),
    (facts("b", "2025-03-06", keys=("南浜市",)), "another city the same week"),
    (replace(UNDATED, cause="misdelivery", figures=frozenset({18}), total=18), "undated, another cause and figure"),
])
def test_near_misses_stay_apart(later, why):
    assert not same_incident(FIRST, later), why


def test_a_short_form_of_the_name_links_when_the_rest_agrees_but_alone_it_does_not():
    long = facts("a", "2025-05-20", cause="ransomware", total=30000, keys=("ハマナス電子",))
    short = facts("b", "2025-05-22", cause="ransomware", total=30000, keys=("ハマナス",))
    assert same_incident(long, short)
    assert shared_name(long, short) == ("short_form", "ハマナス~ハマナス電子")
    assert not same_organisation(long, replace(short, keys=frozenset({"ハマ"})))


def test_a_report_that_fits_two_cases_strongly_merges_them():
    # A subsidiary and its parent each reported the breach; a later article names both.
    subsidiary = facts("sub", "2025-05-20", cause="ransomware", total=30000, keys=("ハマナス電子販売",))
    parent = facts("parent", "2025-05-21", cause="ransomware", total=30000, keys=("ミナモトホールディングス",))
    both = facts("both", "2025-05-23", cause="ransomware", total=30000,
                 keys=("ハマナス電子販売", "ミナモトホールディングス"))
    index = MemoryCaseIndex()
    apart = link_articles([subsidiary, parent], index)
    assert apart["sub"] != apart["parent"]
    merged = link_articles([both], index)
    assert index.case_ids(["sub", "parent", "both"]) == dict.fromkeys(("sub", "parent", "both"), merged["both"])
    assert "both<" in index.links()["both"]


def test_a_joining_article_says_which_article_it_matched_the_key_and_the_gap():
    index = MemoryCaseIndex()
    link_articles([FIRST, facts("b", "2025-03-06")], index)
    assert index.links()["b"].startswith("b<a (北浜市, 2 days, p=")


def test_a_joining_article_keeps_the_case_id_and_ids_do_not_depend_on_the_run():
    index = MemoryCaseIndex()
    first = link_articles([facts("a", "2025-03-04")], index)
    then = link_articles([facts("b", "2025-03-06"), facts("c", "2027-01-01", cause="theft", total=18)], index)
    assert then["b"] == first["a"] and then["c"] != first["a"]
    again = link_articles([facts("c", "2027-01-01", cause="theft", total=18), facts("b", "2025-03-06"),
                           facts("a", "2025-03-04")],
                          MemoryCaseIndex())
    assert again == {**first, **then}


def test_a_stored_article_known_only_by_its_headline_is_found_by_a_later_report_naming_it():
    headline = headline_name_candidates("クローバー運輸で顧客情報流出か 412人分")
    stored = replace(facts("a", "2025-03-04", keys=()), headline_keys=frozenset(headline),
                     indexed=frozenset(headline_index_names(headline)))
    index = MemoryCaseIndex()
    first = link_articles([stored], index)
    later = link_articles([facts("b", "2025-03-20", keys=("クローバー運輸",))], index)
    assert later["b"] == first["a"]


def test_an_organisation_named_like_an_everyday_word_is_not_found_in_every_headline():
    headline = frozenset(headline_name_candidates("通販サイトに不正アクセス 顧客情報412件流出か"))
    news = replace(facts("a", "2025-03-04", keys=("通販大手",)), headline_keys=headline)
    assert not same_incident(news, facts("b", "2025-03-05", keys=("アクセス",)))
    assert same_incident(news, facts("b", "2025-03-05", keys=("通販大手",)))
