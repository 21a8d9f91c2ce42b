"""Load the rule and lexicon files (YAML, in pipeline/stages/rules/).

Each file is a mapping of sections; each section a list of entries, each with a stable `id`.
Every entry remembers its line, so a malformed rule fails at start-up with the file, the line
and the reason.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# PIPELINE_RULES_DIR points the pipeline at another copy of the rule files (to try edits).
RULES_DIR = Path(os.environ.get("PIPELINE_RULES_DIR") or Path(__file__).parent / "rules")
DATA_DIR_VARIABLE = "PIPELINE_DATA_DIR"
DISABLED_FILE = "disabled.yaml"
FILE_KEY = "__file__"
LINE_KEY = "__line__"


class RuleError(Exception):
    def __init__(self, path: Path | str, line: int | None, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                # PyYAML would silently keep the last value: a second section of the same
                # name would hide the first.
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {seen[key]})", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def read_rule_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise RuleError(path, None, f"cannot read rule file: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleError(path, 1, "a rule file must be a mapping of sections")
    ids: dict[str, int] = {}
    for section, entries in data.items():
        if section == LINE_KEY or not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            rule_id = entry.get("id")
            line = entry.get(LINE_KEY)
            if not isinstance(rule_id, str) or not rule_id:
                raise RuleError(path, line, f"entry in '{section}' has no 'id'")
            if rule_id in ids:
                raise RuleError(path, line, f"duplicate rule id '{rule_id}' (first on line {ids[rule_id]})")
            ids[rule_id] = line
    return data


# Sections each rule file was asked for, to catch a misspelt section that no stage reads.
_read_sections: dict[str, set[str]] = {}


def section(data: dict[str, Any], name: str, path: Path, required: Iterable[str] = ()) -> list[dict]:
    """The entries of one section, each checked to hold the `required` keys."""
    _read_sections.setdefault(str(path), set()).add(name)
    entries = data.get(name)
    if entries is None:
        raise RuleError(path, None, f"missing section '{name}'")
    if not isinstance(entries, list):
        raise RuleError(path, data.get(LINE_KEY), f"section '{name}' must be a list")
    for entry in entries:
        if not isinstance(entry, dict):
            raise RuleError(path, None, f"section '{name}' holds a non-mapping entry: {entry!r}")
        for key in required:
            if key not in entry:
                raise RuleError(entry.get(FILE_KEY, path), entry.get(LINE_KEY),
                                f"rule '{entry.get('id')}' lacks '{key}'")
    return entries


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of literal words, longest first so that the longest match wins."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def compile_pattern(entry: dict, path: Path, key: str = "pattern") -> re.Pattern[str]:
    try:
        return re.compile(entry[key])
    except re.error as exc:
        raise RuleError(entry.get(FILE_KEY, path), entry.get(LINE_KEY),
                        f"rule '{entry.get('id')}': bad regular expression: {exc}") from exc
    except (KeyError, TypeError) as exc:
        raise RuleError(entry.get(FILE_KEY, path), entry.get(LINE_KEY),
                        f"rule '{entry.get('id')}' lacks a '{key}' string") from exc


def with_fragments(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The rule file with each `{name}` of its `fragments` section written out in every pattern, so
    that a word list several patterns share is kept in one place (incident.yaml: `{lost}`;
    organizations.yaml: `{page_label}`). A fragment may use the fragments above it."""
    fragments: dict[str, str] = {}

    def written_out(pattern: str) -> str:
        for slot, words in fragments.items():
            pattern = pattern.replace(slot, words)
        return pattern

    for entry in section(data, "fragments", path, ["name", "pattern"]):
        fragments[f"{{{entry['name']}}}"] = f"(?:{written_out(entry['pattern'])})"

    def expanded(entry: object) -> object:
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            return entry
        return dict(entry, pattern=written_out(entry["pattern"]))

    return {name: [expanded(e) for e in entries] if isinstance(entries, list) and name != "fragments" else entries
            for name, entries in data.items()}


def data_dir() -> Path:
    """The project's data folder: PIPELINE_DATA_DIR (which `data` in pipeline.toml sets), else
    default_data_dir().

    What `pipeline retrain` learns lives under it, never in the installed package (which may be
    read-only site-packages): the one place that says where. Each kind has its own folder:
    - learned/: rule files named like the hand-written ones, whose entries are appended to the
      same sections (so a diff shows what was learned), and learned decision weights;
    - models/: fine-tuned NER models (models/ner-<hash>/; the newest is used);
    - gold/: the gold store, every correction ever saved.
    """
    configured = os.environ.get(DATA_DIR_VARIABLE)
    return Path(configured) if configured else default_data_dir()


def default_data_dir() -> Path:
    """The data folder when none is set: never one relative to the working folder, so that the same
    text gives the same rows from any folder (a notebook in notebooks/, a script in /tmp).

    - run from a checkout (the usual `pip install -e .`): the checkout's `data/`;
    - installed from a wheel: the user's data folder, `$XDG_DATA_HOME/leak-pipeline`
      (`~/.local/share/leak-pipeline`).
    """
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "pipeline" / "stages" / "rules.py").is_file():
        return checkout / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "leak-pipeline"


def set_data_dir(path: Path) -> None:
    """Use this data folder from now on, in this process and the workers it starts."""
    os.environ[DATA_DIR_VARIABLE] = os.path.abspath(path)
    for cached in _rule_caches:
        cached.cache_clear()


def learned_dir() -> Path:
    return data_dir() / "learned"


def models_dir() -> Path:
    return data_dir() / "models"


def gold_dir() -> Path:
    return data_dir() / "gold"


def rule_path(name: str) -> Path:
    return RULES_DIR / name


# Learned rules in memory, replacing those on disk while set (cross-validation trains and scores
# fold after fold without writing files): file name -> parsed data. None: read learned_dir().
_learned_override: dict[str, dict] | None = None
# Every cache built from the rules, cleared together when the learned rules change.
_rule_caches: list = []


def rule_cache(function=None, *, maxsize: int = 1):
    """lru_cache for functions whose result depends on the rule files (cleared by use_learned)."""
    def wrap(inner):
        cached = lru_cache(maxsize=maxsize)(inner)
        _rule_caches.append(cached)
        return cached
    return wrap(function) if function is not None else wrap


def use_learned(learned: dict[str, dict] | None) -> None:
    """Extract with these learned rules from now on ({} for none: the stock pipeline; None for
    the files in learned_dir())."""
    global _learned_override
    _learned_override = learned
    for cached in _rule_caches:
        cached.cache_clear()


def learned_path(name: str) -> Path | None:
    """The learned file `name` on disk, when the pipeline reads learned_dir() (not while learned rules
    are set in memory, nor for the stock pipeline) and the file exists."""
    path = learned_dir() / name
    return path if _learned_override is None and path.exists() else None


def learned_data(name: str) -> dict[str, Any] | None:
    if _learned_override is not None:
        return _learned_override.get(name)
    path = learned_dir() / name
    if not path.exists():
        return None
    data = read_rule_file(path)
    for entries in data.values():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                entry[FILE_KEY] = str(path)
    return data


@rule_cache(maxsize=32)
def load(name: str) -> dict[str, Any]:
    """The parsed rule file `name` (e.g. "dates.yaml"), with its learned entries appended."""
    data = read_rule_file(rule_path(name))
    learned = learned_data(name)
    if not learned:
        return data
    ids = {e["id"] for entries in data.values() if isinstance(entries, list) for e in entries if isinstance(e, dict)}
    for section_name, entries in learned.items():
        if section_name == LINE_KEY:
            continue
        where = learned_dir() / name
        if not isinstance(data.get(section_name), list):
            raise RuleError(where, None, f"learned section '{section_name}' is not a section of {name}")
        for entry in entries:
            if entry.get("id") in ids:
                raise RuleError(where, entry.get(LINE_KEY), f"learned rule id '{entry.get('id')}' is already used")
            ids.add(entry.get("id"))
        data = {**data, section_name: [*data[section_name], *entries]}
    return data


@rule_cache
def disabled_rules() -> frozenset[str]:
    """Rule ids that `pipeline retrain` switched off for producing mostly false positives."""
    data = learned_data(DISABLED_FILE)
    if not data:
        return frozenset()
    path = learned_dir() / DISABLED_FILE
    return frozenset(entry["rule"] for entry in section(data, "disabled_rules", path, ["rule"]))


def check_no_unread_sections(name: str) -> None:
    """Raise RuleError for a section of rule file `name` that no stage has read (after loading)."""
    path = rule_path(name)
    read = _read_sections.get(str(path), set())
    for key in load(name):
        if key != LINE_KEY and key not in read:
            lines = path.read_text(encoding="utf-8").splitlines()
            line = next((i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)
            raise RuleError(path, line, f"unknown section '{key}' (known: {', '.join(sorted(read))})")


def rules_version() -> str:
    """A short hash of every rule and weights file: output made under other rules is stale."""
    digest = hashlib.sha256()
    for path in sorted([*RULES_DIR.glob("*.yaml"), *RULES_DIR.glob("*.json")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for path in sorted([*learned_dir().glob("*.yaml"), *learned_dir().glob("*.json")]):
        digest.update(f"learned/{path.name}".encode())
        digest.update(path.read_bytes())
    if _learned_override is not None:
        digest.update(repr(sorted(_learned_override.items())).encode())
    return digest.hexdigest()[:16]
