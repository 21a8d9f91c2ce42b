"""Give every incident article its case: in the store after a run, or in memory for `pipeline.extract`.

This is a cross-article step, run in the calling process once extraction is done (never in a
worker): each incident article not yet in a case is linked against the cases already there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from pipeline.batch.store import Store
from pipeline.cases.linking import ArticleFacts, MemoryCaseIndex, article_facts, link_articles
from pipeline.cases.summary import case_rows


def link_store(store: Store) -> int:
    """Link the store's incident articles that are in no case yet; return how many were linked."""
    facts = []
    for article_id in store.unlinked_incidents():
        article, incident, organizations, counts, text = store.article_rows(article_id)
        if incident is not None:
            facts.append(article_facts(incident, article, text, organizations, counts))
    link_articles(facts, store)
    return len(facts)


def facts_of_tables(tables: dict[str, list], texts: dict[str, str]) -> list[ArticleFacts]:
    """What linking knows of each incident article of the tables (file name -> rows)."""
    articles = {row.article_id: row for row in tables["articles.csv"] if row.status == "ok"}
    organizations, counts = defaultdict(list), defaultdict(list)
    for row in tables["organizations.csv"]:
        organizations[row.article_id].append(row)
    for row in tables["counts.csv"]:
        counts[row.article_id].append(row)
    facts = [article_facts(incident, articles[incident.article_id], texts.get(incident.article_id, ""),
                           organizations[incident.article_id], counts[incident.article_id])
             for incident in tables["incidents.csv"] if incident.is_incident and incident.article_id in articles]
    return facts


def link_tables(tables: dict[str, list], texts: dict[str, str]) -> dict[str, list]:
    """The same tables (file name -> rows) with case ids in incidents.csv and the rows of cases.csv."""
    index = MemoryCaseIndex()
    case_of = link_articles(facts_of_tables(tables, texts), index)
    incidents = [replace(row, case_id=case_of.get(row.article_id, "")) for row in tables["incidents.csv"]]
    return {**tables, "incidents.csv": incidents,
            "cases.csv": case_rows(incidents, tables["articles.csv"], index.links())}
