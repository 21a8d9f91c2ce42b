"""Fine-tune GiNZA's `ner` on organisation spans from gold records (`pipeline retrain`).

Training text is what the model reads at run time: the windows of `ner.ner_windows` (plus a
window around every gold mention), those that hold a gold organisation or where the stock model
sees one (right or wrong). Gold organisation names are located in those windows and labelled
by their kind. So that the model does not forget the labels we do not train, each
window also keeps the stock model's own non-organisation entities (pseudo-rehearsal).

Training is on the CPU with a fixed seed; the model is saved under `models/ner-<hash>/`, the
hash naming the training data, seed and epochs, so the same gold gives the same directory.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import unicodedata
from pathlib import Path

from pipeline.learning.rule_learning import guess_kind
from pipeline.records import Article
from pipeline.stages.analysis import analyse
from pipeline.stages.ner import MODEL_NAME, WINDOW_TOKENS, load_model, ner_windows
from pipeline.stages.organizations import org_rules

LABEL_OF_KIND = {"company": "Company", "government": "Government", "education": "School",
                 "medical": "Organization_Other", "other": "Organization_Other"}
DEFAULT_EPOCHS = 8
BATCH_SIZE = 8
DROPOUT = 0.2
# A small step (spaCy's default is 0.001), so that a few dozen examples nudge the stock model
# rather than overwrite what it knows.
LEARN_RATE = 0.0002

Example = tuple[str, list[tuple[int, int, str]]]


def _mentions(text: str, names: list[str]) -> list[tuple[int, int]]:
    spans = []
    for name in sorted({unicodedata.normalize("NFKC", n) for n in names}, key=len, reverse=True):
        start = text.find(name)
        while start >= 0 and name:
            end = start + len(name)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = text.find(name, end)
    return spans


def training_examples(gold_records: list[dict], articles: dict[str, Article]) -> list[Example]:
    """(window text, [(start, end, label)]) for every window of the gold articles."""
    org_labels = set(org_rules().ner_labels)
    stock = load_model(MODEL_NAME)
    examples: list[Example] = []
    for gold in gold_records:
        analysed = analyse(articles[gold["id"]])
        text = analysed.text
        gold_spans = []
        for names in gold.get("organizations", []):
            label = LABEL_OF_KIND[guess_kind(unicodedata.normalize("NFKC", max(names, key=len)))]
            gold_spans += [(s, e, label) for s, e in _mentions(text, names)]
        optional = [span for names in gold.get("organizations_optional", []) for span in _mentions(text, names)]
        windows = ner_windows(analysed)
        tokens = analysed.tokens
        for start, end, _ in gold_spans:
            first = next((i for i, t in enumerate(tokens) if t.end > start), 0)
            last = next((i for i, t in enumerate(tokens) if t.end >= end), len(tokens) - 1)
            sentence = analysed.sentence_at(start)
            windows.append((max(sentence.start, tokens[max(0, first - WINDOW_TOKENS)].start),
                            min(sentence.end, tokens[min(len(tokens) - 1, last + WINDOW_TOKENS)].end)))
        for w_start, w_end in sorted(set(windows)):
            inside = [(s - w_start, e - w_start, label) for s, e, label in gold_spans if w_start <= s and e <= w_end]
            if any(w_start < e and s < w_end and not (w_start <= s and e <= w_end) for s, e, _ in gold_spans):
                continue  # a gold name cut by the window edge would teach a wrong boundary
            if any(w_start < e and s < w_end for s, e in optional):
                continue  # neither right nor wrong: teach nothing here
            window_text = text[w_start:w_end]
            predicted = stock(window_text).ents
            if not inside and not any(ent.label_ in org_labels for ent in predicted):
                continue  # no organisation, and the stock model sees none: nothing to teach
            rehearsed = [(ent.start_char, ent.end_char, ent.label_) for ent in predicted
                         if ent.label_ not in org_labels
                         and not any(ent.start_char < e and s < ent.end_char for s, e, _ in inside)]
            examples.append((window_text, sorted(inside + rehearsed)))
    return examples


def model_name_for(examples: list[Example], seed: int, epochs: int) -> str:
    digest = hashlib.sha256(json.dumps([examples, seed, epochs], ensure_ascii=False).encode()).hexdigest()
    return f"ner-{digest[:12]}"


def train(examples: list[Example], seed: int = 0, epochs: int = DEFAULT_EPOCHS):
    """The stock model's tok2vec + ner, fine-tuned on `examples`; returns the spaCy pipeline."""
    import spacy
    from spacy.training import Example as SpacyExample

    from pipeline.stages.ner import UNUSED_COMPONENTS

    spacy.util.fix_random_seed(seed)
    nlp = spacy.load(MODEL_NAME, exclude=UNUSED_COMPONENTS)
    samples = []
    for text, spans in examples:
        doc = nlp.make_doc(text)
        entities = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and not any(span.start < e.end and e.start < span.end for e in entities):
                entities.append(span)
        reference = nlp.make_doc(text)
        reference.ents = sorted(entities, key=lambda s: s.start)
        samples.append(SpacyExample(doc, reference))
    if not samples:
        return nlp
    optimizer = nlp.resume_training()
    optimizer.learn_rate = LEARN_RATE
    shuffler = random.Random(seed)
    for _ in range(epochs):
        shuffler.shuffle(samples)
        for begin in range(0, len(samples), BATCH_SIZE):
            nlp.update(samples[begin:begin + BATCH_SIZE], sgd=optimizer, drop=DROPOUT, losses={})
    return nlp


def save(nlp, models_dir: Path, name: str) -> Path:
    """Write the model to models_dir/name (replacing one of that name); return its path."""
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / name
    staging = models_dir / f".{name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
