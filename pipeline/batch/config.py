"""Run settings from `pipeline.toml` (in the working folder, or given with `--config`).

    [run]
    out = "data/out"        # where the store and the tables go
    max_bytes = "5MB"       # larger input files (or JSONL records) fail instead of being read
    ner = true              # run the GiNZA NER stage
    workers = 2             # extraction processes (default: this machine's cores)
    time_limit = 60         # seconds one article may take before it fails (0: no limit)
    data = "data"           # the project's data folder: gold/ (the gold store), learned/, models/;
                            # a relative path is taken from this file's folder, not the working folder

Command-line options override the file; the file overrides the defaults.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from pipeline.batch.reading import DEFAULT_MAX_BYTES
from pipeline.stages.extraction import DEFAULT_TIME_LIMIT

CONFIG_NAME = "pipeline.toml"
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]?i?B?)", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "KIB": 1024, "M": 1024**2, "MB": 1024**2, "MIB": 1024**2,
          "G": 1024**3, "GB": 1024**3, "GIB": 1024**3}


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Settings:
    out: Path = Path("data/out")
    max_bytes: int = DEFAULT_MAX_BYTES
    ner: bool = True
    workers: int = 0  # 0: one per core
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds per article; 0: none
    data: Path | None = None  # None: PIPELINE_DATA_DIR, else data/ (see pipeline.stages.rules.data_dir)


def parse_size(value: object) -> int:
    """Bytes from `5242880`, `"5MB"` or `"512 KiB"` (binary units); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.fullmatch(str(value).strip())
        if not match or match.group(2).upper() not in _UNITS:
            raise ValueError(f"not a size: {value!r} (write e.g. 5242880, \"5MB\" or \"512KB\")")
        size = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if size <= 0:
        raise ValueError(f"size must be positive: {value!r}")
    return size


def load_settings(path: Path | None = None) -> Settings:
    """Settings from `path`, or from ./pipeline.toml when it exists, else the defaults."""
    if path is None:
        path = Path(CONFIG_NAME)
        if not path.exists():
            return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown_tables = set(data) - {"run"}
    if unknown_tables:
        raise ConfigError(f"{path}: unknown table(s) {sorted(unknown_tables)}; settings go under [run]")
    run = data.get("run", {})
    known = {f.name for f in fields(Settings)}
    unknown = set(run) - known
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {sorted(unknown)} in [run]; known: {sorted(known)}")
    settings = Settings()
    try:
        for key in ("out", "data"):
            if key in run:
                if not isinstance(run[key], str) or not run[key]:
                    raise ValueError(f"{key} must be a folder path string")
                folder = Path(run[key])
                if key == "data":
                    # The data folder belongs to the project the file configures, wherever it is run from.
                    folder = path.parent / folder
                settings = replace(settings, **{key: folder})
        if "max_bytes" in run:
            settings = replace(settings, max_bytes=parse_size(run["max_bytes"]))
        if "workers" in run:
            if isinstance(run["workers"], bool) or not isinstance(run["workers"], int) or run["workers"] < 1:
                raise ValueError(f"workers must be a whole number of at least 1, not {run['workers']!r}")
            settings = replace(settings, workers=run["workers"])
        if "time_limit" in run:
            value = run["time_limit"]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"time_limit must be a number of seconds (0: no limit), not {value!r}")
            settings = replace(settings, time_limit=float(value))
        if "ner" in run:
            if not isinstance(run["ner"], bool):
                raise ValueError(f"ner must be true or false, not {run['ner']!r}")
            settings = replace(settings, ner=run["ner"])
    except ValueError as exc:
        raise ConfigError(f"{path}: [run] {exc}") from exc
    return settings
