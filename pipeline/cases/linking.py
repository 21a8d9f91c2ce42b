"""Which incident articles report one real-world incident: the pair model and the incremental linker.

Whether two articles report one incident is a fitted choice: `pair_features` describes a pair
(how their organisations meet, the gap between their dates, causes, figures, categories,
headlines) and a logistic model, its weights data (`case_pairs.json`, fitted on the gold by
`python -m pipeline.learning.case_pairs`), gives the probability; a pair links at or above the
model's threshold, set for precision first. Without a shared organisation there is no pair.

An article joins an existing case or opens a new one; it is never compared with the whole store.
Its identity keys (identity.py) and the names in its headline are looked up in an index of the
keys of linked articles; only the articles found there, a bounded number per case, are compared
with it. A case keeps its id when articles join it, and a new case takes an id derived from its
first article's id, so the same input linked in the same order gives the same ids on every run.
When an article fits two cases strongly (each at or above the model's `merge_threshold`), the
later case is merged into the one it fits best: a first report and a follow-up that were kept
apart are joined by the report that bridges them. Each member records why it joined
(`linked_by`: the article it matched, the key they share, the days between them).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Protocol

from pipeline.cases.identity import (
    EDGE_MARK,
    folded,
    headline_index_names,
    headline_name_candidates,
    is_common_word,
    key_edges,
    keys_of_names,
    names_an_authority,
    paired_reading_keys,
    short_form_of,
    title_place_names,
)
from pipeline.records import ArticleRow, CountRow, IncidentRow, OrganizationRow
from pipeline.stages import rules as rule_files
from pipeline.stages.decisions import Features, LinearModel, read_weights
from pipeline.stages.incident import incident_rules
from pipeline.stages.rules import RuleError, compile_pattern, load, rule_cache, rule_path, section

LINKING_FILE = "linking.yaml"
PAIR_MODEL_FILE = "case_pairs.json"
# How many members of one candidate case an article is compared with (the latest ones): a
# case of hundreds of copies costs no more than one of a few articles.
MEMBERS_COMPARED = 12
# How many cases found under one key are compared (the latest ones): a key that turns out common
# (a headline word that looks like a name) cannot make every article meet every case.
CASES_PER_KEY = 20
_PLACE_END = re.compile(r"[都道府県市区町村]$")
# Causes that say nothing about which incident it is.
_ANY_CAUSE = {"", "unknown", "other"}


@dataclass(frozen=True)
class LinkingRules:
    cause_group: dict[str, str]  # cause code -> group id
    same_news_days: int
    follow_up_days: int
    revision_difference: float
    smallest_figure: int
    occurrence_slack_days: int
    yearless_dates: tuple[re.Pattern[str], ...]  # with named groups `month` and/or `day`


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
                        smallest_figure=int(revision["smallest"]),
                        occurrence_slack_days=windows["window.occurrence_slack"],
                        yearless_dates=tuple(compile_pattern(entry, path)
                                             for entry in section(data, "yearless_dates", path, ["pattern"])))


@dataclass(frozen=True)
class PairModel:
    """The fitted pair decision: a linear model over `pair_features`, and the stronger bar two
    cases must both clear with one article before that article merges them."""

    model: LinearModel
    merge_threshold: float
    gold: dict  # what it was fitted on, and its figures

    def to_json(self) -> dict:
        return {"gold": self.gold, "merge_threshold": self.merge_threshold, "model": self.model.to_json()}

    @classmethod
    def from_json(cls, data: object, where: str) -> PairModel:
        if not isinstance(data, dict) or "model" not in data:
            raise RuleError(where, None, "no 'model' in the case pair weights")
        try:
            merge = float(data.get("merge_threshold", 1.0))
        except (TypeError, ValueError) as exc:
            raise RuleError(where, None, f"malformed merge_threshold: {exc!r}") from exc
        return cls(LinearModel.from_json(data["model"], where), merge, data.get("gold", {}))


@rule_cache
def pair_model() -> PairModel:
    """The learned weights when a retrain left some in the learned folder, else the stock ones."""
    path = rule_files.learned_path(PAIR_MODEL_FILE) or rule_path(PAIR_MODEL_FILE)
    return PairModel.from_json(read_weights(path, "case pair weights"), str(path))


@dataclass(frozen=True)
class ArticleFacts:
    """What linking needs to know of one incident article (kept with its case membership)."""

    article_id: str
    keys: frozenset[str]  # identity keys: victim, victim-role organisations, names in the headline
    headline_keys: frozenset[str]  # every key a headline substring could be
    indexed: frozenset[str]  # what the article is found under: its keys, their edges, the headline's names
    cause: str
    day: int | None  # the report's date as a day number (see `report_day`)
    occurred: str  # YYYY-MM of the occurrence, "" when unknown
    total: int | None
    figures: frozenset[int]  # every count the article states
    categories: frozenset[str] = field(default_factory=frozenset)
    day_source: str = ""  # which date `day` is: announced, reference, detected or occurred
    headline_grams: frozenset[str] = field(default_factory=frozenset)  # character pairs of the headline
    # The dates the text writes, as "MM-DD" with 00 for a part it leaves out (11日 -> "00-11", 昨年10月
    # -> "10-00"): what an undated report still says about when it was.
    month_days: frozenset[str] = field(default_factory=frozenset)
    lead_date: str = ""  # the first of them: in a news report's lead, the day it was announced (11日、…と発表)

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in _SET_FIELDS:
            data[name] = sorted(data[name])
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ArticleFacts:
        return _parsed_facts(text)


_SET_FIELDS = ("keys", "headline_keys", "indexed", "figures", "categories", "headline_grams", "month_days")


@lru_cache(maxsize=1 << 16)
def _parsed_facts(text: str) -> ArticleFacts:
    """Facts read back from the store (cached: the members of a busy case are read again and again)."""
    data = json.loads(text)
    for name in _SET_FIELDS:
        if name in data:
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


def report_day(incident: IncidentRow, article: ArticleRow) -> tuple[int | None, str]:
    """The day a report speaks for, and which date it is: announced, else the article's own
    (reference) date, else when the leak was detected, else when it occurred."""
    for source, value in (("announced", incident.announced_on), ("reference", article.reference_date),
                          ("detected", incident.detected_on), ("occurred", incident.occurred_on)):
        day = day_number(value)
        if day is not None:
            return day, source
    return None, ""


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


def character_pairs(text: str) -> frozenset[str]:
    """The adjacent character pairs of a text's letters (punctuation and spaces left out)."""
    letters = [c for c in folded(text).casefold() if c.isalnum()]
    return frozenset(a + b for a, b in zip(letters, letters[1:], strict=False))


def written_dates(text: str) -> list[str]:
    """The dates a text writes, year or not, in text order, as "MM-DD" (00 for a month or day it
    leaves out: 11日 -> "00-11", 昨年10月 -> "10-00")."""
    found = []
    normal = unicodedata.normalize("NFKC", text)
    for pattern in linking_rules().yearless_dates:
        for match in pattern.finditer(normal):
            groups = match.groupdict()
            found.append((match.start(), f"{int(groups.get('month') or 0):02d}-{int(groups.get('day') or 0):02d}"))
    return [value for _, value in sorted(found)]


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
    day, day_source = report_day(incident, article)
    dates = written_dates(f"{title}\n{text}")
    occurred = incident.occurred_on[:7] if len(incident.occurred_on) >= 7 and incident.occurred_on[:4].isdigit() \
        else ""
    figures = {count.value for count in counts if count.unit in ("件", "人", "名")}
    if incident.affected_total is not None:
        figures.add(incident.affected_total)
    keys = keys_of_names(names)
    keys |= paired_reading_keys(keys, text)
    headline_keys = headline_name_candidates(title[start:end])
    edges = {EDGE_MARK + piece for key in keys for piece in key_edges(key)}
    return ArticleFacts(article_id=incident.article_id, keys=frozenset(keys), headline_keys=frozenset(headline_keys),
                        indexed=frozenset(keys | edges | headline_index_names(headline_keys)), cause=incident.cause,
                        day=day, occurred=occurred, total=incident.affected_total, figures=frozenset(figures),
                        categories=frozenset(c for c in incident.categories.split(";") if c), day_source=day_source,
                        headline_grams=character_pairs(title[start:end]), month_days=frozenset(dates),
                        lead_date=dates[0] if dates else "")


def lookup_keys(facts: ArticleFacts, known: set[str]) -> set[str]:
    """What to look an article up under: its keys; the edges other articles' keys have (a long form
    of its name); and those of its own keys' edges and headline names that are stored keys
    (`known`: a short form of its name, a name its headline gives)."""
    return set(facts.keys) | {EDGE_MARK + key for key in facts.keys} | known


def lookup_candidates(facts: ArticleFacts) -> set[str]:
    """The pieces of an article that are worth looking up only when some stored article has them as a key."""
    return set(facts.headline_keys) | {piece for key in facts.keys for piece in key_edges(key)}


def shared_name(a: ArticleFacts, b: ArticleFacts) -> tuple[str, str]:
    """How two articles name one organisation, and the key that ties them: ("key", k) for a
    shared key, ("headline", k) for one's key in the other's headline, ("short_form", "k~long")
    for a short and a long form of one name; ("", "") when they name none in common."""
    shared = a.keys & b.keys
    if shared:
        return "key", max(sorted(shared), key=len)
    named = sorted(k for k in (a.keys & b.headline_keys) | (b.keys & a.headline_keys) if not is_common_word(k))
    if named:
        return "headline", max(named, key=len)
    forms = sorted((short, long) for x, y in ((a, b), (b, a)) for short in x.keys for long in y.keys
                   if short_form_of(short, long) and not is_common_word(short))
    if forms:
        short, long = max(forms, key=lambda pair: len(pair[0]))
        return "short_form", f"{short}~{long}"
    return "", ""


def same_organisation(a: ArticleFacts, b: ArticleFacts) -> bool:
    """One shares a key with the other, names its key in its headline (not as an everyday word),
    or one's key is a short form of the other's."""
    return bool(shared_name(a, b)[0])


def _cause_relation(a: str, b: str, rules: LinkingRules) -> str:
    if a in _ANY_CAUSE or b in _ANY_CAUSE:
        return "unknown"
    if a == b:
        return "same"
    return "group" if rules.cause_group.get(a, a) == rules.cause_group.get(b, b) else "conflict"


def _months(value: str) -> int:
    return int(value[:4]) * 12 + int(value[5:7])


def _month_day(value: str) -> tuple[int, int]:
    return int(value[:2]), int(value[3:])


def _dates_to_meet(facts: ArticleFacts) -> set[tuple[int, int]]:
    """The (month, day) dates of an article another report's lead date is compared with: its report
    day, the dates it writes in full, and its own lead date (all it has when it is undated too)."""
    dates = {_month_day(value) for value in facts.month_days}
    dates = {(month, day) for month, day in dates if month and day}
    if facts.day is not None:
        report = date.fromordinal(facts.day)
        dates.add((report.month, report.day))
    if facts.lead_date:
        dates.add(_month_day(facts.lead_date))
    return dates


def yearless_agreement(undated: ArticleFacts, other: ArticleFacts) -> bool | None:
    """Whether the lead date of an undated report (its first date, in a news lead most often the
    day it was announced: 11日、…と発表した) meets a date of the other report (`_dates_to_meet`):
    what both give of the month and the day is the same (11日 meets 10月11日, 昨年10月 meets
    10月5日). None when no date of the other gives a part the lead gives too."""
    if not undated.lead_date:
        return None
    lead = _month_day(undated.lead_date)
    compared = False
    for theirs in _dates_to_meet(other):
        known = [(mine, their) for mine, their in zip(lead, theirs, strict=True) if mine and their]
        if known:
            compared = True
            if all(mine == their for mine, their in known):
                return True
    return False if compared else None


def reported_before_occurrence(a: ArticleFacts, b: ArticleFacts, slack_days: int) -> bool:
    """One report is dated well before the month the other says the leak occurred in (an
    occurrence after the other's own report date is a misread date, and says nothing)."""
    for x, y in ((a, b), (b, a)):
        if x.day is None or not y.occurred:
            continue
        start = day_number(y.occurred[:7] + "-01")
        if start is not None and x.day < start - slack_days and (y.day is None or start <= y.day):
            return True
    return False


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# The features of a pair, in the order the weights file lists them.
FEATURES = ("name.key", "name.headline", "name.short_form", "name.length", "name.place", "name.place_far",
            "time.undated", "time.fallback", "time.same_news", "time.log_gap", "time.over_follow_up", "time.over_year",
            "time.before_occurrence", "time.yearless_agrees", "time.yearless_disagrees",
            "cause.same", "cause.group", "cause.conflict",
            "figures.shared", "figures.shared_size", "figures.revision", "figures.conflict",
            "occurred.same", "occurred.apart", "categories.overlap", "headline.overlap")


def pair_features(a: ArticleFacts, b: ArticleFacts) -> tuple[Features, str]:
    """What the model weighs about a pair, and the key that ties them ({} and "" when nothing does)."""
    how, key = shared_name(a, b)
    if not how:
        return {}, ""
    rules = linking_rules()
    features: Features = {f"name.{how}": 1.0, "name.length": min(len(key.split("~")[0]), 12) / 12}
    if _PLACE_END.search(key):
        # A city or prefecture: many incidents share its name, so its name alone says less.
        features["name.place"] = 1.0
    if a.day is None or b.day is None:
        features["time.undated"] = 1.0
        agreements = {yearless_agreement(x, y) for x, y in ((a, b), (b, a)) if x.day is None}
        if True in agreements:
            features["time.yearless_agrees"] = 1.0
        elif False in agreements:
            features["time.yearless_disagrees"] = 1.0
    else:
        gap = abs(a.day - b.day)
        features["time.log_gap"] = math.log1p(gap) / math.log1p(365)
        features["time.same_news"] = float(gap <= rules.same_news_days)
        features["time.over_follow_up"] = float(gap > rules.follow_up_days)
        features["time.over_year"] = float(gap > 365)
        features["time.fallback"] = float({a.day_source, b.day_source} & {"detected", "occurred"} != set())
    if reported_before_occurrence(a, b, rules.occurrence_slack_days):
        features["time.before_occurrence"] = 1.0
    relation = _cause_relation(a.cause, b.cause, rules)
    if relation != "unknown":
        features[f"cause.{relation}"] = 1.0
    shared = {value for value in a.figures & b.figures if value >= rules.smallest_figure}
    if shared:
        features["figures.shared"] = 1.0
        features["figures.shared_size"] = min(math.log10(max(shared)), 7) / 7
    if a.total and b.total and min(a.total, b.total) >= rules.smallest_figure and a.total != b.total:
        difference = abs(a.total - b.total) / max(a.total, b.total)
        if difference <= rules.revision_difference:
            features["figures.revision"] = 1.0
        elif difference > 0.5 and not shared:
            features["figures.conflict"] = 1.0
    if features.get("name.place") and (features.get("time.over_follow_up") or features.get("figures.conflict")):
        # A place's name says little; with a long gap or figures that disagree it says less still.
        features["name.place_far"] = 1.0
    if a.occurred and b.occurred and a.occurred == b.occurred:
        features["occurred.same"] = 1.0
    elif a.occurred and b.occurred:
        features["occurred.apart"] = min(abs(_months(a.occurred) - _months(b.occurred)), 24) / 24
    features["categories.overlap"] = _jaccard(a.categories, b.categories)
    features["headline.overlap"] = _jaccard(a.headline_grams, b.headline_grams)
    return features, key


def link_probability(a: ArticleFacts, b: ArticleFacts, model: PairModel | None = None) -> tuple[float, str]:
    """The pair model's probability (`model`, else the weights file's) that two articles report one
    incident, and the key that ties them (0.0 and "" when no organisation ties them)."""
    features, key = pair_features(a, b)
    return ((model or pair_model()).model.probability(features), key) if key else (0.0, "")


def same_incident(a: ArticleFacts, b: ArticleFacts, model: PairModel | None = None) -> bool:
    """True when two incident articles report one incident (precision first: unsure is False)."""
    probability, key = link_probability(a, b, model)
    return bool(key) and probability >= (model or pair_model()).model.threshold


def link_reason(a: ArticleFacts, b: ArticleFacts, key: str, probability: float) -> str:
    """Why `a` joined `b`'s case, as cases.csv and the review page show it."""
    gap = f"{abs(a.day - b.day)} days" if a.day is not None and b.day is not None else "undated"
    return f"{a.article_id}<{b.article_id} ({key}, {gap}, p={probability:.2f})"


@dataclass(frozen=True)
class Member:
    case_id: str
    facts: ArticleFacts
    linked_by: str = ""  # why it joined its case ("" for the article that opened it)


class CaseIndex(Protocol):
    """Where case memberships live: the store (SQLite) or memory (`MemoryCaseIndex`)."""

    def known_keys(self, candidates: set[str]) -> set[str]:
        """The subset of `candidates` that some linked article carries."""

    def members_with_keys(self, keys: set[str], per_case: int, cases_per_key: int) -> list[Member]:
        """The latest `per_case` members of the latest `cases_per_key` cases found under each of `keys`."""

    def case_exists(self, case_id: str) -> bool: ...

    def add_member(self, member: Member) -> None: ...

    def merge_cases(self, into: str, merged: str) -> None:
        """Move every member of case `merged` into case `into`."""


def new_case_id(article_id: str, index: CaseIndex) -> str:
    """An id derived from the founding article, so that a fresh run gives the same ids."""
    for attempt in range(1000):
        seed = article_id if attempt == 0 else f"{article_id}#{attempt}"
        case_id = "case-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]
        if not index.case_exists(case_id):
            return case_id
    raise RuntimeError(f"no free case id for article {article_id!r}")


def link_article(facts: ArticleFacts, index: CaseIndex, model: PairModel | None = None) -> str:
    """Put one incident article into its case (an existing one it reports, else a new one); merge
    the other cases it fits strongly into that one; return the case id. `model`: the pair model
    (default: the weights file's)."""
    lookup = lookup_keys(facts, index.known_keys(lookup_candidates(facts)))
    model = model or pair_model()
    best_of_case: dict[str, tuple[float, int, str]] = {}  # case id -> (probability, -gap, why)
    for member in index.members_with_keys(lookup, MEMBERS_COMPARED, CASES_PER_KEY):
        probability, key = link_probability(facts, member.facts, model)
        if not key or probability < model.model.threshold:
            continue
        gap = abs(facts.day - member.facts.day) if facts.day is not None and member.facts.day is not None else 10**6
        score = (probability, -gap, link_reason(facts, member.facts, key, probability))
        if member.case_id not in best_of_case or score > best_of_case[member.case_id]:
            best_of_case[member.case_id] = score
    if not best_of_case:
        case_id = new_case_id(facts.article_id, index)
        index.add_member(Member(case_id, facts))
        return case_id
    ranked = sorted(best_of_case, key=lambda case: (best_of_case[case][:2], case), reverse=True)
    case_id = ranked[0]
    index.add_member(Member(case_id, facts, best_of_case[case_id][2]))
    if best_of_case[case_id][0] >= model.merge_threshold:
        for other in ranked[1:]:
            if best_of_case[other][0] >= model.merge_threshold:
                index.merge_cases(case_id, other)
    return case_id


def link_articles(facts: Iterable[ArticleFacts], index: CaseIndex, model: PairModel | None = None) -> dict[str, str]:
    """Link articles in report order (then id), so that a case grows from its first report; return
    article id -> case id (after any merge)."""
    ordered = sorted(facts, key=lambda f: (f.day is None, f.day or 0, f.article_id))
    for f in ordered:
        link_article(f, index, model)
    return index.case_ids([f.article_id for f in ordered])


class MemoryCaseIndex:
    """A CaseIndex in memory, for `pipeline.extract` and tests."""

    def __init__(self) -> None:
        self.members: dict[str, list[Member]] = {}
        self.cases_by_key: dict[str, dict[str, None]] = {}  # key -> case ids, the latest joined last
        self.case_of: dict[str, str] = {}  # article id -> case id

    def known_keys(self, candidates: set[str]) -> set[str]:
        return {key for key in candidates if key in self.cases_by_key}

    def members_with_keys(self, keys: set[str], per_case: int, cases_per_key: int) -> list[Member]:
        case_ids = sorted({case_id for key in keys
                           for case_id in islice(reversed(self.cases_by_key.get(key, {})), cases_per_key)})
        return [member for case_id in case_ids for member in self.members[case_id][-per_case:]]

    def case_exists(self, case_id: str) -> bool:
        return case_id in self.members

    def _file(self, member: Member) -> None:
        self.case_of[member.facts.article_id] = member.case_id
        for key in member.facts.indexed:
            cases = self.cases_by_key.setdefault(key, {})
            cases.pop(member.case_id, None)
            cases[member.case_id] = None  # the latest case last

    def add_member(self, member: Member) -> None:
        self.members.setdefault(member.case_id, []).append(member)
        self._file(member)

    def merge_cases(self, into: str, merged: str) -> None:
        for member in self.members.pop(merged, []):
            moved = Member(into, member.facts, member.linked_by)
            self.members[into].append(moved)
            self._file(moved)
        for cases in self.cases_by_key.values():
            cases.pop(merged, None)

    def case_ids(self, article_ids: list[str]) -> dict[str, str]:
        return {article_id: self.case_of[article_id] for article_id in article_ids}

    def links(self) -> dict[str, str]:
        """Article id -> why it joined its case."""
        return {m.facts.article_id: m.linked_by for members in self.members.values() for m in members if m.linked_by}
