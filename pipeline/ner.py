"""NER with GiNZA (`ja_ginza`), loaded once per process, for organisation candidates.

Only sentences that could hold an organisation name go through the model: the rule stages do
not need it, and it is the slowest stage by far.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.analysis import AnalysedArticle, Entity

MODEL_NAME = "ja_ginza"
# Components no stage reads: excluding them roughly halves the model's time.
UNUSED_COMPONENTS = ["parser", "morphologizer", "compound_splitter", "bunsetu_recognizer", "attribute_ruler"]
# A sentence may name an organisation when it holds katakana or Latin words or an org-like kanji.
MAY_HOLD_NAME = re.compile(r"[ァ-ヴ]{2,}|[A-Za-z]{2,}|[社省庁局署府県市区町村校院学会所構団]")
BATCH_SIZE = 64


@lru_cache(maxsize=1)
def load_model(name: str = MODEL_NAME):
    """The spaCy pipeline (imported lazily: loading spaCy and the model takes seconds)."""
    import spacy

    nlp = spacy.load(name, exclude=UNUSED_COMPONENTS)
    return nlp


def find_entities(article: AnalysedArticle, model_name: str = MODEL_NAME) -> list[Entity]:
    """GiNZA entities of the article, in normalized offsets."""
    sentences = [s for s in article.sentences if MAY_HOLD_NAME.search(s.text)]
    if not sentences:
        return []
    nlp = load_model(model_name)
    entities = []
    for sentence, doc in zip(sentences, nlp.pipe((s.text for s in sentences), batch_size=BATCH_SIZE), strict=True):
        for ent in doc.ents:
            entities.append(Entity(sentence.start + ent.start_char, sentence.start + ent.end_char,
                                   ent.text, ent.label_))
    return entities
