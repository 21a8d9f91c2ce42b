"""Property-based tests: reading never raises on random bytes or random HTML, whatever the file type;
an input is an Article or a ReadFailure that names the file."""

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.batch.reading import iter_inputs
from pipeline.records import Article, ReadFailure
from tests.conftest import assert_spans_quote_the_text

SUFFIXES = st.sampled_from([".txt", ".html", ".htm", ".pdf", ".jsonl"])
TAGS = st.sampled_from(["p", "div", "script", "style", "nav", "br", "table", "td", "title", "a", "b", "!--", "pre"])
ENTITIES = st.sampled_from(["&amp;", "&#12354;", "&#x1F600;", "&nbsp;", "&bogus;", "&#0;", "<", ">"])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@st.composite
def html(draw, depth=0):
    """Random, often broken markup: nested tags, stray closers, entities, attributes with quotes."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 5 if depth < 3 else 2))
        if kind == 0:
            parts.append(draw(TEXT))
        elif kind == 1:
            parts.append(draw(ENTITIES))
        elif kind == 2:
            parts.append(f"</{draw(TAGS)}>")
        else:
            tag = draw(TAGS)
            attribute = draw(st.sampled_from(["", ' class="x"', " onerror='a\"b'", ' href="javascript:1"']))
            closed = draw(st.booleans())
            parts.append(f"<{tag}{attribute}>{draw(html(depth + 1))}" + (f"</{tag}>" if closed else ""))
    return "".join(parts)


def read_one(name: str, data: bytes) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        items = list(iter_inputs([path]))
        for item in items:
            assert isinstance(item, Article | ReadFailure)
            assert item.source.startswith(str(path))
            if isinstance(item, ReadFailure):
                assert item.error
            else:
                assert item.text.strip()
        return items


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), SUFFIXES)
def test_random_bytes_never_raise_whatever_the_file_type(data, suffix):
    read_one("random" + suffix, data)


@settings(max_examples=80, deadline=None)
@given(html(), st.sampled_from(["utf-8", "cp932", "euc_jp", "utf-16"]))
def test_random_html_reads_as_visible_text_or_fails_clearly(markup, encoding):
    items = read_one("page.html", markup.encode(encoding, errors="ignore"))
    if isinstance(items[0], Article):  # offsets count in the visible text, as for any article
        assert_spans_quote_the_text(items[0].text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=80), st.dictionaries(st.sampled_from(["id", "text", "title",
                                                                                  "reference_date", "url"]),
                                                                 st.one_of(TEXT, st.integers(), st.none())).map(
    lambda record: json.dumps(record, ensure_ascii=False).encode())), max_size=8))
def test_random_json_lines_fail_line_by_line(lines):
    data = b"\n".join(lines)
    items = read_one("batch.jsonl", data)
    assert len(items) <= len(data.split(b"\n")), "at most one article or failure per line"


@settings(max_examples=15, deadline=None)
@given(st.lists(TAGS, min_size=1, max_size=5), st.integers(min_value=1, max_value=30_000), st.booleans())
def test_deep_nesting_of_any_tags_never_raises(tags, depth, closed):
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth))) if closed else ""
    read_one("deep.html", (opening + "北浜市の発表。" + closing).encode())
