"""Cross-validation folds and the sealed part of the corpus, both keeping whole cases together.

Articles reporting one incident share a gold `case` label; an `nm-` label marks the same
organisation's other incident. Both go to one group, so that no fold (and not the sealed part) is
scored on an incident whose other report it was fitted on.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict

SEALED_SEED = "issue-17"
SEALED_SHARE = 4  # one group in four is sealed


def case_group(record: dict) -> str:
    """The group an article goes with: its case label's organisation part, else its own id."""
    label = record.get("case")
    if not label:
        return f"id:{record['id']}"
    return "case:" + label.removeprefix("nm-").split("-")[0]


def fold_split(ids: list[str], folds: int, seed: int, groups: dict[str, str] | None = None) -> list[list[str]]:
    """Deterministic folds: the groups (an id alone where none is given) shuffled with the seed and
    dealt greedily, largest first, to the fold holding the fewest articles."""
    members: dict[str, list[str]] = defaultdict(list)
    for article_id in sorted(ids):
        members[(groups or {}).get(article_id, f"id:{article_id}")].append(article_id)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda group: -len(members[group]))  # stable: ties keep the shuffled order
    folds = max(2, min(folds, len(order)))
    dealt: list[list[str]] = [[] for _ in range(folds)]
    for group in order:
        min(dealt, key=len).extend(members[group])
    return [sorted(fold) for fold in dealt]


def groups_of(records: list[dict]) -> dict[str, str]:
    return {record["id"]: case_group(record) for record in records}


def is_sealed(record: dict, seed: str = SEALED_SEED) -> bool:
    """Whether this gold article belongs to the sealed part: decided by a hash of its group alone,
    so adding articles to the corpus never moves another article in or out."""
    digest = hashlib.sha256(f"{seed}:{case_group(record)}".encode()).digest()
    return digest[0] % SEALED_SHARE == 0


def sealed_split(records: list[dict], seed: str = SEALED_SEED) -> tuple[list[dict], list[dict]]:
    """(open, sealed): the records one may read and fit on, and the ones kept for the final figure."""
    sealed = [r for r in records if is_sealed(r, seed)]
    return [r for r in records if not is_sealed(r, seed)], sealed
