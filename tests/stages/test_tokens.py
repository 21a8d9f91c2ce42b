import re

from pipeline.stages.organizations import MIXED_NAME, NAME
from pipeline.stages.tokens import MAX_SENTENCE_CHARS, split_sentences, tokenize


def test_an_overlong_sentence_is_cut_after_a_comma_with_exact_offsets():
    text = "顧客の氏名、住所、電話番号" * 200 + "が流出した。次の文。"
    sentences = split_sentences(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert sentences[0].text.endswith("、")
    assert sentences[-1].text == "次の文。"


def test_ordinary_sentences_are_not_cut():
    text = "北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。詳しい経緯を調べている。"
    assert [s.text for s in split_sentences(text)] == ["北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。",
                                                        "詳しい経緯を調べている。"]


def test_a_digit_flood_is_tokenized_in_pieces_without_crashing_mecab():
    # One MeCab call on ~150,000 characters like these dies with SIGSEGV.
    text = "1," * 100_000 + "件"
    tokens = [t for s in split_sentences(text) for t in tokenize(s.text, s.start)]
    assert tokens[-1].surface == "件" and tokens[-1].end == len(text)


def test_name_patterns_fail_fast_on_long_katakana_after_latin():
    for pattern in (NAME, MIXED_NAME):
        # A failing match used to try every way of splitting the katakana into words.
        assert re.search(f"(?:{pattern})社", "A" + "ア" * 5000 + "。") is None
        assert re.fullmatch(pattern, "KITAクラウド・サービス") is not None
