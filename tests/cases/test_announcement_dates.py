"""A case's first and last announcement: announcement dates only, else the reports' own dates, said so."""

import pytest

from pipeline.cases.summary import announcement_dates
from pipeline.records import ArticleRow, IncidentRow


def report(article_id: str, announced_on: str, reference_date: str,
           occurred_on: str = "2025-01-10") -> tuple[IncidentRow, ArticleRow]:
    incident = IncidentRow(article_id, "c1", True, "東山市", "misdelivery", 32, "人", "exact", announced_on,
                           occurred_on, "", "", "", 0.9, "")
    article = ArticleRow(article_id, "test", "", 0, "utf-8", "", "", reference_date,
                         "given" if reference_date else "none", "ok", "")
    return incident, article


@pytest.mark.parametrize(("reports", "expected"), [
    # announcement dates only: a report's own later date does not move the first announcement
    ([report("a", "2025-02-03", "2025-02-04"), report("b", "2025-02-10", "2025-02-11")],
     ("2025-02-03", "2025-02-10", "announced")),
    ([report("a", "", "2025-02-01"), report("b", "2025-02-10", "2025-02-11")],
     ("2025-02-10", "2025-02-10", "announced")),
    # no report gives an announcement: the reports' own dates, and the column says so
    ([report("a", "", "2025-02-04"), report("b", "", "2025-02-01")],
     ("2025-02-01", "2025-02-04", "reference_date")),
    # a year alone is no announcement date
    ([report("a", "2025", "2025-02-04")], ("2025-02-04", "2025-02-04", "reference_date")),
    ([report("a", "", "")], ("", "", "")),
])
def test_announcement_dates(reports, expected):
    assert announcement_dates(reports) == expected
