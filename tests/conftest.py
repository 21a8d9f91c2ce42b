from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.records import Article
from pipeline.stages.analysis import AnalysedArticle, analyse
from pipeline.stages.extraction import extract_article

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the repo, or beside a folder holding it (a git worktree such as wt/<branch>).
SHARED = next((folder / "shared" for folder in REPO.parents if (folder / "shared" / "eval" / "score.py").exists()),
              REPO.parent / "shared")


def make_article(text: str, reference_date: str = "", title: str = "", article_id: str = "t1") -> AnalysedArticle:
    """An analysed article from literal text, as the stages receive it."""
    return analyse(Article(article_id, text, "test", title=title, reference_date=reference_date))


@pytest.fixture
def article():
    return make_article


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repo (CI and developers have it): the dev corpus and the reference scorer."""
    assert (SHARED / "eval" / "score.py").exists(), f"expected the shared folder at {SHARED}"
    return SHARED


def assert_spans_quote_the_text(text: str, use_ner: bool = False) -> None:
    """Extract `text` (it must not raise) and check that every span row quotes its own characters."""
    extraction, reference_date = extract_article(Article("fuzz", text, "fuzz"), use_ner)
    for rows in (extraction.organizations, extraction.dates, extraction.counts, extraction.categories):
        for row in rows:
            assert 0 <= row.start <= row.end <= len(text)
            assert text[row.start:row.end] == row.text, row
    assert extraction.incident.article_id == "fuzz"
