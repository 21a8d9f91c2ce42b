"""Which incident articles report one real-world incident: the pair rule and the incremental linker.

An article joins an existing case or opens a new one; it is never compared with the whole store.
Its identity keys (identity.py) and the names in its headline are looked up in an index of the
keys of linked articles; only the articles found there, a bounded number per case, are compared
with it. A case keeps its id when articles join it, and a new case takes an id derived from its
first article's id, so the same input linked in the same order gives the same ids on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Protocol

from pipeline.cases.identity import (
    headline_index_names,
    headline_name_candidates,
    is_common_word,
    keys_of_names,
    names_an_authority,
    title_place_names,
)
from pipeline.records import ArticleRow, CountRow, IncidentRow, OrganizationRow
from pipeline.stages.incident import incident_rules
from pipeline.stages.rules import load, rule_cache, rule_path, section

LINKING_FILE = "linking.yaml"
# How many members of one candidate case an article is compared with (the latest ones): a
# case of hundreds of copies costs no more than one of a few articles.
MEMBERS_COMPARED = 12
# How many cases found under one key are compared (the latest ones): a key that turns out common
# (a headline word that looks like a name) cannot make every article meet every case.
CASES_PER_KEY = 20
# Causes that say nothing about which incident it is.
_ANY_CAUSE = {"", "unknown", "other"}


@dataclass(frozen=True)
class LinkingRules:
    cause_group: dict[str, str]  # cause code -> group id
    same_news_days: int
    follow_up_days: int
    revision_difference: float
    smallest_figure: int


@rule_cache
def linking_rules() -> LinkingRules:
    path = rule_path(LINKING_FILE)
    data = load(LINKING_FILE)
    groups = {cause: entry["id"] for entry in section(data, "cause_groups", path, ["causes"])
              for cause in entry["causes"]}
    windows = {entry["id"]: int(entry["days"]) for entry in section(data, "windows", path, ["days"])}
    figures = {entry["id"]: entry for entry in section(data, "figures", path, ["relative_difference", "smallest"])}
    revision = figures["figures.revision"]
    return LinkingRules(cause_group=groups, same_news_days=windows["window.same_news"],
                        follow_up_days=windows["window.follow_up"],
                        revision_difference=float(revision["relative_difference"]),
                        smallest_figure=int(revision["smallest"]))


@dataclass(frozen=True)
class ArticleFacts:
    """What linking needs to know of one incident article (kept with its case membership)."""

    article_id: str
    keys: frozenset[str]  # identity keys: victim, victim-role organisations, names in the headline
    headline_keys: frozenset[str]  # every key a headline substring could be
    indexed: frozenset[str]  # what the article is found under: its keys and the headline's name-like pieces
    cause: str
    day: int | None  # the report's date (announced, else the article's date) as a day number
    occurred: str  # YYYY-MM of the occurrence, "" when unknown
    total: int | None
    figures: frozenset[int]  # every count the article states
    categories: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("keys", "headline_keys", "indexed", "figures", "categories"):
            data[name] = sorted(data[name])
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ArticleFacts:
        return _parsed_facts(text)


@lru_cache(maxsize=1 << 16)
def _parsed_facts(text: str) -> ArticleFacts:
    """Facts read back from the store (cached: the members of a busy case are read again and again)."""
    data = json.loads(text)
    for name in ("keys", "headline_keys", "indexed", "figures", "categories"):
        data[name] = frozenset(data[name])
    return ArticleFacts(**data)


def day_number(value: str) -> int | None:
    """A date (YYYY-MM-DD, or YYYY-MM counted at mid-month) as a day number; None otherwise."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value).toordinal()
        if len(value) == 7:
            return date.fromisoformat(value + "-15").toordinal()
    except ValueError:
        return None
    return None


def headline(article: ArticleRow, text: str) -> str:
    """The article's title, else its first non-empty line (how JSONL articles give their headline)."""
    if article.title.strip():
        return article.title
    return next((line.strip() for line in text[:400].splitlines() if line.strip()), "")


def headline_proper(title: str) -> tuple[int, int]:
    """Where a headline's own words are: without its leading tag (【…】) and closing (source)."""
    rules = incident_rules()
    tag = rules.title_tag.match(title)
    source = rules.title_source.search(title)
    return (tag.end() if tag else 0), (source.start() if source else len(title))


def article_facts(incident: IncidentRow, article: ArticleRow, text: str,
                  organizations: Iterable[OrganizationRow], counts: Iterable[CountRow]) -> ArticleFacts:
    title = headline(article, text)
    start, end = headline_proper(title)
    offset = text.find(title) if title else -1
    names = [incident.victim]
    for org in organizations:
        # Every victim-role mention, and the organisations the headline itself names (not its
        # source, not a regulator or the police): the victim choice may err, but the headline is
        # about the organisation concerned.
        in_headline = offset >= 0 and offset + start <= org.start < offset + end
        if org.role == "victim" or (in_headline and not names_an_authority(org.name)):
            names.append(org.name)
    names += sorted(title_place_names(title[start:end]))
    day = day_number(incident.announced_on) or day_number(article.reference_date)
    occurred = incident.occurred_on[:7] if len(incident.occurred_on) >= 7 and incident.occurred_on[:4].isdigit() \
        else ""
    figures = {count.value for count in counts if count.unit in ("件", "人", "名")}
    if incident.affected_total is not None:
        figures.add(incident.affected_total)
    keys = keys_of_names(names)
    headline_keys = headline_name_candidates(title[start:end])
    return ArticleFacts(article_id=incident.article_id, keys=frozenset(keys), headline_keys=frozenset(headline_keys),
                        indexed=frozenset(keys | headline_index_names(headline_keys)), cause=incident.cause,
                        day=day, occurred=occurred, total=incident.affected_total, figures=frozenset(figures),
                        categories=frozenset(c for c in incident.categories.split(";") if c))


def same_organisation(a: ArticleFacts, b: ArticleFacts) -> bool:
    """One shares a key with the other, or names its key in its headline (not as an everyday word)."""
    if a.keys & b.keys:
        return True
    named = (a.keys & b.headline_keys) | (b.keys & a.headline_keys)
    return any(not is_common_word(key) for key in named)


def _causes_agree(a: str, b: str, rules: LinkingRules) -> bool:
    if a in _ANY_CAUSE or b in _ANY_CAUSE or a == b:
        return True
    return rules.cause_group.get(a, a) == rules.cause_group.get(b, b)


def _figures_agree(a: ArticleFacts, b: ArticleFacts, rules: LinkingRules) -> bool:
    shared = {value for value in a.figures & b.figures if value >= rules.smallest_figure}
    if shared:
        return True
    if a.total and b.total and min(a.total, b.total) >= rules.smallest_figure:
        return abs(a.total - b.total) <= rules.revision_difference * max(a.total, b.total)
    return False


def same_incident(a: ArticleFacts, b: ArticleFacts) -> bool:
    """True when two incident articles report one incident (precision first: unsure is False)."""
    if not same_organisation(a, b):
        return False
    rules = linking_rules()
    causes_agree = _causes_agree(a.cause, b.cause, rules)
    if a.day is not None and b.day is not None:
        apart = abs(a.day - b.day)
        if apart <= rules.same_news_days:
            return True
        if apart > rules.follow_up_days or not causes_agree:
            return False
        return _figures_agree(a, b, rules) or bool(a.occurred and a.occurred == b.occurred)
    # Without a date on one side, only the same cause and the same figures tell it is one incident.
    return a.cause == b.cause and a.cause not in _ANY_CAUSE and _figures_agree(a, b, rules)


def _closeness(a: ArticleFacts, b: ArticleFacts) -> int:
    return abs(a.day - b.day) if a.day is not None and b.day is not None else 10**6


@dataclass(frozen=True)
class Member:
    case_id: str
    facts: ArticleFacts


class CaseIndex(Protocol):
    """Where case memberships live: the store (SQLite) or memory (`MemoryCaseIndex`)."""

    def known_keys(self, candidates: set[str]) -> set[str]:
        """The subset of `candidates` that some linked article carries."""

    def members_with_keys(self, keys: set[str], per_case: int, cases_per_key: int) -> list[Member]:
        """The latest `per_case` members of the latest `cases_per_key` cases found under each of `keys`."""

    def case_exists(self, case_id: str) -> bool: ...

    def add_member(self, member: Member) -> None: ...


def new_case_id(article_id: str, index: CaseIndex) -> str:
    """An id derived from the founding article, so that a fresh run gives the same ids."""
    for attempt in range(1000):
        seed = article_id if attempt == 0 else f"{article_id}#{attempt}"
        case_id = "case-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]
        if not index.case_exists(case_id):
            return case_id
    raise RuntimeError(f"no free case id for article {article_id!r}")


def link_article(facts: ArticleFacts, index: CaseIndex) -> str:
    """Put one incident article into its case (an existing one it reports, else a new one); return the id."""
    lookup = set(facts.keys) | index.known_keys(set(facts.headline_keys))
    best: tuple[int, str] | None = None
    for member in index.members_with_keys(lookup, MEMBERS_COMPARED, CASES_PER_KEY) if lookup else []:
        if same_incident(facts, member.facts):
            score = (_closeness(facts, member.facts), member.case_id)
            best = score if best is None or score < best else best
    case_id = best[1] if best else new_case_id(facts.article_id, index)
    index.add_member(Member(case_id, facts))
    return case_id


def link_articles(facts: Iterable[ArticleFacts], index: CaseIndex) -> dict[str, str]:
    """Link articles in report order (then id), so that a case grows from its first report; return
    article id -> case id."""
    ordered = sorted(facts, key=lambda f: (f.day is None, f.day or 0, f.article_id))
    return {f.article_id: link_article(f, index) for f in ordered}


class MemoryCaseIndex:
    """A CaseIndex in memory, for `pipeline.extract` and tests."""

    def __init__(self) -> None:
        self.members: dict[str, list[ArticleFacts]] = {}
        self.cases_by_key: dict[str, dict[str, None]] = {}  # key -> case ids, the latest joined last

    def known_keys(self, candidates: set[str]) -> set[str]:
        return {key for key in candidates if key in self.cases_by_key}

    def members_with_keys(self, keys: set[str], per_case: int, cases_per_key: int) -> list[Member]:
        case_ids = sorted({case_id for key in keys
                           for case_id in islice(reversed(self.cases_by_key.get(key, {})), cases_per_key)})
        return [Member(case_id, facts) for case_id in case_ids for facts in self.members[case_id][-per_case:]]

    def case_exists(self, case_id: str) -> bool:
        return case_id in self.members

    def add_member(self, member: Member) -> None:
        self.members.setdefault(member.case_id, []).append(member.facts)
        for key in member.facts.indexed:
            cases = self.cases_by_key.setdefault(key, {})
            cases.pop(member.case_id, None)
            cases[member.case_id] = None  # the latest case last
