"""The rows of `cases.csv`: one per case, its figures combined from its articles.

How figures combine (README, "Cases"):
- the reports are ordered by date (announced, else the article's date; undated ones first, as
  the least informed), then by id;
- affected total, unit and qualifier come together from the LATEST report that gives a total:
  a follow-up's revised count replaces the first estimate, and a 件 total never adds to a 人 one;
- victim and cause: the most frequent among the reports (unknown/other only when no report says
  more), ties going to the later report; every victim spelling seen is listed;
- why the articles are one case (`linked_by`): for each article that joined, the article it
  matched, the key they share, the days between them and the pair model's probability;
- first and last announcement: the earliest and latest announcement dates of its reports; where no
  report gives one, their reference dates, and `announced_from` says so (a date the text only
  implies, such as when an exposure began, is never taken for an announcement);
- categories: leaked in any report; not leaked: said not leaked in some report and leaked in none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pipeline.records import ArticleRow, CaseRow, IncidentRow


def report_date(incident: IncidentRow, article: ArticleRow | None) -> tuple[str, str]:
    """The date an article reports on, and which date it is: announced, else the article's own
    (reference) date, else when the leak was detected, else when it occurred (("", "") when none).
    The one place where a case's dates fall back; linking.report_day orders the same way."""
    for source, value in (("announced", incident.announced_on),
                          ("reference", article.reference_date if article else ""),
                          ("detected", incident.detected_on), ("occurred", incident.occurred_on)):
        if value[:4].isdigit() and len(value) >= 7:
            return value, source
    return "", ""


def announcement_dates(reports: list[tuple[IncidentRow, ArticleRow | None]]) -> tuple[str, str, str]:
    """(first, last, announced_from): the earliest and latest `announced_on` of the reports, from
    "announced"; else their reference dates, from "reference_date"; else ("", "", "")."""
    announced = sorted(i.announced_on for i, _ in reports
                       if i.announced_on[:4].isdigit() and len(i.announced_on) >= 7)
    if announced:
        return announced[0], announced[-1], "announced"
    references = sorted(a.reference_date for _, a in reports if a and a.reference_date[:4].isdigit())
    if references:
        return references[0], references[-1], "reference_date"
    return "", "", ""


def _most_frequent(values: list[str], uninformative: set[str]) -> str:
    """The most frequent value (later ones win ties); an uninformative one only when nothing else."""
    informative = [v for v in values if v not in uninformative] or [v for v in values if v]
    if not informative:
        return ""
    counts = Counter(informative)
    last_seen = {value: position for position, value in enumerate(informative)}
    return max(counts, key=lambda value: (counts[value], last_seen[value]))


def case_row(case_id: str, reports: list[tuple[IncidentRow, ArticleRow | None]],
             links: dict[str, str] | None = None) -> CaseRow:
    # Undated reports first (as the least informed), then by date: the last one is the latest word.
    ordered = sorted(reports, key=lambda r: (report_date(*r)[0] != "", report_date(*r)[0], r[0].article_id))
    incidents = [incident for incident, _ in ordered]
    with_total = [i for i in incidents if i.affected_total is not None]
    latest_total = with_total[-1] if with_total else None
    first_announced, last_announced, announced_from = announcement_dates(ordered)
    leaked = {c for i in incidents for c in i.categories.split(";") if c}
    not_leaked = {c for i in incidents for c in i.not_leaked_categories.split(";") if c} - leaked
    victims = [i.victim for i in incidents if i.victim]
    return CaseRow(
        case_id=case_id,
        victim=_most_frequent(victims, set()),
        victim_names=";".join(sorted(set(victims))),
        cause=_most_frequent([i.cause for i in incidents], {"", "unknown", "other"}),
        affected_total=latest_total.affected_total if latest_total else None,
        affected_unit=latest_total.affected_unit if latest_total else "",
        affected_qualifier=latest_total.affected_qualifier if latest_total else "",
        first_announced_on=first_announced,
        last_announced_on=last_announced,
        announced_from=announced_from,
        categories=";".join(sorted(leaked)),
        not_leaked_categories=";".join(sorted(not_leaked)),
        article_ids=";".join(i.article_id for i in incidents),
        articles=len(incidents),
        linked_by="; ".join(links[i.article_id] for i in incidents if (links or {}).get(i.article_id)))


def case_rows(incidents: Iterable[IncidentRow], articles: Iterable[ArticleRow],
              links: dict[str, str] | None = None) -> list[CaseRow]:
    """One row per case_id among `incidents`, in case id order; `links`: article id -> why it joined."""
    by_id = {article.article_id: article for article in articles}
    cases: dict[str, list[tuple[IncidentRow, ArticleRow | None]]] = {}
    for incident in incidents:
        if incident.case_id:
            cases.setdefault(incident.case_id, []).append((incident, by_id.get(incident.article_id)))
    return [case_row(case_id, cases[case_id], links) for case_id in sorted(cases)]
