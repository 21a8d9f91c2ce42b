"""Write the output tables: CSV, UTF-8 with BOM (so Excel opens it), replaced atomically.

Cells that a spreadsheet would run as a formula get a leading `'` (OWASP's CSV-injection
advice); the store keeps the exact text.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import astuple
from pathlib import Path

from pipeline.records import TABLES, column_names

# A cell starting with one of these is read by Excel and LibreOffice as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, float):
        return f"{value:.3f}"  # confidence: three places say all a reviewer needs, and read the same everywhere
    return str(value)


def current_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


def honour_umask(path: Path) -> None:
    """Give a file or folder made by `tempfile` (0600 / 0700, private by design) the mode an ordinary
    `open()` or `mkdir` would have given it, so that output in a shared folder is readable as usual."""
    base = 0o777 if path.is_dir() else 0o666
    os.chmod(path, base & ~current_umask())


def write_table(path: Path, record_type: type, rows: Iterable) -> None:
    """Write one table next to its final place, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8-sig", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(column_names(record_type))
            for row in rows:
                writer.writerow([cell(v) for v in astuple(row)])
        honour_umask(Path(handle.name))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_tables(out_dir: Path, tables: Mapping[str, Iterable]) -> None:
    """Write every table of TABLES from `tables` (file name -> rows)."""
    for name, record_type in TABLES.items():
        write_table(out_dir / name, record_type, tables.get(name, []))
