"""Score output tables against gold records, exactly as ../shared/eval/score.py does (SPEC.md).

`pipeline eval` prints the same figures; tests/test_evaluate.py checks the two agree.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.batch.writing import cell
from pipeline.records import Extraction, IncidentRow

LEGAL_FORMS = re.compile(
    r"(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|公益社団法人|一般財団法人|公益財団法人|"
    r"社会福祉法人|医療法人社団|医療法人|学校法人|国立大学法人|独立行政法人|特定非営利活動法人|npo法人|"
    r"\(株\)|\(有\)|㈱|㈲|inc\.?|co\.,?ltd\.?|corporation|corp\.?|ltd\.?|llc)"
)
SCORED_UNITS = {"件", "人", "名"}
FIELDS = ("organizations", "dates", "counts", "categories")
INCIDENT_FIELDS = ("is_incident", "victim", "cause", "affected_total")


def normalize_org(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = re.sub(r"[\s・,、\u3000]", "", text)
    text = LEGAL_FORMS.sub("", text)
    text = re.sub(r"^旧", "", text)
    return re.sub(r"社$", "", text)


def truthy(value: object) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes", "t", "y"}


def to_int(value: object) -> int | None:
    try:
        return int(float(str(value).replace(",", "")))
    except (TypeError, ValueError):
        return None


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in FIELDS})
    accuracy: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in INCIDENT_FIELDS})
    errors: list[tuple[str, str, list, list]] = field(default_factory=list)
    articles: int = 0
    # Pairwise case linking, scored apart (not in the mean) when the gold carries case labels.
    cases: Tally | None = None
    case_errors: list[tuple[str, str, bool]] = field(default_factory=list)  # (a, b, should share a case)
    # One per gold article: (the row's confidence, whether its incident row is fully right).
    reviewed: list[tuple[float, bool]] = field(default_factory=list)

    def accuracy_of(self, name: str) -> float:
        right, total = self.accuracy[name]
        return right / total if total else 1.0

    @property
    def rows_right(self) -> float:
        """The share of gold articles whose incident row is fully right (is_incident, and for an
        incident victim, cause and total)."""
        return review_figures(self.reviewed)[0]

    @property
    def triage30(self) -> float:
        """The share of the wrong rows a reviewer meets in the 30% least-sure rows."""
        return review_figures(self.reviewed)[1]

    @property
    def score(self) -> float:
        parts = [t.f1 for t in self.fields.values()] + [self.accuracy_of(k) for k in INCIDENT_FIELDS]
        return sum(parts) / len(parts)

    def as_dict(self) -> dict:
        return {
            "fields": {k: {"p": t.precision, "r": t.recall, "f1": t.f1, "tp": t.tp, "fp": t.fp, "fn": t.fn}
                       for k, t in self.fields.items()},
            "accuracy": {k: self.accuracy_of(k) for k in INCIDENT_FIELDS},
            **({"cases": {"p": self.cases.precision, "r": self.cases.recall, "f1": self.cases.f1,
                          "tp": self.cases.tp, "fp": self.cases.fp, "fn": self.cases.fn}} if self.cases else {}),
            "rows_right": self.rows_right, "triage30": self.triage30,
            "articles": self.articles,
            "score": self.score,
        }

    def format(self, show_errors: bool = False) -> str:
        lines = [f"{'field':16} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn"]
        for name, t in self.fields.items():
            lines.append(f"{name:16} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f}   {t.tp}/{t.fp}/{t.fn}")
        for name in INCIDENT_FIELDS:
            right, total = self.accuracy[name]
            lines.append(f"{name:16} accuracy {right}/{total} = {self.accuracy_of(name):.3f}")
        lines.append(f"{'rows right':16} {sum(ok for _, ok in self.reviewed)}/{len(self.reviewed)} = "
                     f"{self.rows_right:.3f}   (incident rows with is_incident, victim, cause and total all right)")
        lines.append(f"{'triage30':16} {self.triage30:.3f}   (share of the wrong rows among the 30% least-sure rows)")
        if self.cases:
            t = self.cases
            lines.append(f"{'cases (pairs)':16} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f}   {t.tp}/{t.fp}/{t.fn}")
        if show_errors:
            for a, b, wanted in self.case_errors:
                lines.append(f"  cases: {a} and {b} {'should share a case' if wanted else 'are different incidents'}")
            for article_id, name, extra, missing in self.errors:
                lines.append(f"  {article_id} {name}: extra={extra} missing={missing}")
        lines.append(f"articles={self.articles} score={self.score:.3f}")
        return "\n".join(lines)


def review_figures(reviewed: list[tuple[float, bool]]) -> tuple[float, float]:
    """(rows right, triage30) of (confidence, fully right) pairs: the least sure first, ties in
    input order, as the reference scorer sorts them."""
    if not reviewed:
        return 1.0, 1.0
    right = sum(ok for _, ok in reviewed) / len(reviewed)
    wrong = sum(not ok for _, ok in reviewed)
    least_sure = sorted(reviewed, key=lambda pair: pair[0])[: round(len(reviewed) * 0.3)]
    return right, (sum(not ok for _, ok in least_sure) / wrong if wrong else 1.0)


def to_float(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_table(out_dir: Path, name: str) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = defaultdict(list)
    path = Path(out_dir) / name
    if not path.exists():
        return rows
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row.get("article_id", "")].append(row)
    return rows


def read_gold(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def compare_sets(predicted: set, gold: set, optional: set) -> tuple[int, list, list]:
    predicted = predicted - optional
    extra = sorted(predicted - gold, key=str)
    missing = sorted(gold - predicted, key=str)
    return len(predicted & gold), extra, missing


def compare_organizations(names: list[str], gold: list[list[str]], optional: list[list[str]]):
    gold_sets = [{normalize_org(n) for n in org} for org in gold]
    optional_names = set().union(*[{normalize_org(n) for n in org} for org in optional]) if optional else set()
    predicted = {normalize_org(n) for n in names if str(n).strip()}
    matched = [False] * len(gold_sets)
    extra = []
    for name in sorted(predicted):
        hits = [i for i, names_of_org in enumerate(gold_sets) if name in names_of_org]
        for i in hits:
            matched[i] = True
        if not hits and name not in optional_names:
            extra.append(name)
    missing = [sorted(g)[0] for g, hit in zip(gold_sets, matched, strict=True) if not hit]
    return sum(matched), extra, missing


def evaluate(gold_path: Path, out_dir: Path) -> Report:
    """Score the CSV tables in `out_dir` against the gold file, as ../shared/eval/score.py does."""
    tables = {name: read_table(out_dir, name) for name in
              ("organizations.csv", "dates.csv", "counts.csv", "data_categories.csv", "incidents.csv")}
    return evaluate_tables(read_gold(gold_path), tables)


def rows_by_article(records: Iterable) -> dict[str, list[dict]]:
    """Records (dataclass rows) as the CSV reader gives them: article id -> [{column: text}]."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        row = {name: cell(value) for name, value in asdict(record).items()}
        rows[row["article_id"]].append(row)
    return rows


def evaluate_extractions(gold_records: list[dict], extractions: dict[str, Extraction]) -> Report:
    """Score extractions held in memory (article id -> rows), as if written and read back."""
    tables = {"organizations.csv": rows_by_article(r for e in extractions.values() for r in e.organizations),
              "dates.csv": rows_by_article(r for e in extractions.values() for r in e.dates),
              "counts.csv": rows_by_article(r for e in extractions.values() for r in e.counts),
              "data_categories.csv": rows_by_article(r for e in extractions.values() for r in e.categories),
              "incidents.csv": rows_by_article(e.incident for e in extractions.values())}
    return evaluate_tables(gold_records, tables)


def score_cases(gold_records: list[dict], incidents: dict[str, dict], report: Report) -> None:
    """Pairwise linking: a pair of gold-incident articles is linked when both incidents.csv rows carry
    the same non-empty case_id; it should be when their gold `case` labels agree (no label: alone)."""
    ids = [g["id"] for g in gold_records if g.get("is_incident", True)]
    label = {g["id"]: g.get("case") or g["id"] for g in gold_records}
    case_of = {aid: (incidents.get(aid, {}).get("case_id") or "").strip() for aid in ids}
    report.cases = Tally()
    for position, a in enumerate(ids):
        for b in ids[position + 1:]:
            wanted = label[a] == label[b]
            linked = bool(case_of[a]) and case_of[a] == case_of[b]
            report.cases.tp += wanted and linked
            report.cases.fp += linked and not wanted
            report.cases.fn += wanted and not linked
            if wanted != linked:
                report.case_errors.append((a, b, wanted))


def incident_checks(incident: dict, gold: dict) -> dict[str, bool]:
    """Which fields of an incidents.csv row (as text; {} when missing) are right: is_incident, and
    for a gold incident victim, cause and total too."""
    wanted = bool(gold.get("is_incident", True))
    got = truthy(incident.get("is_incident", "")) if incident else False
    if not wanted:
        return {"is_incident": not got}
    # An empty gold list means the text gives no value: then only an empty prediction is right.
    return {
        "is_incident": got,
        "victim": normalize_org(incident.get("victim", "")) in (
            {normalize_org(v) for v in gold.get("victim", [])} or {""}),
        "cause": incident.get("cause", "").strip() in (set(gold.get("cause", [])) or {"", "unknown"}),
        "affected_total": to_int(incident.get("affected_total")) in (set(gold.get("affected_total", [])) or {None}),
    }


def row_right(incident: IncidentRow, gold: dict) -> bool:
    """Whether an incident row is fully right, as `rows right` counts it."""
    return all(incident_checks({name: cell(value) for name, value in asdict(incident).items()}, gold).values())


def evaluate_tables(gold_records: list[dict], tables: dict[str, dict[str, list[dict]]]) -> Report:
    """Score tables given as {csv name: {article id: [row as text]}} against gold records."""
    orgs = tables["organizations.csv"]
    dates = tables["dates.csv"]
    counts = tables["counts.csv"]
    categories = tables["data_categories.csv"]
    incidents = {aid: rows[0] for aid, rows in tables["incidents.csv"].items()}
    report = Report(articles=len(gold_records))
    for gold in gold_records:
        aid = gold["id"]
        leaked = {r.get("category", "").strip() for r in categories[aid] if not truthy(r.get("negated"))}
        negated = {r.get("category", "").strip() for r in categories[aid] if truthy(r.get("negated"))} - leaked
        predicted_pairs = {(c, True) for c in leaked} | {(c, False) for c in negated}
        results = {
            "organizations": compare_organizations([r.get("name", "") for r in orgs[aid]],
                                                   gold.get("organizations", []),
                                                   gold.get("organizations_optional", [])),
            "dates": compare_sets({r.get("value", "").strip() for r in dates[aid]}, set(gold.get("dates", [])),
                                  set(gold.get("dates_optional", []))),
            "counts": compare_sets(
                {(to_int(r.get("value")), r.get("unit", "").strip()) for r in counts[aid]
                 if r.get("unit", "").strip() in SCORED_UNITS},
                {(int(v), u) for v, u in gold.get("counts", [])},
                {(int(v), u) for v, u in gold.get("counts_optional", [])}),
            "categories": compare_sets(
                {p for p in predicted_pairs if p[0] and p[0] != "other"},
                {(c, bool(v)) for c, v in gold.get("categories", {}).items() if c != "other"},
                {(c, b) for c in gold.get("categories_optional", []) for b in (True, False)}),
        }
        for name, (tp, extra, missing) in results.items():
            tally = report.fields[name]
            tally.tp += tp
            tally.fp += len(extra)
            tally.fn += len(missing)
            if extra or missing:
                report.errors.append((aid, name, extra, missing))
        incident = incidents.get(aid, {})
        checks = incident_checks(incident, gold)
        for name, ok in checks.items():
            report.accuracy[name][0] += ok
            report.accuracy[name][1] += 1
            if not ok and name != "is_incident":
                report.errors.append((aid, name, [incident.get(name, "")], gold.get(name)))
        confidence = to_float(incident.get("confidence")) if incident else 0.0
        report.reviewed.append((confidence, all(checks.values())))
    if any("case" in gold for gold in gold_records):
        score_cases(gold_records, incidents, report)
    return report
