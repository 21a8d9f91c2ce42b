"""Cross-validation folds, shared by `pipeline retrain` and the decision models' measurement."""

from __future__ import annotations

import random


def fold_split(ids: list[str], folds: int, seed: int) -> list[list[str]]:
    """Deterministic folds: the ids shuffled with the seed, dealt round-robin."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    folds = max(2, min(folds, len(order)))
    return [order[i::folds] for i in range(folds)]
