"""Linking invented articles into cases: the reports of one incident link, near misses stay apart."""

from dataclasses import replace

import pytest

import pipeline
from pipeline.cases.identity import headline_index_names, headline_name_candidates
from pipeline.cases.linking import (
    MemoryCaseIndex,
    link_articles,
    link_probability,
    pair_features,
    reported_before_occurrence,
    same_incident,
    same_organisation,
    shared_name,
    written_dates,
    yearless_agreement,
)
from tests.cases.articles import (
    ALL,
    CITY_MONTHS_APART,
    SAME_INCIDENT,
    SPELLINGS,
    SPELLINGS_SAME_INCIDENT,
    UNDATED_NEWS,
    UNDATED_NEWS_SAME_INCIDENT,
    facts,
)


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
    (facts("b", "2025-05-20", total=430, occurred="2025-02"), "a follow-up with a revised count"),
    (facts("b", "2025-03-18", total=None, occurred="2025-02"), "two weeks on, the same month's loss, no figure"),
    (UNDATED, "undated, the same cause and figure"),
])
def test_reports_of_one_incident_link(later, why):
    assert same_incident(FIRST, later), why


@pytest.mark.parametrize("later, why", [
    (facts("b", "2026-03-04", cause="misdelivery", total=18), "a year later, another cause and figure"),
    (facts("b", "2025-09-01", cause="misdelivery", total=18, occurred="2025-08"), "months later, another leak"),
    (facts("b", "2025-03-06", keys=("南浜市",)), "another city the same week"),
    (replace(UNDATED, cause="misdelivery", figures=frozenset({18}), total=18), "undated, another cause and figure"),
    (facts("b", "2025-08-05", total=230), "the same city and cause five months on, another count"),
    (facts("b", "2025-08-05", occurred="2025-07"), "the same count, but a leak months after the first report"),
])
def test_near_misses_stay_apart(later, why):
    assert not same_incident(FIRST, later), why


def test_the_same_month_of_occurrence_speaks_for_a_link_and_another_month_against():
    # Seven weeks on, a city's name and no figure: how sure is the weights' call; which way the
    # month of the leak pushes is not.
    same = link_probability(FIRST, facts("b", "2025-04-20", total=None, occurred="2025-02"))[0]
    unknown = link_probability(FIRST, facts("b", "2025-04-20", total=None))[0]
    other = link_probability(FIRST, facts("b", "2025-04-20", total=None, occurred="2024-11"))[0]
    assert same > unknown > other


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


def test_an_undated_report_links_by_the_day_its_lead_gives_and_another_day_stays_apart():
    tables = pipeline.extract(UNDATED_NEWS)
    assert linked_groups(tables) == sorted(UNDATED_NEWS_SAME_INCIDENT, key=sorted)
    assert tables.incidents.set_index("article_id")["announced_on"].isna()["minamo-news"]  # no date at all


def test_the_same_city_and_cause_months_apart_with_other_counts_stays_apart():
    tables = pipeline.extract(CITY_MONTHS_APART)
    assert linked_groups(tables) == []
    features, key = pair_features(facts("a", "2024-06-03"), facts("b", "2024-11-08", total=18))
    assert key == "北浜市" and features["name.place_far"] == 1.0
    features, _ = pair_features(facts("a", "2024-06-03"), facts("b", "2024-07-01", total=400))
    assert "name.place_far" not in features  # close in time, counts that agree: a city's name is only a city's name


def test_the_dates_a_text_writes_without_a_year_in_text_order():
    assert written_dates("ハルモは１１日、昨年10月5日に不正アクセスがあったと発表した。3日間停止、10月の調査") == [
        "00-11", "10-05", "10-00"]


@pytest.mark.parametrize("lead, other, agrees", [
    ("00-11", facts("b", "2024-10-11"), True),  # 11日 and the other's report day
    ("10-00", facts("b", "2024-10-15"), True),  # 昨年10月 and a report in that month
    ("00-24", facts("b", "2024-10-11"), False),
    ("00-24", replace(UNDATED, lead_date="00-11"), False),  # two undated leads on other days
    ("10-00", replace(UNDATED, lead_date="00-11"), None),  # a month and a day: nothing to compare
    ("", facts("b", "2024-10-11"), None),
])
def test_an_undated_reports_lead_date_meets_the_other_reports_dates(lead, other, agrees):
    assert yearless_agreement(replace(UNDATED, lead_date=lead), other) is agrees


def test_a_report_dated_before_the_other_reports_leak_occurred_is_told_unless_that_date_is_misread():
    june = facts("a", "2024-06-03")
    assert reported_before_occurrence(june, facts("b", "2024-11-08", occurred="2024-11"), 45)
    assert not reported_before_occurrence(june, facts("b", "2024-11-08", occurred="2024-07"), 45)  # a month's slack
    # An occurrence after the report that gives it is a misread date: it says nothing.
    assert not reported_before_occurrence(june, facts("b", "2024-11-08", occurred="2025-03"), 45)
