"""Extraction pipeline for Japanese personal-data leak articles (see README.md).

`pipeline.extract(texts_or_records)` returns the seven output tables (cases among them) as pandas DataFrames,
and `pipeline.read_tables("data/out")` reads a run's CSVs into the same (pipeline.api; imported on first
use, so that the command line starts fast).
"""

__version__ = "0.1.0"
__all__ = ["extract", "read_tables", "__version__"]


def __getattr__(name: str):
    if name in ("extract", "read_tables"):
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
