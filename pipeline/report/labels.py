"""Japanese labels beside the SPEC's cause and data-category codes (`labels.yaml`), for the pages and
summaries a person reads; the CSV tables keep the codes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipeline.stages.rules import read_rule_file, section

LABELS_FILE = Path(__file__).parent / "labels.yaml"
KINDS = ("causes", "categories")


@cache
def code_labels() -> dict[str, dict[str, str]]:
    """{"causes": {"misdelivery": "誤送信・誤送付", ...}, "categories": {"name": "氏名", ...}}."""
    data = read_rule_file(LABELS_FILE)
    return {kind: {entry["code"]: entry["label"] for entry in section(data, kind, LABELS_FILE, ["code", "label"])}
            for kind in KINDS}


def with_label(code: str, kind: str) -> str:
    """`misdelivery (誤送信・誤送付)`; a code without a label stays as it is."""
    label = code_labels()[kind].get(code)
    return f"{code} ({label})" if label else code
