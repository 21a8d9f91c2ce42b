"""Organisation identity across articles: the keys under which one organisation is known.

Two articles name the same organisation when their key sets meet. A key is the organisation
stage's merge key (株式会社X = X = X社), after the rewrites of `rules/aliases.yaml` (南浜区教委 =
南浜区教育委員会, 北浜県南浜市 = 南浜市); a name listed under `aliases` stands for its entry's id
(JR西日本 = 西日本旅客鉄道); a municipal body (〇〇市消防局, 〇〇市立小学校) also carries the key of
its municipality; a university's hospital carries the university's key. Old and variant character
forms are read as the common one (`character_forms`: 澤 = 沢, 髙 = 高), and a Latin name the text
gives with its katakana reading (KIRARA（キララ）) is known under both.

A short and a long form of one name (ハマナス and ハマナス電子, 保健機構 and 北浜保健機構) share no key:
`key_edges` gives a key's prefixes and suffixes, indexed so that either article finds the other,
and the pair model (linking.py) weighs such a partial match below a whole shared key. Keys are
plain strings, so they can be indexed to find an article's candidate cases without comparing it
to every stored article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.stages.organizations import merge_key, org_rules
from pipeline.stages.rules import (
    LINE_KEY,
    RuleError,
    alternation,
    compile_pattern,
    load,
    rule_cache,
    rule_path,
    section,
)

ALIASES_FILE = "aliases.yaml"
# A headline substring is looked up as a key only at a name's edges: not inside a Latin word
# (KTB in i.KTB) and not before more katakana or Latin (三井住友 in 三井住友カード).
_NAME_CONTINUES_BEFORE = re.compile(r"[A-Za-z0-9.&]")
_NAME_CONTINUES_AFTER = re.compile(r"[A-Za-z0-9&゠-ヿ]")
_GOVERNMENT_END = re.compile(r"[都道府県市区町村]$")
_LONGEST_NAME = 24
# Left out of a key, as merge_key leaves them out.
_SEPARATORS = str.maketrans("", "", " \t\u3000・,、")
_FOREIGN_RUN = re.compile(r"[a-z゠-ヿ][a-z0-9゠-ヿ.&!']{2,}")
# A name's edge pieces shorter than this are too common to find a case by (日本, 東京).
SHORTEST_EDGE = 3
# Marks an indexed edge piece, so that it never meets a whole key by accident.
EDGE_MARK = "~"
# A Latin name with its katakana reading in brackets, or the other way round.
_LATIN = r"[A-Za-z][A-Za-z0-9&.'\- ]{1,30}[A-Za-z0-9.]"
_KATAKANA = r"[ァ-ヺー・]{2,30}"
_READING_PAIRS = (re.compile(rf"(?P<a>{_LATIN})\s*[（(]\s*(?P<b>{_KATAKANA})\s*[）)]"),
                  re.compile(rf"(?P<a>{_KATAKANA})\s*[（(]\s*(?P<b>{_LATIN})\s*[）)]"))


@dataclass(frozen=True)
class IdentityRules:
    alias_of: dict[str, str]  # merge key of a listed name -> its entry id
    rewrites: list[tuple[re.Pattern[str], str]]
    parts_of: list[re.Pattern[str]]
    title_places: list[re.Pattern[str]]
    not_places: frozenset[str]
    not_identities: frozenset[str]  # merge keys
    name_end: re.Pattern[str]  # a name ending (…センター, …市) after at least two characters
    character_forms: dict[int, str]  # a variant form's code point -> the common form


@rule_cache
def identity_rules() -> IdentityRules:
    path = rule_path(ALIASES_FILE)
    data = load(ALIASES_FILE)
    alias_of = {}
    for entry in section(data, "aliases", path, ["names"]):
        for name in entry["names"]:
            alias_of[merge_key(name)] = entry["id"]
    rewrites = [(compile_pattern(e, path), str(e["replace"])) for e in section(data, "rewrites", path, ["replace"])]
    forms = {}
    for entry in section(data, "character_forms", path, ["pairs"]):
        for pair in str(entry["pairs"]).split():
            if len(pair) != 2 or pair[0] == pair[1]:
                raise RuleError(path, entry.get(LINE_KEY),
                                f"{entry['id']}: {pair!r} is not a variant and its common form")
            forms[ord(pair[0])] = pair[1]
    return IdentityRules(alias_of=alias_of, rewrites=rewrites,
                         parts_of=[compile_pattern(e, path) for e in section(data, "parts_of", path)],
                         title_places=[compile_pattern(e, path) for e in section(data, "title_places", path)],
                         not_places=frozenset(w for e in section(data, "not_places", path, ["words"])
                                              for w in e["words"]),
                         not_identities=frozenset(merge_key(n) for e in section(data, "not_identities", path, ["names"])
                                                  for n in e["names"]),
                         name_end=re.compile(r"..(?:" + alternation(
                             w for e in section(data, "headline_name_ends", path, ["words"]) for w in e["words"])
                             + r")$"),
                         character_forms=forms)


def folded(text: str) -> str:
    """NFKC, with old and variant character forms read as the common one (髙橋 -> 高橋)."""
    return unicodedata.normalize("NFKC", text).translate(identity_rules().character_forms)


def _rewritten(name: str) -> str:
    text = folded(name).strip()
    for pattern, replacement in identity_rules().rewrites:
        text = pattern.sub(replacement, text)
    return text


def names_a_reporter(name: str) -> bool:
    """True for a news outlet or portal (by the gazetteer, its media pattern or `not_identities`)."""
    rules = org_rules()
    entry = rules.gazetteer.get(name)
    return bool(entry and entry.media) or bool(rules.media.search(name)) \
        or merge_key(name) in identity_rules().not_identities


def names_an_authority(name: str) -> bool:
    """True for a regulator, the police or a court (they are named in other bodies' incidents)."""
    rules = org_rules()
    entry = rules.gazetteer.get(name)
    return bool(entry and entry.authority) or bool(rules.authority.search(name))


def organisation_keys(name: str) -> set[str]:
    """Every key `name` is known under (empty for an empty name or a news outlet)."""
    if not name.strip() or names_a_reporter(name):
        return set()
    rules = identity_rules()
    keys = set()
    key = merge_key(_rewritten(name))
    if len(key) >= 2:  # one character names nothing (市, 社)
        keys.add(rules.alias_of.get(key, key))
    for spelling in list(keys):
        for pattern in rules.parts_of:
            match = pattern.match(spelling)
            if match:
                keys |= organisation_keys(match.group("unit"))
    return keys


def keys_of_names(names: Iterable[str]) -> set[str]:
    return {key for name in names for key in organisation_keys(name)}


def key_edges(key: str) -> set[str]:
    """The prefixes and suffixes of a key that could be a short form of it (at least three
    characters, never the whole key, never an alias id)."""
    if key.startswith("alias."):
        return set()
    return {piece for size in range(SHORTEST_EDGE, len(key)) for piece in (key[:size], key[-size:])}


def short_form_of(short: str, long: str) -> bool:
    """True when `short` is a short form of `long`: its start or its end, three characters or more."""
    return short != long and len(short) >= SHORTEST_EDGE and (long.startswith(short) or long.endswith(short))


def read_pairs(text: str) -> list[tuple[str, str]]:
    """The (Latin, katakana) names the text gives side by side: KIRARA（キララ）, キララ（KIRARA）."""
    found = []
    for pattern in _READING_PAIRS:
        for match in pattern.finditer(unicodedata.normalize("NFKC", text)):
            a, b = match.group("a").strip(), match.group("b").strip()
            found.append((a, b) if pattern is _READING_PAIRS[0] else (b, a))
    return found


def paired_reading_keys(keys: set[str], text: str) -> set[str]:
    """The keys of the other spelling of a name among `keys` that the text pairs with it."""
    more = set()
    for latin, katakana in read_pairs(text):
        latin_keys, katakana_keys = organisation_keys(latin), organisation_keys(katakana)
        if latin_keys & keys or any(short_form_of(k, key) for k in latin_keys for key in keys):
            more |= katakana_keys
        if katakana_keys & keys or any(short_form_of(k, key) for k in katakana_keys for key in keys):
            more |= latin_keys
    return more - keys


def title_place_names(title: str) -> set[str]:
    """The municipalities and prefectures a headline names (尼崎市の… -> 尼崎市)."""
    text = folded(title)
    rules = identity_rules()
    names = {match.group("name") for pattern in rules.title_places for match in pattern.finditer(text)}
    return names - rules.not_places


def headline_name_candidates(title: str) -> set[str]:
    """Keys that substrings of a headline could be, taken at a name's edges. Looked up against
    the keys of stored cases, they find the case a headline is about even when the organisation
    stage found no name in it (only real keys match, so most of these are never used)."""
    text = folded(title)
    alias_of = identity_rules().alias_of
    ends = [end for end in range(len(text) + 1) if end == len(text) or not _NAME_CONTINUES_AFTER.match(text[end])]
    candidates = set()
    for start in range(len(text)):
        if start and _NAME_CONTINUES_BEFORE.match(text[start - 1]):
            continue
        for end in ends:
            if end < start + 2:
                continue
            if end > start + _LONGEST_NAME:
                break
            if end - start < 3 and not _GOVERNMENT_END.search(text[start:end]):
                continue
            key = text[start:end].casefold().translate(_SEPARATORS)
            candidates.add(alias_of.get(key, key))
    return candidates


def headline_index_names(candidates: Iterable[str]) -> set[str]:
    """The headline candidates that look like a name: ending like an organisation's (…センター, …市)
    with more than the ending, or katakana or Latin letters up to a name's edge (カモメット, KTB). They are
    indexed to find an article by a name its headline gives, never to prove identity, so a common
    word among them costs a comparison, not a false link."""
    name_end = identity_rules().name_end
    return {c for c in candidates if name_end.search(c) or _FOREIGN_RUN.fullmatch(c)}


@rule_cache
def _common_word_keys() -> frozenset[str]:
    rules = org_rules()
    return frozenset(merge_key(word) for word in rules.common_words | rules.generic_names)


def is_common_word(key: str) -> bool:
    """A key that is also an everyday word (アクセス, システム, USB): in a headline it is that word, not
    the organisation of that name."""
    return key in _common_word_keys()
