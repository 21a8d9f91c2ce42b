"""The analysed article every extraction stage reads: normalized text, tokens, sentences, entities."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pipeline.records import Article
from pipeline.stages.normalize import NormalizedText, join_wrapped_lines, normalize_text
from pipeline.stages.tokens import Sentence, Token, split_sentences, tokenize

# How many lines above a list item or table row may hold its heading (`漏えいした項目`).
HEADING_LINES = 3
# A line without 。 and at most this long is a list item, heading or table row.
SHORT_LINE = 80


# Numbers inside addresses are neither dates nor names (`https://example.jp/2024/10/31/`).
URL = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+")


def url_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in URL.finditer(text)]


def in_spans(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


class SpanIndex:
    """Spans (start, end), sorted, asked about a range without a scan of them all: an article can hold
    thousands of matches, and a check of each new one against all before it takes quadratic time."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.longest = max((end - start for start, end in self.spans), default=0)

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.spans.insert(index, (start, end))
        self.longest = max(self.longest, end - start)

    def near(self, begin: int, end: int) -> list[tuple[int, int]]:
        """Every span that may overlap [begin, end) (and a few that do not)."""
        return self.spans[bisect.bisect_left(self.starts, begin - self.longest):bisect.bisect_left(self.starts, end)]

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.near(start, end))


@dataclass(frozen=True)
class Entity:
    """A named entity found by the NER model, in normalized offsets."""

    start: int
    end: int
    text: str
    label: str


@dataclass
class AnalysedArticle:
    article: Article
    norm: NormalizedText
    sentences: list[Sentence]
    tokens: list[Token]
    title: str  # normalized headline: the given title, else the text's first line
    title_given: bool
    entities: list[Entity] = field(default_factory=list)
    # What a stage reads off the text and tokens once for the stages after it, by the reader's name.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The normalized text the rules run on."""
        return self.norm.text

    @property
    def article_id(self) -> str:
        return self.article.article_id

    def quote(self, sentence: Sentence) -> str:
        """A sentence in the article's own characters (a row's evidence quotes them)."""
        return self.span(sentence.start, sentence.end)[2]

    @cached_property
    def quoted_title(self) -> str:
        """The headline in the article's own characters."""
        if self.title_given:
            return self.article.title.strip()
        start = len(self.text) - len(self.text.lstrip())
        return self.span(start, start + len(self.title))[2].strip()

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Original (start, end, text) for a normalized span, ready for a span row."""
        orig_start, orig_end = self.norm.to_original(start, end)
        return orig_start, orig_end, self.norm.original[orig_start:orig_end]

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    @cached_property
    def _token_starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    @cached_property
    def _token_edges(self) -> set[int]:
        return {t.start for t in self.tokens} | {t.end for t in self.tokens}

    def sentence_index(self, offset: int) -> int:
        return max(bisect.bisect_right(self._sentence_starts, offset) - 1, 0)

    def sentence_at(self, offset: int) -> Sentence:
        return self.sentences[self.sentence_index(offset)]

    def tokens_between(self, start: int, end: int) -> list[Token]:
        first = bisect.bisect_left(self._token_starts, start)
        last = bisect.bisect_left(self._token_starts, end)
        return self.tokens[first:last]

    def is_token_boundary(self, offset: int) -> bool:
        return offset in self._token_edges

    def context_text(self, offset: int) -> str:
        """The sentence around `offset`, plus the lines above it when it is a list item or table row."""
        index = self.sentence_index(offset)
        sentence = self.sentences[index]
        parts = [sentence.text]
        if "。" not in sentence.text and len(sentence.text) <= SHORT_LINE:
            parts = [s.text for s in self.sentences[max(0, index - HEADING_LINES):index]] + parts
        return "\n".join(parts)


HEADLINE_MAX_CHARS = 80
# How many of a text's top lines may stand above its headline (a date, an addressee, a breadcrumb).
HEADLINE_SEARCH_LINES = 5


def analyse(article: Article) -> AnalysedArticle:
    """Normalize, split sentences and tokenize (the NER stage adds entities later)."""
    norm = join_wrapped_lines(normalize_text(article.text))
    sentences = split_sentences(norm.text)
    tokens: list[Token] = []
    for sentence in sentences:
        tokens.extend(tokenize(sentence.text, sentence.start))
    if article.title.strip():
        title, given = normalize_text(article.title).text.strip(), True
    else:
        # A headline is a short line of its own; a text that starts with its lead has none.
        first_line = norm.text.strip().split("\n", 1)[0].strip()
        is_headline = "\n" in norm.text.strip() and len(first_line) <= HEADLINE_MAX_CHARS
        title, given = (first_line if is_headline else ""), False
    return AnalysedArticle(article, norm, sentences, tokens, title, given)
