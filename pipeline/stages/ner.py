"""NER with GiNZA (`ja_ginza`), loaded once per process, for organisation names no pattern finds.

The model is by far the slowest stage (its tok2vec runs at ~1,500 characters a second on one
core), so it reads only stretches of text where it could add something:

- an entity is kept by the organisation stage only if it holds name evidence (a proper noun,
  katakana or Latin) beyond known common nouns, and only if it overlaps no pattern match;
- so the model runs on windows of a few tokens around such evidence tokens outside the spans
  the patterns already claimed, clipped to the sentence. The window gives the model the
  context its convolutional encoder sees (a few tokens each side).

On the dev corpus this is about a fifth of the text, with the same organisations found as
when the model reads every sentence (bench/ and tests/test_ner.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pipeline.stages import rules
from pipeline.stages.analysis import AnalysedArticle, Entity, SpanIndex
from pipeline.stages.rules import load, rule_cache, rule_path, section
from pipeline.stages.tokens import Token

MODEL_NAME = "ja_ginza"
RULE_FILE = "ner.yaml"
# Components no stage reads: excluding them leaves tok2vec + ner.
UNUSED_COMPONENTS = ["parser", "morphologizer", "compound_splitter", "bunsetu_recognizer", "attribute_ruler"]
BATCH_SIZE = 64
# Tokens of context each side of an evidence token (the encoder's reach is a few tokens).
WINDOW_TOKENS = 6
_NAME_SCRIPT = re.compile(r"[A-Za-zァ-ヴ]")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[A-Za-zぁ-ゖァ-ヴ\u4e00-\u9fff々]")
_ERA = re.compile(r"令和|平成|昭和")
# The most characters of one article the model reads. Ordinary articles stay far below it (the dev
# corpus's largest need is under 3,000), but text where every stretch looks like a name (random
# katakana, scraped garbage) would otherwise send all of itself through the model at ~1,500
# characters a second. Windows past the budget are left out; the patterns still read everything.
MAX_MODEL_CHARS = 10_000


_chosen: str | None = None


def trained_models(models_dir: Path | None = None) -> list[Path]:
    """Fine-tuned models, oldest first."""
    # Models fine-tuned by `pipeline retrain` (ner-<hash>/); the newest is used when present.
    folder = models_dir or rules.models_dir()
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("ner-*") if (p / "meta.json").is_file()]
    return sorted(found, key=lambda p: ((p / "meta.json").stat().st_mtime, p.name))


def current_model() -> str:
    """The model the NER stage uses: one set with use_model, else the newest fine-tuned model,
    else stock ja_ginza."""
    if _chosen is not None:
        return _chosen
    models = trained_models()
    return str(models[-1].resolve()) if models else MODEL_NAME


def use_model(name: str | None) -> None:
    """Use this model (a package name or a model folder) from now on; None: the default choice."""
    global _chosen
    _chosen = name


def model_identity() -> str:
    """A short name of the model in use, for the extractor version (output of another is stale)."""
    name = current_model()
    return name if name == MODEL_NAME else Path(name).name


def load_model(name: str | None = None):
    """The spaCy pipeline, loaded once per process (spaCy is imported lazily: it takes seconds)."""
    return _load(name or current_model())


@lru_cache(maxsize=4)  # one key per model: load_model() and load_model("ja_ginza") share it
def _load(name: str):
    import spacy

    # "strings" skips reading the vocabulary's 600,000 strings (most of the load time): the
    # model's features are hashes, and the labels come with the ner component.
    return spacy.load(name, exclude=[*UNUSED_COMPONENTS, "strings"])


@rule_cache
def not_name_words() -> frozenset[str]:
    """Words that never open an NER window (rules/ner.yaml)."""
    path = rule_path(RULE_FILE)
    return frozenset(word for entry in section(load(RULE_FILE), "not_name_words", path, ["words"])
                     for word in entry["words"])


def is_name_evidence(token: Token) -> bool:
    """A token an organisation entity must contain to be kept: a proper noun, an unknown word, or
    katakana/Latin that is not a known common noun (メール and サーバー are not names)."""
    surface = token.surface
    if token.pos2 == "数詞" or not _LETTER.search(surface) or _ERA.fullmatch(surface):
        return False
    if re.fullmatch(r"[A-Za-z]", surface) or surface in not_name_words():
        return False
    if not (token.pos2 == "固有名詞" or token.unknown or _NAME_SCRIPT.search(surface)):
        return False
    return bool(_LATIN.search(surface)) or token.unknown or token.pos2 != "普通名詞"


def ner_windows(article: AnalysedArticle, claimed: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans of the normalized text the model should read: each evidence token outside the
    `claimed` spans, with WINDOW_TOKENS tokens each side, inside its sentence; overlaps merged."""
    claims = SpanIndex(claimed)
    tokens = article.tokens
    windows: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if not is_name_evidence(token) or claims.overlaps(token.start, token.end):
            continue
        sentence = article.sentence_at(token.start)
        start = max(tokens[max(0, index - WINDOW_TOKENS)].start, sentence.start)
        end = min(tokens[min(len(tokens) - 1, index + WINDOW_TOKENS)].end, sentence.end)
        # Never cut a claimed name: `ホールディングスは、…` read alone looks like a name itself.
        start = min([start, *(s for s, e in claims.near(start, start + 1) if s < start < e and s >= sentence.start)])
        end = max([end, *(e for s, e in claims.near(end, end + 1) if s < end < e and e <= sentence.end)])
        if windows and start <= windows[-1][1] and article.sentence_index(windows[-1][0]) == \
                article.sentence_index(start):
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def within_budget(windows: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """The first windows, in text order, whose lengths add up to at most `budget` characters."""
    kept = []
    for start, end in windows:
        budget -= end - start
        if budget < 0:
            break
        kept.append((start, end))
    return kept


def find_entities(article: AnalysedArticle, claimed: Iterable[tuple[int, int]] = (),
                  model_name: str | None = None) -> list[Entity]:
    """GiNZA entities in the windows of `ner_windows`, in normalized offsets."""
    windows = within_budget(ner_windows(article, claimed), MAX_MODEL_CHARS)
    if not windows:
        return []
    nlp = load_model(model_name)
    texts = (article.text[start:end] for start, end in windows)
    entities = []
    for (start, _), doc in zip(windows, nlp.pipe(texts, batch_size=BATCH_SIZE), strict=True):
        for ent in doc.ents:
            entities.append(Entity(start + ent.start_char, start + ent.end_char, ent.text, ent.label_))
    return entities
