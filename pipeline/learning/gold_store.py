"""The gold store: every correction ever saved, append-only, in the data folder (`data/gold/`).

- `records.jsonl`: one gold record (SPEC.md format) per line, with `saved_at` (UTC, ISO 8601) and
  `saved_from` (the review server, or the gold file it was added from). Lines are only ever
  appended, under an exclusive lock, each written whole and flushed to disk, so a crash can at
  worst leave a torn line, which reading skips with a warning; every earlier correction
  stays. The latest record of an article is its gold.
- `texts.jsonl`: the text of each gold article, kept with its gold, so that a later retrain
  learns from every record even when the article files are gone.

Adding a record that equals one the store already holds for that article appends nothing: adding
the same gold file again cannot undo a correction saved since. Nor can another gold file: a record
from a file for an article whose latest record is a correction saved in `pipeline serve` is not
added unless asked (`keep_corrections=False`), and `differing_corrections` names those articles.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from pipeline.batch.corrections import DATE_ROLES, TEXT_DIGEST, text_digest
from pipeline.learning.gold import GoldError, json_records
from pipeline.records import Article
from pipeline.stages.rules import gold_dir

RECORDS_NAME = "records.jsonl"
TEXTS_NAME = "texts.jsonl"
# Keys the store adds to a gold record; gold readers (score.py) ignore them. The text digest tells a
# correction made on an article's older text (see pipeline/batch/corrections.py).
SAVED_AT, SAVED_FROM = "saved_at", "saved_from"
_STORE_KEYS = (SAVED_AT, SAVED_FROM, TEXT_DIGEST)
SERVE = "pipeline serve"  # saved_from of a correction saved in the review server
CAUSES = ("unauthorized_access", "ransomware", "malware", "misdelivery", "misposting", "loss", "theft", "insider",
          "misconfiguration", "other", "unknown")
LIST_FIELDS = ("victim", "cause", "affected_total", "organizations", "organizations_optional", "dates",
               "dates_optional", "counts", "counts_optional", "categories_optional")
_thread_lock = threading.Lock()


def check_record(record: object) -> dict:
    """The record if it is a usable gold record (SPEC.md shape); GoldError naming the problem otherwise."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str) or not record["id"]:
        raise GoldError("a gold record is a JSON object with a non-empty 'id' string")
    if not isinstance(record.get("is_incident", True), bool):
        raise GoldError(f"{record['id']}: is_incident must be true or false")
    for key in LIST_FIELDS:
        if not isinstance(record.get(key, []), list):
            raise GoldError(f"{record['id']}: {key} must be a list")
    if not isinstance(record.get("categories", {}), dict) or not all(
            isinstance(v, bool) for v in record.get("categories", {}).values()):
        raise GoldError(f"{record['id']}: categories must map category codes to true or false")
    for names in record.get("organizations", []) + record.get("organizations_optional", []):
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise GoldError(f"{record['id']}: each organisation is a non-empty list of names")
    for pair in record.get("counts", []) + record.get("counts_optional", []):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int) and isinstance(pair[1], str)):
            raise GoldError(f"{record['id']}: each count is [number, unit]")
    for total in record.get("affected_total", []):
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise GoldError(f"{record['id']}: affected_total holds whole numbers")
    roles = record.get("date_roles", {})
    if not isinstance(roles, dict) or not all(isinstance(k, str) and v in DATE_ROLES for k, v in roles.items()):
        raise GoldError(f"{record['id']}: date_roles maps dates to one of {', '.join(DATE_ROLES)}")
    unknown = [c for c in record.get("cause", []) if c not in CAUSES]
    if unknown:
        raise GoldError(f"{record['id']}: unknown cause code(s) {unknown}")
    return record


# In the gold folder, not the learned one: the same gold and seed must give the same learned files.
RETRAINED_NAME = "last_retrain.txt"  # when `pipeline retrain` last wrote what it learned


def last_retrain() -> str:
    """When `pipeline retrain` last wrote what it learned (ISO time, UTC), "" if never."""
    path = gold_dir() / RETRAINED_NAME
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def mark_retrained() -> None:
    path = gold_dir() / RETRAINED_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(datetime.now(UTC).isoformat(timespec="microseconds") + "\n", encoding="utf-8")


def gold_part(record: dict) -> dict:
    """The record without what the store added to it."""
    return {k: v for k, v in record.items() if k not in _STORE_KEYS}


class GoldStore:
    """The append-only gold store in `folder` (see the module docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.records_path = self.folder / RECORDS_NAME
        self.texts_path = self.folder / TEXTS_NAME

    # -- reading ---------------------------------------------------------------------------

    @staticmethod
    def _lines(path: Path) -> Iterator[dict]:
        # Only this module writes the store, one whole line at a time: a line that does not parse
        # is a write cut short by a crash, and held no saved correction.
        return iter(json_records(path, skip_torn=True)) if path.exists() else iter(())

    def history(self, article_id: str | None = None) -> list[dict]:
        """Every saved record (of one article, or all), oldest first, with saved_at and saved_from."""
        return [r for r in self._lines(self.records_path) if article_id is None or r["id"] == article_id]

    def latest(self) -> dict[str, dict]:
        """Article id -> its latest gold record (SPEC format, without the store's keys)."""
        return {record["id"]: gold_part(record) for record in self.history()}

    def saved(self) -> dict[str, dict]:
        """Article id -> its latest record as stored (with when, where from, and the text digest)."""
        return {record["id"]: record for record in self.history()}

    def differing_corrections(self, records: Iterable[dict]) -> list[str]:
        """The articles among `records` whose latest stored record is a correction saved in `pipeline
        serve` that says something else: adding the records would replace those corrections."""
        saved = self.saved()
        return sorted(r["id"] for r in records if r["id"] in saved and saved[r["id"]].get(SAVED_FROM) == SERVE
                      and gold_part(saved[r["id"]]) != gold_part(r))

    def pending(self, since: str) -> int:
        """How many articles were corrected (saved in `pipeline serve`) after `since` (ISO time, "" for ever)."""
        return len({r["id"] for r in self.history() if r.get(SAVED_FROM) == SERVE and r.get(SAVED_AT, "") > since})

    def records(self) -> list[dict]:
        """The gold: the latest record of every article, in the order they were first saved."""
        return list(self.latest().values())

    def texts(self) -> dict[str, Article]:
        """The kept article texts, by id (the latest kept for each)."""
        kept = {}
        for value in self._lines(self.texts_path):
            fields = {k: v for k, v in value.items() if k in Article.__dataclass_fields__}
            fields["article_id"] = value["id"]
            fields.pop("id", None)
            kept[value["id"]] = Article(**fields)
        return kept

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time: threads of the server, and other processes (flock)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with _thread_lock, (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _append(path: Path, values: list[dict]) -> None:
        if not values:
            return
        data = "".join(json.dumps(v, ensure_ascii=False, sort_keys=False) + "\n" for v in values).encode("utf-8")
        with path.open("ab") as handle:
            if handle.tell() and not path.read_bytes().endswith(b"\n"):
                data = b"\n" + data  # after a torn line: start on a line of our own
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def add(self, records: Iterable[dict], saved_from: str, texts: Iterable[Article] = (),
            keep_corrections: bool = False, replace_corrections: bool = False) -> list[dict]:
        """Append these records (checked first: all or none) and the texts of their articles; return
        those appended. Not appended: a record equal to its article's latest; from a gold file, one
        equal to any stored record of its article (unless replace_corrections: the file wins); with
        keep_corrections, one for an article whose latest record is a `pipeline serve` correction."""
        checked = [gold_part(check_record(r)) for r in records]
        texts = list(texts)
        with self._locked():
            stored: dict[str, list[dict]] = {}
            latest_from: dict[str, str] = {}
            for record in self.history():
                stored.setdefault(record["id"], []).append(gold_part(record))
                latest_from[record["id"]] = record.get(SAVED_FROM, "")
            kept = {a.article_id: a for a in self.texts().values()}
            digests = {aid: text_digest(a.text) for aid, a in {**kept, **{a.article_id: a for a in texts}}.items()}
            now = datetime.now(UTC).isoformat(timespec="microseconds")
            new = []
            for record in checked:
                history = stored.get(record["id"], [])
                if history and record == history[-1]:
                    continue
                if saved_from != SERVE and not replace_corrections and record in history:
                    continue
                if keep_corrections and latest_from.get(record["id"]) == SERVE:
                    continue
                stored.setdefault(record["id"], []).append(record)
                latest_from[record["id"]] = saved_from
                new.append({**record, SAVED_AT: now, SAVED_FROM: saved_from,
                            **({TEXT_DIGEST: digests[record["id"]]} if record["id"] in digests else {})})
            self._append(self.records_path, new)
            fresh = [a for a in texts if kept.get(a.article_id) != a]
            self._append(self.texts_path, [_text_line(a) for a in {a.article_id: a for a in fresh}.values()])
        return new


def _text_line(article: Article) -> dict:
    fields = asdict(article)
    return {"id": fields.pop("article_id"), **fields}
