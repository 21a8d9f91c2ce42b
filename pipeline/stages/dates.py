"""Dates: 西暦, 和暦 (also R5, H31.4.1), kanji numerals, numeric dates, ranges, 同日/同月/同17日,
年度 → FY, year inference.

A date written without a year takes it, in order, from: an explicit year earlier in the same
sentence; the article's reference date (a date later than it belongs to the year before); the
reference date inferred from the text. A date whose year cannot be told is left out rather
than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.records import DateRow
from pipeline.stages.analysis import AnalysedArticle, in_spans, url_spans
from pipeline.stages.numerals import parse_date_number
from pipeline.stages.rules import compile_pattern, load, rule_cache, rule_path, section

RULE_FILE = "dates.yaml"
ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911}  # era year 1 = start + 1
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
# The first day of each era: a date before it is no date of that era (令和元年4月 was 平成).
ERA_FIRST_DAY = {"令和": date(2019, 5, 1), "平成": date(1989, 1, 8), "昭和": date(1926, 12, 25),
                 "大正": date(1912, 7, 30)}
# The last era year written: one past the era's end, as notices printed before a change wrote
# the next year (平成32年度 for 2020); a later one is no year of that era.
ERA_LAST_YEAR = {"平成": 32, "昭和": 64, "大正": 15}
NEWS_LEAD = re.compile(r"(?:に)?、")
ERA_CARRY = 5  # how far a bare 2-digit 年度 may be from the era year named before it


@dataclass(frozen=True)
class DateRule:
    id: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class RoleRule:
    id: str
    role: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class DateRules:
    patterns: tuple[DateRule, ...]
    roles: tuple[RoleRule, ...]
    range_connector: re.Pattern[str]
    release_labels: tuple[str, ...]  # longest first
    update_labels: tuple[str, ...]
    year_continuations: tuple[str, ...]


@rule_cache
def date_rules() -> DateRules:
    path = rule_path(RULE_FILE)
    data = load(RULE_FILE)
    patterns = tuple(DateRule(e["id"], compile_pattern(e, path))
                     for e in section(data, "patterns", path, ["pattern"]))
    roles = tuple(RoleRule(e["id"], e["role"], tuple(e["cues"]))
                  for e in section(data, "roles", path, ["role", "cues"]))
    connector = compile_pattern(section(data, "range_connectors", path, ["pattern"])[0], path)
    lines = {e["id"]: tuple(sorted(e["labels"], key=len, reverse=True))
             for e in section(data, "date_lines", path, ["labels"])}
    continuations = tuple(word for e in section(data, "year_continuations", path, ["words"]) for word in e["words"])
    return DateRules(patterns, roles, connector, lines.get("date.line.release", ()), lines.get("date.line.update", ()),
                     continuations)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    rule: str
    groups: dict[str, str | None]


@dataclass(frozen=True)
class ResolvedDate:
    """A resolved calendar value; month/day are None for coarser granularities."""

    year: int
    month: int | None = None
    day: int | None = None
    fiscal: bool = False

    @property
    def value(self) -> str:
        if self.fiscal:
            return f"FY{self.year}"
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def granularity(self) -> str:
        if self.fiscal:
            return "fiscal_year"
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def is_valid(self) -> bool:
        if not 1900 <= self.year <= 2100:
            return False
        if self.month is not None and not 1 <= self.month <= 12:
            return False
        if self.day is not None:
            try:
                date(self.year, self.month or 1, self.day)
            except ValueError:
                return False
        return True


@rule_cache(maxsize=8)  # the rows and the inferred reference date of one article both need them
def find_date_mentions(text: str) -> tuple[DateMention, ...]:
    """Every date expression in `text`, non-overlapping (earliest, then longest, wins)."""
    urls = url_spans(text)
    found = []
    for rule in date_rules().patterns:
        for match in rule.pattern.finditer(text):
            if in_spans(match.start(), urls):
                continue
            found.append(DateMention(match.start(), match.end(), rule.id, match.groupdict()))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    mentions: list[DateMention] = []
    for mention in found:
        if mentions and mention.start < mentions[-1].end:
            continue
        mentions.append(mention)
    return tuple(mentions)


def _number(groups: dict[str, str | None], name: str) -> int | None:
    text = groups.get(name)
    return parse_date_number(text) if text else None


def era_name(written: str) -> str:
    """`令和`, or the era a letter abbreviates (`R`, `R.` → 令和)."""
    written = written.rstrip(".").strip()
    return ERA_LETTERS.get(written, written)


def era_date_is_possible(era: str, number: int, month: int | None = None, day: int | None = None) -> bool:
    """Whether era year `number` (with its month and day) lies in the era: no year 0, nothing
    before the era began, nothing past its last written year (平成31年5月 is still 2019-05)."""
    if number < 1 or number > ERA_LAST_YEAR.get(era, 99):
        return False
    if number == 1 and month is not None:
        first = ERA_FIRST_DAY[era]
        last_day = day if day is not None else 31
        return (month, last_day) >= (first.month, first.day)
    return True


def _explicit_year(groups: dict[str, str | None]) -> int | None:
    """The year written in full (`2024`, `令和6`), None when none is or the era year is impossible."""
    year = groups.get("year")
    if not year:
        return None
    number = parse_date_number(year)
    if groups.get("era"):
        era = era_name(groups["era"])
        if not era_date_is_possible(era, number, _number(groups, "month"), _number(groups, "day")):
            return None
        return ERA_START[era] + number
    return number


# A date up to this many days after the publication day is news of the near future (a follow-up
# report, an update line); one further ahead is last year's.
NEAR_FUTURE_DAYS = 31


def _year_near_reference(reference: date, month: int, day: int | None) -> int:
    """The year that puts month/day on or before `reference`, allowing the near future."""
    try:
        candidate = date(reference.year, month, day or 1)
    except ValueError:
        return reference.year
    return reference.year - 1 if (candidate - reference).days > NEAR_FUTURE_DAYS else reference.year


def infer_reference_date(mentions: tuple[DateMention, ...]) -> ResolvedDate | None:
    """Without a publication date, the latest fully written date in the text stands in for it.

    Only a date with at least a month counts: a bare year says too little to place `2月13日`.
    """
    best: ResolvedDate | None = None
    full_years = [y for y in (_explicit_year(m.groups) for m in mentions) if y]
    for mention in mentions:
        groups = mention.groups
        year = _explicit_year(groups) or _short_year_after_full(groups, full_years)
        if year is None or groups.get("fiscal") or not groups.get("month"):
            continue
        candidate = ResolvedDate(year, _number(groups, "month"), _number(groups, "day"))
        if not candidate.is_valid():
            continue
        key = (candidate.year, candidate.month, candidate.day or 0)
        if best is None or key > (best.year, best.month, best.day or 0):
            best = candidate
    return best


# How many years after the latest full year a two-digit year may name (`25年` after `2021年`).
SHORT_YEAR_SPAN = 5


def _short_year_after_full(groups: dict[str, str | None], full_years: list[int]) -> int | None:
    """`2021年6月8日から25年12月19日まで`: once the text names a full year, news drops the century;
    a two-digit year (no era) with its month is 20xx when that falls within a few years of one."""
    short = groups.get("short_year")
    if not short or len(short) != 2 or not groups.get("month") or not full_years:
        return None
    year = 2000 + int(short)
    return year if min(full_years) <= year <= max(full_years) + SHORT_YEAR_SPAN else None


class DateResolver:
    """Resolves mentions left to right, remembering the dates already named."""

    def __init__(self, reference: date | None, inferred: ResolvedDate | None):
        self.reference = reference
        self.inferred = inferred
        self.last: ResolvedDate | None = None
        self.last_end = -1
        self.last_sentence = -1
        self.last_explicit_year_sentence: tuple[int, int] | None = None  # (sentence, year)
        self.last_era: tuple[int, str, int] | None = None  # (sentence, era, era year)

    def _base_year(self) -> int | None:
        if self.reference:
            return self.reference.year
        if self.inferred:
            return self.inferred.year
        return self.last.year if self.last else None

    def _year_for(self, month: int, day: int | None, sentence: int) -> int | None:
        """The year of a month(/day) written without one."""
        if self.last_explicit_year_sentence and self.last_explicit_year_sentence[0] == sentence:
            return self.last_explicit_year_sentence[1]
        if self.reference:
            return _year_near_reference(self.reference, month, day)
        if self.last:
            return self.last.year
        if self.inferred:
            return self.inferred.year
        return None

    def resolve(self, mention: DateMention, sentence: int, gap: str) -> ResolvedDate | None:
        g = mention.groups
        continues_previous = (self.last is not None and self.last_sentence == sentence
                              and bool(date_rules().range_connector.match(gap)))
        resolved: ResolvedDate | None
        if g.get("same_day"):
            resolved = self.last if self.last and self.last.day is not None else None
        elif mention.rule == "date.same_month_day" or g.get("same_month"):
            if self.last is None or self.last.month is None:
                return None
            resolved = ResolvedDate(self.last.year, self.last.month, _number(g, "day"))
        elif g.get("short_year"):
            number = int(g["short_year"])
            # `平成30年度、31年度`: the era just named carries over to a nearby number.
            era = None
            if self.last_era and self.last_era[0] == sentence and abs(number - self.last_era[2]) <= ERA_CARRY:
                era = self.last_era[1]
                self.last_era = (sentence, era, number)  # `平成24年…29年…30年`: each carries to the next
            year = ERA_START[era] + number if era else 2000 + number
            # Two digits with no era are this century's, and no later than the year after the
            # article's (`32年度` alone is no year of ours: it may be 平成32 or 2032).
            if not era and (len(g["short_year"]) == 1 or not self._near_enough(year, bool(g.get("month")))):
                return None
            if g.get("month"):  # `25年12月19日`: news drops the century once the full year is named
                resolved = ResolvedDate(year, _number(g, "month"), _number(g, "day"))
                self.last_explicit_year_sentence = (sentence, year)
            else:
                resolved = ResolvedDate(year, fiscal=True)
        elif g.get("relative") and not g.get("month"):  # 昨年度 / 今年度
            base = self._fiscal_year_of_reference()
            if base is None:
                return None
            offset = {"昨年": -1, "前年": -1, "翌年": 1}.get(g["relative"], 0)
            resolved = ResolvedDate(base + offset, fiscal=True)
        elif g.get("relative_month"):
            if not self.reference:
                return None
            month = self.reference.month + {"先月": -1, "来月": 1}.get(g["relative_month"], 0)
            year = self.reference.year + (month - 1) // 12
            resolved = ResolvedDate(year, (month - 1) % 12 + 1, _number(g, "day"))
        elif g.get("year"):
            year = _explicit_year(g)
            if year is None:
                return None
            resolved = ResolvedDate(year, _number(g, "month"), _number(g, "day"), fiscal=bool(g.get("fiscal")))
            self.last_explicit_year_sentence = (sentence, year)
            if g.get("era"):
                era = era_name(g["era"])
                self.last_era = (sentence, era, year - ERA_START[era])
        elif g.get("month"):
            month = _number(g, "month")
            day = _number(g, "day")
            relative = g.get("relative")
            if relative:
                year = self._relative_year(relative)
            elif continues_previous:
                year = self.last.year
            else:
                year = self._year_for(month, day, sentence)
            if year is None:
                return None
            resolved = ResolvedDate(year, month, day)
        elif g.get("day"):
            day = _number(g, "day")
            if continues_previous and self.last.month is not None:
                resolved = ResolvedDate(self.last.year, self.last.month, day)
            elif self._later_day_of_last_month(day, sentence):
                # `5月1日に発生し、3日に判明`: a later day in the sentence of a full date is in its month.
                resolved = ResolvedDate(self.last.year, self.last.month, day)
            else:
                anchor = self._day_anchor()
                if anchor is None:
                    return None
                year, month = (anchor.year, anchor.month) if day <= anchor.day else (
                    (anchor.year, anchor.month - 1) if anchor.month > 1 else (anchor.year - 1, 12))
                resolved = ResolvedDate(year, month, day)
        else:
            return None
        if resolved is None or not resolved.is_valid():
            return None
        if not resolved.fiscal:
            self.last = resolved
            self.last_sentence = sentence
        self.last_end = mention.end
        return resolved

    def _near_enough(self, year: int, with_month: bool) -> bool:
        """Whether a two-digit year read as 20xx is no later than the year after the article's: its
        reference date, else (for a bare 年度) the latest full date in its text; true when unknown.
        `2021年6月8日から25年12月19日まで` is why a month's year is not held to the text's dates."""
        base = self.reference.year if self.reference else None
        if base is None and not with_month and self.inferred:
            base = self.inferred.year
        return base is None or year <= base + 1

    def _later_day_of_last_month(self, day: int, sentence: int) -> bool:
        """Whether a bare day continues the month of the full date named earlier in its sentence:
        a later day of that month, not after the article's date."""
        last = self.last
        # Without a publication date the sentence right after a full date still tells its story
        # (`10月25日に発送した。ところが29日、…`); with one, the day counts back from it.
        sentences = (self.last_sentence,) if self.reference else (self.last_sentence, self.last_sentence + 1)
        if last is None or last.day is None or sentence not in sentences or day <= last.day:
            return False
        try:
            candidate = date(last.year, last.month, day)
        except ValueError:
            return False
        anchor = self._day_anchor()
        return anchor is None or candidate <= anchor + timedelta(days=NEAR_FUTURE_DAYS)

    def _day_anchor(self) -> date | None:
        """What a bare `24日` counts back from: the publication date, else a dateline in the text.

        A month-only stand-in is not enough: `12日` could be in any month before it.
        """
        if self.reference:
            return self.reference
        if self.inferred and self.inferred.day is not None:
            return date(self.inferred.year, self.inferred.month, self.inferred.day)
        return None

    def _relative_year(self, relative: str) -> int | None:
        if relative == "同年":
            return self.last.year if self.last else None
        if relative in ("前年", "翌年") and self.last:
            return self.last.year + (-1 if relative == "前年" else 1)
        base = self.reference.year if self.reference else None
        if base is None:
            return None
        return base - 1 if relative in ("昨年", "前年") else base

    def _fiscal_year_of_reference(self) -> int | None:
        if not self.reference:
            return None
        return self.reference.year if self.reference.month >= 4 else self.reference.year - 1


# What a date line may hold besides its dates and labels: times of day, weekdays, brackets, spaces.
# Also a list number opening the line (`(1)`, `2.`, `③`), as timelines number their steps.
LINE_NOISE = re.compile(r"^\s*(?:\(\d{1,2}\)|\d{1,2}[.)]|[①-⑳])|\d{1,2}:\d{2}(?::\d{2})?|"
                        r"(?:午前|午後)?\d{1,2}時(?:\d{1,2}分)?(?:ごろ|頃)?|\([月火水木金土日]\)|[\s:()\[\]【】<>〈〉・|/.]")
# Between the two ends of a range (`10日から12日まで`), the first end takes the role of the second.
RANGE_GAP = re.compile(r"^\s?(?:\([月火水木金土日]\))?\s?(?:\d{1,2}時(?:\d{1,2}分)?|\d{1,2}:\d{2})?\s?"
                       r"(?:~|-|から|より)\s?$")
PERIOD_OPENING = re.compile(r"(?:に)?(?:かけて|から|まで|より|以降|の間|~|-)(?!\s?\d)")
# A date modifying the noun after it names that noun's time: only a cue right there tells a role.
ADNOMINAL = re.compile(r"(?:以前|以降|まで|から|末|初旬|中旬|下旬|頃|ごろ)?の(?!間)")
ADNOMINAL_REACH = 10
# The time of day a date may carry before the words about it (`(金)午前9時30分頃、`).
TIME_OF_DAY = re.compile(r"\s?(?:\([月火水木金土日]\))?\s?(?:午前|午後|未明|早朝|朝|夜)?\s?"
                         r"(?:\d{1,2}時(?:\d{1,2}分)?(?:ごろ|頃)?|\d{1,2}:\d{2})?")
# A label before a date on its line (`発生日時:`, `2. 判明日 `), with no clause in it.
LINE_LABEL = re.compile(r"[\s\d.()①-⑳]*[^\s、。,]{1,10}[\s:]*")
DATE_LABEL_END = re.compile(r"(?:日時|日|時期|日付)[\s:]*$")
# A clause before the date that names what the date is of (`閲覧可能な状態にあった期間は`).
CLAUSE_LABEL = re.compile(r"(?:期間|時期|日時|日)(?:は|が|:)?\s?$")
# A clause holding a verb with no cue in it holds the verb the date goes with: the date has no role.
# (`になって`, `に入り` only say when: `8月18日になって対象者より、…連絡を受け取った`.)
CLAUSE_VERB = re.compile(r"した|して|った|いた|れた|ける|する|される|された|ている|ていた")
WHEN_WORDS = re.compile(r"^(?:になって|になり|に入って|に入り)")
NAME_CHARACTER = re.compile(r"[\u4e00-\u9fffァ-ヺーA-Za-z]")


def _cue_role(window: str, last: bool = False) -> str | None:
    """The role of the first cue word in `window` (of the last one with `last`)."""
    best: tuple[int, str] | None = None
    for rule in date_rules().roles:
        for cue in rule.cues:
            position = window.rfind(cue) if last else window.find(cue)
            if position >= 0 and (best is None or (position > best[0] if last else position < best[0])):
                best = (position, rule.role)
    return best[1] if best else None


def _news_lead_announced(text: str, start: int, end: int, sentence_end: int) -> bool:
    """`同社は11日、…と発表した`: in a news lead the date belongs to the sentence's last verb."""
    if not (NEWS_LEAD.match(text[end:end + 2]) and re.search(r"[はが]\s?$", text[max(0, start - 2):start])):
        return False
    tail = text[max(end, sentence_end - 20):sentence_end]
    return any(rule.role == "announced" and any(cue in tail for cue in rule.cues) for rule in date_rules().roles)


def window_role(window: str) -> str | None:
    """The role told by the text after a date (None when it tells none).

    A date opening a period (`1日から`, `5日にかけて`) is the event's: the first cue names it. Any
    other date goes with the verb closing its clause: in `3日に…暗号化されていることを発見した` the
    date is the discovery's, so the last cue of its first clause with a cue names it; a clause with a
    verb and no cue before it (`19年度に申請した人の`) holds the date's own verb: the date has no role.
    """
    window = window[TIME_OF_DAY.match(window).end():]
    if ADNOMINAL.match(window):  # `10月9日の不正アクセス`, not `9月10日以前の宿泊予約`
        return _cue_role(window[:ADNOMINAL_REACH])
    if PERIOD_OPENING.match(window):
        return _cue_role(window)
    for clause in re.split(r"[、,]|てから", WHEN_WORDS.sub("", window)):
        role = _cue_role(clause, last=True)
        if role or CLAUSE_VERB.search(clause):
            return role
    return None


def date_role(text: str, start: int, end: int, window_end: int) -> str:
    """The date's role from the text after it up to `window_end` (the next date of its sentence, or
    the sentence's end), else from a label before `start` (`発生日時:`, `閲覧可能な状態にあった期間は`);
    for the second end of a range, `start` is where the range begins."""
    role = window_role(text[end:min(window_end, end + 80)])
    if role:
        return role
    label = text[text.rfind("\n", 0, start) + 1:start]
    if LINE_LABEL.fullmatch(label):
        return _cue_role(label) or "other"
    clause = re.split(r"[、,。\n]", text[max(0, start - 40):start])[-1]
    if CLAUSE_LABEL.search(clause):
        return _cue_role(clause, last=True) or "other"
    return "other"


def date_line_kind(text: str, start: int, mentions_on_line: list[tuple[int, int]]) -> str | None:
    """What the line holding the date at `start` is, when it holds nothing but dates and labels:
    "update" (`更新日 2024年1月5日`), "release" (`公開日:2023年12月8日`) or "bare" (`2024/10/31`);
    None for any other line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    rules = date_rules()
    rest, position, label = [], line_start, ""
    for mention_start, mention_end in sorted(mentions_on_line):
        rest.append(text[position:mention_start])
        if mention_start == start:
            label = text[position:mention_start]
        position = mention_end
    rest.append(text[position:line_end])
    words = LINE_NOISE.sub("", "".join(rest))
    remainder = words
    for word in (*rules.update_labels, *rules.release_labels):
        remainder = remainder.replace(word, "")
    if remainder:
        return None
    if any(word in label for word in rules.update_labels):
        return "update"
    return "release" if words else "bare"


def names_a_year(text: str, end: int, granularity: str) -> bool:
    """Whether a year or fiscal year is part of a name (`2025年度講習会`, `令和5年度入学生`)."""
    if granularity not in ("year", "fiscal_year"):
        return False
    following = text[end:end + 4]
    if any(following.startswith(word) for word in date_rules().year_continuations):
        return False
    return bool(NAME_CHARACTER.match(following[:1]))


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


# `同日`, `同月5日` lean on the date before them: never a release's own date line.
RELATIVE_RULES = ("date.same_day", "date.same_month_day", "date.same_month")
PROSE_LINE = re.compile(r"^[^\n]{30,}$", re.MULTILINE)


def _prose_extent(text: str) -> tuple[int, int]:
    """Where the release's prose (lines of 30 characters or more holding a 。) begins and ends;
    (len, len) when it has none."""
    lines = [m for m in PROSE_LINE.finditer(text) if "。" in m.group()]
    if not lines:
        return len(text), len(text)
    return lines[0].start(), lines[-1].end()


def _next_line(text: str, offset: int) -> str:
    """The first non-empty line after the line holding `offset`, up to its first 。 (kept)."""
    rest = text[_line_bounds(text, offset)[1]:].lstrip("\n \u3000")
    line = rest.split("\n", 1)[0]
    return line[:line.find("。") + 1] if "。" in line else line


def _previous_line(text: str, offset: int) -> str:
    """The last non-empty line before the line holding `offset`."""
    before = text[:_line_bounds(text, offset)[0]].rstrip("\n \u3000")
    return before[before.rfind("\n") + 1:]


def _names_a_date(line: str) -> bool:
    """Whether a line is a label naming the date below it (`(1) 発生日時`, `1 送った日`)."""
    return bool(LINE_LABEL.fullmatch(line) and DATE_LABEL_END.search(line))


def _opens_a_step(next_line: str) -> bool:
    """Whether a date line below the start of the prose heads a step of a timeline (the line after
    it says what happened) rather than signing the release (`2018年5月24日` above the sender)."""
    return "。" in next_line or _cue_role(next_line) is not None or len(next_line) > 30


def _closes_a_title(text: str, start: int, end: int) -> bool:
    """`…の漏えいについて 2023年6月21日`: a date closing a line of words longer than a label such
    as `発生日時:`."""
    line_start, line_end = _line_bounds(text, start)
    return not LINE_NOISE.sub("", text[end:line_end]) and not LINE_LABEL.fullmatch(text[line_start:start])


def assign_roles(text: str, found: list[tuple[DateMention, ResolvedDate, int, int]]) -> list[str]:
    """The role of each resolved date (mention, value, its sentence's index and end), in order.

    A release's own date line, above or below its prose (or closing a title line above it), is the
    announcement (an update line only where the release has no other); in a news report the lead's
    announcement day wins over the report's own date line. A bare date line below the start of the
    prose under a label line (`(1) 発生日時`) takes its role from the label; one heading a step of a
    timeline, from the line after it. A year inside a name is no event date. The first end of a
    range takes the role of the second.
    """
    by_line: dict[int, list[tuple[int, int]]] = {}
    for mention, _, _, _ in found:
        by_line.setdefault(_line_bounds(text, mention.start)[0], []).append((mention.start, mention.end))
    prose_start, prose_end = _prose_extent(text)
    roles: list[str] = ["other"] * len(found)
    line_kinds: dict[int, str] = {}
    news_lead = False
    for index in range(len(found) - 1, -1, -1):  # backwards: a range's first end looks at its second
        mention, resolved, sentence, sentence_end = found[index]
        # The text after a date runs to the next day or month of its sentence (not a fiscal year).
        following = next((f for f in found[index + 1:] if f[1].month is not None), None)
        same_sentence_next = following is not None and following[2] == sentence
        kind = date_line_kind(text, mention.start, by_line[_line_bounds(text, mention.start)[0]]) \
            if resolved.day is not None and mention.rule not in RELATIVE_RULES else None
        if kind == "bare" and mention.start > prose_start and _names_a_date(_previous_line(text, mention.start)):
            # Below a label of its own (`(1) 発生日時`, `(1) 送った日時`): the label names it.
            roles[index] = _cue_role(_previous_line(text, mention.start)) or "other"
        elif kind == "bare" and mention.start > prose_start and _opens_a_step(_next_line(text, mention.start)):
            roles[index] = window_role(_next_line(text, mention.start)) or "other"
        elif kind or (resolved.day is not None and mention.start < prose_start
                      and _closes_a_title(text, mention.start, mention.end)):
            line_kinds[index] = "update" if kind == "update" else "release"
            roles[index] = "announced"
        elif names_a_year(text, mention.end, resolved.granularity):
            roles[index] = "other"
        elif _news_lead_announced(text, mention.start, mention.end, sentence_end):
            roles[index] = "announced"
            news_lead = True
        else:
            window_end = following[0].start if same_sentence_next else sentence_end
            previous = found[index - 1] if index else None
            range_start = previous[0].start if previous and previous[2] == sentence and \
                RANGE_GAP.match(text[previous[0].end:mention.start]) else mention.start
            roles[index] = date_role(text, range_start, mention.end, window_end)
            if roles[index] == "other" and index + 1 < len(found) and found[index + 1][2] == sentence and \
                    RANGE_GAP.match(text[mention.end:found[index + 1][0].start]):
                roles[index] = roles[index + 1]
    has_release_line = "release" in line_kinds.values()
    for index, kind in line_kinds.items():
        if news_lead or (kind == "update" and has_release_line):
            roles[index] = "other"
    return roles


def parse_reference_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def reference_date_for(article: AnalysedArticle) -> tuple[str, bool]:
    """(reference date, inferred?) as written to articles.csv; "" when neither given nor inferable."""
    if article.article.reference_date:
        return article.article.reference_date, False
    inferred = infer_reference_date(find_date_mentions(article.text))
    if inferred is None:
        return "", True
    return inferred.value, True


def extract_dates(article: AnalysedArticle) -> list[DateRow]:
    text = article.text
    mentions = find_date_mentions(text)
    reference = parse_reference_date(article.article.reference_date)
    inferred = None if reference else infer_reference_date(mentions)
    resolver = DateResolver(reference, inferred)
    found = []
    previous_end = 0
    for mention in mentions:
        sentence_index = article.sentence_index(mention.start)
        gap = text[previous_end:mention.start] if previous_end else ""
        resolved = resolver.resolve(mention, sentence_index, gap)
        previous_end = mention.end
        if resolved is not None:
            found.append((mention, resolved, sentence_index, article.sentences[sentence_index].end))
    rows = []
    for (mention, resolved, _, _), role in zip(found, assign_roles(text, found), strict=True):
        start, end, original = article.span(mention.start, mention.end)
        rows.append(DateRow(article.article_id, start, end, original, resolved.value,
                            resolved.granularity, role, mention.rule))
    return rows
