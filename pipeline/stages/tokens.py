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


def split_sentences(text: str) -> list[Sentence]:
    sentences = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end() if not match.group().startswith("\n") else match.start()
        if text[start:end].strip():
            sentences.append(_trimmed(text, start, end))
        start = match.end()
    if text[start:].strip():
        sentences.append(_trimmed(text, start, len(text)))
    return sentences


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
