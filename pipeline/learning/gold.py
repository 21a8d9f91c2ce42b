"""Gold records (SPEC.md format): drafts pre-filled from the pipeline's output, and reading them.

A draft is what the pipeline believes; a user corrects it in an editor (deleting wrong values,
adding missed ones, moving unsure ones to the *_optional lists) and keeps it in data/gold/.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pipeline.batch.store import Store
from pipeline.learning.evaluate import SCORED_UNITS


def draft_records(store: Store, article_ids: Iterable[str] = ()) -> list[dict]:
    """One gold record per stored article (all, or those named), filled from its extracted rows."""
    tables = store.tables()
    wanted = set(article_ids)
    articles = [row for row in tables["articles.csv"] if row.status == "ok"
                and (not wanted or row.article_id in wanted)]
    by_article: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name in ("organizations.csv", "dates.csv", "counts.csv", "data_categories.csv", "incidents.csv"):
        for row in tables[name]:
            by_article[row.article_id][name].append(row)
    records = []
    for article in articles:
        rows = by_article[article.article_id]
        incident = rows["incidents.csv"][0]
        names: dict[str, list[str]] = {}
        for org in rows["organizations.csv"]:
            spellings = names.setdefault(org.name, [org.name])
            if org.text not in spellings:
                spellings.append(org.text)
        categories: dict[str, bool] = {}
        for row in rows["data_categories.csv"]:
            if row.category != "other":
                categories[row.category] = categories.get(row.category, False) or not row.negated
        records.append({
            "id": article.article_id,
            "reference_date": article.reference_date,
            "is_incident": incident.is_incident,
            "victim": [incident.victim] if incident.victim else [],
            "cause": [incident.cause] if incident.cause not in ("", "unknown") else [],
            "affected_total": [incident.affected_total] if incident.affected_total is not None else [],
            "organizations": list(names.values()),
            "organizations_optional": [],
            "dates": sorted({row.value for row in rows["dates.csv"]}),
            "dates_optional": [],
            "counts": sorted({(row.value, row.unit) for row in rows["counts.csv"] if row.unit in SCORED_UNITS}),
            "counts_optional": [],
            "categories": dict(sorted(categories.items())),
            "categories_optional": [],
        })
    missing = wanted - {r["id"] for r in records}
    if missing:
        raise KeyError(f"not in the store (or failed): {', '.join(sorted(missing))}")
    return records


def write_records(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


class GoldError(Exception):
    """A gold file that cannot be used; the message names the file, the line and the problem."""


def json_records(path: Path, skip_torn: bool = False) -> Iterable[dict]:
    """The JSON objects with an 'id' string, one per line of `path`; GoldError naming the line
    otherwise. With skip_torn, a line that is not JSON (a write cut short) is skipped with a warning."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if skip_torn:
                logging.getLogger(__name__).warning(
                    "%s:%d: skipping a torn line (a save was interrupted)", path, number)
                continue
            raise GoldError(f"{path}:{number}: not valid JSON: {exc}") from exc
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise GoldError(f"{path}:{number}: a gold record is a JSON object with an 'id' string")
        yield record


def read_gold_files(paths: Iterable[Path]) -> list[dict]:
    """Every record of the gold files; a later record for the same id replaces an earlier one."""
    records: dict[str, dict] = {}
    for path in paths:
        for record in json_records(path):
            records[record["id"]] = record
    return list(records.values())
