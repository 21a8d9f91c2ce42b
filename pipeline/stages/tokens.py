"""Tokenize with fugashi + unidic-lite and split sentences.

Offsets are into the normalized text (see normalize.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import fugashi

# A sentence ends at 。！？ (plus any closing brackets) or at a line break.
_SENTENCE_END = re.compile(r"[。!?！？]+[」』)\]]*|\n+")
# Longer "sentences" (a scraped page without punctuation, a table flattened to one line) are cut
# into segments of at most this many characters. MeCab's time grows faster than linearly with the
# length of one call and it crashes (SIGSEGV) on calls of ~150,000 characters; GiNZA's windows stay
# inside a segment, far below Sudachi's 49,149-byte limit. Real sentences are far shorter (the dev
# corpus's longest is about 200 characters), so they are never cut.
MAX_SENTENCE_CHARS = 1000
# Where an overlong sentence is best cut: after a comma or a space, else at a change of script.
_SAFE_BREAK = re.compile(r"[、，,;；:：・\s]+")
_SCRIPT_CHANGE = re.compile(r"(?<=[\u3041-\u309f])(?=[^\u3041-\u309f])|(?<=[^\u3041-\u309f])(?=[\u3041-\u309f])")


@dataclass(frozen=True)
class Token:
    surface: str
    start: int
    end: int
    pos1: str  # 名詞, 助詞, …
    pos2: str  # 固有名詞, 普通名詞, 数詞, …
    pos3: str  # 地名, 人名, 一般, …
    lemma: str
    unknown: bool = False  # not in the dictionary (MeCab guessed it)

    @property
    def is_place_name(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "地名"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def tagger() -> fugashi.Tagger:
    """One fugashi tagger per process (loading the dictionary is the slow part)."""
    return fugashi.Tagger()


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Sentences of `text`; one longer than `max_chars` comes as segments of at most that length."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end() if not match.group().startswith("\n") else match.start()
        if text[start:end].strip():
            sentences.extend(_segments(text, _trimmed(text, start, end), max_chars))
        start = match.end()
    if text[start:].strip():
        sentences.extend(_segments(text, _trimmed(text, start, len(text)), max_chars))
    return sentences


def _segments(text: str, sentence: Sentence, max_chars: int) -> list[Sentence]:
    """`sentence` cut at safe points into pieces of at most `max_chars` (offsets stay exact)."""
    if sentence.end - sentence.start <= max_chars:
        return [sentence]
    pieces = []
    start = sentence.start
    while sentence.end - start > max_chars:
        end = _safe_cut(text, start, start + max_chars)
        if text[start:end].strip():
            pieces.append(_trimmed(text, start, end))
        start = end
    if text[start:sentence.end].strip():
        pieces.append(_trimmed(text, start, sentence.end))
    return pieces


def _safe_cut(text: str, start: int, limit: int) -> int:
    """The last good place to cut in the second half of text[start:limit]: after a comma or a space,
    else at a change between hiragana and other script, else at `limit` itself."""
    lowest = start + (limit - start) // 2
    window = text[lowest:limit]
    for pattern in (_SAFE_BREAK, _SCRIPT_CHANGE):
        ends = [match.end() for match in pattern.finditer(window)]
        if ends and lowest + ends[-1] > start:
            return lowest + ends[-1]
    return limit


def _trimmed(text: str, start: int, end: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end])


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokenize one sentence; token offsets are shifted by `offset`."""
    tokens = []
    position = 0
    for word in tagger()(text):
        surface = word.surface
        found = text.find(surface, position)
        if found < 0:  # MeCab never rewrites surfaces, but stay safe
            continue
        position = found + len(surface)
        feature = word.feature
        tokens.append(Token(surface, offset + found, offset + position, feature.pos1 or "",
                            feature.pos2 or "", feature.pos3 or "", feature.lemma or surface, word.is_unk))
    return tokens
