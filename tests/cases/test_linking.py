"""Linking invented articles into cases: the reports of one incident link, near misses stay apart."""

from dataclasses import replace

import pytest

import pipeline
from pipeline.cases.identity import headline_index_names, headline_name_candidates
from pipeline.cases.linking import ArticleFacts, MemoryCaseIndex, day_number, link_articles, same_incident
from tests.cases.articles import ALL, SAME_INCIDENT


@pytest.fixture(scope="module")
def tables():
    return pipeline.extract(ALL)


def test_the_reports_of_one_incident_share_a_case_and_nothing_else_does(tables):
    incidents = tables.incidents.set_index("article_id")
    cases: dict[str, set[str]] = {}
    for article_id, case_id in incidents["case_id"].items():
        if case_id:
            cases.setdefault(case_id, set()).add(article_id)
    linked = [members for members in cases.values() if len(members) > 1]
    assert sorted(linked, key=sorted) == sorted(SAME_INCIDENT, key=sorted)
    assert (incidents["case_id"] != "").equals(incidents["is_incident"])  # a non-incident is in no case


def test_the_cases_table_combines_the_reports(tables):
    cases = tables.cases.set_index("article_ids")
    ransomware = cases.loc["hamanasu;hamanasu-2"]
    assert ransomware["articles"] == 2
    assert ransomware["affected_total"] == 28000  # the second report's revised count wins
    assert (ransomware["first_announced_on"], ransomware["last_announced_on"]) == ("2025-05-20", "2025-06-27")
    assert len(tables.cases) == tables.incidents["case_id"].replace("", None).nunique()


def facts(article_id: str, day: str, cause: str = "loss", total: int | None = 412,
          keys: tuple[str, ...] = ("北浜市",)) -> ArticleFacts:
    return ArticleFacts(article_id=article_id, keys=frozenset(keys), headline_keys=frozenset(),
                        indexed=frozenset(keys), cause=cause, day=day_number(day), occurred="", total=total,
                        figures=frozenset({total} if total else ()))


def test_reports_within_two_weeks_link_even_when_their_causes_differ():
    assert same_incident(facts("a", "2025-03-04"), facts("b", "2025-03-10", cause="theft", total=None))
    assert same_incident(facts("a", "2025-03-04"), facts("b", "2025-03-15", cause="insider", total=None))


def test_a_later_follow_up_needs_a_compatible_cause_and_a_shared_figure():
    first = facts("a", "2025-03-04")
    assert same_incident(first, facts("b", "2025-05-20"))
    assert not same_incident(first, facts("b", "2025-05-20", total=90))
    assert not same_incident(first, facts("b", "2025-05-20", cause="misdelivery"))
    assert not same_incident(first, facts("b", "2026-03-04"))  # a year later: another incident


def test_an_undated_report_links_only_on_the_same_cause_and_figures():
    undated = replace(facts("b", ""), day=None)
    assert same_incident(facts("a", "2025-03-04"), undated)
    assert not same_incident(facts("a", "2025-03-04", total=30), undated)
    assert not same_incident(facts("a", "2025-03-04", cause="unknown"), replace(undated, cause="unknown"))


def test_different_organisations_never_link_however_alike():
    assert not same_incident(facts("a", "2025-03-04"), facts("b", "2025-03-04", keys=("南浜市",)))


def test_a_joining_article_keeps_the_case_id_and_ids_do_not_depend_on_the_run():
    index = MemoryCaseIndex()
    first = link_articles([facts("a", "2025-03-04")], index)
    then = link_articles([facts("b", "2025-03-06"), facts("c", "2027-01-01")], index)
    assert then["b"] == first["a"] and then["c"] != first["a"]
    again = link_articles([facts("c", "2027-01-01"), facts("b", "2025-03-06"), facts("a", "2025-03-04")],
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
