"""Japanese labels for the SPEC's codes: every code has one, and nothing else does."""

import re

from pipeline.report.labels import code_labels, with_label
from tests.conftest import REPO


def spec_codes(spec: str) -> tuple[set[str], set[str]]:
    categories_part = spec.split("## Data category codes")[1].split("## Cause codes")[0]
    categories = set(re.findall(r"^\| ([a-z_]+) \|", categories_part, re.MULTILINE)) - {"code"}
    causes_part = spec.split("## Cause codes")[1].split("\n", 1)[1].split("##")[0]  # below its heading
    causes = set(re.findall(r"\b[a-z_]+\b", causes_part))  # the codes are its only lower-case Latin words
    return causes, categories


def test_every_spec_code_has_a_label_and_no_other_code_does(shared_dir):
    causes, categories = spec_codes((shared_dir / "spec" / "SPEC.md").read_text(encoding="utf-8"))
    assert len(categories) == 22 and {"name", "credit_card", "other"} <= categories
    assert {"unauthorized_access", "misdelivery", "misconfiguration", "other", "unknown"} <= causes
    assert set(code_labels()["categories"]) == categories
    assert set(code_labels()["causes"]) == causes


def test_a_code_reads_with_its_label_and_an_unknown_code_stays_bare():
    assert [with_label(code, "causes") for code in ("misdelivery", "loss", "no_such_cause")] == [
        "misdelivery (誤送信・誤送付)", "loss (紛失・誤廃棄)", "no_such_cause"]
    assert with_label("name", "categories") == "name (氏名)"


def test_the_tables_page_lists_every_code_with_its_label():
    page = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
    for kind, labels in code_labels().items():
        for code, label in labels.items():
            assert f"| `{code}` | {label} |" in page, (kind, code)
