"""Corrections the tables obey: an analyst's gold record laid over the rows extracted from its article.

A correction (the latest gold-store record of an article, SPEC.md's gold format) says what the
article reports. On export, and in the pages, the article's rows say it too, with no retrain:

- incidents.csv: victim, cause, affected total, the date roles and the categories are the
  correction's; `corrected` is true, and `correction_stale` is true when the article's text has
  changed since the correction was saved (the correction is kept, not dropped: the analyst decides);
- organisations, dates, counts, data categories: the extracted rows the correction confirms stay as
  they were (their rule still traceable); rows it rejects are dropped; what it adds gets a row whose
  source/rule is `correction`, at the first place its text stands in the article (or 0-0, no text,
  when the value is not written as such, like a date read off `同日`);
- cases.csv is derived from the corrected incidents, so a case's cause follows its articles'.

The extraction stages never see corrections: this module only rewrites rows on their way out.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import groupby

from pipeline.batch.store import Store
from pipeline.cases.summary import case_rows
from pipeline.records import TABLES, CategoryRow, CountRow, DateRow, IncidentRow, OrganizationRow

CORRECTION = "correction"  # the source (organisations) or rule (other spans) of a row a correction added
TEXT_DIGEST = "text_sha256"  # the key of a stored correction holding the digest of the text it was made on
DATE_ROLES = ("announced", "occurred", "detected", "other")
ROLE_COLUMNS = {"announced": "announced_on", "occurred": "occurred_on", "detected": "detected_on"}


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Correction:
    """An article's latest gold record, and whether its text changed since it was saved."""

    record: dict
    stale: bool = False


def corrections_for(saved: Mapping[str, dict], texts: Mapping[str, str]) -> dict[str, Correction]:
    """Corrections of the articles in `texts` (article id -> current text) from the latest saved
    records (article id -> record, as the gold store keeps it, with the text digest it was made on)."""
    found = {}
    for article_id, record in saved.items():
        if article_id not in texts:
            continue
        made_on = record.get(TEXT_DIGEST)
        found[article_id] = Correction(record, stale=bool(made_on) and made_on != text_digest(texts[article_id]))
    return found


def _same(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().replace(" ", "").replace("\u3000", "")


def _place(text: str, surface: str) -> tuple[int, int, str]:
    at = text.find(surface) if surface else -1
    return (at, at + len(surface), surface) if at >= 0 else (0, 0, "")


def correct_incident(row: IncidentRow, correction: Correction, counts: Iterable[CountRow] = ()) -> IncidentRow:
    gold = correction.record
    incident = bool(gold.get("is_incident", True))
    totals = gold.get("affected_total", []) if incident else []
    total = totals[0] if totals else None
    unit, qualifier = row.affected_unit, row.affected_qualifier
    if total != row.affected_total:
        units = [u for v, u in gold.get("counts", []) if v == total] + [c.unit for c in counts if c.value == total]
        unit, qualifier = (units[0] if units else ""), ""
    roles = gold.get("date_roles", {})
    known_dates = set(gold.get("dates", [])) | set(gold.get("dates_optional", []))
    dated = {}
    for role, column in ROLE_COLUMNS.items():
        chosen = sorted(value for value, said in roles.items() if said == role)
        extracted = getattr(row, column)
        dated[column] = chosen[0] if chosen else (extracted if extracted in known_dates else "")
    categories = gold.get("categories", {})
    # An article the analyst says is no incident leaves its case; one the pipeline thought none is
    # a case of its own (the linker joins it to others on the next extraction of its article).
    case_id = (row.case_id or "case-" + text_digest(f"correction:{row.article_id}")[:10]) if incident else ""
    return replace(
        row, case_id=case_id, is_incident=incident, victim=(gold.get("victim") or [""])[0] if incident else "",
        cause=((gold.get("cause") or ["unknown"])[0]) if incident else "",
        affected_total=total, affected_unit=unit if total is not None else "",
        affected_qualifier=qualifier if total is not None else "", **dated,
        categories=";".join(sorted(code for code, leaked in categories.items() if leaked)),
        not_leaked_categories=";".join(sorted(code for code, leaked in categories.items() if not leaked)),
        confidence=1.0, corrected=True, correction_stale=correction.stale)


def correct_organizations(rows: list[OrganizationRow], correction: Correction, article_id: str,
                          text: str) -> list[OrganizationRow]:
    gold = correction.record
    victims = {_same(n) for n in gold.get("victim", [])}
    kept, found = [], set()
    for position, names in enumerate(gold.get("organizations", []) + gold.get("organizations_optional", [])):
        spellings = {_same(n) for n in names}
        matching = [r for r in rows if _same(r.name) in spellings or _same(r.text) in spellings]
        for row in matching:
            role = "victim" if spellings & victims else ("other" if row.role == "victim" else row.role)
            kept.append(replace(row, role=role))
        if matching:
            found.add(position)
        elif position < len(gold.get("organizations", [])):
            name = names[0]
            start, end, surface = next((p for p in (_place(text, n) for n in names) if p[2]), (0, 0, ""))
            kind = "company"
            kept.append(OrganizationRow(article_id, start, end, surface, name, kind,
                                        "victim" if spellings & victims else "other", CORRECTION))
    return sorted(kept, key=lambda r: (r.start, r.end))


def correct_dates(rows: list[DateRow], correction: Correction, article_id: str) -> list[DateRow]:
    gold = correction.record
    wanted, optional = gold.get("dates", []), set(gold.get("dates_optional", []))
    roles = gold.get("date_roles", {})
    kept = [replace(r, role=roles.get(r.value, r.role)) for r in rows if r.value in set(wanted) | optional]
    have = {r.value for r in kept}
    for value in wanted:
        if value not in have:
            granularity = ("fiscal_year" if value.startswith("FY") else
                           {4: "year", 7: "month"}.get(len(value), "day"))
            kept.append(DateRow(article_id, 0, 0, "", value, granularity, roles.get(value, "other"), CORRECTION))
    return sorted(kept, key=lambda r: (r.start, r.end))


def correct_counts(rows: list[CountRow], correction: Correction, article_id: str, text: str) -> list[CountRow]:
    gold = correction.record
    wanted = [tuple(pair) for pair in gold.get("counts", [])]
    allowed = set(wanted) | {tuple(pair) for pair in gold.get("counts_optional", [])}
    units = {unit for _, unit in allowed}
    # A count in a unit the gold does not judge (円, 台) is neither confirmed nor rejected: it stays.
    kept = [r for r in rows if (r.value, r.unit) in allowed or r.unit not in units | {"件", "人", "名"}]
    have = {(r.value, r.unit) for r in kept}
    for value, unit in wanted:
        if (value, unit) not in have:
            start, end, surface = _place(text, f"{value:,}{unit}")
            if not surface:
                start, end, surface = _place(text, f"{value}{unit}")
            kept.append(CountRow(article_id, start, end, surface, value, unit, "exact", "", False, CORRECTION))
    return sorted(kept, key=lambda r: (r.start, r.end))


def correct_categories(rows: list[CategoryRow], correction: Correction, article_id: str) -> list[CategoryRow]:
    gold = correction.record
    said = gold.get("categories", {})
    optional = set(gold.get("categories_optional", []))
    kept = [r for r in rows if r.category == "other" or r.category in optional
            or (r.category in said and said[r.category] == (not r.negated))]
    have = {(r.category, not r.negated) for r in kept}
    for code, leaked in sorted(said.items()):
        if (code, bool(leaked)) not in have:
            kept.append(CategoryRow(article_id, 0, 0, "", code, not leaked, CORRECTION))
    return sorted(kept, key=lambda r: (r.start, r.end))


def _by_article(rows: Iterable) -> Iterator[tuple[str, list]]:
    for article_id, group in groupby(rows, key=lambda row: row.article_id):
        yield article_id, list(group)


def corrected_rows(name: str, rows: Iterable, corrections: Mapping[str, Correction],
                   texts: Mapping[str, str]) -> Iterator:
    """The rows of table `name` (grouped by article, as the store gives them) with corrections laid over."""
    for article_id, group in _by_article(rows):
        correction = corrections.get(article_id)
        if correction is None:
            yield from group
        elif name == "incidents.csv":
            yield from (correct_incident(row, correction) for row in group)
        elif name == "organizations.csv":
            yield from correct_organizations(group, correction, article_id, texts.get(article_id, ""))
        elif name == "dates.csv":
            yield from correct_dates(group, correction, article_id)
        elif name == "counts.csv":
            yield from correct_counts(group, correction, article_id, texts.get(article_id, ""))
        elif name == "data_categories.csv":
            yield from correct_categories(group, correction, article_id)
        else:
            yield from group


def corrected_tables(tables: Mapping[str, Iterable], corrections: Mapping[str, Correction],
                     texts: Mapping[str, str]) -> dict[str, Iterable]:
    """Every output table with the corrections laid over; cases derived again from the corrected
    incidents. An article with no rows in a table gets the correction's rows only where it had some
    (a table's rows come grouped by article: one missing stays missing)."""
    if not corrections:
        return dict(tables)
    out: dict[str, Iterable] = {}
    for name, rows in tables.items():
        if name == "cases.csv":
            continue
        out[name] = list(corrected_rows(name, rows, corrections, texts))
    out = _with_added_articles(out, corrections, texts)
    out["cases.csv"] = case_rows(out.get("incidents.csv", []), out.get("articles.csv", []))
    return out


def _with_added_articles(tables: dict[str, list], corrections: Mapping[str, Correction],
                         texts: Mapping[str, str]) -> dict[str, list]:
    """Span rows for a corrected article that had none in a table (a date the extraction missed in an
    article where it found no date at all)."""
    makers = {"organizations.csv": lambda aid, c: correct_organizations([], c, aid, texts.get(aid, "")),
              "dates.csv": lambda aid, c: correct_dates([], c, aid),
              "counts.csv": lambda aid, c: correct_counts([], c, aid, texts.get(aid, "")),
              "data_categories.csv": lambda aid, c: correct_categories([], c, aid)}
    incident_ids = {row.article_id for row in tables.get("incidents.csv", [])}
    for name, make in makers.items():
        rows = tables.get(name)
        if rows is None:
            continue
        present = {row.article_id for row in rows}
        added = [row for aid, c in sorted(corrections.items()) if aid in incident_ids and aid not in present
                 for row in make(aid, c)]
        if added:
            tables[name] = sorted(rows + added, key=lambda r: r.article_id)  # stable: each article's order kept
    return tables


def store_corrections(store: Store, saved: Mapping[str, dict]) -> tuple[dict[str, Correction], dict[str, str]]:
    """The corrections of the stored articles, and those articles' current texts."""
    texts = {aid: text for aid in saved if (text := store.article_text(aid))}
    return corrections_for(saved, texts), texts


def export_tables(store: Store, saved: Mapping[str, dict]) -> dict[str, Iterable]:
    """The tables to write from the store, with the saved corrections (article id -> latest record) laid over."""
    corrections, texts = store_corrections(store, saved)
    if not corrections:
        return {name: store.iter_table(name) for name in TABLES}
    tables = {name: store.iter_table(name) for name in TABLES if name != "cases.csv"}
    return corrected_tables(tables, corrections, texts)
