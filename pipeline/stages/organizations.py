"""Organizations: patterns, a gazetteer and GiNZA entities, merged per article into named orgs.

Sources, each named in the `source` column by its rule id:
- legal forms (株式会社ミナトデータ, 北浜商事株式会社, 公立大学法人・北浜県立大学);
- name suffixes (南浜県警, 北浜市危険物安全協会, 北浜県立病院機構);
- place names that act (北浜市によりますと, 南浜県は24日);
- the gazetteer (総務省, 個人情報保護委員会);
- company contexts for katakana/Latin names (ミナトテックは11月27日, ソラリンクの代表, 会社「ミナトデータ」);
- GiNZA entities with an organisation label that pass the filters.
These are the rules' proposals. Wider ones join them (any GiNZA entity, names in quotes, the name
after a descriptor, a span without its leading region or page label), and a linear model fitted on
the gold (organizations.json, pipeline.learning.organizations) chooses among them all.
Then spellings of one organisation are merged (株式会社ミナトデータ = ミナトデータ, NORTH Cloud =
NORTHCloud, MINATO Credit(ミナトクレジット)), and every further mention of a kept name gets a row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.records import OrganizationRow
from pipeline.stages.analysis import AnalysedArticle, SpanIndex, in_spans, url_spans
from pipeline.stages.decisions import LinearModel, read_weights, write_weights
from pipeline.stages.rules import (
    RuleError,
    alternation,
    compile_pattern,
    disabled_rules,
    learned_path,
    load,
    rule_cache,
    rule_path,
    section,
    with_fragments,
)
from pipeline.stages.tokens import Token, tokenize

RULE_FILE = "organizations.yaml"
GAZETTEER_FILE = "gazetteer.yaml"

# A katakana or Latin name (ミナトテック, NORTH Cloud, ホシノ・インターナショナル).
LATIN_WORD = r"[A-Za-z][A-Za-z0-9&.'!\-]*"
KATAKANA_WORD = r"[ァ-ヴ][ァ-ヶーヽヾ]*"  # small ヵ/ヶ and iteration marks continue a word
# Katakana after a Latin word, written so that each character has one way to match: `(?:・?KATAKANA_WORD)*`
# can split a run in exponentially many ways, and a failing match tries them all.
KATAKANA_TAIL = r"(?:・?[ァ-ヴ](?:[ァ-ヶーヽヾ]|・[ァ-ヴ])*)?"
# The edges use every character a katakana word may continue with (ヵ, ヶ, iteration marks): a name
# never starts or ends inside a run, so a failing match costs one pass per run, not one per position.
NAME = (rf"(?<![A-Za-z0-9ァ-ヶーヽヾ・])(?:{LATIN_WORD}(?: {LATIN_WORD}){{0,3}}{KATAKANA_TAIL}"
        rf"|{KATAKANA_WORD}(?:・{KATAKANA_WORD})*(?:{LATIN_WORD})?)(?![A-Za-z0-9ァ-ヶーヽヾ])")
# A name that mixes scripts around a katakana or Latin core: 日立|システムズ, GMO|ペイメント…,
# イトーヨーカ|堂, ミナト|住設 (a short kanji business word after it). Used only after a cue that says
# a company follows (委託先の, 傘下の) or before its seat in brackets.
# Latin and katakana words, cut into units that each start at a letter (the same strings as
# `(?:LATIN_WORD|KATAKANA_WORD)(?:・?(?:LATIN_WORD|KATAKANA_WORD))*`, without its exponential backtracking).
_MIXED_UNIT = r"(?:[A-Za-z][0-9&.'!\-]*|[ァ-ヴ][ーヵヶヽヾ]*)"
MIXED_NAME = (rf"(?<![A-Za-z0-9ァ-ヶーヽヾ・])(?:[\u4e00-\u9fff々]{{1,4}})?"
              rf"{_MIXED_UNIT}(?:・?{_MIXED_UNIT})*[\u4e00-\u9fff々]{{0,3}}")
KANJI_NAME = r"[\u4e00-\u9fff々]{2,10}"
NAME_CHAR = r"A-Za-z0-9ァ-ヶー・&\u4e00-\u9fff々〆ゝゞヽヾ"
QUOTE_MARK = re.compile(r"[「」『』]")
PLACE_SUFFIXES = {"都", "道", "府", "県", "市", "区", "町", "村"}
PLACE_HEADS = {"市長", "区長", "町長", "村長"}  # 北浜市長: the mayor speaks for the city
# 全 opens references (全社, 全店) but also national bodies' names (全国…協会, 全日本…連盟).
NATIONAL_OPENINGS = ("全国", "全日本")
# What may open a line before a headline's place name: its number and bullet in a list (`3.■北浜市 …`),
# or a site's tag for its series (`【事件簿#2024-12】北浜県 …`).
LIST_MARKER = re.compile(r"[\s\d０-９.．)）■□●○◆◇◎・\-]*(?:【[^【】\n]{1,30}】\s?)?")
PAREN_ALIAS = re.compile(r"^\s?\(([ァ-ヴー・A-Za-z][ァ-ヴー・A-Za-z .]{1,30})\)")
# A short name the text gives in brackets (X(略称:Y), X(以下「Y」)): the same organisation.
ABBREVIATION = re.compile(r"^\s?\((?:略称|略|通称)[::]\s?([^()「」\s、。]{2,20})\)"
                          r"|^\s?\(以下[、,]?「([^「」\s]{2,20})」")
HIRAGANA_WORD = re.compile(r"[\u3041-\u309f]+")
KANA_WORD = re.compile(r"[\u3041-\u309f\u30a1-\u30ffー]+")
HAS_KANJI = re.compile(r"[\u4e00-\u9fff]")
HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x30A0))
# Kana that particles and verb endings are made of: a hiragana run holding one is a phrase.
PHRASE_KANA = r"[をにがはでとのへもたてしれるよかやっ]"
PHRASE_POS = {"助詞", "助動詞", "動詞", "副詞"}
HIRAGANA_PARTICLES = {"の", "は", "が", "を", "に", "で", "と", "も", "へ", "や", "から", "より", "こと", "もの"}
WEAK_CONTEXTS = {"org.context.lead_subject", "org.context.founded", "org.context.business_relation",
                 "org.context.seat_before", "org.context.business_kind", "org.context.announcer"}
# Contexts that say outright a company is meant, so a product-like word ending (北浜屋ストア) is kept.
STRONG_CONTEXTS = {"org.context.located", "org.context.peer_quoted"}
# A police force written before its station (南浜県警|北浜署) is an organisation of its own.
POLICE_FORCE = re.compile(r"(?:[\u4e00-\u9fff]{1,3}(?:県警|府警|道警)(?:察本部)?|警視庁|[都道府県]警)")
# A station named in hiragana after its force (県警|みなみ署).
KANA_STATION = re.compile(r"(?:県警|府警|道警|警視庁)([\u3041-\u3094ゝゞ]{2,6})$")
# A group's parent (楽天グループ): what stands before it is the brand of its companies, in any script.
GROUP_WORDS = {"グループ", "ホールディングス"}
# Banks still named by their number as national banks (十六銀行, 百五銀行): a name without a proper noun.
BANK_NUMBER = re.compile(r"[一二三四五六七八九十百]{2,}")
# Latin initials before a name (K.|ミナトリテイリング).
INITIALS = re.compile(r"(?:[A-Za-z]\.)+$")
# Which source's kind wins when one organisation is found by several (a suffix or legal form over
# a guess of the NER model): the order of the source prefixes.
# No organisation name is longer; a longer match is a run of text without breaks (and stripping
# legal forms from it one by one would take time growing with the square of its length).
MAX_NAME_CHARS = 60
SOURCE_PRIORITY = ("org.legal", "gaz.", "org.suffix", "org.place", "org.context", "org.list", "org.ner",
                   "org.municipal", "org.cand")


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    authority: bool
    media: bool


@dataclass(frozen=True)
class OrgRules:
    legal_forms: dict[str, tuple[str, str]]  # surface -> (kind, rule id)
    suffixes: dict[str, tuple[str, str]]  # suffix -> (kind, rule id)
    legal_before: re.Pattern[str]  # 株式会社NAME
    legal_after: re.Pattern[str]  # NAME株式会社
    suffix_pattern: re.Pattern[str]
    municipal_departments: tuple[tuple[str, re.Pattern[str]], ...]  # (rule id, pattern with a `name` group)
    tail: re.Pattern[str]
    page_label: re.Pattern[str]
    acting_place: tuple[tuple[str, re.Pattern[str]], ...]
    located_place: re.Pattern[str]  # a bracket saying where a body is, with a `place` group
    contexts: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str] | None], ...]  # (rule id, kind, pattern, before)
    company_lists: tuple[tuple[str, str, re.Pattern[str]], ...]  # (rule id, kind, pattern)
    brand_groups: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str]], ...]  # (id, kind, name end, what follows)
    joined_names: re.Pattern[str]  # after A・B: they are two organisations
    ner_labels: dict[str, tuple[str, str]]  # label -> (kind, rule id)
    generic_names: frozenset[str]
    generic_prefixes: tuple[str, ...]
    not_organizations: tuple[tuple[str, re.Pattern[str]], ...]  # (rule id, pattern)
    common_words: frozenset[str]
    person_titles: tuple[str, ...]  # endings of a person's title (社長, 容疑者)
    gazetteer: dict[str, GazetteerEntry]  # every name and alias -> entry
    gazetteer_pattern: re.Pattern[str]
    media: re.Pattern[str]
    authority: re.Pattern[str]  # names of authorities by form (府警, 地検) beyond the gazetteer
    contractor_before: re.Pattern[str]
    contractor_after: re.Pattern[str]
    legal_strip: re.Pattern[str]
    candidate_patterns: dict[str, re.Pattern[str]]  # rule id -> pattern with a `name` group (quoted, descriptor)
    cues: dict[str, re.Pattern[str]]  # cue id -> pattern (what the features look for around a candidate)
    product_tail: re.Pattern[str]  # a shop's or site's word ending a name (オンラインショップ)


def _by_id(entries: list[dict], rule_id: str) -> dict:
    for entry in entries:
        if entry["id"] == rule_id:
            return entry
    raise RuleError(rule_path(RULE_FILE), None, f"missing rule '{rule_id}'")


@rule_cache
def org_rules() -> OrgRules:
    path = rule_path(RULE_FILE)
    data = with_fragments(load(RULE_FILE), path)
    legal = {e["surface"]: (e["kind"], e["id"]) for e in section(data, "legal_forms", path, ["surface", "kind"])}
    suffixes = {}
    for entry in section(data, "suffixes", path, ["kind", "terms"]):
        for term in entry["terms"]:
            suffixes[str(term)] = (entry["kind"], entry["id"])
    legal_alt = alternation(legal)
    # みどり|手芸協会; never a particle run (NPO法人|から会計業務), a verb or a demonstrative
    # (調査会社で|ある|デジタル…株式会社, その…).
    function_word = rf"(?:ある|いる|する|なる|いう|この|その|あの)[{NAME_CHAR}]"
    brand = (rf"(?:(?![のはがをにでともへや]|から|まで|より|など|{function_word})"
             rf"[\u3041-\u309f]{{2,6}}(?=[{NAME_CHAR}]))?")
    # A company name in hiragana alone (株式会社はなまるは…) ends where a particle starts.
    hiragana_only = r"[\u3041-\u309f]{2,8}?(?=[はがのをにでと、。\s」)])"
    name_run = rf"(?:{brand}[{NAME_CHAR}](?:[{NAME_CHAR}]| (?=[A-Za-z]))*|{hiragana_only})"
    contexts = []
    for entry in section(data, "contexts", path, ["kind", "pattern"]):
        if not any(slot in entry["pattern"] for slot in ("{name}", "{mixed_name}", "{kanji_name}")):
            raise RuleError(path, entry.get("__line__"), f"rule '{entry['id']}': pattern lacks {{name}}")
        entry = dict(entry, pattern=entry["pattern"].replace("{name}", NAME).replace("{mixed_name}", MIXED_NAME)
                     .replace("{kanji_name}", KANJI_NAME))
        before = compile_pattern(entry, path, "before") if "before" in entry else None
        contexts.append((entry["id"], entry["kind"], compile_pattern(entry, path), before))
    # An item holds no separator (・ is one): a ・ that could be either would let a failing match
    # try every way of cutting a long run, and the items are cut at ・ afterwards anyway.
    item = rf"[{NAME_CHAR.replace('・', '')}]{{2,24}}"
    company_lists = tuple(
        (e["id"], e["kind"], compile_pattern(dict(e, pattern=e["pattern"].replace("{item}", item)), path))
        for e in section(data, "company_lists", path, ["kind", "pattern"]))
    brand_groups = tuple(
        (e["id"], e["kind"], re.compile(alternation(e["business_words"])), compile_pattern(e, path, "followed_by"))
        for e in section(data, "brand_groups", path, ["kind", "business_words", "followed_by"]))
    generic = section(data, "generic_names", path)
    generic_names = frozenset(n for e in generic for n in e.get("names", []))
    generic_prefixes = tuple(p for e in generic for p in e.get("prefixes", []))
    gaz_path = rule_path(GAZETTEER_FILE)
    gaz_data = load(GAZETTEER_FILE)
    gazetteer: dict[str, GazetteerEntry] = {}
    for entry in section(gaz_data, "organizations", gaz_path, ["name", "kind"]):
        item = GazetteerEntry(entry["id"], entry["name"], entry["kind"], tuple(entry.get("aliases", [])),
                              bool(entry.get("authority")), bool(entry.get("media")))
        for name in (item.name, *item.aliases):
            gazetteer[name] = item
    media = compile_pattern(section(gaz_data, "media_patterns", gaz_path, ["pattern"])[0], gaz_path)
    authority = re.compile("|".join(compile_pattern(e, gaz_path).pattern
                                    for e in section(gaz_data, "authority_patterns", gaz_path, ["pattern"])))
    contractor = section(data, "contractor_cues", path, ["pattern"])
    return OrgRules(
        legal_forms=legal,
        suffixes=suffixes,
        municipal_departments=tuple((e["id"], compile_pattern(e, path))
                                    for e in section(data, "municipal_departments", path, ["pattern"])),
        # A space may stand between a legal form and its name, a line break never: the line after a
        # release's `X株式会社` is its representative's title, not a name.
        legal_before=re.compile(rf"(?P<legal>{legal_alt})[ \u3000]?・?[ \u3000]?(?P<name>{name_run})"),
        legal_after=re.compile(rf"(?<![{NAME_CHAR}])(?P<name>{name_run}?)[ \u3000]?(?P<legal>{legal_alt})"),
        suffix_pattern=re.compile(rf"(?<![{NAME_CHAR}])[{NAME_CHAR}]*(?:{alternation(suffixes)})"),
        tail=compile_pattern(section(data, "tails", path, ["pattern"])[0], path),
        page_label=compile_pattern(section(data, "page_labels", path, ["pattern"])[0], path),
        acting_place=tuple((e["id"], compile_pattern(e, path))
                           for e in section(data, "acting_place", path, ["pattern"])),
        located_place=compile_pattern(section(data, "located_places", path, ["pattern"])[0], path),
        contexts=tuple(contexts),
        company_lists=company_lists,
        brand_groups=brand_groups,
        joined_names=compile_pattern(section(data, "joined_names", path, ["pattern"])[0], path),
        ner_labels={e["label"]: (e["kind"], e["id"]) for e in section(data, "ner_labels", path, ["label", "kind"])},
        generic_names=generic_names,
        generic_prefixes=generic_prefixes,
        not_organizations=tuple((e["id"], compile_pattern(e, path))
                                for e in section(data, "not_organizations", path, ["pattern"])),
        common_words=frozenset(n for e in section(data, "common_words", path) for n in e.get("names", [])),
        person_titles=tuple(w for e in section(data, "person_titles", path, ["endings"]) for w in e["endings"]),
        gazetteer=gazetteer,
        gazetteer_pattern=re.compile(rf"(?<![{NAME_CHAR}])(?:{alternation(gazetteer)})"),
        media=media,
        authority=authority,
        contractor_before=compile_pattern(_by_id(contractor, "org.contractor.before"), path),
        contractor_after=compile_pattern(_by_id(contractor, "org.contractor.after"), path),
        legal_strip=re.compile(rf"^(?:{legal_alt})\s?・?\s?|\s?(?:{legal_alt})$"),
        candidate_patterns={e["id"]: compile_pattern(e, path) for e in section(data, "candidates", path)
                            if "pattern" in e},
        cues={e["id"]: compile_pattern(e, path) for e in section(data, "choice_cues", path, ["pattern"])},
        product_tail=compile_pattern(_by_id(section(data, "candidates", path), "org.cand.drop_product"), path,
                                     "product_tail"),
    )


def canonical_name(name: str) -> str:
    """NFKC, without legal form and surrounding punctuation: the `name` column."""
    text = unicodedata.normalize("NFKC", name).strip(" ・「」『』()")
    previous = None
    while previous != text:
        previous = text
        text = org_rules().legal_strip.sub("", text).strip(" ・")
    return text


def merge_key(name: str) -> str:
    """Spellings of one organisation share this key (spaces, ・, case, 旧 and a final 社 ignored)."""
    key = canonical_name(name).casefold()
    key = re.sub(r"[\s・,、]", "", key)
    key = re.sub(r"^旧", "", key)
    return re.sub(r"(?:社|グループ)$", "", key) or key


@dataclass
class Candidate:
    start: int
    end: int
    name: str
    kind: str
    source: str
    probability: float = 1.0  # the organisation model's, once it has chosen the span


def _is_phrase(hiragana: str) -> bool:
    """A hiragana run that reads as a phrase (がきちんと, について), not a word of a name (ふとん, たまご):
    it holds the kana particles are made of, and the dictionary reads a particle, verb or adverb in it."""
    return bool(re.search(PHRASE_KANA, hiragana)) and any(t.pos1 in PHRASE_POS for t in tokenize(hiragana))


def is_organization_name(name: str, product_words: bool = False) -> bool:
    """False for generic references, departments, products and other non-names.

    `product_words`: the context says a company is meant, so a name may end like a product (ストア).
    """
    rules = org_rules()
    if not name or len(name) < 2 or name[0].isdigit():
        return False
    if name in rules.gazetteer:
        return True
    if name in rules.generic_names or name in rules.common_words or QUOTE_MARK.search(name):
        return False
    if any(name.startswith(p) and len(name) > len(p) and name[len(p):] not in PLACE_SUFFIXES
           for p in rules.generic_prefixes) and not name.startswith(NATIONAL_OPENINGS):
        return False
    # `株式会社X 個人情報漏えい`: a phrase, not a name. A hiragana brand word is fine, leading
    # (さくら総合病院) or inside (県立中部みらい病院), when it holds no particle or verb ending.
    if re.search(r"\s[\u3040-\u9fff]", name):
        return False
    if any(_is_phrase(run) for run in re.findall(r"[\u3041-\u309f]{3,}", name.lstrip(HIRAGANA))):
        return False
    if any(p.search(name) for rule_id, p in rules.not_organizations
           if not (product_words and rule_id == "org.not.product_suffix")):
        return False
    # 名古屋市消防局, 関東信越国税局: a body's own name may end like a department (局, 本部); a
    # department alone (情報政策局) ends in no organisation suffix.
    suffix = _suffix_of(name)
    if suffix and len(name) - len(suffix) >= 2:
        return True
    return not rules.tail.match(name)


def _has_name_evidence(article: AnalysedArticle, start: int, end: int) -> bool:
    """Does the span hold a proper noun, katakana or Latin, or a noun spelt in kana where the
    dictionary writes kanji (しろ|つめ for 白詰: a brand's spelling), not only common words?"""
    if re.search(r"[A-Za-zァ-ヴ]", article.text[start:end]):
        return True
    return any(t.pos2 == "固有名詞" or (t.pos2 == "普通名詞" and _respelt(t))
               for t in article.tokens_between(start, end))


# A time of day or a date glued before a company's name (午後7時GMOミナト, 3日ミナト通商).
_TIME_BEFORE_NAME = re.compile(r"(?:(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?|\d{1,2}月\d{1,2}日|\d{1,2}日)(?=\D)")


def legal_form_candidates(article: AnalysedArticle) -> list[Candidate]:
    rules = org_rules()
    found = []
    for pattern in (rules.legal_before, rules.legal_after):
        for match in pattern.finditer(article.text):
            name = match.group("name").strip()
            # A legal form says a company is meant: its name may end like a product (…データサービス).
            if not name or len(name) > MAX_NAME_CHARS or not is_organization_name(canonical_name(name), True):
                continue
            kind, rule_id = rules.legal_forms[match.group("legal")]
            start = match.start()
            if pattern is rules.legal_after:
                start = _past_phrase_ending(article, start, match.start("legal"))
                time = _TIME_BEFORE_NAME.match(article.text, start, match.start("legal"))
                if time and time.end() < match.start("legal"):
                    start = time.end()  # 午前10時~午後7時|GMOミナト株式会社: a time or date opens no name
                name = article.text[start:match.start("legal")].strip()
            elif _closes_a_name(article.text, match.start()) and HIRAGANA_WORD.match(name):
                continue  # ミナト株式会社|がきちんと: the legal form belongs to the name before it
            found.append(Candidate(start, match.end(), canonical_name(name), kind, rule_id))
    readings = legal_token_candidates(article)
    return [_read_by_words(cand, readings) for cand in found]


def _read_by_words(cand: Candidate, readings: list[Candidate]) -> Candidate:
    """The legal form's name as read by words when that reading goes on past the characters' (株式会社
    北浜|つり具: the character classes stop at the hiragana word inside it), under the legal form's id."""
    longer = [r for r in readings if r.end - r.start > cand.end - cand.start
              and (r.start == cand.start or r.end == cand.end)]
    if not longer:
        return cand
    reading = max(longer, key=lambda r: r.end - r.start)
    return replace(cand, start=reading.start, end=reading.end, name=reading.name)


def _closes_a_name(text: str, start: int) -> bool:
    return start > 0 and _NAME_CHAR_FIRST.match(text, start - 1) is not None


def _past_phrase_ending(article: AnalysedArticle, start: int, end: int) -> int:
    """供給し|ている|ミナト・クラウド株式会社: hiragana that goes on from a verb before it is the end of
    a phrase, not a brand word. A brand word follows a particle (委託先の|いるかネット) or is a noun
    the dictionary reads whole (さくら|銀行); then the name starts where the match does."""
    text = article.text
    if start == 0 or not HIRAGANA_WORD.match(text, start - 1) or not HIRAGANA_WORD.match(text, start):
        return start
    before = article.tokens_between(max(0, start - 8), start)
    if before and before[-1].end == start and before[-1].pos1 == "助詞":
        return start
    tokens = article.tokens_between(start, end)
    if tokens and tokens[0].start == start and tokens[0].pos1 == "名詞":
        return start
    kana = HIRAGANA_WORD.match(text, start, end)
    if not kana or kana.end() >= end:
        return start
    # The phrase's endings stop at a hiragana noun after them: 運営す|る|やまびこ堂株式会社.
    noun = next((t for t in tokens if t.pos1 == "名詞" and t.surface not in HIRAGANA_PARTICLES), None)
    return noun.start if noun and noun.start < kana.end() else kana.end()


MAX_NAME_TOKENS = 8
NAME_TOKEN_POS = {"名詞", "接尾辞", "接頭辞"}


def _is_name_token(token: Token) -> bool:
    return (token.pos1 in NAME_TOKEN_POS and token.surface not in HIRAGANA_PARTICLES
            and bool(_LETTER.search(token.surface)))


def _name_run(tokens: list[Token], edge: int, forward: bool) -> list[Token]:
    """The name tokens that run on from `edge` without a gap, forward or backward (at most
    MAX_NAME_TOKENS)."""
    run: list[Token] = []
    for token in tokens[:MAX_NAME_TOKENS] if forward else reversed(tokens[-MAX_NAME_TOKENS:]):
        if forward:
            touching = token.start == (run[-1].end if run else edge)
        else:
            touching = token.end == (run[-1].start if run else edge)
        if not touching or not _is_name_token(token):
            break
        run.append(token)
    return run if forward else run[::-1]


def legal_token_candidates(article: AnalysedArticle) -> list[Candidate]:
    """A company's name beside its legal form read by words, not by characters: the character classes
    stop at a hiragana word inside it (株式会社北浜|つり具, みなと|ふとん店株式会社). Read once per
    article: the legal forms' candidates and the wide proposals both use them."""
    if "legal_token_candidates" not in article.derived:
        article.derived["legal_token_candidates"] = _legal_token_candidates(article)
    return list(article.derived["legal_token_candidates"])


def _legal_token_candidates(article: AnalysedArticle) -> list[Candidate]:
    rules = org_rules()
    text = article.text
    found = []
    for match in rules.legal_before.finditer(text):
        start = match.start("name")
        run = _name_run(article.tokens_between(start, min(len(text), start + MAX_NAME_CHARS)), start, True)
        if run and run[-1].end > match.end("name"):
            found.append(Candidate(match.start(), run[-1].end, canonical_name(text[start:run[-1].end]),
                                   rules.legal_forms[match.group("legal")][0], "org.cand.legal_tokens"))
    for match in rules.legal_after.finditer(text):
        end = match.start("legal")
        run = _name_run(article.tokens_between(max(0, end - MAX_NAME_CHARS), end), end, False)
        if run and run[0].start < match.start("name"):
            found.append(Candidate(run[0].start, match.end(), canonical_name(text[run[0].start:end]),
                                   rules.legal_forms[match.group("legal")][0], "org.cand.legal_tokens"))
    return [c for c in found if len(c.name) >= 2 and c.end - c.start <= MAX_NAME_CHARS]


def _extend_name_start(article: AnalysedArticle, start: int, named_before_suffix: bool = True) -> tuple[int, bool]:
    """Move a name's start left over what the character classes miss.

    A match may start inside a proper noun holding hiragana (日の出|町立第二中学校), or right
    after a hiragana brand word (さくら|総合病院), or one joined by の to a word before the suffix
    (みどり|の|森病院; not すべて|の|病院). Returns (start, has a hiragana brand word).
    """
    tokens = article.tokens_between(max(0, start - 12), start + 1)
    for token in tokens:
        if token.start < start < token.end and token.pos2 == "固有名詞":
            return token.start, False
    before = [t for t in tokens if t.end <= start]
    if before and before[-1].end == start and before[-1].is_place_name and HIRAGANA_WORD.search(before[-1].surface):
        return before[-1].start, True  # 南あわじ|市教委: a place name the character classes cut
    joined = named_before_suffix and bool(before) and before[-1].end == start and before[-1].surface == "の"
    edge = before[-1].start if joined else start  # where a brand word must end
    run = []
    for token in reversed(before[:-1] if joined else before):
        if token.end != (run[0].start if run else edge):
            break
        if token.pos1 != "名詞" or not HIRAGANA_WORD.fullmatch(token.surface) or token.surface in HIRAGANA_PARTICLES:
            break
        run.insert(0, token)
    if run and len("".join(t.surface for t in run)) >= 2:
        boundary = article.text[run[0].start - 1:run[0].start]
        if not boundary or not re.match(r"[\u3040-\u309f]", boundary):
            return _kanji_before(article.text, run[0].start), True
    if HIRAGANA_WORD.match(article.text, start):
        return _kanji_before(article.text, start), True
    return start, False


def _kanji_before(text: str, start: int) -> int:
    """Where a kanji run glued before a hiragana brand word starts (県立中部|みらい病院)."""
    begin = start
    while begin > 0 and re.match(r"[\u4e00-\u9fff々]", text[begin - 1]):
        begin -= 1
    return begin


def suffix_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Names ending in an organisation suffix that hold a proper noun, katakana or Latin, a hiragana
    brand word, or a municipality's name (南浜県警, さくら総合病院, 中央区教育委員会)."""
    return [cand for cand, named in _suffix_spans(article) if named]


def suffix_compound_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Names made of common nouns before an organisation suffix (中央交通安全推進協会, 都立病院機構):
    no rule keeps them (most such runs are generic: 第三者委員会), the fitted choice weighs them."""
    return [replace(cand, source="org.cand.suffix_compound") for cand, named in _suffix_spans(article) if not named]


def _suffix_spans(article: AnalysedArticle) -> Iterator[tuple[Candidate, bool]]:
    """Each span ending in a name suffix, and whether it holds name evidence (else common nouns alone)."""
    rules = org_rules()
    text = article.text
    for match in rules.suffix_pattern.finditer(text):
        start, end = match.start(), match.end()
        while text[start] == "・" and start < end:  # a list's bullet (・北浜市教育委員会) is no part of the name
            start += 1
        # 北浜大学東京: a place name right after the suffix, ending the word, belongs to the name.
        following = article.tokens_between(end, end + 12)
        if (following and following[0].start == end and following[0].is_place_name
                and (len(following) == 1 or following[1].start != following[0].end
                     or following[1].pos1 not in ("名詞", "接尾辞"))):
            end = following[0].end
        suffix = next(s for s in sorted(rules.suffixes, key=len, reverse=True) if match.group().endswith(s))
        kind, rule_id = rules.suffixes[suffix]
        station = KANA_STATION.search(text[:start]) if rule_id == "org.suffix.police_station" else None
        if station:
            start, brand = station.start(1), True
        else:
            start, brand = _extend_name_start(article, start, len(match.group()) > len(suffix))
        initials = INITIALS.search(text[max(0, start - 8):start])
        if initials and start - len(initials.group()) >= 0:
            start -= len(initials.group())
        force = POLICE_FORCE.match(text, start, end - len(suffix)) if rule_id == "org.suffix.police_station" else None
        if force and force.end() < end - len(suffix):
            yield Candidate(start, force.end(), text[start:force.end()], kind, "org.suffix.government"), True
            start, brand = force.end(), True
        police_split = bool(station or (force and force.end() == start))
        label = rules.page_label.match(text, start)
        if label and label.end() < end - len(suffix):
            start = label.end()
        dot = text.rfind("・", start, end)
        if dot > start and all(t.is_place_name for t in article.tokens_between(start, dot)):
            start = dot + 1  # 東京・北浜区教委: a headline's place, then the name
        name = text[start:end]
        if name in rules.gazetteer:
            continue  # the gazetteer names it, with its own kind
        # A municipality's own body (中央区|教育委員会) needs no proper noun: its place name says enough.
        owner = text[start:end - len(suffix)]
        municipal = len(owner) >= 2 and owner[-1] in PLACE_SUFFIXES and kind == "government"
        if not is_organization_name(name):
            continue
        if (not article.is_token_boundary(start) and not police_split) or end - start > MAX_NAME_CHARS:
            continue
        named = (brand or municipal or _has_name_evidence(article, start, end - len(suffix))
                 or (suffix == "銀行" and bool(BANK_NUMBER.fullmatch(owner))))
        yield Candidate(start, end, name, kind, rule_id), named


def place_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Prefectures and municipalities that act in the text (北浜市によりますと, 南浜県へ)."""
    rules = org_rules()
    text = article.text
    tokens = article.tokens
    found = []
    i = 0
    while i < len(tokens):
        if tokens[i].pos2 != "固有名詞" or (i > 0 and tokens[i - 1].end == tokens[i].start
                                           and tokens[i - 1].pos1 == "名詞"
                                           and tokens[i - 1].surface not in PLACE_SUFFIXES):
            i += 1
            continue
        start = tokens[i].start
        i_first = j = i
        end = None
        # 地名 (+ 県 + 地名)* + 市: take the longest chain, as one name.
        while j + 1 < len(tokens) and tokens[j].pos2 == "固有名詞" and tokens[j + 1].start == tokens[j].end:
            nxt = tokens[j + 1]
            if nxt.surface in PLACE_SUFFIXES:
                end = nxt.end
                if j + 2 < len(tokens) and tokens[j + 2].is_place_name and tokens[j + 2].start == nxt.end:
                    j += 2
                    continue
            elif nxt.surface in PLACE_HEADS:
                end = nxt.start + 1
            elif _whole_place(tokens[j]) and nxt.is_place_name:
                # The dictionary holds the prefecture whole (北海道|江別|市): the municipality is
                # named by its own name, as it calls itself.
                start, end = nxt.start, None
                j += 1
                continue
            break
        last = tokens[j]
        # The dictionary holds some municipalities whole (松川町): the suffix is inside the token.
        if _whole_place(last) and (end is None or end < last.end):
            end = last.end
        i = j + 1
        if end is None:
            continue
        name = text[start:end]
        after = text[end:end + 12]
        rule_id = None
        inside_word = re.match(rf"[{NAME_CHAR}]", after)
        if text[end - 1] not in PLACE_SUFFIXES or (inside_word and not rules.tail.match(
                _word_after(text, end))):
            if not text[end:end + 1] == "長":
                continue
            rule_id = "org.place.head"
        if rule_id is None:
            if inside_word:
                rule_id = "org.place.tail"
            else:
                for candidate_id, pattern in rules.acting_place:
                    if candidate_id in ("org.place.headline", "org.place.signature"):
                        line_start = text.rfind("\n", 0, start) + 1
                        if not LIST_MARKER.fullmatch(text[line_start:start]) or not pattern.match(after):
                            continue
                    elif not pattern.match(after):
                        continue
                    rule_id = candidate_id
                    break
        if rule_id is None or _mayor_by_surname(text, name, tokens[i_first:j + 1]):
            continue
        found.append(Candidate(start, end, name, "government", rule_id))
    return found


def _whole_place(token: Token) -> bool:
    return token.is_place_name and len(token.surface) >= 2 and token.surface[-1] in PLACE_SUFFIXES


def _mayor_by_surname(text: str, name: str, stem: list[Token]) -> bool:
    """鈴木|市長: a surname the dictionary knows before a mayor's title, and the name
    never seen but before 長 (the mayor, not the city, is meant: the city is named elsewhere)."""
    if not stem or not all(t.pos3 == "人名" for t in stem if t.pos2 == "固有名詞"):
        return False
    return all(text.startswith("長", m.end()) for m in re.finditer(re.escape(name), text))


# A word longer than any name is cut there: what follows a name is judged by its first word, and a
# run of name characters to the end of a long text would make each look cost as much as the text.
_WORD = re.compile(rf"[{NAME_CHAR}]{{1,{MAX_NAME_CHARS + 1}}}")


def _word_after(text: str, position: int) -> str:
    match = _WORD.match(text, position)
    return match.group() if match else ""


def gazetteer_candidates(article: AnalysedArticle) -> list[Candidate]:
    rules = org_rules()
    found = []
    for match in rules.gazetteer_pattern.finditer(article.text):
        after = article.text[match.end():match.end() + 1]
        entry = rules.gazetteer[match.group()]
        if re.match(r"[A-Za-z]", match.group()) and re.match(r"[A-Za-z0-9]", after):
            continue
        # The text's own spelling (経産省): gold and readers know the body by it; spellings of one
        # entry are merged in find_organizations.
        found.append(Candidate(match.start(), match.end(), match.group(), entry.kind, entry.id))
    return found


def is_dictionary_word(name: str) -> bool:
    """A single known common noun of the dictionary (インシデント), not a proper name."""
    tokens = tokenize(name)
    return len(tokens) == 1 and tokens[0].pos2 == "普通名詞" and not tokens[0].unknown


def _continues_a_word(article: AnalysedArticle, start: int) -> bool:
    """Is a name found at `start` only the tail of a longer word?

    `「はなまるマート」`: it starts inside a quotation, after its first character; or it follows a
    hiragana noun it is glued to.
    """
    text = article.text
    opening = text.rfind("「", max(0, start - 30), start)
    if opening >= 0 and "」" not in text[opening:start] and start > opening + 1:
        return True
    before = [t for t in article.tokens_between(max(0, start - 8), start) if t.end == start]
    return bool(before) and before[-1].pos1 == "名詞" and bool(HIRAGANA_WORD.fullmatch(before[-1].surface))


# Endings of shop and firm names the dictionary tags as suffixes (資生|堂, 高島|屋, 大林|組).
SHOP_ENDINGS = {"堂", "屋", "園", "組", "舎", "庵", "亭"}


def _is_kanji_company_name(article: AnalysedArticle, start: int, end: int) -> bool:
    """A kanji lead subject that names a firm: a proper noun or a shop ending, not only a person's or
    a place's name (a place that acts is the place rule's), and no generic reference."""
    tokens = article.tokens_between(start, end)
    if not tokens or tokens[-1].end != end or article.text[start:end].endswith(org_rules().person_titles):
        return False
    proper = [t for t in tokens if t.pos2 == "固有名詞"]
    shop = tokens[-1].surface in SHOP_ENDINGS and len(tokens) > 1
    if not (proper or shop):
        return False
    if proper and len(proper) == len(tokens) and all(t.pos3 in ("人名", "地名") for t in proper):
        return False
    return not any(t.surface in PLACE_SUFFIXES for t in tokens[-1:])


def _is_person_name(article: AnalysedArticle, start: int, end: int) -> bool:
    """山田太郎: every proper noun of the span is a person's name."""
    proper = [t for t in article.tokens_between(start, end) if t.pos2 == "固有名詞"]
    return bool(proper) and all(t.pos3 == "人名" for t in proper)


def _founders_name_before(article: AnalysedArticle, start: int) -> int:
    """Where a name starts that opens with a family name in kanji glued to its katakana (江崎|グリコ)."""
    before = [t for t in article.tokens_between(max(0, start - 6), start) if t.end == start]
    if before and before[-1].pos3 == "人名" and re.fullmatch(r"[\u4e00-\u9fff々]+", before[-1].surface):
        return before[-1].start
    return start


# How far before a `before` match a name may start.
NAME_REACH = 40


def _context_matches(text: str, pattern: re.Pattern[str], before: re.Pattern[str] | None) -> list[re.Match[str]]:
    """Matches of a context; one with `before` is searched from its rare right side (東洋テクノ|(東京都)),
    not tried at every character."""
    if before is None:
        return list(pattern.finditer(text))
    found = []
    for anchor in before.finditer(text):
        match = pattern.search(text, max(0, anchor.start() - NAME_REACH), anchor.start())
        if match:
            found.append(match)
    return found


def located_places(article: AnalysedArticle, proposals: list[Proposal]) -> list[tuple[int, int]]:
    """The place in each bracket that says where the body named before it is (北浜通商（本社・北浜県
    寺山市）は): a place, never an organisation, whatever the NER makes of a name it does not know."""
    text = article.text
    name_ends = {proposal.end + (text[proposal.end:proposal.end + 1] in ("」", "』")) for proposal in proposals}
    return [match.span("place") for match in org_rules().located_place.finditer(article.text)
            if match.start() in name_ends and match.group("place")[-1:] in PLACE_SUFFIXES]


def context_candidates(article: AnalysedArticle) -> list[Candidate]:
    rules = org_rules()
    found = []
    for rule_id, kind, pattern, before in rules.contexts:
        for match in _context_matches(article.text, pattern, before):
            group = next((g for g in ("quoted", "kanji") if g in pattern.groupindex and match.group(g)), "name")
            name = match.group(group).strip(" ・")
            if not is_organization_name(name, product_words=rule_id in STRONG_CONTEXTS):
                continue
            if group != "name" and not _has_name_evidence(article, match.start(group), match.end(group)):
                continue
            if group == "kanji" and _is_person_name(article, match.start(group), match.end(group)):
                continue
            if rule_id == "org.context.kanji_lead_subject" and not _is_kanji_company_name(
                    article, match.start(group), match.end(group)):
                continue
            # Only the weakest contexts (a bare subject) need the name to be more than a word.
            if rule_id in WEAK_CONTEXTS and is_dictionary_word(name):
                continue
            start = match.start(group) + match.group(group).index(name)
            if group == "name" and _continues_a_word(article, start):
                continue
            founder = _founders_name_before(article, start)  # 江崎|グリコ
            found.append(Candidate(founder, start + len(name), article.text[founder:start] + name, kind, rule_id))
    return found


def company_list_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Each company of a row that a count of companies closes (A、B、Cなど7社)."""
    rules = org_rules()
    found = []
    for rule_id, kind, pattern in rules.company_lists:
        for match in pattern.finditer(article.text):
            offset = match.start("items")
            for item in re.finditer(r"[^、,・と]+", match.group("items")):
                start, end = offset + item.start(), offset + item.end()
                name = item.group()
                # Items after the first start at a separator; the first must start a word.
                first = start == offset
                if (is_organization_name(name) and (not first or article.is_token_boundary(start))
                        and _has_name_evidence(article, start, end)):
                    found.append(Candidate(start, end, name, kind, rule_id))
    return found


def brand_group_candidates(article: AnalysedArticle, found: list[Candidate]) -> list[Candidate]:
    """Group companies named by the brand of an organisation already found (楽天 → 楽天カード)."""
    rules = org_rules()
    text = article.text
    company_words = [w for w, (kind, _) in rules.suffixes.items() if kind == "company"]
    brands = set()
    for cand in found:
        brands.add(cand.name)
        # The brand inside a company's name: ヤマダ of ヤマダ電機.
        for word in company_words:
            stem = cand.name[:-len(word)] if cand.name.endswith(word) else ""
            if len(stem) >= 2 and (re.fullmatch(r"[A-Za-zァ-ヶー]+", stem) or word in GROUP_WORDS):
                brands.add(stem)
    brands = {b for b in brands if len(b) >= 2 and b in text}
    groups = []
    if not brands:
        return groups
    for rule_id, kind, business, followed_by in rules.brand_groups:
        for match in re.finditer(rf"(?<![{NAME_CHAR}])(?:{alternation(brands)})(?:{business.pattern})", text):
            if followed_by.match(text[match.end():match.end() + 8]) and article.is_token_boundary(match.start()):
                groups.append(Candidate(match.start(), match.end(), match.group(), kind, rule_id))
    return groups


def _split_joined_names(candidates: list[Candidate], text: str) -> list[Candidate]:
    """`KTSデータ・MNTの両社`: two companies joined by ・ before a count of them are two names."""
    joined = org_rules().joined_names
    result = []
    for cand in candidates:
        parts = cand.name.split("・")
        if len(parts) > 1 and text[cand.start:cand.end] == cand.name and joined.match(text, cand.end) \
                and all(is_organization_name(p) for p in parts):
            offset = cand.start
            for part in parts:
                result.append(Candidate(offset, offset + len(part), part, cand.kind, cand.source))
                offset += len(part) + 1
        else:
            result.append(cand)
    return result


def ner_candidates(article: AnalysedArticle) -> list[Candidate]:
    rules = org_rules()
    urls = url_spans(article.text)
    found = []
    for entity in article.entities:
        if entity.label not in rules.ner_labels:
            continue
        if in_spans(entity.start, urls):
            continue
        name = canonical_name(entity.text)
        if not is_organization_name(name):
            continue
        if not _has_name_evidence(article, entity.start, entity.end) or _only_common_words(article, entity):
            continue
        kind, rule_id = rules.ner_labels[entity.label]
        if kind == "government" and not re.search(r"[\u4e00-\u9fff]", name):
            kind = "company"  # a public body's name holds kanji (庁, 市, 県); ミナトテック as Government is a firm
        found.append(Candidate(entity.start, entity.end, name, kind, rule_id))
    return found


def _only_common_words(article: AnalysedArticle, entity) -> bool:
    """`デイバッグ` (デイ + バッグ): every token a known common noun, so the model's label is a guess."""
    if re.search(r"[A-Za-z]", entity.text):
        return False
    tokens = article.tokens_between(entity.start, entity.end)
    return bool(tokens) and all(t.pos2 == "普通名詞" and not t.unknown for t in tokens)


def _is_name_tail(short: str, long: str) -> bool:
    """北浜ドコム / ドコム, 韓国ミナト / ミナト: a katakana or Latin name ending a longer one; 日の出町立
    第二中学校 / 町立第二中学校: a public body named again without its place."""
    if len(short) < 3 or not long.endswith(short):
        return False
    if re.match(r"[都道府県市区町村]立", short):
        return 1 <= len(long) - len(short) <= 6
    if not re.fullmatch(r"[ァ-ヴー・A-Za-z0-9&. ]+", short):
        return False
    # The tail must start a word: the script changes there (北浜|ドコム, 韓国|ミナト).
    same_script = r"[ァ-ヴー]" if re.match(r"[ァ-ヴ]", short) else r"[A-Za-z0-9.]"  # i.|JXB is one name
    return not re.match(same_script, long[-len(short) - 1])


class _Groups:
    """Union-find over merge keys: one group per organisation in the article."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _source_rank(source: str) -> int:
    return next((i for i, prefix in enumerate(SOURCE_PRIORITY) if source.startswith(prefix)), len(SOURCE_PRIORITY))


def _non_overlapping(candidates: list[Candidate]) -> list[Candidate]:
    """Pattern evidence first; a GiNZA entity overlapping a pattern match is dropped."""
    def rank(c: Candidate) -> tuple:
        return _source_rank(c.source), -(c.end - c.start), c.start

    kept: list[Candidate] = []
    taken = SpanIndex()
    for cand in sorted(candidates, key=rank):
        if taken.overlaps(cand.start, cand.end):
            continue
        kept.append(cand)
        taken.add(cand.start, cand.end)
    return sorted(kept, key=lambda c: c.start)


def _mention_spans(text: str, surface: str) -> list[tuple[int, int]]:
    """Where `surface` stands as a whole word (not inside a longer katakana/Latin/kanji name)."""
    spans = []
    for match in re.finditer(re.escape(surface), text):
        before = text[match.start() - 1:match.start()]
        after = text[match.end():match.end() + 1]
        if re.match(r"[A-Za-z0-9ァ-ヴー]", before) or re.match(r"[A-Za-z0-9ァ-ヴー]", after):
            continue
        if before == "." and re.match(r"[A-Za-z]", text[match.start() - 2:match.start() - 1]):
            continue  # JXB inside i.JXB
        if re.match(r"[\u4e00-\u9fff]", surface[-1]) and re.match(r"[\u4e00-\u9fff々]", after):
            continue
        spans.append((match.start(), match.end()))
    return spans


def is_contractor_mention(text: str, start: int, end: int) -> bool:
    rules = org_rules()
    return bool(rules.contractor_before.search(text[max(0, start - 12):start])
                or rules.contractor_after.match(text[end:end + 24]))


@dataclass
class Organization:
    """One organisation of an article, with all its mentions."""

    name: str
    kind: str
    mentions: list[tuple[int, int, str]]  # (start, end, source) in normalized offsets
    names: set[str] = field(default_factory=set)  # every spelling found
    authority: bool = False
    media: bool = False
    contractor: bool = False
    kind_rank: int = len(SOURCE_PRIORITY)  # how strong the source of `kind` is (SOURCE_PRIORITY)
    # How sure the organisation model is of its likeliest spelling: a victim it doubts (a common
    # noun, a product, a cause word taken for a name) is a row to review.
    probability: float = 1.0


def municipal_department_candidates(article: AnalysedArticle) -> list[Candidate]:
    """The municipality whose department acts (白波町健康福祉課において…): the department answers for
    it, so the municipality is named even when its place name is no proper noun."""
    found = []
    for rule_id, pattern in org_rules().municipal_departments:
        for match in pattern.finditer(article.text):
            name = match.group("name")
            if _is_reference(name):
                continue
            if is_organization_name(name) and article.is_token_boundary(match.start("name")):
                found.append(Candidate(match.start("name"), match.end("name"), name, "government", rule_id))
    return found


def _is_reference(name: str) -> bool:
    """当町, 同市: a place word after a generic prefix refers back to a name; it is none itself."""
    return name[:-1] in org_rules().generic_prefixes


def pattern_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Candidates from every source but the NER (they win over an entity they overlap)."""
    return (legal_form_candidates(article) + gazetteer_candidates(article) + suffix_candidates(article)
            + place_candidates(article) + context_candidates(article) + company_list_candidates(article)
            + municipal_department_candidates(article))


# -- the fitted choice ------------------------------------------------------------------------

# The weights of the choice (fitted by pipeline.learning.organizations): stock in the rule folder,
# refitted ones in the learned folder.
WEIGHTS_FILE = "organizations.json"
# Coarse kinds of GiNZA labels, so that a label seen rarely in the gold still says something.
LABEL_GROUPS = (
    ("org", re.compile(r"Company|Corporation|Organization|Government|Institution|School|Newspaper|Party|"
                       r"Military|Research|Sports_Organization|Show_Organization|Broadcast|Group")),
    ("person", re.compile(r"Person|Name_Other|Character|God")),
    ("place", re.compile(r"Province|City|County|Country|GPE|GOE|Location|Region|Island|Address|Facility|"
                         r"Station|Line|Road|Park|Water|Mountain|Spa")),
    ("product", re.compile(r"Product|Service|Title|Book|Doctrine|Rule|Law|Plan|Offence|Incident|Event|Award|"
                           r"Weapon|Vehicle|Car|Drug|Food|Clothing|Money_Form|Position|Occasion")),
    ("number", re.compile(r"Date|Time|Money|Percent|Number|Countx|Age|Period|Frequency|Rank|Point|Measurement|"
                          r"Ordinal|Multiplication|Latitude|Physical|Temperature|Speed|Weight|Intensity|"
                          r"Seismic|Volume|Calorie|Stock|Space|Area|Length|_Other_Number|N_")),
)
RULES_KEEP_SCALE = 5.0
ANNOUNCE_CONTEXT = 60  # characters after `は`/`が` searched for an announcing verb
PARTICLES_AFTER = ("によると", "によりますと", "から", "では", "より", "は", "が", "の", "を", "に", "と", "も",
                   "で", "へ", "や", "、", "(", "」", "』")


@dataclass
class Proposal:
    """One span that may name an organisation: every candidate proposed at that span, merged."""

    start: int
    end: int
    name: str
    kind: str
    source: str  # the strongest source proposing it (the `source` column)
    sources: set[str] = field(default_factory=set)
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0


def org_weights_path() -> Path:
    """Refitted weights when there are some (and the pipeline reads the learned folder), else stock."""
    return learned_path(WEIGHTS_FILE) or rule_path(WEIGHTS_FILE)


@dataclass(frozen=True)
class OrgChoice:
    """The fitted choice: a logistic model of "this span names an organisation", and how probable a
    span must be to be kept: `model.threshold` for any span, `kept_threshold` (lower) for one the rules
    themselves keep (right nine times in ten on the gold: the model overrules them only when sure)."""

    model: LinearModel
    kept_threshold: float

    def keeps(self, proposal: Proposal) -> bool:
        threshold = self.kept_threshold if proposal.features.get("rules_keep", 0.0) > 0 else self.model.threshold
        return proposal.probability >= min(threshold, self.model.threshold)

    def to_json(self) -> dict:
        return {**self.model.to_json(), "kept_threshold": self.kept_threshold}

    @classmethod
    def from_json(cls, data: dict, where: str) -> OrgChoice:
        model = LinearModel.from_json(data, where)
        try:
            return cls(model, float(data.get("kept_threshold", model.threshold)))
        except (TypeError, ValueError) as exc:
            raise RuleError(where, None, f"malformed kept_threshold: {exc!r}") from exc


def read_org_model(path: Path) -> OrgChoice:
    data = read_weights(path, "organisation weights")
    if not isinstance(data, dict) or not isinstance(data.get("model"), dict):
        raise RuleError(path, None, "no 'model' mapping")
    return OrgChoice.from_json(data["model"], str(path))


def write_org_model(choice: OrgChoice, gold: dict, path: Path) -> Path:
    return write_weights({"gold": gold, "model": choice.to_json()}, path)


_model_override: OrgChoice | None = None


def use_org_model(choice: OrgChoice | None) -> None:
    """Choose with this from now on (None: the weights file); cross-validation sets each fold's."""
    global _model_override
    _model_override = choice
    org_model.cache_clear()


@rule_cache
def org_model() -> OrgChoice:
    return _model_override or read_org_model(org_weights_path())


_NAME_CHAR_FIRST = re.compile(rf"[{NAME_CHAR}]")
_NAME_CHAR_LAST = re.compile(rf"[{NAME_CHAR}]$")


@rule_cache
def _suffix_ending() -> re.Pattern[str]:
    """The longest name suffix ending a name (the leftmost match of an anchored alternation)."""
    return re.compile(rf"(?:{alternation(org_rules().suffixes)})$")


def _suffix_of(name: str) -> str | None:
    match = _suffix_ending().search(name)
    return match.group() if match else None


def _guess_kind(name: str) -> str:
    """The kind of a name no rule with a kind proposed: by its ending."""
    rules = org_rules()
    suffix = _suffix_of(name)
    if suffix:
        return rules.suffixes[suffix][0]
    return "government" if name[-1:] in PLACE_SUFFIXES else "company"


def _label_group(label: str) -> str:
    return next((group for group, pattern in LABEL_GROUPS if pattern.search(label)), "other")


def quoted_and_descriptor_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Names in quotes or brackets, and names after a descriptor (文具大手みどり堂 → みどり堂)."""
    found = []
    for rule_id, pattern in org_rules().candidate_patterns.items():
        for match in pattern.finditer(article.text):
            name = canonical_name(match.group("name"))
            # A reference (同市は, 当社は) is no name: proposed, it would teach the model that announcing
            # subjects are rarely organisations.
            if name in org_rules().generic_names or _is_reference(name):
                continue
            if len(name) >= 2 and len(name) <= MAX_NAME_CHARS:
                start = match.start("name") + max(match.group("name").find(name), 0)
                found.append(Candidate(start, start + len(name), name, _guess_kind(name), rule_id))
    return found


def entity_candidates(article: AnalysedArticle) -> list[Candidate]:
    """Every GiNZA entity, whatever its label (the label is a feature, not a filter)."""
    urls = url_spans(article.text)
    found = []
    for entity in article.entities:
        name = canonical_name(entity.text)
        if len(name) < 2 or len(name) > MAX_NAME_CHARS or not _LETTER.search(name) or in_spans(entity.start, urls):
            continue
        if QUOTE_MARK.search(name):  # 管理SaaS「TaskHarbor: a quote opens inside; the quoted rule reads it
            continue
        start = entity.start + max(entity.text.find(name), 0)
        found.append(Candidate(start, start + len(name), name, _guess_kind(name), "org.cand.entity"))
    return found


MAX_DROPPED_TOKENS = 3
REGION_WORDS = {"地方", "北", "南", "東", "西", "中"}  # parts of a region's name (北|関東)
_LETTER = re.compile(r"[A-Za-zぁ-ゖァ-ヴ\u4e00-\u9fff々]")


def shorter_readings(article: AnalysedArticle, candidates: list[Candidate]) -> list[Candidate]:
    """Each span read without its leading place names (東海|こだま運輸) or a leading common word
    (速報|こだま運輸), or without a shop's or site's word ending it (こだま堂|オンラインショップ):
    the name may be what is left."""
    found = []
    seen = set()
    for cand in candidates:
        if (cand.start, cand.end) in seen:
            continue
        seen.add((cand.start, cand.end))
        tokens = article.tokens_between(cand.start, cand.end)
        if len(tokens) < 2 or tokens[0].start != cand.start:
            continue
        # Up to three leading tokens dropped (北|関東|ひかり運輸 → 関東ひかり運輸, ひかり運輸).
        for cut_at in range(1, min(len(tokens), MAX_DROPPED_TOKENS + 1)):
            cut = tokens[cut_at].start
            dropped = tokens[:cut_at]
            is_place = all(t.is_place_name or t.surface in PLACE_SUFFIXES or t.surface in REGION_WORDS for t in dropped)
            name = canonical_name(article.text[cut:cand.end])
            if len(name) >= 2 and _LETTER.search(name):
                rule_id = "org.cand.drop_place" if is_place else "org.cand.drop_label"
                found.append(Candidate(cut, cand.end, name, _guess_kind(name), rule_id))
    for cand in candidates:
        tail = org_rules().product_tail.search(cand.name)
        if not tail:
            continue
        name, end = cand.name[:tail.start()], cand.end - len(tail.group())
        if end - cand.start >= 2 and article.text[end - 1:end].strip() and article.text[cand.start:end] == name:
            found.append(Candidate(cand.start, end, name, _guess_kind(cand.name), "org.cand.drop_product"))
    return found


def organization_proposals(article: AnalysedArticle, patterns: list[Candidate] | None = None) -> list[Proposal]:
    """Every span that may name an organisation, with the features the fitted choice weighs.

    `patterns` are the article's `pattern_candidates` when the caller already has them."""
    text = article.text
    off = disabled_rules()
    if patterns is None:
        patterns = pattern_candidates(article)
    ruled = [c for c in patterns + ner_candidates(article) if c.source not in off]
    brand_groups = [c for c in brand_group_candidates(article, _non_overlapping(ruled)) if c.source not in off]
    ruled = _split_joined_names(ruled + brand_groups, text)
    # What the rules alone would have kept: their strongest feature.
    rule_choice = {(c.start, c.end) for c in _split_joined_names(_non_overlapping(ruled), text)}
    wide = entity_candidates(article) + quoted_and_descriptor_candidates(article) + suffix_compound_candidates(article)
    wide += legal_token_candidates(article)
    wide += shorter_readings(article, ruled + wide)
    by_span: dict[tuple[int, int], Proposal] = {}
    for cand in ruled + [c for c in wide if c.source not in off]:
        proposal = by_span.get((cand.start, cand.end))
        if proposal is None:
            proposal = by_span[(cand.start, cand.end)] = Proposal(cand.start, cand.end, cand.name, cand.kind,
                                                                  cand.source)
        elif _source_rank(cand.source) < _source_rank(proposal.source):
            proposal.name, proposal.kind, proposal.source = cand.name, cand.kind, cand.source
        proposal.sources.add(cand.source)
    places = located_places(article, list(by_span.values()))
    proposals = sorted((p for p in by_span.values() if not _names_a_person(text, p)
                        and not any(start <= p.start and p.end <= end for start, end in places)),
                       key=lambda p: (p.start, p.end))
    context = _ArticleContext(article, proposals)
    for proposal in proposals:
        proposal.features = proposal_features(article, proposal, context, (proposal.start, proposal.end) in rule_choice)
    _add_name_features(proposals)
    return proposals


def _names_a_person(text: str, proposal: Proposal) -> bool:
    """A span said only of a person (X容疑者, Xさん) or naming a post (図書館長): never an organisation."""
    cues = org_rules().cues
    return bool(cues["org.cue.person_only"].match(text[proposal.end:proposal.end + 8])
                or cues["org.cue.title_end"].search(proposal.name))


# Span features that say something about the name wherever it stands: each proposal also gets their
# highest value over every proposal of the same name (`name:` prefixed), so that one announcing
# mention or one rule's choice vouches for the name's other mentions.
NAME_LEVEL_FEATURES = ("subject_announces", "holder", "alias_after", "press", "arrest", "person_after",
                       "company_before", "quoted", "legal_form_beside", "label_group=org", "label_group=person",
                       "label_group=place", "label_group=product")


def _add_name_features(proposals: list[Proposal]) -> None:
    best: dict[str, dict[str, float]] = {}
    for proposal in proposals:
        values = best.setdefault(merge_key(proposal.name), {})
        for name in NAME_LEVEL_FEATURES:
            values[name] = max(values.get(name, 0.0), proposal.features.get(name, 0.0))
    for proposal in proposals:
        proposal.features.update({f"name:{k}": v for k, v in best[merge_key(proposal.name)].items() if v})


@dataclass
class _ArticleContext:
    """What the features of one proposal read from the whole article."""

    article: AnalysedArticle
    proposals: list[Proposal]

    def __post_init__(self):
        self.labels: dict[tuple[int, int], str] = {(e.start, e.end): e.label for e in self.article.entities}
        self.entities = SpanIndex((e.start, e.end) for e in self.article.entities)
        self.strong_keys = {merge_key(p.name) for p in self.proposals
                            if any(_source_family(s) in STRONG_FAMILIES for s in p.sources)}
        self.key_counts: dict[str, int] = {}
        for p in self.proposals:
            self.key_counts[merge_key(p.name)] = self.key_counts.get(merge_key(p.name), 0) + 1
        self.word_readings = [p for p in self.proposals if "org.cand.legal_tokens" in p.sources]

    def cut_before_words(self, proposal: Proposal) -> bool:
        """The name read by words beside its legal form goes on past this span (株式会社北浜|つり具)."""
        return any(other.start <= proposal.start < other.end and other.end > proposal.end
                   and other.name.startswith(proposal.name) for other in self.word_readings)


# Rules learned from corrections (pipeline.learning.rule_learning) weigh like the stock rules of their kind.
LEARNED_FAMILIES = {"learned.suffix": "org.suffix", "learned.gaz": "gaz.", "learned.bystander": "gaz."}
STRONG_FAMILIES = {"org.legal", "gaz.", "org.suffix"}  # a name one of these proposes is surely a name


def _source_family(source: str) -> str:
    """The kind of rule a source id belongs to (org.suffix.education: org.suffix)."""
    learned = next((family for prefix, family in LEARNED_FAMILIES.items() if source.startswith(prefix)), None)
    return learned or next((p for p in SOURCE_PRIORITY if source.startswith(p)), source.rsplit(".", 1)[0])


def _bucket(count: int) -> str:
    return str(count) if count < 3 else "3+"


def _shape(name: str) -> str:
    scripts = {"latin" if re.match(r"[A-Za-z0-9]", c) else "katakana" if re.match(r"[ァ-ヶー]", c)
               else "hiragana" if re.match(r"[ぁ-ゖ]", c) else "kanji" if re.match(r"[\u4e00-\u9fff々]", c)
               else "" for c in name}
    scripts.discard("")
    return "+".join(sorted(scripts)) or "symbols"


def proposal_features(article: AnalysedArticle, proposal: Proposal, context: _ArticleContext,
                      rules_keep: bool) -> dict[str, float]:
    """The span's kind of name and its context, as the choice's linear model reads them."""
    rules = org_rules()
    text = article.text
    name, start, end = proposal.name, proposal.start, proposal.end
    # The rules' own choice, on a larger scale than the other features: the regularisation then pulls its
    # weight less, and a rule seen a few times in the gold (a list of companies) keeps its say.
    features: dict[str, float] = {"rules_keep": RULES_KEEP_SCALE * rules_keep}
    for source in proposal.sources:
        # Kinds of sources, not single rules: the gold is too small to weigh forty rules one by one.
        prefix = _source_family(source)
        features[f"source_kind={prefix}"] = 1.0
        if prefix == "org.cand":
            features[f"source={source}"] = 1.0
    label = context.labels.get((start, end)) or next(
        (context.labels[span] for span in context.entities.near(start, end) if span[0] <= start and end <= span[1]), "")
    if label:
        exact = (start, end) in context.labels
        features[f"label={label}" if exact else f"inside_label={label}"] = 1.0
        features[f"label_group={_label_group(label)}"] = 1.0
    features[f"shape={_shape(name)}"] = 1.0
    features["short"] = float(len(name) <= 2)
    # A span opening with hiragana is usually a phrase cut at the wrong place (ている|ミナト電機), unless
    # it opens with a noun the tokenizer reads whole (さくら|総合病院, ひかり|運輸).
    tokens = article.tokens_between(start, end)
    opens_with_noun = bool(tokens) and tokens[0].start == start and tokens[0].pos1 == "名詞"
    features["starts_hiragana"] = float(bool(re.match(r"[ぁ-ゖ]", text[start:end])) and not opens_with_noun)
    features["long"] = float(len(name) >= 12)
    suffix = _suffix_of(name) if name not in rules.suffixes else None
    if suffix:
        features[f"suffix={rules.suffixes[suffix][0]}"] = 1.0
    if name[-1:] in PLACE_SUFFIXES:
        features["place_suffix"] = 1.0
    if rules.legal_strip.search(text[max(0, start - 8):start] + "|") or rules.legal_strip.search(
            "|" + text[end:end + 8]):
        features["legal_form_beside"] = 1.0
    features["gazetteer"] = float(name in rules.gazetteer)
    features["authority"] = float(bool(rules.authority.search(name)))
    features["media"] = float(bool(rules.media.search(name)))
    # The rules' filters, now evidence.
    product_words = any(source in STRONG_CONTEXTS for source in proposal.sources)  # 〇〇ストア(本社・…)
    features["not_a_name"] = float(not is_organization_name(name, product_words))
    features["generic"] = float(name in rules.generic_names or any(
        name.startswith(p) and len(name) > len(p) for p in rules.generic_prefixes))
    features["common_word"] = float(name in rules.common_words)
    # A dictionary word (ミナミ, アオバ) names a firm only where the context says a firm is meant.
    strong_context = any((source.startswith("org.context") and source not in WEAK_CONTEXTS)
                         or source in ("org.cand.descriptor", "org.cand.quoted") for source in proposal.sources)
    features["strong_context"] = float(strong_context)
    if not strong_context and is_dictionary_word(name):
        features["dictionary_word"] = 1.0
    features["product_like"] = float(not product_words and any(p.search(name) for _, p in rules.not_organizations))
    features["name_evidence"] = float(_has_name_evidence(article, start, end))
    proper = [t for t in tokens if t.pos2 == "固有名詞"]
    features["person_name"] = float(bool(proper) and all(t.pos3 == "人名" for t in proper))
    features["place_name"] = float(bool(proper) and all(t.pos3 == "地名" for t in proper)
                                   and len(proper) == len(tokens))
    features["common_nouns_only"] = float(common_nouns_only(tokens))
    features["token_boundary"] = float(article.is_token_boundary(start) and article.is_token_boundary(end))
    # Context.
    after = text[end:end + 30]
    before = text[max(0, start - 12):start]
    particle = next((p for p in PARTICLES_AFTER if after.startswith(p)), "")
    features[f"after={particle or 'other'}"] = 1.0
    # The tokenizer may read on where the name characters stop (株式会社北浜|つり具).
    features["inside_word_after"] = float(bool(_NAME_CHAR_FIRST.match(after)) or context.cut_before_words(proposal))
    features["inside_word_before"] = float(bool(_NAME_CHAR_LAST.search(before)))
    if particle in ("は", "が"):
        sentence = article.sentence_at(start)
        rest = text[end:min(sentence.end, end + ANNOUNCE_CONTEXT)]
        features["subject_announces"] = float(bool(rules.cues["org.cue.announce"].search(rest)))
    # What a quoted name is said to have or do follows its closing quote (「ラクダ」の顧客).
    said = after[1:] if after.startswith(("」", "』")) else after
    features["holder"] = float(bool(rules.cues["org.cue.holder"].match(said)))
    features["alias_after"] = float(bool(rules.cues["org.cue.alias_after"].match(said)))
    features["press"] = float(bool(rules.cues["org.cue.press"].match(said)))
    features["arrest"] = float(bool(rules.cues["org.cue.arrest"].match(said)))
    features["person_after"] = float(bool(rules.cues["org.cue.person_after"].match(said)))
    features["company_before"] = float(bool(rules.cues["org.cue.company_before"].search(before)))
    features["quoted"] = float(before.endswith(("「", "『")) and after.startswith(("」", "』")))
    features["in_title"] = float(bool(article.title) and name in article.title)
    features["first_sentence"] = float(article.sentence_index(start) <= 1)
    features[f"repeats={_bucket(text.count(name))}"] = 1.0
    key = merge_key(name)
    features["same_name_strong"] = float(key in context.strong_keys)
    features[f"proposals_of_name={_bucket(context.key_counts.get(key, 0))}"] = 1.0
    if re.match(r"[ァ-ヴー]", name):
        # A katakana word is a common noun to the dictionary (ミドリ, アオバ) and a firm's name as
        # often: what the dictionary says of it is weighed apart from kanji compounds.
        features = _weighed_apart(features, "katakana", DICTIONARY_SAYS)
    if proposal.sources <= COMPOUND_SOURCES:
        # Spans proposed only for their shape (common nouns before a suffix, a place opening a
        # sentence) announce and hold data as often as names do: what the context says of them is
        # weighed apart, so that it does not teach the model to doubt every announcing name.
        features = _weighed_apart(features, "compound", COMPOUND_APART)
    return features


def common_nouns_only(tokens: list[Token]) -> bool:
    """Tokens that are all common nouns the dictionary knows (保育|施設, 和菓子), none of
    them spelt in kana where the dictionary writes kanji (さくら for 桜: a brand's spelling)."""
    return bool(tokens) and all(t.pos2 == "普通名詞" and not t.unknown and not _respelt(t) for t in tokens)


def _respelt(token: Token) -> bool:
    return bool(KANA_WORD.fullmatch(token.surface)) and bool(HAS_KANJI.search(token.lemma))


def _weighed_apart(features: dict[str, float], prefix: str, names: frozenset[str]) -> dict[str, float]:
    """The features, those of `names` renamed `prefix:name`, so that the model weighs them apart."""
    return {(f"{prefix}:{feature}" if feature in names else feature): value for feature, value in features.items()}


DICTIONARY_SAYS = frozenset({"common_nouns_only", "dictionary_word", "common_word"})
COMPOUND_SOURCES = frozenset({"org.cand.suffix_compound", "org.cand.place_subject"})
COMPOUND_APART = frozenset({"subject_announces", "holder", "first_sentence", "in_title", "after=は", "after=が",
                            "common_nouns_only", "token_boundary", "name_evidence"})


def _choose(proposals: list[Proposal], choice: OrgChoice) -> list[Proposal]:
    """The proposals the model finds likely enough, most likely first where two overlap."""
    for proposal in proposals:
        proposal.probability = choice.model.probability(proposal.features)
    kept: list[Proposal] = []
    taken = SpanIndex()
    for proposal in sorted(proposals, key=lambda p: (-p.probability, _source_rank(p.source), -(p.end - p.start),
                                                     p.start)):
        if not choice.keeps(proposal):
            continue
        if taken.overlaps(proposal.start, proposal.end):
            continue
        kept.append(proposal)
        taken.add(proposal.start, proposal.end)
    return sorted(kept, key=lambda p: p.start)


def find_organizations(article: AnalysedArticle, patterns: list[Candidate] | None = None,
                       proposals: list[Proposal] | None = None,
                       model: OrgChoice | None = None) -> list[Organization]:
    """Every organisation of the article, spellings merged, in order of first mention.

    `patterns` are the article's `pattern_candidates` when the caller already has them; `proposals`
    its `organization_proposals` (computed once when several models are tried on them); `model` the
    choice to apply (default: the weights file).
    """
    if proposals is None:
        proposals = organization_proposals(article, patterns)
    candidates = [Candidate(p.start, p.end, p.name, p.kind, p.source, p.probability)
                  for p in _choose(proposals, model or org_model())]
    return _organizations_of(article, candidates)


def _organizations_of(article: AnalysedArticle, candidates: list[Candidate]) -> list[Organization]:
    """The chosen candidates as organisations: spellings merged, every further mention added."""
    rules = org_rules()
    text = article.text
    groups = _Groups()
    for cand in candidates:
        groups.find(merge_key(cand.name))
        entry = rules.gazetteer.get(cand.name)
        if entry:  # 経済産業省 and 経産省
            groups.union(merge_key(entry.name), merge_key(cand.name))
    # ホシノ・インターナショナル and ホシノ: a name that is another's first part before ・.
    names = {c.name for c in candidates}
    for long in sorted(names, key=len):
        for short in _shorter_names_in(long, names):
            groups.union(merge_key(long), merge_key(short))
    by_group: dict[str, Organization] = {}
    for cand in candidates:
        root = groups.find(merge_key(cand.name))
        org = by_group.get(root)
        if org is None:
            org = by_group[root] = Organization(cand.name, cand.kind, [], probability=0.0)
            org.kind_rank = _source_rank(cand.source)
        org.probability = max(org.probability, cand.probability)
        if len(cand.name) > len(org.name):
            org.name = cand.name
        if _source_rank(cand.source) < org.kind_rank:  # a suffix or legal form knows the kind better
            org.kind, org.kind_rank = cand.kind, _source_rank(cand.source)
        org.names.add(cand.name)
        org.mentions.append((cand.start, cand.end, cand.source))
    for org in by_group.values():
        entry = rules.gazetteer.get(org.name)
        org.authority = bool(entry and entry.authority) or bool(rules.authority.search(org.name))
        org.media = bool(entry and entry.media) or bool(rules.media.search(org.name) and org.kind != "government")
        _add_further_mentions(text, org)
    organizations = _merge_overlapping(list(by_group.values()))
    for org in organizations:
        org.contractor = any(is_contractor_mention(text, s, e) for s, e, _ in org.mentions)
    return sorted(organizations, key=lambda o: o.mentions[0][0])


def _shorter_names_in(long: str, names: set[str]) -> Iterator[str]:
    """The names of `names` that `long` holds as its part before a ・ (ホシノ・インターナショナル:
    ホシノ) or as its tail (北浜ドコム: ドコム). Looked up part by part, not pair by pair: an
    article can hold thousands of names."""
    if len(long) > MAX_NAME_CHARS:
        return
    for position, char in enumerate(long):
        if char == "・" and long[:position] in names:
            yield long[:position]
    for start in range(1, len(long) - 2):
        if long[start:] in names and _is_name_tail(long[start:], long):
            yield long[start:]


def _merge_overlapping(organizations: list[Organization]) -> list[Organization]:
    """Two organisations claiming one span are one (日本航空(JAL) where GiNZA also found JAL): each joins the
    first kept organisation (most mentions first) that claims a span overlapping one of its own."""
    merged: list[Organization] = []
    own_spans: list[SpanIndex] = []  # per kept organisation, the spans it claims
    claimed = SpanIndex()  # every claimed span, of whichever organisation
    owners: dict[tuple[int, int], set[int]] = {}  # span -> the kept organisations claiming it
    for org in sorted(organizations, key=lambda o: -len(o.mentions)):
        hits = {owner for s, e, _ in org.mentions for span in claimed.near(s, e) if span[0] < e and s < span[1]
                for owner in owners[span]}
        if not hits:
            index, added = len(merged), org.mentions
            merged.append(org)
            own_spans.append(SpanIndex())
        else:
            index = min(hits)
            target = merged[index]
            target.names |= org.names
            added = [m for m in org.mentions if not own_spans[index].overlaps(m[0], m[1])]
            target.mentions.extend(added)
            target.mentions.sort()
            target.authority = target.authority or org.authority
            target.probability = max(target.probability, org.probability)
        for s, e, _ in added:
            claimed.add(s, e)
            own_spans[index].add(s, e)
            owners.setdefault((s, e), set()).add(index)
    return merged


def _add_further_mentions(text: str, org: Organization) -> None:
    """Every other place a kept name stands, and readings in brackets after it (MINATO Credit(ミナトクレジット))."""
    covered = SpanIndex((s, e) for s, e, _ in org.mentions)
    # Longest surface last, so that pop() searches it first: where `i.JXB` and `JXB` stand at one
    # place the whole name claims it, whatever order a set iterates in.
    pending = sorted(org.names | {text[s:e] for s, e in covered.spans}, key=lambda surface: (len(surface), surface))
    searched: set[str] = set()
    while pending:
        surface = pending.pop()
        if surface in searched:
            continue
        searched.add(surface)
        for start, end in _mention_spans(text, surface):
            if not covered.overlaps(start, end):
                org.mentions.append((start, end, "org.alias.mention"))
                covered.add(start, end)
            alias = PAREN_ALIAS.match(text[end:end + 40])
            abbreviation = ABBREVIATION.match(text[end:end + 40])
            if abbreviation:
                group = 1 if abbreviation.group(1) else 2
                alias_start, alias_end = end + abbreviation.start(group), end + abbreviation.end(group)
                # The text says outright it is a name: only a generic word is refused (全 may open it: 全交推).
                if not covered.overlaps(alias_start, alias_end) and abbreviation.group(group) not in (
                        org_rules().generic_names):
                    org.mentions.append((alias_start, alias_end, "org.alias.abbreviation"))
                    covered.add(alias_start, alias_end)
                    org.names.add(abbreviation.group(group))
                    pending.append(abbreviation.group(group))
            if alias and is_organization_name(alias.group(1).strip()):
                alias_start = end + alias.start(1)
                alias_end = alias_start + len(alias.group(1).strip())
                if not covered.overlaps(alias_start, alias_end):
                    org.mentions.append((alias_start, alias_end, "org.alias.parenthesis"))
                    covered.add(alias_start, alias_end)
                    org.names.add(alias.group(1).strip())
                    pending.append(alias.group(1).strip())
    org.mentions.sort()


def organization_rows(article: AnalysedArticle, organizations: list[Organization],
                      victim: str = "") -> list[OrganizationRow]:
    rows = []
    for org in organizations:
        role = "victim" if victim and org.name == victim else "contractor" if org.contractor else "other"
        for start, end, source in org.mentions:
            orig_start, orig_end, original = article.span(start, end)
            rows.append(OrganizationRow(article.article_id, orig_start, orig_end, original, org.name,
                                        org.kind, role, source))
    return sorted(rows, key=lambda r: r.start)


def extract_organizations(article: AnalysedArticle) -> list[OrganizationRow]:
    return organization_rows(article, find_organizations(article))
