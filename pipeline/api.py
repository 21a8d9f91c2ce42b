"""The Python API for notebooks: `pipeline.extract(...)` gives the seven tables as DataFrames (cases linked in memory).

    >>> import pipeline
    >>> tables = pipeline.extract([{"text": "北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。",
    ...                              "reference_date": "2025-06-03"}])
    >>> tables.incidents[["victim", "cause", "affected_total"]]

Nothing is read from or written to disk: no store, no CSV.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.batch.reading import InputError, article_from_record
from pipeline.batch.run import run_articles
from pipeline.records import TABLES, Article, ReadFailure, column_names

Input = str | Mapping[str, typing.Any]


def _dtype(annotation: str) -> str:
    return {"int": "int64", "int | None": "Int64", "bool": "bool", "float": "float64"}.get(annotation, "str")


def frame(record_type: type, rows: Iterable) -> pd.DataFrame:
    """One table as a DataFrame: the CSV's columns, integers as integers (nullable where the
    column may be empty), true/false as booleans, empty text as NaN (as `pd.read_csv` reads it)."""
    columns = column_names(record_type)
    data = pd.DataFrame([astuple(row) for row in rows], columns=columns)
    data = data.astype({f.name: _dtype(str(f.type)) for f in fields(record_type)})
    # An empty text cell is missing, as `pd.read_csv` reads it from the CSV: NaN in both, so that
    # `isna()`, `dropna()` and `fillna()` mean the same on extract()'s tables and on the files.
    text_columns = [f.name for f in fields(record_type) if _dtype(str(f.type)) == "str"]
    data[text_columns] = data[text_columns].astype(object).where(data[text_columns] != "", np.nan)
    return data


def tables_to_frames(tables: Mapping[str, Iterable]) -> dict[str, pd.DataFrame]:
    """{"articles": DataFrame, ...} from {"articles.csv": [rows], ...}."""
    return {name.removesuffix(".csv"): frame(record_type, tables.get(name, []))
            for name, record_type in TABLES.items()}


@dataclass(frozen=True)
class Tables:
    """The output tables as DataFrames; also reachable as `tables["incidents"]`. `cases` holds one
    row per real-world incident, its articles linked by `incidents.case_id`."""

    articles: pd.DataFrame
    incidents: pd.DataFrame
    cases: pd.DataFrame
    organizations: pd.DataFrame
    dates: pd.DataFrame
    counts: pd.DataFrame
    data_categories: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        return getattr(self, name.removesuffix(".csv"))

    def __iter__(self) -> typing.Iterator[str]:
        return iter(f.name for f in fields(self))


def read_tables(folder: str | Path) -> Tables:
    """The seven CSV tables of a run's output folder (`data/out/`) as DataFrames, with the same
    columns, types and missing values (NaN) as `extract` gives."""
    frames = {}
    for name, record_type in TABLES.items():
        dtypes = {f.name: _dtype(str(f.type)).replace("str", "object") for f in fields(record_type)}
        frames[name.removesuffix(".csv")] = pd.read_csv(Path(folder) / name, encoding="utf-8-sig", dtype=dtypes,
                                                        true_values=["true"], false_values=["false"])
    return Tables(**frames)


def _articles(inputs: Input | Iterable[Input] | pd.DataFrame | pd.Series) -> Iterable[Article | ReadFailure]:
    if isinstance(inputs, str | Mapping):
        inputs = [inputs]
    elif isinstance(inputs, pd.DataFrame):
        inputs = inputs.to_dict(orient="records")
    elif isinstance(inputs, pd.Series):
        named = not isinstance(inputs.index, pd.RangeIndex)
        inputs = [{"id": str(key), "text": text} if named else text for key, text in inputs.items()]
    for number, item in enumerate(inputs, start=1):
        where = f"input {number}"
        record = {"text": item} if isinstance(item, str) else item
        try:
            yield article_from_record(record, where, fallback_id=f"doc{number}", max_bytes=2**62)
        except InputError as exc:
            record_id = record.get("id") if isinstance(record, Mapping) else None
            yield ReadFailure(str(record_id or f"doc{number}"), where, str(exc))


def extract(inputs: Input | Iterable[Input] | pd.DataFrame | pd.Series, use_ner: bool = True,
            workers: int = 1) -> Tables:
    """Extract from article texts, or records like the JSONL input (`id`, `text`, and optionally
    `title`, `reference_date`, `url`), or a DataFrame with those columns, or a Series of texts.

    Texts without an id are named doc1, doc2, … in input order. A bad record (no text, a
    malformed reference date) gets a failed row in `articles`, as in a batch run.
    """
    result = run_articles(_articles(inputs), use_ner=use_ner, workers=workers)
    return Tables(**tables_to_frames(result.tables))
