"""Extraction pipeline for Japanese personal-data leak articles (see README.md)."""

__version__ = "0.1.0"
