"""Extraction pipeline for Japanese personal-data leak articles (see README.md).

`pipeline.extract(texts_or_records)` returns the seven output tables (cases among them) as pandas DataFrames
(pipeline.api.extract; imported on first use, so that the command line starts fast).
"""

__version__ = "0.1.0"
__all__ = ["extract", "__version__"]


def __getattr__(name: str):
    if name == "extract":
        from pipeline.api import extract

        return extract
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
