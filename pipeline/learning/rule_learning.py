"""Learn from corrected gold records (`pipeline retrain`).

What is learned, each kept apart from the hand-written rules (pipeline/stages/rules/learned/*.yaml,
entries appended to the sections of the file of the same name):

- gazetteer.yaml: organisations the pipeline missed, with their other accepted names as aliases
  and a kind read off the name;
- organizations.yaml: names it reported that the gold says are not organisations;
- categories.yaml: data-category phrases, found where a missed category stands in a list with
  categories the lexicon knows (`氏名、住所、診察券番号` with `health` missed: 診察券番号);
- counts.yaml: counters the pipeline did not read (`1,200通分`);
- incident.yaml: cause cue phrases of the headline and lead that mark one cause in the gold;
- disabled.yaml: rules whose output is mostly false positives on the gold.

Every learned entry's id is a hash of what it says, and the files are written sorted, so the
same gold gives the same files.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.learning.evaluate import SCORED_UNITS, normalize_org
from pipeline.records import Article, Extraction
from pipeline.stages.analysis import analyse
from pipeline.stages.numerals import NUMBER_PATTERN, parse_number
from pipeline.stages.organizations import org_rules
from pipeline.stages.rules import DISABLED_FILE

# A rule is switched off when its output on the gold is mostly wrong, and often enough to tell:
# even the optimistic end of its precision's confidence interval stays under one half.
MIN_FALSE_POSITIVES = 3
MAX_PRECISION_TO_DISABLE = 0.5
WILSON_Z = 1.28
# A cause cue must mark at least this many gold articles of its cause, and none of another.
MIN_CUE_SUPPORT = 2
# や and と join list items only between nouns (`氏名と住所`, not `送信したと発表`).
_NOUN_CHAR = r"[\u4e00-\u9fff々ァ-ヴーA-Za-z]"
_SEPARATOR = re.compile(rf"(?:、|,|，|・|/|／|および|及び|並びに|ならびに|(?<={_NOUN_CHAR})[やと](?={_NOUN_CHAR}))")
_TERM = re.compile(rf"{_NOUN_CHAR}{{2,12}}")
# An organisation-name ending worth learning: one to five kanji (署, 土木事務所), nothing else.
_SUFFIX = re.compile(r"[\u4e00-\u9fff々]{1,5}")


def learned_id(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]
    return f"learned.{kind}.{digest}"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass
class RulePrecision:
    rule: str
    tp: int = 0
    fp: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def precision_upper_bound(self) -> float:
        """The Wilson score interval's upper end (80%): how good the rule may still be, given so
        few rows. 1 right of 4 may be bad luck; 0 of 3, or 3 of 12, hardly."""
        n = self.tp + self.fp
        if not n:
            return 1.0
        z = WILSON_Z
        centre = (self.precision + z * z / (2 * n)) / (1 + z * z / n)
        margin = z * math.sqrt(self.precision * (1 - self.precision) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre + margin


@dataclass
class Learned:
    """Learned rule files (name -> {section: entries}) and the measured rule precisions."""

    files: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    precisions: list[RulePrecision] = field(default_factory=list)

    def add(self, file_name: str, section: str, entry: dict) -> None:
        entries = self.files.setdefault(file_name, {}).setdefault(section, [])
        if all(e["id"] != entry["id"] for e in entries):
            entries.append(entry)

    def sort(self) -> None:
        for sections in self.files.values():
            for entries in sections.values():
                entries.sort(key=lambda e: e["id"])

    def count(self) -> dict[str, int]:
        return {f"{name}:{section}": len(entries) for name, sections in sorted(self.files.items())
                for section, entries in sorted(sections.items())}

    @property
    def disabled(self) -> list[str]:
        return [e["rule"] for e in self.files.get(DISABLED_FILE, {}).get("disabled_rules", [])]


# -- organisations ---------------------------------------------------------------------------

def guess_kind(name: str) -> str:
    """An organisation's kind read off its name: its legal form or suffix, else a company."""
    rules = org_rules()
    for surface, (kind, _) in sorted(rules.legal_forms.items(), key=lambda item: -len(item[0])):
        if surface in name:
            return kind
    for suffix, (kind, _) in sorted(rules.suffixes.items(), key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return kind
    if re.search(r"(?:県|府|都|道|市|区|町|村|署|事務所)$", name):
        return "government"
    return "company"


def _predicted_names(extraction: Extraction) -> set[str]:
    return {normalize_org(row.name) for row in extraction.organizations}


def learn_organizations(gold: dict, article: Article, extraction: Extraction, learned: Learned) -> None:
    text = nfkc(article.text)
    predicted = _predicted_names(extraction)
    for names in gold.get("organizations", []):
        if predicted & {normalize_org(n) for n in names}:
            continue
        present = [n for n in names if nfkc(n) in text]
        if not present:
            continue  # nothing to find in this text: the name is written some way gold did not list
        name = max(present, key=len)
        aliases = sorted({nfkc(n) for n in names} - {nfkc(name)})
        entry = {"id": learned_id("gaz", nfkc(name)), "name": nfkc(name), "kind": guess_kind(nfkc(name))}
        if aliases:
            entry["aliases"] = aliases
        learned.add("gazetteer.yaml", "organizations", entry)
    accepted = {normalize_org(n) for names in gold.get("organizations", []) for n in names}
    optional = {normalize_org(n) for names in gold.get("organizations_optional", []) for n in names}
    victims = {normalize_org(n) for n in gold.get("victim", [])}
    known = org_rules().gazetteer
    for row in extraction.organizations:
        key, name = normalize_org(row.name), nfkc(row.name)
        if key not in accepted | optional | victims:
            # Not an organisation at all, says the gold: a heading, a product, a boilerplate line.
            learned.add("organizations.yaml", "not_organizations",
                        {"id": learned_id("notorg", name), "pattern": f"^{re.escape(name)}$"})
        elif row.role == "victim" and key in optional and key not in victims:
            _learn_bystander(name, row.kind, known, learned)
    victim = nfkc(extraction.incident.victim)
    key = normalize_org(victim)
    if victim and victims and key not in victims and gold.get("is_incident", True):
        # A victim read from where a publisher signs (`…流出（テックレポ）`) that the gold does not
        # name as an organisation: neither an organisation nor a victim, in any article.
        if key not in accepted | optional:
            learned.add("organizations.yaml", "not_organizations",
                        {"id": learned_id("notorg", victim), "pattern": f"^{re.escape(victim)}$"})
        if key not in accepted:
            _learn_bystander(victim, "company", known, learned)


def _learn_bystander(name: str, kind: str, known: dict, learned: Learned) -> None:
    """Named in passing (a publisher's byline, a stock exchange, a shop) yet taken for the victim:
    the victim score counts such names down, as it does the news media."""
    if name not in known:
        learned.add("gazetteer.yaml", "organizations", {"id": learned_id("bystander", name), "name": name,
                                                        "kind": kind, "media": True})


def learn_suffixes(gold: dict, article: Article, extraction: Extraction, learned: Learned) -> None:
    """Name endings of missed organisations whose stem is a place name (杉並|署): other places
    with the same ending are organisations of the same kind (練馬署)."""
    predicted = _predicted_names(extraction)
    rules = org_rules()
    analysed = None
    for names in gold.get("organizations", []):
        if predicted & {normalize_org(n) for n in names}:
            continue
        for name in sorted({nfkc(n) for n in names}, key=len, reverse=True):
            analysed = analysed or analyse(article)
            at = analysed.text.find(name)
            if at < 0 or name in rules.gazetteer:
                continue
            tokens = analysed.tokens_between(at, at + len(name))
            places = 0
            while places < len(tokens) and tokens[places].is_place_name:
                places += 1
            suffix = name[tokens[places].start - at:] if 0 < places < len(tokens) else ""
            if _SUFFIX.fullmatch(suffix) and suffix not in rules.suffixes:
                learned.add("organizations.yaml", "suffixes", {"id": learned_id("suffix", suffix),
                                                               "kind": guess_kind(name), "terms": [suffix]})
            break


# -- data categories -------------------------------------------------------------------------

def _list_items(sentence: str) -> list[tuple[int, int, str]]:
    """The items of the lists in a sentence: stretches between list separators (、・や…)."""
    items, start = [], 0
    for match in _SEPARATOR.finditer(sentence):
        items.append((start, match.start(), sentence[start:match.start()]))
        start = match.end()
    items.append((start, len(sentence), sentence[start:]))
    return items


_PARTICLE = re.compile(r"[はがをにでのもへ「」（）()【】:：]")


def _item_term(item: str, first: bool, last: bool) -> str:
    """The noun phrase a list item names: in the first item, what follows its last particle
    (`患者の|氏名`); in the last, what precedes its first particle (`処方薬情報|が`)."""
    if last:
        item = _PARTICLE.split(re.sub(r"(?:など|等|の一部|といった).*$", "", item))[0]
    if first:
        item = _PARTICLE.split(item)[-1]
    return item.strip(" 　")


def learn_categories(gold: dict, article: Article, extraction: Extraction, learned: Learned,
                     lexicon_terms: set[str]) -> None:
    predicted = {(row.category, not row.negated) for row in extraction.categories}
    missing = {(code, bool(leaked)) for code, leaked in gold.get("categories", {}).items()
               if code != "other" and (code, bool(leaked)) not in predicted}
    if len(missing) != 1:
        return  # one missed category and one unknown list item: anything more is a guess
    (code, _), = missing
    analysed = analyse(article)
    known_spans = [(row.start, row.end) for row in extraction.categories]
    unknown_terms: set[str] = set()
    for sentence in analysed.sentences:
        items = _list_items(sentence.text)
        if len(items) < 2:
            continue
        spans = [analysed.norm.to_original(sentence.start + a, sentence.start + b) for a, b, _ in items]
        known = [any(s < end and start < e for s, e in known_spans) for start, end in spans]
        if not any(known):
            continue  # a list of data categories holds at least one category the lexicon knows
        for position, (_, _, item) in enumerate(items):
            if known[position]:
                continue
            term = _item_term(item, first=position == 0, last=position == len(items) - 1)
            if _TERM.fullmatch(term) and term not in lexicon_terms:
                unknown_terms.add(term)
    if len(unknown_terms) == 1:
        term = unknown_terms.pop()
        learned.add("categories.yaml", "lexicon", {"id": learned_id("cat", code, term), "category": code,
                                                   "terms": [term]})


# A learned category term must mean its category wherever the gold has it: in at least this share
# of the gold articles whose text holds the term, the gold lists that category (leaked, not leaked
# or optional). One list item read wrong (`対象` taken for a phone number) fails it at once.
TERM_FAITHFULNESS = 2 / 3


def drop_unfaithful_terms(gold_records: list[dict], articles: dict[str, Article], learned: Learned) -> None:
    entries = learned.files.get("categories.yaml", {}).get("lexicon", [])
    texts = {g["id"]: nfkc(articles[g["id"]].text) for g in gold_records if g["id"] in articles}
    kept = []
    for entry in entries:
        term, code = entry["terms"][0], entry["category"]
        holding = [g for g in gold_records if term in texts.get(g["id"], "")]
        faithful = [g for g in holding
                    if code in g.get("categories", {}) or code in g.get("categories_optional", [])]
        if len(faithful) >= TERM_FAITHFULNESS * len(holding):
            kept.append(entry)
    if kept:
        learned.files["categories.yaml"]["lexicon"] = kept
    elif entries:
        del learned.files["categories.yaml"]["lexicon"]
        if not learned.files["categories.yaml"]:
            del learned.files["categories.yaml"]


# -- counts ----------------------------------------------------------------------------------

_NUMBER = re.compile(NUMBER_PATTERN)


def learn_counters(gold: dict, article: Article, extraction: Extraction, learned: Learned,
                   known_units: set[str]) -> None:
    predicted = {(row.value, row.unit) for row in extraction.counts}
    text = nfkc(article.text)
    for value, unit in gold.get("counts", []):
        if (int(value), unit) in predicted or unit not in SCORED_UNITS:
            continue
        for match in _NUMBER.finditer(text):
            if parse_number(match.group()) != int(value):
                continue
            after = re.match(r"[^\s\d、。,.()（）「」]{1,3}", text[match.end():])
            if not after:
                continue
            surface = after.group()
            # The counter: the unit itself followed by what the text adds (`人分`, `名様`), or
            # a counter ending in the unit (`世帯人`).
            for size in range(len(surface), 0, -1):
                candidate = surface[:size]
                if candidate in known_units:
                    break
                if candidate.startswith(unit) and len(candidate) > len(unit):
                    learned.add("counts.yaml", "units", {"id": learned_id("unit", candidate, unit),
                                                         "surface": candidate, "unit": unit})
                    break


# -- causes ----------------------------------------------------------------------------------

def _lead_phrases(article: Article) -> set[str]:
    """Content-word phrases (one or two tokens) of the headline and the first two sentences."""
    analysed = analyse(article)
    sentences = analysed.sentences[:3]
    phrases = set()
    for sentence in sentences:
        tokens = analysed.tokens_between(sentence.start, sentence.end)
        content = [t for t in tokens if t.pos1 in ("名詞", "動詞") and t.pos2 not in ("数詞", "固有名詞")
                   and len(t.surface) >= 2]
        phrases |= {t.surface for t in content}
        for first, second in zip(tokens, tokens[1:], strict=False):
            if first.pos1 == "名詞" and second.pos1 in ("名詞", "動詞") and first.pos2 != "数詞":
                phrases.add(first.surface + second.surface)
    return phrases


def learn_causes(gold_records: list[dict], articles: dict[str, Article], extractions: dict[str, Extraction],
                 learned: Learned, known_patterns: list[re.Pattern[str]]) -> None:
    """Phrases that mark one cause across the gold: in at least MIN_CUE_SUPPORT articles of that
    cause that the pipeline got wrong or left unknown, and in no gold article of another cause."""
    by_cause: dict[str, Counter] = defaultdict(Counter)
    elsewhere: Counter = Counter()
    for gold in gold_records:
        article = articles[gold["id"]]
        causes = set(gold.get("cause", []))
        if not gold.get("is_incident", True) or len(causes) != 1:
            continue
        phrases = _lead_phrases(article)
        (cause,) = causes
        missed = extractions[gold["id"]].incident.cause != cause
        for phrase in phrases:
            if missed:
                by_cause[cause][phrase] += 1
            elsewhere[(phrase, cause)] += 1
    for cause, counter in sorted(by_cause.items()):
        for phrase, support in sorted(counter.items()):
            if support < MIN_CUE_SUPPORT:
                continue
            if any(elsewhere[(phrase, other)] for (p, other) in list(elsewhere) if p == phrase and other != cause):
                continue
            if any(pattern.search(phrase) for pattern in known_patterns):
                continue
            learned.add("incident.yaml", "causes", {"id": learned_id("cause", cause, phrase), "cause": cause,
                                                    "pattern": re.escape(phrase)})


# -- rule precision --------------------------------------------------------------------------

def measure_rules(gold_records: list[dict], extractions: dict[str, Extraction]) -> list[RulePrecision]:
    """Each rule's true and false positives on the gold, judged as the scorer judges rows."""
    tally: dict[str, RulePrecision] = {}

    def record(rule: str, correct: bool | None) -> None:
        if correct is None:
            return  # neither right nor wrong: optional in the gold, or a field the scorer ignores
        entry = tally.setdefault(rule, RulePrecision(rule))
        if correct:
            entry.tp += 1
        else:
            entry.fp += 1

    for gold in gold_records:
        extraction = extractions[gold["id"]]
        orgs = [{normalize_org(n) for n in names} for names in gold.get("organizations", [])]
        optional_orgs = {normalize_org(n) for names in gold.get("organizations_optional", []) for n in names}
        for row in extraction.organizations:
            name = normalize_org(row.name)
            record(row.source, None if name in optional_orgs else any(name in names for names in orgs))
        dates, optional_dates = set(gold.get("dates", [])), set(gold.get("dates_optional", []))
        for row in extraction.dates:
            record(row.rule, None if row.value in optional_dates else row.value in dates)
        counts = {(int(v), u) for v, u in gold.get("counts", [])}
        optional_counts = {(int(v), u) for v, u in gold.get("counts_optional", [])}
        for row in extraction.counts:
            pair = (row.value, row.unit)
            skip = row.unit not in SCORED_UNITS or pair in optional_counts
            record(row.rule, None if skip else pair in counts)
        categories = {(c, bool(v)) for c, v in gold.get("categories", {}).items()}
        optional_categories = set(gold.get("categories_optional", []))
        for row in extraction.categories:
            skip = row.category in optional_categories or row.category == "other"
            record(row.rule, None if skip else (row.category, not row.negated) in categories)
    return sorted(tally.values(), key=lambda p: p.rule)


def disable_rules(precisions: Iterable[RulePrecision], learned: Learned) -> None:
    for entry in precisions:
        # A rule that is right elsewhere is not switched off on the word of a few articles.
        if entry.fp >= MIN_FALSE_POSITIVES and entry.precision_upper_bound < MAX_PRECISION_TO_DISABLE:
            learned.add(DISABLED_FILE, "disabled_rules", {
                "id": learned_id("off", entry.rule), "rule": entry.rule,
                "precision": round(entry.precision, 3), "tp": entry.tp, "fp": entry.fp})


# -- all of it -------------------------------------------------------------------------------

def learn(gold_records: list[dict], articles: dict[str, Article], extractions: dict[str, Extraction]) -> Learned:
    """Everything the gold teaches, given the stock pipeline's output on the same articles."""
    from pipeline.stages.categories import category_rules
    from pipeline.stages.counts import count_rules
    from pipeline.stages.incident import incident_rules

    lexicon_terms = set(category_rules().terms)
    known_units = set(count_rules().units)
    cause_patterns = [rule.pattern for rule in incident_rules().causes]
    learned = Learned()
    for gold in gold_records:
        article, extraction = articles[gold["id"]], extractions[gold["id"]]
        learn_organizations(gold, article, extraction, learned)
        learn_suffixes(gold, article, extraction, learned)
        learn_categories(gold, article, extraction, learned, lexicon_terms)
        learn_counters(gold, article, extraction, learned, known_units)
    learn_causes(gold_records, articles, extractions, learned, cause_patterns)
    drop_unfaithful_terms(gold_records, articles, learned)
    learned.precisions = measure_rules(gold_records, extractions)
    disable_rules(learned.precisions, learned)
    learned.sort()
    return learned
