"""Property-based tests: extraction never raises on text of any script or shape, and every span row
quotes the article's own characters (`text == article_text[start:end]`)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_spans_quote_the_text

# Every script an article or a scraped page may hold, and the characters normalization touches.
SCRIPTS = st.sampled_from([
    (0x3041, 0x3096),  # hiragana
    (0x30A1, 0x30FA),  # katakana
    (0x4E00, 0x9FFF),  # kanji
    (0xFF61, 0xFF9F),  # half-width katakana and its voiced marks
    (0xFF01, 0xFF5E),  # full-width ASCII
    (0x20, 0x7E),  # ASCII
    (0x3000, 0x303F),  # CJK punctuation: 。、「」〜
    (0x2460, 0x24FF),  # circled numbers
    (0x3200, 0x33FF),  # ㈱ ㍻ ㌔: characters NFKC expands
    (0xAC00, 0xD7A3),  # Hangul
    (0x0600, 0x06FF),  # Arabic
    (0x0300, 0x036F),  # combining marks
    (0x1F300, 0x1F64F),  # emoji
    (0x0, 0x1F),  # control characters
])
LEAK_WORDS = st.sampled_from(["株式会社", "は", "、", "。", "\n", "1,", "件", "名", "氏名", "住所", "年", "月", "日",
                              "令和", "約", "万", "流出", "漏えい", "ホールディングス", "市", "県", "不正アクセス"])


@st.composite
def script_text(draw, max_size=400):
    low, high = draw(SCRIPTS)
    return draw(st.text(st.characters(min_codepoint=low, max_codepoint=high, exclude_categories=["Cs"]),
                        max_size=max_size))


mixed_text = st.lists(st.one_of(script_text(), LEAK_WORDS), max_size=40).map("".join)
# Long runs without a break: one short piece repeated thousands of times.
long_runs = st.builds(lambda piece, times: piece * times, st.one_of(script_text(6), LEAK_WORDS),
                      st.integers(min_value=500, max_value=6000))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_text_of_every_script_extracts_without_error_and_spans_quote_it(text):
    assert_spans_quote_the_text(text)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(long_runs)
def test_long_runs_without_a_break_extract_without_error(text):
    assert_spans_quote_the_text(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_string_extracts_without_error(text):
    assert_spans_quote_the_text(text)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_the_ner_stage_takes_any_text_too(text):
    assert_spans_quote_the_text(text, use_ner=True)
