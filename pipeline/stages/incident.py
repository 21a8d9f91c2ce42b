"""The incident row: is_incident, victim, cause, affected total and key dates, from the other stages."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.records import Article, CategoryRow, CountRow, DateRow, IncidentRow
from pipeline.stages.analysis import AnalysedArticle
from pipeline.stages.counts import find_counts
from pipeline.stages.organizations import Organization, canonical_name, is_organization_name, org_rules
from pipeline.stages.rules import compile_pattern, load, rule_cache, rule_path, section

RULE_FILE = "incident.yaml"
AFFECTED_UNITS = ("人", "名", "件")
MAX_OCCURRENCES = 5  # a cause cue counts at most this often
TITLE_FACTOR = 2  # a cue in the headline weighs this much more


@dataclass(frozen=True)
class CauseRule:
    id: str
    cause: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class IncidentRules:
    event: re.Pattern[str]
    advisory: re.Pattern[str]
    causes: tuple[CauseRule, ...]
    denial: re.Pattern[str]
    affected: re.Pattern[str]
    suspects: re.Pattern[str]
    case_count: re.Pattern[str]
    victim_points: dict[str, float]
    leak_subject: re.Pattern[str]
    data_owner: re.Pattern[str]
    title_source: re.Pattern[str]
    title_tag: re.Pattern[str]


@rule_cache
def incident_rules() -> IncidentRules:
    path = rule_path(RULE_FILE)
    data = load(RULE_FILE)

    def first(name: str) -> re.Pattern[str]:
        return compile_pattern(section(data, name, path, ["pattern"])[0], path)

    return IncidentRules(
        event=first("event_cues"),
        advisory=first("advisory_cues"),
        causes=tuple(CauseRule(e["id"], e["cause"], float(e["weight"]), compile_pattern(e, path))
                     for e in section(data, "causes", path, ["cause", "weight", "pattern"])),
        denial=first("cause_denials"),
        affected=first("affected_cues"),
        suspects=first("suspect_cues"),
        case_count=first("case_counts"),
        victim_points={e["id"]: float(e["points"]) for e in section(data, "victim_scores", path, ["points"])},
        leak_subject=first("leak_subject"),
        data_owner=first("data_owner"),
        title_source=first("title_source"),
        title_tag=first("title_tag"),
    )


def _normalized(article: AnalysedArticle, original_offset: int) -> int:
    """The normalized offset of an original offset (row offsets are original)."""
    return bisect.bisect_left(article.norm.starts, original_offset)


def score_causes(article: AnalysedArticle) -> Counter[str]:
    """Weighted evidence per cause code from cue phrases in the text and the headline."""
    rules = incident_rules()
    scores: Counter[str] = Counter()
    for rule in rules.causes:
        hits = 0
        for match in rule.pattern.finditer(article.text):
            sentence = article.sentence_at(match.start())
            if rules.denial.search(article.text[match.end():sentence.end]):
                continue
            hits += 1
        score = rule.weight * min(hits, MAX_OCCURRENCES)
        if rule.pattern.search(article.title):
            score += rule.weight * TITLE_FACTOR
        if score:
            scores[rule.cause] += score
    return scores


def choose_cause(article: AnalysedArticle) -> str:
    scores = score_causes(article)
    if not scores:
        return "unknown"
    return max(scores.items(), key=lambda item: item[1])[0]


def is_incident(article: AnalysedArticle, counts: list[CountRow]) -> bool:
    rules = incident_rules()
    if not rules.event.search(article.text) and not rules.event.search(article.title):
        return False
    if not rules.advisory.search(article.title):
        return True
    # An advisory headline: an incident only when a leak count stands in a leak sentence.
    return any(_is_affected_count(article, row) for row in counts)


def _is_affected_count(article: AnalysedArticle, row: CountRow) -> bool:
    rules = incident_rules()
    if row.unit not in AFFECTED_UNITS:
        return False
    position = _normalized(article, row.start)
    sentence = article.sentence_at(position)
    if row.unit != "件" and rules.suspects.search(sentence.text):
        return False
    if rules.case_count.search(article.text[max(sentence.start, position - 12):position]):
        return False  # `漏えい等事案が1万2,120件`: a tally of cases, not of the affected
    context = article.context_text(position)
    return bool(rules.event.search(context) or rules.affected.search(context))


def affected_total(article: AnalysedArticle, counts: list[CountRow]) -> tuple[int | None, str, str]:
    """The headline number, its unit and qualifier: the largest leak count of the headline, else
    of the text."""
    rules = incident_rules()
    if article.title_given:
        in_title = [c for c in find_counts(article.title) if c.unit in AFFECTED_UNITS
                    and not rules.suspects.search(article.title)]
        if in_title:
            best = max(in_title, key=lambda c: c.value)
            return best.value, best.unit, best.qualifier
    title_line_end = len(article.title) if not article.title_given else 0
    headline = [row for row in counts if _normalized(article, row.start) < title_line_end
                and _is_affected_count(article, row)]
    candidates = headline or [row for row in counts if _is_affected_count(article, row)]
    if not candidates:
        return None, "", ""
    best_row = max(candidates, key=lambda r: r.value)
    return best_row.value, best_row.unit, best_row.qualifier


def _title_source(title: str) -> str:
    """The `(X)` a headline ends with, when X names an organisation rather than a news outlet."""
    match = incident_rules().title_source.search(title)
    if not match:
        return ""
    name = canonical_name(match.group(1).split("/")[-1])
    rules = org_rules()
    entry = rules.gazetteer.get(name)
    if (entry and entry.media) or rules.media.search(name) or re.search(r"\d|報|更新|訂正|お詫び", name):
        return ""
    return name if is_organization_name(name) else ""


def headline_article(article: AnalysedArticle) -> Article | None:
    """The given headline as an article of its own, so the organisation stage can read it."""
    if not article.title_given:
        return None
    headline = incident_rules().title_tag.sub("", article.title)
    return Article(f"{article.article_id}#title", headline, article.article.source)


def score_victims(article: AnalysedArticle, organizations: list[Organization],
                  title_organizations: list[Organization] = ()) -> dict[str, float]:
    rules = incident_rules()
    points = rules.victim_points
    text = article.text
    title = article.title
    source = _title_source(title)
    title_positions = {}
    for org in organizations:
        surfaces = {text[s:e] for s, e, _ in org.mentions} | {org.name}
        found = [title.find(s) for s in surfaces if s and title.find(s) >= 0]
        if found:
            title_positions[org.name] = min(found)
    first_in_title = min(title_positions, key=title_positions.get) if title_positions else None
    scores: dict[str, float] = {}
    for org in organizations:
        score = 0.0
        if org.name in title_positions:
            score += points["victim.in_title"]
        if org.name == first_in_title:
            score += points["victim.first_in_title"]
        surfaces = {text[s:e] for s, e, _ in org.mentions}
        if source and (source in surfaces or canonical_name(source) == org.name):
            score += points["victim.title_source"]
        for start, end, _ in org.mentions:
            after = text[end:end + 20]
            if re.match(r"^(?:\([^()]{1,30}\))?(?:は|が|では)", after):
                sentence = article.sentence_at(start)
                if rules.leak_subject.search(text[end:sentence.end]):
                    score += points["victim.leak_subject"]
                    break
        if any(rules.data_owner.match(text[e:e + 20]) for _, e, _ in org.mentions):
            score += points["victim.data_owner"]
        score += points["victim.per_mention"] * min(len(org.mentions), 4)
        if org.authority:
            score += points["victim.authority"]
        if org.media:
            score += points["victim.media"]
        if org.contractor:
            score += points["victim.contractor"]
        scores[org.name] = score
    # Named in the headline only (`山口県 …の個人情報漏えいについて`, the text saying 県).
    for position, org in enumerate(title_organizations):
        if org.name not in scores and not org.media and not org.authority:
            scores[org.name] = points["victim.in_title"] + (points["victim.first_in_title"] if position == 0 else 0)
    if source and not any(canonical_name(source) == name for name in scores):
        scores[source] = points["victim.title_source"] + points["victim.in_title"]
    return scores


def choose_victim(article: AnalysedArticle, organizations: list[Organization],
                  title_organizations: list[Organization] = ()) -> str:
    scores = score_victims(article, organizations, title_organizations)
    positive = {name: s for name, s in scores.items() if s > 0}
    if not positive:
        return ""
    return max(positive.items(), key=lambda item: item[1])[0]


def _first_date(dates: list[DateRow], role: str) -> str:
    for row in dates:
        if row.role == role:
            return row.value
    return ""


def roll_up(article: AnalysedArticle, organizations: list[Organization], dates: list[DateRow],
            counts: list[CountRow], categories: list[CategoryRow],
            title_organizations: list[Organization] = ()) -> IncidentRow:
    """One incident row per article; the fields stay empty when the article reports no incident."""
    leaked = sorted({c.category for c in categories if not c.negated})
    not_leaked = sorted({c.category for c in categories if c.negated} - set(leaked))
    if not is_incident(article, counts):
        return IncidentRow(article.article_id, "", False, "", "", None, "", "", "", "", "", ";".join(leaked),
                           ";".join(not_leaked), 0.0, "")
    total, unit, qualifier = affected_total(article, counts)
    return IncidentRow(
        article_id=article.article_id,
        case_id="",
        is_incident=True,
        victim=choose_victim(article, organizations, title_organizations),
        cause=choose_cause(article),
        affected_total=total,
        affected_unit=unit,
        affected_qualifier=qualifier,
        announced_on=_first_date(dates, "announced"),
        occurred_on=_first_date(dates, "occurred"),
        detected_on=_first_date(dates, "detected"),
        categories=";".join(leaked),
        not_leaked_categories=";".join(not_leaked),
        confidence=0.0,
        evidence="",
    )


def incident_period(incident: IncidentRow, reference_date: str, length: int) -> str:
    """The first `length` characters (4: the year, 7: the month) of the date an incident counts
    under: announced, else detected, else occurred, else the article's date; "" when none.
    `incident` may also be a DataFrame row with the same columns."""
    for value in (incident.announced_on, incident.detected_on, incident.occurred_on, reference_date):
        if isinstance(value, str) and len(value) >= length and value[:4].isdigit():
            return value[:length]
    return ""
