"""The rows of cases.csv: which date a case's first report is dated by, and why its articles are one case."""

import pytest

from pipeline.cases.summary import case_row, report_date
from pipeline.records import ArticleRow, IncidentRow


def incident(article_id: str, announced: str = "", occurred: str = "", detected: str = "",
             total: int | None = None) -> IncidentRow:
    return IncidentRow(article_id=article_id, case_id="case-1", is_incident=True, victim="北浜市", cause="loss",
                       affected_total=total, affected_unit="人" if total else "", affected_qualifier="",
                       announced_on=announced, occurred_on=occurred, detected_on=detected, categories="name",
                       not_leaked_categories="", confidence=0.9, evidence="")


def article(article_id: str, reference_date: str = "") -> ArticleRow:
    return ArticleRow(article_id=article_id, source="x.jsonl", sha256="0", chars=10, encoding="utf-8", title="",
                      url="", reference_date=reference_date,
                      reference_date_source="given" if reference_date else "none", status="ok", error="")


@pytest.mark.parametrize("announced, reference, detected, occurred, expected", [
    ("2025-03-04", "2025-03-05", "2025-03-01", "2025-02-28", ("2025-03-04", "announced")),
    ("", "2025-03-05", "2025-03-01", "2025-02-28", ("2025-03-05", "reference")),
    ("", "", "2025-03-01", "2025-02-28", ("2025-03-01", "detected")),
    ("", "", "", "2025-02", ("2025-02", "occurred")),
    ("", "", "", "FY2024", ("", "")),  # a fiscal year dates no report
    ("", "", "", "", ("", "")),
])
def test_a_report_is_dated_by_its_announcement_else_the_best_date_it_has(announced, reference, detected, occurred,
                                                                         expected):
    assert report_date(incident("a", announced, occurred, detected), article("a", reference)) == expected


def test_the_case_row_dates_by_announcements_only_and_says_why_its_articles_joined():
    row = case_row("case-1", [(incident("late", announced="2025-03-11", total=430), article("late")),
                              (incident("first", detected="2025-03-01", total=412), article("first"))],
                   {"late": "late<first (北浜市, 10 days, p=0.93)"})
    # The first report only says when the leak was detected: no announcement, so it dates no case.
    assert (row.first_announced_on, row.last_announced_on, row.announced_from) == ("2025-03-11", "2025-03-11",
                                                                                    "announced")
    assert (row.article_ids, row.affected_total) == ("first;late", 430)
    assert row.linked_by == "late<first (北浜市, 10 days, p=0.93)"
