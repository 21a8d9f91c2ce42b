"""A summary of the store for `pipeline stats`: cases (real-world incidents, each counted once however
many articles report it) by cause and year, top victims, affected totals per unit, data categories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.api import tables_to_frames
from pipeline.batch.corrections import export_tables
from pipeline.batch.store import Store
from pipeline.report.labels import with_label
from pipeline.stages.normalize import display_width


@dataclass
class Summary:
    articles: int
    failed: int
    incident_articles: int
    incidents: int  # cases: one per real-world incident
    by_cause: pd.Series
    by_year: pd.Series
    top_victims: pd.DataFrame
    affected: dict[str, dict[str, float]]  # unit -> figures; 件 and 人 are never added together
    categories: pd.DataFrame

    def as_dict(self) -> dict:
        return {"articles": self.articles, "failed": self.failed, "incident_articles": self.incident_articles,
                "incidents": self.incidents,
                "by_cause": {k: int(v) for k, v in self.by_cause.items()},
                "by_year": {k: int(v) for k, v in self.by_year.items()},
                "top_victims": self.top_victims.to_dict(orient="records"),
                "affected": self.affected,
                "categories": self.categories.to_dict(orient="records")}

    def format(self) -> str:
        lines = [f"{self.articles} articles ({self.failed} failed); {self.incident_articles} report incidents: "
                 f"{self.incidents} incidents (cases), each counted once however many articles report it", ""]
        lines.append("Incidents by cause")
        lines += [f"  {pad(with_label(cause, 'causes'), 40)}{count:>6}" for cause, count in self.by_cause.items()] \
            or ["  (none)"]
        lines += ["", "Incidents by year (first announcement)"]
        lines += [f"  {pad(year, 40)}{count:>6}" for year, count in self.by_year.items()] or ["  (none)"]
        lines += ["", "Top victims                       incidents  articles  affected"]
        for row in self.top_victims.itertuples():
            lines.append(f"  {pad(row.victim, 32)}{row.incidents:>6}{row.articles:>10}  {row.affected}")
        if self.top_victims.empty:
            lines.append("  (none)")
        lines += ["", "Affected per incident, per unit (where a report gives a number; the latest report's)"]
        for unit, a in self.affected.items():
            lines.append(f"  {pad(unit, 4)}{a['incidents_with_total']} incidents, total {a['total']:,.0f}, "
                         f"median {a['median']:,.0f}, largest {a['max']:,.0f}")
        if not self.affected:
            lines.append("  (none)")
        lines += ["", "Data categories (incidents)                       leaked  said not leaked"]
        lines += [f"  {pad(with_label(r.category, 'categories'), 46)}{r.leaked:>9}{r.not_leaked:>17}"
                  for r in self.categories.itertuples()] or ["  (none)"]
        return "\n".join(lines)


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a kanji or kana takes two)."""
    return text + " " * max(1, width - display_width(text))


def _per_unit(totals: pd.DataFrame) -> str:
    """`12,000 件; 30 人`: one sum per unit, never one sum over units."""
    sums = totals.dropna(subset=["affected_total"]).groupby("affected_unit")["affected_total"].sum()
    return "; ".join(f"{int(total):,} {unit}" for unit, total in sums.items())


def summarize(store: Store, top: int = 10, saved: Mapping[str, dict] | None = None) -> Summary:
    """The summary of the store's tables, with the saved corrections (article id -> record) laid over."""
    frames = tables_to_frames(export_tables(store, saved or {}))
    articles, incidents, cases = frames["articles"], frames["incidents"], frames["cases"]
    by_cause = cases["cause"].fillna("unknown").value_counts().sort_values(ascending=False)
    years = cases["first_announced_on"].fillna("").str[:4]
    years = years.where(years.str.isdigit(), "unknown")
    by_year = years.value_counts().sort_index()
    named = cases[cases["victim"].notna()]
    victims = named.groupby("victim").agg(incidents=("case_id", "count"), articles=("articles", "sum"))
    victims["affected"] = [_per_unit(named[named["victim"] == victim]) for victim in victims.index]
    victims = victims.sort_values(["incidents", "articles"], ascending=False).head(top).reset_index()
    affected = {}
    for unit, group in cases.dropna(subset=["affected_total"]).groupby("affected_unit"):
        totals = group["affected_total"]
        unit = unit if isinstance(unit, str) else "(no unit)"
        affected[unit] = {"incidents_with_total": int(len(totals)), "total": float(totals.sum()),
                                         "median": float(totals.median()), "max": float(totals.max())}

    def tally(column: str) -> pd.Series:
        codes = cases[column].dropna().str.split(";").explode()
        return codes[codes != ""].value_counts()

    categories = pd.DataFrame({"leaked": tally("categories"), "not_leaked": tally("not_leaked_categories")})
    categories = categories.fillna(0).astype(int).sort_values(["leaked", "not_leaked"], ascending=False)
    categories = categories.rename_axis("category").reset_index()
    return Summary(articles=int(articles["article_id"].nunique()), failed=int((articles["status"] != "ok").sum()),
                   incident_articles=int(incidents["is_incident"].sum()), incidents=len(cases), by_cause=by_cause,
                   by_year=by_year, top_victims=victims, affected=affected, categories=categories)
