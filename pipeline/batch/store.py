"""The embedded store, `OUT/pipeline.sqlite`: every article, its status and its extracted rows.

An article is saved in one transaction (its old rows deleted, its new rows inserted), so a run
killed at any point leaves each article either wholly old or wholly new, and the next run picks
up where it stopped. The CSV tables are exports of this store; the store keeps exact text (the
CSV writer adds the spreadsheet guard).

Cases (pipeline/cases/) live beside the articles: each linked incident article's case and what
linking knows of it (`case_members`), its keys (`case_keys`), and per key the cases filed under
it (`key_cases`, indexed, so that finding an article's candidate cases never scans the store).
`cases.csv` is derived from the incidents on export.

What makes a stored article current: the same `input_key` (a hash of everything extraction reads
from the input: text, title, reference date) and the same `extractor` (a hash of the rules, the
code version and the NER setting). Anything else is reprocessed.
"""

from __future__ import annotations

import sqlite3
import time
import typing
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from pipeline.cases.linking import ArticleFacts, Member
from pipeline.cases.summary import case_rows
from pipeline.records import TABLES, Article, ArticleRow, CaseRow, CountRow, Extraction, IncidentRow, OrganizationRow

STORE_NAME = "pipeline.sqlite"
SCHEMA_VERSION = 3
# Output table name (CSV file stem) -> record type, for the tables of per-article rows (articles has
# its own table with more columns; cases are derived from incidents on export).
ROW_TABLES = {name.removesuffix(".csv"): record for name, record in TABLES.items()
              if record not in (ArticleRow, CaseRow)}
# SQLite's limit on the values bound in one statement is 999 in older builds.
_BOUND_VALUES = 900


class StoreError(Exception):
    """The store file cannot be used (not a store, a newer schema, locked); the message says why."""


@dataclass(frozen=True)
class StoredArticle:
    article_id: str
    input_key: str
    extractor: str
    status: str


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    started_at: str
    finished_at: str | None
    rules_version: str
    extractor: str
    processed: int
    skipped: int
    failed: int


def _sql_type(annotation: str) -> str:
    kind = annotation.split(" | ")[0]
    return {"int": "INTEGER", "bool": "INTEGER", "float": "REAL"}.get(kind, "TEXT")


def _hints(record_type: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(record_type)}


def _quoted(names: typing.Iterable[str]) -> str:
    # Quoted because some column names ("end") are SQL keywords.
    return ", ".join(f'"{name}"' for name in names)


def _schema() -> str:
    statements = [
        """CREATE TABLE IF NOT EXISTS runs (
            run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
            rules_version TEXT NOT NULL, extractor TEXT NOT NULL,
            processed INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE IF NOT EXISTS articles (
            {", ".join(f'"{n}" {_sql_type(t)}' for n, t in _hints(ArticleRow).items())},
            text TEXT, input_key TEXT, extractor TEXT, run_id INTEGER,
            PRIMARY KEY (article_id))""",
        # Inputs turned away without displacing a stored article (a second file with an id
        # already read in the same run); kept for the latest run only.
        f"""CREATE TABLE IF NOT EXISTS rejects (
            {", ".join(f'"{n}" {_sql_type(t)}' for n, t in _hints(ArticleRow).items())}, run_id INTEGER)""",
        # Schema 3, cases: which case each linked incident article is in (seq: the order it
        # joined), what linking knows of it, why it joined, and its identity keys, indexed to
        # find candidates.
        """CREATE TABLE IF NOT EXISTS case_members (
            seq INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL, facts TEXT NOT NULL,
            linked_by TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX IF NOT EXISTS case_members_by_case ON case_members (case_id, seq)",
        "CREATE TABLE IF NOT EXISTS case_keys (key TEXT NOT NULL, case_id TEXT NOT NULL, article_id TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS case_keys_by_article ON case_keys (article_id)",
        # Per key, the cases found under it and when one last joined (its latest member's seq), so
        # that a look-up reads the latest few cases of a key, not every article ever filed under it.
        """CREATE TABLE IF NOT EXISTS key_cases (
            key TEXT NOT NULL, case_id TEXT NOT NULL, latest INTEGER NOT NULL, PRIMARY KEY (key, case_id))""",
        "CREATE INDEX IF NOT EXISTS key_cases_by_latest ON key_cases (key, latest)",
        # Every key ever filed, one row each: is a headline piece a known key? (a primary-key look-up)
        "CREATE TABLE IF NOT EXISTS case_known_keys (key TEXT PRIMARY KEY) WITHOUT ROWID",
    ]
    for table, record_type in ROW_TABLES.items():
        columns = ", ".join(f'"{n}" {_sql_type(t)}' for n, t in _hints(record_type).items())
        statements.append(f'CREATE TABLE IF NOT EXISTS "{table}" (seq INTEGER NOT NULL, {columns})')
        statements.append(f'CREATE INDEX IF NOT EXISTS "{table}_by_article" ON "{table}" (article_id, seq)')
    return ";\n".join(statements)


def _from_sql(record_type: type, values: tuple) -> object:
    converted = []
    for value, annotation in zip(values, _hints(record_type).values(), strict=True):
        if annotation == "bool" and value is not None:
            value = bool(value)
        converted.append(value)
    return record_type(*converted)


# Columns added by schema 2 (SPEC: url and reference_date_source in articles; case_id,
# affected_qualifier, confidence and evidence in incidents).
_SCHEMA_2_COLUMNS = {
    "articles": ["reference_date_source"],
    "rejects": ["url", "reference_date_source"],
    "incidents": ["case_id", "affected_qualifier", "confidence", "evidence"],
}


def _upgrade_from_schema_1(connection: sqlite3.Connection) -> None:
    """Add schema 2's columns to a schema-1 store, and mark every article stale, so that the next run
    re-extracts it (the new columns have no values until then) without losing any stored article."""
    hints = {"articles": _hints(ArticleRow), "rejects": _hints(ArticleRow),
             "incidents": _hints(ROW_TABLES["incidents"])}
    with _Transaction(connection) as db:
        for table, columns in _SCHEMA_2_COLUMNS.items():
            present = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
            for column in columns:
                if column not in present:
                    db.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {_sql_type(hints[table][column])}')
        db.execute("UPDATE articles SET extractor = '' ")
        db.execute("UPDATE articles SET reference_date_source = CASE WHEN reference_date = '' THEN 'none' "
                   "ELSE 'given' END")
        db.execute("UPDATE incidents SET case_id = '', affected_qualifier = '', confidence = 0.0, evidence = ''")


def _add_linked_by(connection: sqlite3.Connection) -> None:
    """A store linked before members said why they joined gets the column, empty for them."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(case_members)")}
    if "linked_by" not in present:
        connection.execute("ALTER TABLE case_members ADD COLUMN linked_by TEXT NOT NULL DEFAULT ''")


def _add_new_columns(connection: sqlite3.Connection) -> None:
    """Columns added after schema 3 to a record type (incidents' `corrected`), added to an older
    store's table empty: such a column is written on export, never read from what was extracted."""
    for table, record_type in ROW_TABLES.items():
        present = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        for name, annotation in _hints(record_type).items():
            if name not in present:
                connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {_sql_type(annotation)} DEFAULT 0')


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store:
    """One SQLite file; open it with `Store.open(out_dir)` and close it (or use `with`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, out_dir: Path) -> Store:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / STORE_NAME
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{path}: written by a newer pipeline (store schema {version}, this one reads "
                                 f"{SCHEMA_VERSION}); upgrade, or run with another --out")
            # WAL: a killed writer never damages committed articles, and readers are not blocked.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            if version == 1:
                _upgrade_from_schema_1(connection)
            # Schema 3 only adds the case tables, created empty below: the next run links every
            # stored incident article (as it links any not yet in a case) without re-extracting it.
            connection.executescript(_schema())
            _add_linked_by(connection)
            _add_new_columns(connection)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable pipeline store ({exc}); move it away or use another --out") \
                from exc
        return cls(connection, path)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------------

    def begin_run(self, rules_version: str, extractor: str) -> int:
        with self._transaction() as db:
            db.execute("DELETE FROM rejects")
            cursor = db.execute("INSERT INTO runs (started_at, rules_version, extractor) VALUES (?, ?, ?)",
                                (_now(), rules_version, extractor))
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, processed: int, skipped: int, failed: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE runs SET finished_at = ?, processed = ?, skipped = ?, failed = ? WHERE run_id = ?",
                       (_now(), processed, skipped, failed, run_id))

    def runs(self) -> list[RunRecord]:
        rows = self.connection.execute(
            "SELECT run_id, started_at, finished_at, rules_version, extractor, processed, skipped, failed "
            "FROM runs ORDER BY run_id").fetchall()
        return [RunRecord(*row) for row in rows]

    def interrupted_runs(self) -> list[RunRecord]:
        return [run for run in self.runs() if run.finished_at is None]

    # -- articles -----------------------------------------------------------------------------

    def stored(self, article_id: str) -> StoredArticle | None:
        row = self.connection.execute(
            "SELECT article_id, input_key, extractor, status FROM articles WHERE article_id = ?",
            (article_id,)).fetchone()
        return StoredArticle(*row) if row else None

    def is_current(self, article_id: str, input_key: str, extractor: str) -> bool:
        """True when the article was extracted, successfully, from this input by this extractor."""
        stored = self.stored(article_id)
        return (stored is not None and stored.status == "ok" and stored.input_key == input_key
                and stored.extractor == extractor)

    def save(self, row: ArticleRow, extraction: Extraction | None, *, text: str = "",
             input_key: str = "", extractor: str = "", run_id: int | None = None) -> None:
        """Replace everything stored for `row.article_id` in one transaction."""
        with self._transaction() as db:
            self._delete(db, row.article_id)
            names = list(_hints(ArticleRow)) + ["text", "input_key", "extractor", "run_id"]
            db.execute(f"INSERT INTO articles ({_quoted(names)}) VALUES ({', '.join('?' * len(names))})",
                       (*astuple(row), text, input_key, extractor, run_id))
            if extraction is None:
                return
            for table, rows in (("incidents", [extraction.incident] if extraction.incident else []),
                                ("organizations", extraction.organizations), ("dates", extraction.dates),
                                ("counts", extraction.counts), ("data_categories", extraction.categories)):
                columns = list(_hints(ROW_TABLES[table]))
                db.executemany(
                    f'INSERT INTO "{table}" (seq, {_quoted(columns)}) VALUES ({", ".join("?" * (len(columns) + 1))})',
                    [(seq, *astuple(r)) for seq, r in enumerate(rows)])

    def incident(self, article_id: str) -> IncidentRow | None:
        """The stored incident row of one article (None when it has none)."""
        record_type = ROW_TABLES["incidents"]
        values = self.connection.execute(f'SELECT {_quoted(_hints(record_type))} FROM "incidents" WHERE article_id = ?',
                                         (article_id,)).fetchone()
        return _from_sql(record_type, values) if values else None

    def update_source(self, article_id: str, source: str) -> None:
        """Record where an unchanged article now comes from (a file moved, a JSONL line shifted)."""
        self.connection.execute("UPDATE articles SET source = ? WHERE article_id = ? AND source <> ?",
                                (source, article_id, source))

    def reject(self, row: ArticleRow, run_id: int) -> None:
        """Record an input turned away without touching the stored article of the same id."""
        with self._transaction() as db:
            names = list(_hints(ArticleRow)) + ["run_id"]
            db.execute(f"INSERT INTO rejects ({_quoted(names)}) VALUES ({', '.join('?' * len(names))})",
                       (*astuple(row), run_id))

    def rejected(self) -> list[ArticleRow]:
        """The inputs the latest run turned away (duplicate ids), with their errors, in input order."""
        query = f"SELECT {_quoted(_hints(ArticleRow))} FROM rejects ORDER BY rowid"
        return [_from_sql(ArticleRow, values) for values in self.connection.execute(query)]

    def prune(self, keep: set[str]) -> list[str]:
        """Delete every stored article whose id is not in `keep`; return the deleted ids."""
        stale = [aid for (aid,) in self.connection.execute("SELECT article_id FROM articles") if aid not in keep]
        for article_id in stale:
            with self._transaction() as db:
                self._delete(db, article_id)
        return stale

    def article_text(self, article_id: str) -> str | None:
        row = self.connection.execute("SELECT text FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def article_ids(self) -> list[str]:
        return [aid for (aid,) in self.connection.execute("SELECT article_id FROM articles ORDER BY article_id")]

    # -- export -------------------------------------------------------------------------------

    def iter_table(self, name: str) -> Iterator[object]:
        """The rows of one output table (e.g. "dates.csv"), in article id order."""
        stem = name.removesuffix(".csv")
        if stem == "articles":
            # Rejected duplicates are not here: one article id, one row (see `rejected`).
            query = f"SELECT {_quoted(_hints(ArticleRow))} FROM articles ORDER BY article_id"
            for values in self.connection.execute(query):
                yield _from_sql(ArticleRow, values)
            return
        if stem == "cases":
            yield from case_rows(self.iter_table("incidents.csv"), self.iter_table("articles.csv"), self.case_links())
            return
        record_type = ROW_TABLES[stem]
        query = f'SELECT {_quoted(_hints(record_type))} FROM "{stem}" ORDER BY article_id, seq'
        for values in self.connection.execute(query):
            yield _from_sql(record_type, values)

    def tables(self) -> dict[str, list]:
        return {name: list(self.iter_table(name)) for name in TABLES}

    # -- cases (the CaseIndex of pipeline/cases/linking.py) --------------------------------------

    def unlinked_incidents(self) -> list[str]:
        """Incident articles (extracted, status ok) that are in no case yet."""
        return [aid for (aid,) in self.connection.execute(
            "SELECT i.article_id FROM incidents i JOIN articles a ON a.article_id = i.article_id "
            "WHERE i.is_incident AND a.status = 'ok' AND i.article_id NOT IN (SELECT article_id FROM case_members) "
            "ORDER BY i.article_id")]

    def article_rows(self, article_id: str) -> tuple[ArticleRow, IncidentRow | None, list[OrganizationRow],
                                                      list[CountRow], str]:
        """One stored article: its row, incident, organisations, counts and text."""
        def rows(table: str) -> list:
            record_type = ROW_TABLES[table]
            query = f'SELECT {_quoted(_hints(record_type))} FROM "{table}" WHERE article_id = ? ORDER BY seq'
            return [_from_sql(record_type, values) for values in self.connection.execute(query, (article_id,))]

        values = self.connection.execute(f"SELECT {_quoted(_hints(ArticleRow))}, text FROM articles "
                                         "WHERE article_id = ?", (article_id,)).fetchone()
        incidents = rows("incidents")
        return (_from_sql(ArticleRow, values[:-1]), incidents[0] if incidents else None, rows("organizations"),
                rows("counts"), values[-1] or "")

    def known_keys(self, candidates: set[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(candidates)
        for start in range(0, len(ordered), _BOUND_VALUES):
            chunk = ordered[start:start + _BOUND_VALUES]
            found.update(key for (key,) in self.connection.execute(
                f"SELECT key FROM case_known_keys WHERE key IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def members_with_keys(self, keys: set[str], per_case: int, cases_per_key: int) -> list[Member]:
        case_ids: set[str] = set()
        for key in sorted(keys):
            case_ids.update(case_id for (case_id,) in self.connection.execute(
                "SELECT case_id FROM key_cases WHERE key = ? ORDER BY latest DESC LIMIT ?", (key, cases_per_key)))
        members = []
        for case_id in sorted(case_ids):
            members += [Member(case_id, ArticleFacts.from_json(facts)) for (facts,) in self.connection.execute(
                "SELECT facts FROM case_members WHERE case_id = ? ORDER BY seq DESC LIMIT ?", (case_id, per_case))]
        return members

    def case_exists(self, case_id: str) -> bool:
        return self.connection.execute("SELECT 1 FROM case_members WHERE case_id = ? LIMIT 1",
                                       (case_id,)).fetchone() is not None

    def add_member(self, member: Member) -> None:
        """Put an article into a case: its membership, its keys and its incidents.csv case_id together."""
        article_id = member.facts.article_id
        with self._transaction() as db:
            seq = db.execute("INSERT INTO case_members (article_id, case_id, facts, linked_by) VALUES (?, ?, ?, ?)",
                             (article_id, member.case_id, member.facts.to_json(), member.linked_by)).lastrowid
            keys = sorted(member.facts.indexed)
            db.executemany("INSERT INTO case_keys (key, case_id, article_id) VALUES (?, ?, ?)",
                           [(key, member.case_id, article_id) for key in keys])
            db.executemany("INSERT INTO key_cases (key, case_id, latest) VALUES (?, ?, ?) "
                           "ON CONFLICT (key, case_id) DO UPDATE SET latest = excluded.latest",
                           [(key, member.case_id, seq) for key in keys])
            db.executemany("INSERT OR IGNORE INTO case_known_keys (key) VALUES (?)", [(key,) for key in keys])
            db.execute("UPDATE incidents SET case_id = ? WHERE article_id = ?", (member.case_id, article_id))

    def merge_cases(self, into: str, merged: str) -> None:
        """Move every member of case `merged` into case `into`, with its keys and incidents.csv case_id."""
        with self._transaction() as db:
            members = "SELECT article_id FROM case_members WHERE case_id = ?"
            db.execute("INSERT INTO key_cases (key, case_id, latest) "
                       "SELECT k.key, ?, MAX(m.seq) FROM case_keys k "
                       "JOIN case_members m ON m.article_id = k.article_id "
                       f"WHERE k.article_id IN ({members}) GROUP BY k.key "
                       "ON CONFLICT (key, case_id) DO UPDATE SET latest = MAX(latest, excluded.latest)", (into, merged))
            db.execute(f"DELETE FROM key_cases WHERE case_id = ? AND key IN (SELECT key FROM case_keys "
                       f"WHERE article_id IN ({members}))", (merged, merged))
            db.execute(f"UPDATE case_keys SET case_id = ? WHERE article_id IN ({members})", (into, merged))
            db.execute(f"UPDATE incidents SET case_id = ? WHERE article_id IN ({members})", (into, merged))
            db.execute("UPDATE case_members SET case_id = ? WHERE case_id = ?", (into, merged))

    def case_ids(self, article_ids: list[str]) -> dict[str, str]:
        """Article id -> its case id, for the given linked articles."""
        found: dict[str, str] = {}
        for start in range(0, len(article_ids), _BOUND_VALUES):
            chunk = article_ids[start:start + _BOUND_VALUES]
            found.update(self.connection.execute(
                f"SELECT article_id, case_id FROM case_members WHERE article_id IN ({', '.join('?' * len(chunk))})",
                chunk))
        return found

    def case_links(self) -> dict[str, str]:
        """Article id -> why it joined its case (linked_by), for the articles that joined one."""
        return dict(self.connection.execute("SELECT article_id, linked_by FROM case_members WHERE linked_by != ''"))

    # -- helpers ------------------------------------------------------------------------------

    def _delete(self, db: sqlite3.Connection, article_id: str) -> None:
        db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
        for table in ROW_TABLES:
            db.execute(f'DELETE FROM "{table}" WHERE article_id = ?', (article_id,))
        # The article leaves its case; the case keeps its id and its other articles. Its key_cases
        # rows stay: at worst they lead a look-up to a case that no longer holds that key, where
        # the comparison with the case's articles decides.
        db.execute("DELETE FROM case_members WHERE article_id = ?", (article_id,))
        db.execute("DELETE FROM case_keys WHERE article_id = ?", (article_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.connection)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (sqlite3's own context manager
    does not begin a transaction in autocommit mode)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


class RunLock:
    """An exclusive lock on an output folder, so that two runs never write one store at once.

    The lock is a POSIX record lock (`lockf`) on `OUT/.pipeline.lock`: the kernel drops it when
    the holder dies, so a killed run never leaves a stale lock behind, and unlike `flock` it is
    not shared with the worker processes the run forks.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / ".pipeline.lock"
        self.handle: typing.TextIO | None = None

    def __enter__(self) -> RunLock:
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreError(f"{self.path.parent}: another pipeline run (pid {holder}) is writing this folder; "
                             "wait for it to finish or use another --out") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.handle:
            self.handle.close()


def stored_articles(store: Store, wanted: set[str] | None = None) -> dict[str, Article]:
    """The stored articles that were read (all, or those in `wanted`), rebuilt as the reader gave them."""
    articles = {}
    for row in store.iter_table("articles.csv"):
        if row.status != "ok" or (wanted is not None and row.article_id not in wanted):
            continue
        text = store.article_text(row.article_id)
        if text:
            given = row.reference_date if row.reference_date_source == "given" else ""
            articles[row.article_id] = Article(row.article_id, text, row.source, row.sha256, row.encoding,
                                               row.title, given, row.url)
    return articles
