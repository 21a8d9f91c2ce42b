"""The README a newcomer reads first: short, its set-up commands first, its example runs as printed."""

import re

import pandas as pd

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_the_readme_is_short_and_starts_with_the_two_set_up_commands():
    assert len(README) <= 12_000
    first = code_blocks("bash")[0].splitlines()
    assert first[0].startswith("pip install -e . && pipeline run data/raw/")
    assert first[1].startswith(".ci/run ")
    assert README.index("```bash") < README.index("## ")  # before any section


def test_every_link_into_the_docs_leads_to_a_page_of_the_site():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", README))
    assert len(links) >= 10
    for link in links:
        assert (REPO / link).is_file(), link
        if link.endswith(".md"):
            assert link.removeprefix("docs/") in nav, f"{link} is not in the site's nav"


def test_the_notebook_example_gives_a_reference_date_and_prints_what_it_says():
    [example] = [block for block in code_blocks("python") if "pipeline.extract" in block]
    assert '"reference_date": "2025-06-04"' in example
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    row = namespace["tables"].incidents.iloc[0]
    printed = re.search(r"# 0\s+(\S+)\s+(\S+)\s+(\d+)\s+(\S+)", example).groups()
    assert (row.victim, row.cause, str(row.affected_total), row.announced_on) == printed
    assert printed[3] == "2025-06-03" and not pd.isna(row.announced_on)
