"""The analysed article: a headline is a short first line of its own, or the given title."""

from pipeline.records import Article
from pipeline.stages.analysis import analyse


def test_a_short_first_line_is_the_headline():
    analysed = analyse(Article("a", "北浜市、住民情報を誤送信\n北浜市は6月3日、住民32人分の氏名を誤送信した。", "t"))
    assert (analysed.title, analysed.title_given) == ("北浜市、住民情報を誤送信", False)


def test_a_text_that_starts_with_its_lead_has_no_headline():
    one_paragraph = Article("b", "北浜県警は14日、元社員の男を逮捕した。男は顧客情報を持ち出していた。", "t")
    assert analyse(one_paragraph).title == ""
    long_line = Article("c", "北浜県警は" + "、".join(["顧客情報"] * 30) + "を調べた。\n続報。", "t")
    assert analyse(long_line).title == ""


def test_a_given_title_wins():
    analysed = analyse(Article("d", "本文。", "t", title="見出し"))
    assert (analysed.title, analysed.title_given) == ("見出し", True)


def test_a_span_index_finds_overlaps_as_a_scan_of_every_span_would():
    import random

    from pipeline.stages.analysis import SpanIndex

    rng = random.Random(5)
    spans = [(start, start + rng.randint(0, 30)) for start in (rng.randint(0, 2000) for _ in range(300))]
    index = SpanIndex(spans[:100])
    for span in spans[100:200]:
        index.add(*span)
    for start in range(0, 2100, 7):
        end = start + rng.randint(0, 40)
        assert index.overlaps(start, end) == any(s < end and start < e for s, e in spans[:200]), (start, end)
