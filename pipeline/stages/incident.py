"""The incident row: is_incident, victim, cause, affected total and key dates, from the other stages.

The rules propose: candidate victims (the article's organisations), candidate totals (its counts of
people and records), cause cues, incident cues; each candidate comes with features. Learned models
(pipeline/stages/decisions.py, weights fitted on the gold) make the choices.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

from pipeline.records import Article, CategoryRow, CountRow, DateRow, IncidentRow
from pipeline.stages.analysis import HEADLINE_SEARCH_LINES, AnalysedArticle
from pipeline.stages.counts import find_counts
from pipeline.stages.decisions import (
    CONFIDENCE_MODELS,
    Candidate,
    Choice,
    Features,
    decide_yes,
    decision_models,
    rank,
)
from pipeline.stages.organizations import (
    Organization,
    canonical_name,
    common_nouns_only,
    is_organization_name,
    org_rules,
)
from pipeline.stages.rules import RuleError, compile_pattern, load, rule_cache, rule_path, section, with_fragments

RULE_FILE = "incident.yaml"
AFFECTED_UNITS = ("人", "名", "件")
# A first line shorter than this is too short to tell a repeated headline from a line that starts alike.
REPEATED_TITLE_MIN_CHARS = 4
LEAD_SENTENCES = 3  # the lead: the first sentences after the headline
CONTEXT_CHARS = 20  # how far `after` and `before` cues look from a mention
TOTAL_BEFORE_CHARS = 16  # how far `before` cues look from a count
EVIDENCE_MAX_CHARS = 160
UNKNOWN_CAUSE = "unknown"


@dataclass(frozen=True)
class Cue:
    id: str
    pattern: re.Pattern[str]
    where: str = ""  # victim and total cues: where the cue is looked for
    cause: str = ""  # cause cues: the cause it speaks for
    speaks_for: str = ""  # incident cues: "incident" or "look-alike", or neither


@dataclass(frozen=True)
class Anaphor:
    id: str
    pattern: re.Pattern[str]
    name: re.Pattern[str]  # names it can refer to
    kinds: frozenset[str]  # kinds it can refer to (empty: any)


@dataclass(frozen=True)
class IncidentRules:
    event: re.Pattern[str]
    advisory: re.Pattern[str]
    causes: tuple[Cue, ...]
    denial: re.Pattern[str]
    no_trace: re.Pattern[str]
    affected: re.Pattern[str]
    suspects: re.Pattern[str]
    data_share: re.Pattern[str]
    case_count: re.Pattern[str]
    title_source: re.Pattern[str]
    title_source_noise: re.Pattern[str]
    title_source_not_name: re.Pattern[str]
    title_source_separator: re.Pattern[str]
    title_tag: re.Pattern[str]
    incident_cues: tuple[Cue, ...]
    victim_cues: tuple[Cue, ...]
    anaphors: tuple[Anaphor, ...]
    total_cues: tuple[Cue, ...]
    title_head: re.Pattern[str]
    subject_marker: re.Pattern[str]
    name_letters: re.Pattern[str]
    organization_endings: re.Pattern[str]
    cause_statement: re.Pattern[str]
    refinements: dict[str, frozenset[str]]  # cause -> the causes it is a specific case of
    victim_kinds: tuple[Cue, ...]
    past_incident: re.Pattern[str]


VICTIM_CUE_PLACES = ("after", "before", "subject")
TOTAL_CUE_PLACES = ("before", "after", "sentence")
SPEAKS_FOR = ("", "incident", "look-alike")  # incident cues: what a cue tells of the article


@rule_cache
def incident_rules() -> IncidentRules:
    path = rule_path(RULE_FILE)
    data = with_fragments(load(RULE_FILE), path)

    def first(name: str) -> re.Pattern[str]:
        return compile_pattern(section(data, name, path, ["pattern"])[0], path)

    def cues(name: str, places: tuple[str, ...] = ()) -> tuple[Cue, ...]:
        entries = section(data, name, path, ["pattern", "where"] if places else ["pattern"])
        for entry in entries:
            for key, allowed in (("where", places), ("speaks_for", SPEAKS_FOR)):
                if key in entry and allowed and entry[key] not in allowed:
                    raise RuleError(entry.get("__file__", path), entry.get("__line__"),
                                    f"rule '{entry['id']}': {key} must be one of {', '.join(filter(None, allowed))}")
        return tuple(Cue(e["id"], compile_pattern(e, path), e.get("where", ""), e.get("cause", ""),
                         e.get("speaks_for", "")) for e in entries)

    return IncidentRules(
        event=first("event_cues"),
        advisory=first("advisory_cues"),
        causes=tuple(Cue(e["id"], compile_pattern(e, path), cause=e["cause"])
                     for e in section(data, "causes", path, ["cause", "pattern"])),
        denial=first("cause_denials"),
        no_trace=first("cause_no_trace"),
        affected=first("affected_cues"),
        suspects=first("suspect_cues"),
        data_share=first("data_shares"),
        case_count=first("case_counts"),
        title_source=first("title_source"),
        title_source_noise=first("title_source_noise"),
        title_source_not_name=first("title_source_not_names"),
        title_source_separator=first("title_source_separator"),
        title_tag=first("title_tag"),
        incident_cues=cues("incident_cues"),
        victim_cues=cues("victim_cues", VICTIM_CUE_PLACES),
        anaphors=tuple(Anaphor(e["id"], compile_pattern(e, path), compile_pattern(e, path, "name"),
                               frozenset(e.get("kinds", ())))
                       for e in section(data, "anaphors", path, ["pattern", "name"])),
        total_cues=cues("total_cues", TOTAL_CUE_PLACES),
        title_head=first("title_head"),
        subject_marker=first("subject_markers"),
        name_letters=first("name_letters"),
        organization_endings=first("organization_endings"),
        cause_statement=first("cause_statements"),
        refinements={e["cause"]: frozenset(e["refines"])
                     for e in section(data, "cause_refinements", path, ["cause", "refines"])},
        victim_kinds=cues("victim_kinds"),
        past_incident=first("past_incidents"),
    )


def _normalized(article: AnalysedArticle, original_offset: int) -> int:
    """The normalized offset of an original offset (row offsets are original)."""
    return bisect.bisect_left(article.norm.starts, original_offset)


def _opening_headline_end(article: AnalysedArticle) -> int:
    """Where the headline line at the text's top ends: the first line when it was taken as the
    title (none was given), or one of the top lines (below a date, an addressee, a site's header)
    that repeats the given title, whole or cut short; else 0."""
    if not article.title:
        return 0
    text, title = article.text, article.title
    offset = len(text) - len(text.lstrip())
    for raw in text[offset:].split("\n", HEADLINE_SEARCH_LINES)[:HEADLINE_SEARCH_LINES]:
        line = raw.strip()
        cut_short = len(line) >= REPEATED_TITLE_MIN_CHARS and (title.startswith(line) or line.startswith(title))
        if line == title or cut_short:
            return offset + len(raw.rstrip())
        if not article.title_given:
            return 0
        offset += len(raw) + 1
    return 0


def _lead_end(article: AnalysedArticle) -> int:
    """Where the lead ends: after the headline line (when the text starts with it) and a few sentences."""
    first = 1 if not article.title_given and article.title else 0
    sentences = article.sentences[first:first + LEAD_SENTENCES]
    return sentences[-1].end if sentences else 0


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_MAX_CHARS else text[:EVIDENCE_MAX_CHARS - 1] + "…"


def _hits(count: int) -> float:
    """Repeated cues add less and less: 0, 1, 1.58, 2, ..."""
    return math.log2(1 + count)


# ----------------------------------------------------------------------------------------------
# is_incident


PERCENTAGE = re.compile(r"\d[\d.]*\s?(?:%|パーセント)|\d割")
LIST_ITEM = re.compile(r"^[ \u3000]*(?:[・■●◆▼▽○◎\-*]|\d{1,2}[./)．、]|\(\d{1,2}\))[^\n]*", re.MULTILINE)


def incident_features(article: AnalysedArticle, counts: list[CountRow], organizations_named: int = 0,
                      leaked_categories: int = 0, victims: list[Candidate] = ()) -> Features:
    """What says an article reports a leak: its wording, a count of the affected, and whether it
    names anyone whose data it is and any data that leaked (advice and statistics name neither);
    whether an organisation is the subject of a leak sentence, or signs the release (a headline's
    source tag); and many organisations or many counts, as statistics and lists hold."""
    rules = incident_rules()
    text, title = article.text, article.title
    lead = text[:_lead_end(article)]
    affected_counts = sum(_is_affected_count(article, row) for row in counts)
    features: Features = {
        "title_source": float(bool(title_sources(title))),
        "victim_subject": float(any(name.startswith("victim.subject.leak") or name.startswith("victim.subject.announce")
                                    for c in victims for name in c.features)),
        "organisations": min(organizations_named, 8) / 8,
        "many_organisations": float(organizations_named >= 6),
        "event@text": _hits(len(rules.event.findall(text))) / 3,
        "affected_counts": _hits(affected_counts) / 3,
        "many_counts": float(affected_counts >= 5),
        "suspects@title": float(bool(rules.suspects.search(title))),
        "suspects@lead": float(bool(rules.suspects.search(lead))),
        "event@title": float(bool(rules.event.search(title))),
        "event@lead": float(bool(rules.event.search(lead))),
        "advisory@title": float(bool(rules.advisory.search(title))),
        "advisory@lead": float(bool(rules.advisory.search(lead))),
        "affected_count": float(any(_is_affected_count(article, row) for row in counts)),
        "rule": float(_rule_says_incident(article, counts)),
        "cause_cue": float(any(cue.pattern.search(text) or cue.pattern.search(title) for cue in rules.causes)),
        "organisation_named": float(organizations_named > 0),
        "leaked_categories": min(leaked_categories, 3) / 3,
        # Statistics, surveys and digests name many causes, give shares, and list one leak per line.
        "causes_named": min(len({cue.cause for cue in rules.causes if cue.pattern.search(text)}), 6) / 6,
        "percentages": _hits(len(PERCENTAGE.findall(text))) / 3,
        "event_items": _hits(sum(bool(rules.event.search(line)) for line in LIST_ITEM.findall(text))) / 3,
    }
    for cue in rules.incident_cues:
        found = {"title": float(bool(cue.pattern.search(title))), "lead": float(bool(cue.pattern.search(lead))),
                 "text": _hits(len(cue.pattern.findall(text))) / 3}
        for where, value in found.items():
            features[f"{cue.id}@{where}"] = value
            if cue.speaks_for:
                shared = f"speaks_for={cue.speaks_for}@{where}"
                features[shared] = max(features.get(shared, 0.0), value)
    return features


def _rule_says_incident(article: AnalysedArticle, counts: list[CountRow]) -> bool:
    """The hand-written test: a leak word, and under an advisory headline a leak count too."""
    rules = incident_rules()
    if not rules.event.search(article.text) and not rules.event.search(article.title):
        return False
    return not rules.advisory.search(article.title) or any(_is_affected_count(article, row) for row in counts)


# ----------------------------------------------------------------------------------------------
# cause


def _no_trace(rules: IncidentRules, text: str, cue: re.Match[str], sentence_end: int) -> bool:
    """Whether "no trace of it was found" is said of this cue: overlapping it, or after it in its clause."""
    clause_start = max(text.rfind("、", 0, cue.start()), text.rfind("。", 0, cue.start())) + 1
    for said in rules.no_trace.finditer(text, clause_start, sentence_end):
        if said.end() > cue.start() and (said.start() < cue.end() or "、" not in text[cue.end():said.start()]):
            return True
    return False


def cause_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Each cause some cue speaks for, and `unknown`, with features shared by all causes (where and
    how often its cues stand) besides its own cues: a cause seen a few times in the gold still
    learns from what holds for every cause."""
    rules = incident_rules()
    text, title = article.text, article.title
    lead_end = _lead_end(article)
    features: dict[str, Features] = {}
    evidence: dict[str, str] = {}
    first_hit: dict[str, int] = {}
    for cue in rules.causes:
        found = denied = in_lead = stated = past = 0
        for match in cue.pattern.finditer(text):
            sentence = article.sentence_at(match.start())
            if rules.denial.search(text[match.end():sentence.end]) or _no_trace(rules, text, match, sentence.end):
                denied += 1
                continue
            found += 1
            past += bool(rules.past_incident.search(sentence.text))
            in_lead = in_lead or match.start() < lead_end
            stated = stated or bool(rules.cause_statement.search(sentence.text))
            evidence.setdefault(cue.cause, article.quote(sentence))
            first_hit[cue.cause] = min(first_hit.get(cue.cause, len(text)), match.start())
        in_title = bool(cue.pattern.search(title))
        if in_title:
            evidence[cue.cause] = article.quoted_title
        if not (found or denied or in_title):
            continue
        mine = features.setdefault(cue.cause, {f"cause={cue.cause}": 1.0})
        mine[f"cue:{cue.id}"] = 1.0
        mine["cues"] = mine.get("cues", 0.0) + float(bool(found or in_title))
        mine["hits"] = mine.get("hits", 0.0) + found
        mine["title"] = max(mine.get("title", 0.0), float(in_title))
        mine["lead"] = max(mine.get("lead", 0.0), float(in_lead))
        mine["stated"] = max(mine.get("stated", 0.0), float(stated))
        mine["denied"] = mine.get("denied", 0.0) + denied
        mine["past"] = mine.get("past", 0.0) + past
    all_hits = sum(f["hits"] for f in features.values()) or 1.0
    most = max((f["hits"] for f in features.values()), default=0.0)
    order = sorted(first_hit, key=first_hit.get)
    hits = {cause: mine["hits"] for cause, mine in features.items()}
    candidates = []
    # An arrest or a ruling told: what the police did speaks for theft or intrusion, and the case
    # is often an insider's; the model weighs each cause apart in such a story.
    arrest = bool(rules.suspects.search(title) or rules.suspects.search(text[:lead_end]))
    for cause, mine in features.items():
        mine["past_share"] = mine.pop("past") / mine["hits"] if mine["hits"] else 0.0
        mine["only_past"] = float(mine["past_share"] == 1.0 and not mine["title"])
        if arrest:
            mine[f"arrest:{cause}"] = 1.0
        mine["share"] = mine["hits"] / all_hits
        mine["most"] = float(mine["hits"] == most and most > 0)
        mine["first"] = float(bool(order) and order[0] == cause)
        mine["only_denied"] = float(mine["hits"] == 0 and not mine["title"])
        mine["refines_other"] = float(bool(rules.refinements.get(cause, frozenset()) & features.keys()))
        mine["refined_by_other"] = float(any(cause in rules.refinements.get(other, ()) for other in features))
        # 紛失 in the headline, 盗まれ told again and again in the text: the finer cause is the one told.
        mine["refines_told_more"] = float(any(hits[other] < hits[cause]
                                              for other in rules.refinements.get(cause, ()) if other in hits))
        mine["hits"] = _hits(int(mine["hits"]))
        mine["cues"] = _hits(int(mine["cues"]))
        mine["denied"] = _hits(int(mine["denied"]))
        candidates.append(Candidate(cause, mine, evidence.get(cause, "")))
    unknown = {f"cause={UNKNOWN_CAUSE}": 1.0, "no_cue": float(not features),
               "all_past": float(bool(features) and all(f["only_past"] for f in features.values()))}
    if arrest:
        unknown[f"arrest:{UNKNOWN_CAUSE}"] = 1.0
    candidates.append(Candidate(UNKNOWN_CAUSE, unknown))
    return candidates


def choose_cause(article: AnalysedArticle) -> str:
    return rank(decision_models()["cause"], cause_candidates(article)).value


# ----------------------------------------------------------------------------------------------
# affected_total


def _counts_others(article: AnalysedArticle, row: CountRow, position: int) -> bool:
    """People in a sentence about suspects (but not whose data: `900人分の氏名`), or a tally of
    cases (`漏えい等事案が1万件`): not the affected, so never a candidate total."""
    rules = incident_rules()
    sentence = article.sentence_at(position)
    if (row.unit != "件" and rules.suspects.search(sentence.text)
            and not rules.data_share.search(row.text)):
        return True
    return bool(rules.case_count.search(article.text[max(sentence.start, position - 12):position]))


def _is_affected_count(article: AnalysedArticle, row: CountRow) -> bool:
    if row.unit not in AFFECTED_UNITS:
        return False
    position = _normalized(article, row.start)
    if _counts_others(article, row, position):
        return False
    context = article.context_text(position)
    rules = incident_rules()
    return bool(rules.event.search(context) or rules.affected.search(context))


@dataclass
class _TotalCandidate:
    value: int
    unit: str
    qualifier: str
    features: Features = field(default_factory=dict)
    evidence: str = ""
    current: int = 0  # mentions not in a sentence that says the figure was superseded (当初は…としていた)


def _merge(features: Features, more: Features) -> None:
    for name, value in more.items():
        features[name] = max(features.get(name, 0.0), value)


def total_candidates(article: AnalysedArticle, counts: list[CountRow]) -> list[Candidate]:
    """Each count of people or records, once per value, with the features of all its mentions."""
    rules = incident_rules()
    title = article.title
    lead_end = _lead_end(article)
    title_line_end = 0 if article.title_given else _opening_headline_end(article)
    by_value: dict[int, _TotalCandidate] = {}

    def add(value: int, unit: str, qualifier: str, features: Features, evidence: str) -> None:
        candidate = by_value.setdefault(value, _TotalCandidate(value, unit, qualifier))
        candidate.features["mentions"] = candidate.features.get("mentions", 0.0) + 1
        candidate.current += not features.get("total.superseded")
        _merge(candidate.features, features)
        if not candidate.evidence or features.get("in_title"):
            candidate.evidence = evidence

    if article.title_given:
        for match in find_counts(title):
            if match.unit in AFFECTED_UNITS:
                features = {"in_title": 1.0, f"unit={match.unit}": 1.0, f"qualifier={match.qualifier}": 1.0}
                if rules.suspects.search(title):
                    features["suspects@title"] = 1.0
                features.update(_total_cue_features(title, match.start, match.end))
                add(match.value, match.unit, match.qualifier, features, article.quoted_title)
    for row in counts:
        if row.unit not in AFFECTED_UNITS:
            continue
        position = _normalized(article, row.start)
        sentence = article.sentence_at(position)
        if _counts_others(article, row, position):
            continue
        features = {
            "in_title": float(position < title_line_end),
            "in_lead": float(position < lead_end),
            "in_text": 1.0,
            "affected_sentence": float(_is_affected_count(article, row)),
            "possible": float(row.possible),
            f"unit={row.unit}": 1.0,
            f"qualifier={row.qualifier}": 1.0,
        }
        end = _normalized(article, row.end)
        features.update(_total_cue_features(sentence.text, position - sentence.start, end - sentence.start))
        add(row.value, row.unit, row.qualifier, features, article.quote(sentence))
    # A follow-up's superseded figure (当初は約3万件としていた) is no candidate beside a current one.
    if any(c.current for c in by_value.values()):
        by_value = {value: c for value, c in by_value.items() if c.current}
    if not by_value:
        return []
    ranked = sorted(by_value, reverse=True)
    title_values = sorted((v for v, c in by_value.items() if c.features.get("in_title")), reverse=True)
    candidates = []
    for value, candidate in by_value.items():
        features = dict(candidate.features)
        features["mentions"] = _hits(int(features["mentions"]))
        features["largest"] = float(value == ranked[0])
        features["value_rank"] = 1 / (1 + ranked.index(value))
        features["largest_in_title"] = float(bool(title_values) and value == title_values[0])
        features["magnitude"] = math.log10(value + 1) / 8
        features["small"] = float(value < 10)
        # `8万件超` in the headline and `83,412件` in the text are one figure told twice; the exact
        # telling is the total, the rounded one its summary.
        near = [c for v, c in by_value.items() if v != value and abs(v - value) <= 0.2 * max(v, value)
                and c.unit == candidate.unit]
        features["exact_of_rounded"] = float(candidate.qualifier == "exact"
                                             and any(c.qualifier != "exact" for c in near))
        features["rounded_of_exact"] = float(candidate.qualifier != "exact"
                                             and any(c.qualifier == "exact" for c in near))
        # `6万件` in the headline and `約6万1千件` in the text: the finer figure is the total, whatever
        # the words around each say of it.
        near_digits = [_significant_digits(v) for v, c in by_value.items() if c in near]
        features["finer_of_near"] = float(any(_significant_digits(value) > d for d in near_digits))
        features["coarser_of_near"] = float(any(_significant_digits(value) < d for d in near_digits))
        candidates.append(Candidate((value, candidate.unit, candidate.qualifier), features, candidate.evidence))
    return candidates


def _significant_digits(value: int) -> int:
    return len(str(value).rstrip("0"))


def _total_cue_features(sentence: str, start: int, end: int) -> Features:
    """The total cues around a count at [start, end) of its sentence."""
    features = {}
    scopes = {"before": sentence[max(0, start - TOTAL_BEFORE_CHARS):start],
              "after": sentence[end:end + TOTAL_BEFORE_CHARS], "sentence": sentence}
    for cue in incident_rules().total_cues:
        scope = scopes[cue.where]
        if cue.pattern.match(scope) if cue.where == "after" else cue.pattern.search(scope):
            features[cue.id] = 1.0
    return features


def affected_total(article: AnalysedArticle, counts: list[CountRow]) -> tuple[int | None, str, str]:
    """The incident's total, its unit and qualifier (None when the article gives none)."""
    choice = rank(decision_models()["affected_total"], total_candidates(article, counts))
    return choice.value if choice.value else (None, "", "")


# ----------------------------------------------------------------------------------------------
# victim


def title_sources(title: str) -> list[str]:
    """The organisations a headline's trailing `(X)` names as its source (not news outlets)."""
    rules = incident_rules()
    match = rules.title_source.search(title)
    if not match:
        return []
    org = org_rules()

    def is_outlet(name: str) -> bool:
        entry = org.gazetteer.get(name)
        return bool((entry and entry.media) or org.media.search(name))

    whole = canonical_name(rules.title_source_noise.sub("", match.group(1).strip()))
    if is_outlet(whole):  # `(TOKYO MX)`: one outlet, though its name has a space
        return []
    names = []
    for part in rules.title_source_separator.split(match.group(1)):
        name = canonical_name(rules.title_source_noise.sub("", part.strip()))
        if is_outlet(name) or rules.title_source_not_name.search(name):
            continue
        if is_organization_name(name):
            names.append(name)
    return names


def headline_article(article: AnalysedArticle) -> Article | None:
    """The headline (given, or the text's first line) as an article of its own, so the organisation
    stage can read it."""
    if not article.title:
        return None
    headline = incident_rules().title_tag.sub("", article.title)
    return Article(f"{article.article_id}#title", headline, article.article.source)


def _anaphor_credits(article: AnalysedArticle, organizations: list[Organization],
                     title_organizations: list[Organization]) -> dict[str, int]:
    """How often an anaphor (`同社`, `同市`) refers back to each organisation: the latest one
    mentioned before it whose name and kind fit, else one of the headline that fits."""
    credits: dict[str, int] = {}
    mentions = sorted((start, org) for org in organizations for start, _, _ in org.mentions)
    starts = [start for start, _ in mentions]

    def fits(anaphor: Anaphor, org: Organization) -> bool:
        return bool(anaphor.name.search(org.name)) and (not anaphor.kinds or org.kind in anaphor.kinds)

    for anaphor in incident_rules().anaphors:
        for match in anaphor.pattern.finditer(article.text):
            index = bisect.bisect_left(starts, match.start())
            referent = next((org for _, org in reversed(mentions[:index]) if fits(anaphor, org)), None)
            referent = referent or next((org for org in title_organizations if fits(anaphor, org)), None)
            if referent:
                credits[referent.name] = credits.get(referent.name, 0) + 1
    return credits


def _mention_cue_features(article: AnalysedArticle, org: Organization) -> tuple[Features, str]:
    """Victim cue features over every mention, and the sentence of the first subject mention."""
    text = article.text
    features: Features = {}
    evidence = ""
    for start, end, _ in org.mentions:
        sentence = article.sentence_at(start)
        after, before = text[end:end + CONTEXT_CHARS], text[max(0, start - CONTEXT_CHARS):start]
        is_subject = incident_rules().subject_marker.match(after)
        for cue in incident_rules().victim_cues:
            if cue.where == "after":
                hit = bool(cue.pattern.match(after))
            elif cue.where == "before":
                hit = bool(cue.pattern.search(before))
            else:
                hit = bool(is_subject and cue.pattern.search(text[end:sentence.end]))
            if hit:
                features[cue.id] = 1.0
                if cue.where == "subject" and not evidence:
                    evidence = article.quote(sentence)
    return features, evidence


def victim_candidates(article: AnalysedArticle, organizations: list[Organization],
                      title_organizations: list[Organization] = ()) -> list[Candidate]:
    """Every organisation of the text, of the headline and of its source tag, with its features."""
    rules = incident_rules()
    text, title = article.text, article.title
    tag = rules.title_tag.match(title)
    tag_end = tag.end() if tag else 0
    source_match = rules.title_source.search(title)
    source_start = source_match.start() if source_match else len(title)
    sources = title_sources(title)
    lead_end = _lead_end(article)
    credits = _anaphor_credits(article, organizations, list(title_organizations))
    event_starts = [m.start() for m in rules.event.finditer(text)]
    names = [org.name for org in organizations] + [org.name for org in title_organizations]

    def title_features(surfaces: set[str], name: str) -> Features:
        found = sorted(title.find(s) for s in surfaces if s and title.find(s) >= 0)
        if not found:
            return {"in_title": 0.0}
        first = found[0]
        return {"in_title": 1.0, "title_position": 1 - first / max(len(title), 1),
                "in_title_tag": float(first < tag_end), "in_title_source": float(first >= source_start),
                "title_source": float(name in sources or any(canonical_name(s) == name for s in sources))}

    def shared(name: str, kind: str) -> Features:
        features = {f"kind={kind}": 1.0}
        others = [n for n in names if n != name]
        features["sub_unit"] = float(any(name.startswith(o) for o in others))
        features["has_sub_unit"] = float(any(o.startswith(name) for o in others))
        return features

    def text_features(org: Organization) -> tuple[Features, str]:
        """Features of the mentions, and the sentence to quote: where it is a subject, else the first."""
        features, evidence = _mention_cue_features(article, org)
        first = min(start for start, _, _ in org.mentions)
        distance = min((abs(e - first) for e in event_starts), default=len(text))
        features.update({
            "mentions": _hits(len(org.mentions)),
            "first_mention": 1 - first / max(len(text), 1),
            "in_lead": float(first < lead_end),
            "near_event": 1 / (1 + distance / 20),
        })
        return features, evidence or article.quote(article.sentence_at(first))

    def add(org: Organization, surfaces: set[str], extra: Features) -> None:
        features = title_features(surfaces, org.name)
        features.update(shared(org.name, org.kind))
        features.update({kind.id: 1.0 for kind in rules.victim_kinds if kind.pattern.search(org.name)})
        features["name_length"] = min(len(org.name), 12) / 12
        features["org_probability"] = org.probability
        features.update({"org_ending": float(bool(rules.organization_endings.search(org.name))),
                         "anaphors": _hits(credits.get(org.name, 0)), "authority": float(org.authority),
                         "media": float(org.media), "contractor": float(org.contractor), **extra})
        found, sentence = text_features(org) if org.mentions else ({}, "")
        features.update(found)
        # A name of common nouns alone (保育施設, 和菓子) names a thing or a kind of body, not a body.
        features["common_nouns_only"] = float(any(common_nouns_only(article.tokens_between(start, end))
                                                  for start, end, _ in org.mentions))
        is_subject = any(name.startswith("victim.subject.") for name in found)
        evidence = sentence if is_subject or not features["in_title"] else article.quoted_title
        candidates[org.name] = Candidate(org.name, features, evidence)

    def spelled_in_text(name: str, kind: str = "other", like: Organization | None = None) -> Organization:
        """A name the organisation stage found only in the headline (or not at all), with the places
        the text spells it out, so that it is weighed like the others."""
        mentions = [(m.start(), m.end(), "headline") for m in re.finditer(re.escape(name), text)]
        if like is None:  # no organisation the model chose: it vouches for none of it
            return Organization(name, kind, mentions, probability=0.0)
        return Organization(name, like.kind, mentions, set(like.names), like.authority, like.media, like.contractor,
                            probability=like.probability)

    # A headline shortens names (北浜医大南浜病院 for 北浜医科大学南浜病院): the text's organisation
    # is the one the headline names, not a second candidate.
    shortened = {title_org.name: org for title_org in title_organizations for org in organizations
                 if abbreviates(title_org.name, org.name)}
    candidates: dict[str, Candidate] = {}
    for org in organizations:
        add(org, {text[s:e] for s, e, _ in org.mentions} | {org.name}
            | {short for short, long in shortened.items() if long is org}, {})
    # Named in the headline only (`北浜県 …の個人情報漏えいについて`, the text saying 県).
    for org in title_organizations:
        if org.name not in candidates and org.name not in shortened:
            add(spelled_in_text(org.name, like=org), org.names | {org.name}, {"title_only": 1.0})
    for name in sources:
        if not any(canonical_name(name) == known for known in candidates):
            add(spelled_in_text(name), {name}, {"title_only": 1.0, "source_only": 1.0})
    head = _title_head(title[tag_end:source_start])
    if head and not any(head.startswith(known) or known.startswith(head) or abbreviates(head, known)
                        for known in candidates):
        add(spelled_in_text(head), {head}, {
            "title_only": 1.0, "head_only": 1.0,
            "name_letters": float(bool(rules.name_letters.match(head)))})
    in_title = [c for c in candidates.values() if c.features.get("in_title")]
    if in_title:
        first = max(in_title, key=lambda c: c.features["title_position"])
        candidates[first.value].features["first_in_title"] = 1.0
    return list(candidates.values())


def abbreviates(short: str, long: str) -> bool:
    """Whether `short` is `long` with characters left out inside (医大 for 医科大学), its first and
    last two kept: the way a headline shortens a name."""
    if not 4 <= len(short) < len(long) or short[:2] != long[:2] or short[-2:] != long[-2:]:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def _title_head(headline: str) -> str:
    """The headline's first phrase when it may be a name (`X、…`, `Xが…`), else ""."""
    match = incident_rules().title_head.match(headline.strip())
    name = canonical_name(match.group(1)) if match else ""
    return name if is_organization_name(name) else ""


def choose_victim(article: AnalysedArticle, organizations: list[Organization],
                  title_organizations: list[Organization] = ()) -> str:
    choice = rank(decision_models()["victim"], victim_candidates(article, organizations, title_organizations))
    return choice.value or ""


# ----------------------------------------------------------------------------------------------
# the row


@dataclass(frozen=True)
class DecisionInputs:
    """Everything the incident row is made of before the learned choices: the candidates and
    features of each decision, and the fields that need no choosing."""

    article_id: str
    incident: Features
    victims: list[Candidate]
    causes: list[Candidate]
    totals: list[Candidate]
    announced_on: str
    occurred_on: str
    detected_on: str
    categories: str
    not_leaked_categories: str


def _first_date(dates: list[DateRow], role: str) -> str:
    for row in dates:
        if row.role == role:
            return row.value
    return ""


def decision_inputs(article: AnalysedArticle, organizations: list[Organization], dates: list[DateRow],
                    counts: list[CountRow], categories: list[CategoryRow],
                    title_organizations: list[Organization] = ()) -> DecisionInputs:
    leaked = sorted({c.category for c in categories if not c.negated})
    not_leaked = sorted({c.category for c in categories if c.negated} - set(leaked))
    line_end = _opening_headline_end(article)
    if line_end:
        # A file's first line is its headline, and a page's text often repeats its title: a name
        # only there is the headline's (often shortened), weighed as a given title's is, not as the
        # text's first mention.
        organizations = [org for org in organizations if any(start >= line_end for start, _, _ in org.mentions)]
    victims = victim_candidates(article, organizations, title_organizations)
    return DecisionInputs(
        article_id=article.article_id,
        incident=incident_features(article, counts, len(organizations) + len(title_organizations), len(leaked),
                                   victims),
        victims=victims,
        causes=cause_candidates(article),
        totals=total_candidates(article, counts),
        announced_on=_first_date(dates, "announced"),
        occurred_on=_first_date(dates, "occurred"),
        detected_on=_first_date(dates, "detected"),
        categories=";".join(leaked),
        not_leaked_categories=";".join(not_leaked),
    )


def _evidence(victim: Choice, cause: Choice) -> str:
    quotes = [q for q in (victim.evidence, cause.evidence) if q]
    return " … ".join(_quote(q) for q in dict.fromkeys(quotes))


@dataclass(frozen=True)
class Choices:
    """The four learned choices of one article (victim, cause and total are None for a non-incident)."""

    incident: Choice
    victim: Choice | None = None
    cause: Choice | None = None
    total: Choice | None = None

    def answers(self) -> list[tuple[str, Choice]]:
        """(decision, choice) of each answer the row gives: is_incident alone for a "no"."""
        if not self.incident.value:
            return [("is_incident", self.incident)]
        return [("is_incident", self.incident), ("victim", self.victim), ("cause", self.cause),
                ("affected_total", self.total)]


def make_choices(inputs: DecisionInputs) -> Choices:
    models = decision_models()
    incident = decide_yes(models["is_incident"], inputs.incident)
    if not incident.value:
        return Choices(incident)
    return Choices(incident, rank(models["victim"], inputs.victims), rank(models["cause"], inputs.causes),
                   rank(models["affected_total"], inputs.totals))


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log(probability / (1 - probability))


ARTICLE_SHAPE = ("many_organisations", "many_counts", "victim_subject", "title_source")


def confidence_features(decision: str, choice: Choice) -> Features:
    """What says one answer may be wrong: an unsure choice (its log-odds), a close call (its margin
    to the runner-up or the threshold), many candidates, an empty answer, a "no"."""
    features: Features = {"logit": _logit(choice.probability), "margin": min(choice.margin, 1.0)}
    if decision == "victim" and choice.value is not None:
        features["org_probability"] = choice.features.get("org_probability", 0.0)
    if decision == "is_incident":
        features["said_no"] = float(not choice.value)
        # The article's shape: many organisations or counts to choose among, a victim that speaks
        # as a subject, a headline naming its source. On held-out rows these found more wrong rows.
        features.update({f"article:{name}": choice.features.get(name, 0.0) for name in ARTICLE_SHAPE})
        return features
    features["candidates"] = _hits(choice.candidates) / 4
    features["none"] = float(choice.value is None or choice.value == UNKNOWN_CAUSE)
    if features["none"]:
        # An empty answer is sure in its own way (no candidate was good enough): its log-odds and
        # margin weigh apart from a named answer's. On held-out rows this found more wrong rows.
        features["none_logit"], features["none_margin"] = features.pop("logit"), features.pop("margin")
    return features


def row_confidence(choices: Choices) -> float:
    """The probability that the row is right: the product of each answer's probability of being
    right, as its confidence model (fitted on held-out rows) gives it, else as its choice model
    does. (One logistic model of the whole row, over the same features and more of the candidates'
    own, found fewer of the wrong rows among the least sure on held-out folds.)"""
    models = decision_models()
    confidence = 1.0
    for decision, choice in choices.answers():
        model = models.get(CONFIDENCE_MODELS[decision])
        confidence *= model.probability(confidence_features(decision, choice)) if model else choice.probability
    return confidence


def decide(inputs: DecisionInputs) -> IncidentRow:
    """The incident row: the learned models choose; `confidence` is the probability that the row
    is right (pipeline/learning/decisions.py fits it on held-out rows), `evidence` quotes where the
    victim and the cause were read."""
    choices = make_choices(inputs)
    confidence = row_confidence(choices)
    if not choices.incident.value:
        return IncidentRow(inputs.article_id, "", False, "", "", None, "", "", "", "", "", inputs.categories,
                           inputs.not_leaked_categories, round(confidence, 3), "")
    victim, cause, total = choices.victim, choices.cause, choices.total
    value, unit, qualifier = total.value or (None, "", "")
    return IncidentRow(
        article_id=inputs.article_id,
        case_id="",
        is_incident=True,
        victim=victim.value or "",
        cause=cause.value or UNKNOWN_CAUSE,
        affected_total=value,
        affected_unit=unit,
        affected_qualifier=qualifier,
        announced_on=inputs.announced_on,
        occurred_on=inputs.occurred_on,
        detected_on=inputs.detected_on,
        categories=inputs.categories,
        not_leaked_categories=inputs.not_leaked_categories,
        confidence=round(confidence, 3),
        evidence=_evidence(victim, cause),
    )


def roll_up(article: AnalysedArticle, organizations: list[Organization], dates: list[DateRow],
            counts: list[CountRow], categories: list[CategoryRow],
            title_organizations: list[Organization] = ()) -> IncidentRow:
    """One incident row per article; the fields stay empty when the article reports no incident."""
    return decide(decision_inputs(article, organizations, dates, counts, categories, title_organizations))


def is_incident(article: AnalysedArticle, counts: list[CountRow]) -> bool:
    return decide_yes(decision_models()["is_incident"], incident_features(article, counts)).value


def incident_period(incident: IncidentRow, reference_date: str, length: int) -> str:
    """The first `length` characters (4: the year, 7: the month) of the date an incident counts
    under: announced, else detected, else occurred, else the article's date; "" when none.
    `incident` may also be a DataFrame row with the same columns."""
    for value in (incident.announced_on, incident.detected_on, incident.occurred_on, reference_date):
        if isinstance(value, str) and len(value) >= length and value[:4].isdigit():
            return value[:length]
    return ""
