"""The review page: `OUT/review/index.html`, read from disk with no server and no network.

The page holds the incident overview (sortable, filterable by cause and by text; the articles of
one case stay together under it) and a chart of incidents by month and cause, counting each case
once. Each article's text, with every extracted span highlighted, lives
in its own small script file under `review/articles/`, loaded when the article is opened, so
the page stays light on a store of any size.

Every value reaches the page as JSON (with `<`, `>` and `&` escaped, so no value can close a
script element) and is put into the document as text, never as markup: an article holding
`<script>` shows that text and runs nothing.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from pipeline.batch.corrections import export_tables
from pipeline.batch.store import Store
from pipeline.batch.writing import honour_umask
from pipeline.report.labels import code_labels, with_label
from pipeline.stages.incident import incident_period

REVIEW_DIR = "review"
# Table name -> the label the page shows for its spans.
SPAN_TABLES = {"organizations.csv": "organization", "dates.csv": "date", "counts.csv": "count",
               "data_categories.csv": "category"}
# One colour per SPEC.md cause code.
CAUSE_COLOURS = {
    "unauthorized_access": "#c0392b", "ransomware": "#7b241c", "malware": "#8e44ad", "misdelivery": "#2980b9",
    "misposting": "#27ae60", "loss": "#d68910", "theft": "#a04000", "insider": "#5d6d7e",
    "misconfiguration": "#16a085", "other": "#a569bd", "unknown": "#bdc3c7", "": "#bdc3c7"}
# The page opened from disk fetches nothing: scripts only from its own folder, no connections.
FILE_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline' file:; style-src 'unsafe-inline'; img-src data:"


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element or a .js file: no `</script>`, no `<!--`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_svg(months: dict[str, Counter]) -> str:
    """A stacked bar chart of incidents per month, one colour per cause (plain SVG, no script)."""
    if not months:
        return '<p class="empty">No incidents with a known month.</p>'
    keys = sorted(months)
    causes = sorted({cause for counter in months.values() for cause in counter})
    tallest = max(sum(counter.values()) for counter in months.values())
    bar, gap, height, left, bottom = 22, 6, 160, 34, 46
    width = left + len(keys) * (bar + gap) + 10
    parts = [f'<svg class="chart" role="img" aria-label="Incidents by month and cause" width="{width}" '
             f'height="{height + bottom + 10}" viewBox="0 0 {width} {height + bottom + 10}">']
    for tick in sorted({0, tallest // 2, tallest}):
        y = 10 + height - tick / tallest * height
        parts.append(f'<line x1="{left - 4}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{tick}</text>')
    for index, month in enumerate(keys):
        x = left + index * (bar + gap)
        y = 10 + height
        for cause in causes:
            count = months[month].get(cause, 0)
            if not count:
                continue
            h = count / tallest * height
            y -= h
            label = html.escape(f"{month} {cause or 'unknown'}: {count}")
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                         f'fill="{CAUSE_COLOURS.get(cause, "#999")}" data-month="{month}" '
                         f'data-cause="{html.escape(cause)}"><title>{label}</title></rect>')
        parts.append(f'<text x="{x + bar / 2}" y="{10 + height + 12}" class="axis month" '
                     f'transform="rotate(60 {x + bar / 2} {10 + height + 12})">{html.escape(month)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span class="key"><i style="background:{CAUSE_COLOURS.get(c, "#999")}"></i>'
                     f'{html.escape(with_label(c or "unknown", "causes"))}</span>' for c in causes)
    return "".join(parts) + f'<div class="legend">{legend}</div>'


def review_data(store: Store, saved: Mapping[str, dict] | None = None) -> tuple[dict, list[dict]]:
    """(overview data for index.html, one detail record per article) from the store, with the saved
    corrections (article id -> latest gold-store record) laid over its rows."""
    tables = {name: list(rows) for name, rows in export_tables(store, saved or {}).items()}
    articles = tables["articles.csv"]
    incidents = {row.article_id: row for row in tables["incidents.csv"]}
    spans: dict[str, list[dict]] = defaultdict(list)
    for name, label in SPAN_TABLES.items():
        for number, row in enumerate(tables[name]):
            record = asdict(row)
            record["table"], record["row"] = label, number + 2  # the CSV line: header is line 1
            spans[row.article_id].append(record)
    overview, details = [], []
    cases = {case.case_id: case for case in tables["cases.csv"]}
    links = store.case_links()  # why each article joined its case (the article matched, key, gap)
    case_month: dict[str, str] = {}  # the month a case counts under: its earliest report's
    for row in articles:
        if row.status != "ok" or row.article_id not in incidents:
            continue
        incident = incidents[row.article_id]
        month = incident_period(incident, row.reference_date, 7) if incident.is_incident else ""
        if month and incident.case_id:
            case_month[incident.case_id] = min(month, case_month.get(incident.case_id, month))
        case = cases.get(incident.case_id)
        overview.append({**asdict(incident), "title": row.title, "source": row.source, "month": month,
                         "announced_sort": announced_sort(incident.announced_on, month),
                         "index": len(details), "chars": row.chars, "case_articles": case.articles if case else 0,
                         "case_victim": case.victim if case else "", "linked_by": links.get(row.article_id, "")})
        details.append({"article_id": row.article_id, "title": row.title, "source": row.source,
                        "reference_date": row.reference_date, "encoding": row.encoding,
                        "text": store.article_text(row.article_id) or "", "spans": spans[row.article_id],
                        "incident": asdict(incident)})
    # The chart counts incidents, not articles: each case once, under its own cause.
    months: dict[str, Counter] = defaultdict(Counter)
    for case_id, month in case_month.items():
        months[month][cases[case_id].cause] += 1
    failed = [{"article_id": r.article_id, "source": r.source, "error": r.error}
              for r in articles if r.status != "ok"]
    return {"incidents": overview, "failed": failed, "months": {m: dict(c) for m, c in months.items()},
            "cases": len(cases), "labels": code_labels()}, details


def announced_sort(announced_on: str, month: str) -> str:
    """The key the Announced column sorts by: the day, or where only a month is known (shown in its
    place) that month after all of its days, so that months fall in date order among the days."""
    shown = announced_on or month
    if len(shown) == len("2024-09"):
        return f"{shown}-99"  # after the month's days, whichever way the column sorts
    return shown


def review_page(overview: dict, csp: str = FILE_CSP, extra: str = "") -> str:
    """index.html for this overview; `extra` is markup added at the end of the body."""
    template = resources.files("pipeline.report").joinpath("review_template.html").read_text(encoding="utf-8")
    months = {m: Counter(c) for m, c in overview["months"].items()}
    return (template.replace("{{CHART}}", chart_svg(months))
            .replace("{{CSP}}", html.escape(csp))
            .replace("{{EXTRA}}", extra)
            .replace("{{DATA}}", script_json(overview))
            .replace("{{COLOURS}}", script_json(CAUSE_COLOURS))
            .replace("{{COUNT}}", str(len(overview["incidents"])))
            .replace("{{CASES}}", str(overview["cases"])))


def article_script(index: int, detail: dict) -> str:
    """The script that hands one article's detail record to the page."""
    return f"window.reviewArticleLoaded({index},{script_json(detail)});\n"


def write_review(out_dir: Path, store: Store, saved: Mapping[str, dict] | None = None) -> Path:
    """Write OUT/review/ (replacing an older one whole) and return the path of index.html."""
    overview, details = review_data(store, saved)
    page = review_page(overview)
    staging = Path(tempfile.mkdtemp(prefix=".review-", dir=out_dir))
    try:
        honour_umask(staging)
        (staging / "articles").mkdir()
        for index, detail in enumerate(details):
            (staging / "articles" / f"{index}.js").write_text(article_script(index, detail), encoding="utf-8")
        (staging / "index.html").write_text(page, encoding="utf-8")
        final = out_dir / REVIEW_DIR
        old = out_dir / f".{REVIEW_DIR}-old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final / "index.html"
