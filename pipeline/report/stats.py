"""A summary of the store for `pipeline stats`: incidents by cause and year, top victims,
affected totals, the most common data categories."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

from pipeline.api import tables_to_frames
from pipeline.batch.store import Store
from pipeline.stages.incident import incident_period


@dataclass
class Summary:
    articles: int
    failed: int
    incidents: int
    by_cause: pd.Series
    by_year: pd.Series
    top_victims: pd.DataFrame
    affected: dict[str, float]
    categories: pd.DataFrame

    def as_dict(self) -> dict:
        return {"articles": self.articles, "failed": self.failed, "incidents": self.incidents,
                "by_cause": {k: int(v) for k, v in self.by_cause.items()},
                "by_year": {k: int(v) for k, v in self.by_year.items()},
                "top_victims": self.top_victims.to_dict(orient="records"),
                "affected": self.affected,
                "categories": self.categories.to_dict(orient="records")}

    def format(self) -> str:
        lines = [f"{self.articles} articles ({self.failed} failed), {self.incidents} incidents", ""]
        lines.append("Incidents by cause")
        lines += [f"  {pad(cause, 22)}{count:>6}" for cause, count in self.by_cause.items()] or ["  (none)"]
        lines += ["", "Incidents by year"]
        lines += [f"  {pad(year, 22)}{count:>6}" for year, count in self.by_year.items()] or ["  (none)"]
        lines += ["", "Top victims                       incidents      affected"]
        for row in self.top_victims.itertuples():
            affected = "" if pd.isna(row.affected) else f"{int(row.affected):,}"
            lines.append(f"  {pad(row.victim, 32)}{row.incidents:>6}  {affected:>12}")
        if self.top_victims.empty:
            lines.append("  (none)")
        a = self.affected
        lines += ["", "Affected per incident (where the article gives a number)"]
        if a["incidents_with_total"]:
            lines.append(f"  {a['incidents_with_total']} incidents, total {a['total']:,.0f}, "
                         f"median {a['median']:,.0f}, largest {a['max']:,.0f}")
        else:
            lines.append("  (none)")
        lines += ["", "Data categories                leaked  said not leaked"]
        lines += [f"  {pad(r.category, 28)}{r.leaked:>8}{r.not_leaked:>17}" for r in self.categories.itertuples()] \
            or ["  (none)"]
        return "\n".join(lines)


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a kanji or kana takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)


def _year(row: pd.Series) -> str:
    return incident_period(row, row.get("reference_date"), 4) or "unknown"


def summarize(store: Store, top: int = 10) -> Summary:
    frames = tables_to_frames(store.tables())
    articles, incidents = frames["articles"], frames["incidents"]
    real = incidents[incidents["is_incident"]].merge(
        articles[articles["status"] == "ok"][["article_id", "reference_date"]].drop_duplicates("article_id"),
        on="article_id", how="left")
    by_cause = real["cause"].replace("", "unknown").value_counts().sort_values(ascending=False)
    by_year = real.apply(_year, axis=1).value_counts().sort_index() if len(real) else pd.Series(dtype=int)
    victims = real[real["victim"] != ""].groupby("victim").agg(
        incidents=("article_id", "count"), affected=("affected_total", "sum"))
    victims = victims.sort_values(["incidents", "affected"], ascending=False).head(top).reset_index()
    totals = real["affected_total"].dropna()
    affected = {"incidents_with_total": int(len(totals)), "total": float(totals.sum()) if len(totals) else 0.0,
                "median": float(totals.median()) if len(totals) else 0.0,
                "max": float(totals.max()) if len(totals) else 0.0}

    def tally(column: str) -> pd.Series:
        codes = real[column].str.split(";").explode()
        return codes[codes.fillna("") != ""].value_counts()

    categories = pd.DataFrame({"leaked": tally("categories"), "not_leaked": tally("not_leaked_categories")})
    categories = categories.fillna(0).astype(int).sort_values(["leaked", "not_leaked"], ascending=False)
    categories = categories.rename_axis("category").reset_index()
    return Summary(articles=int(articles["article_id"].nunique()), failed=int((articles["status"] != "ok").sum()),
                   incidents=len(real), by_cause=by_cause, by_year=by_year, top_victims=victims,
                   affected=affected, categories=categories)
