import pytest

from pipeline.stages.normalize import display_width, join_wrapped_lines, normalize_text, wrap_width


def test_full_width_digits_and_letters_become_ascii():
    norm = normalize_text("２０２４年１０月ＬＩＮＥ")
    assert norm.text == "2024年10月LINE"


def test_spans_map_back_to_the_original_characters():
    original = "㈱ミナト　１万２千件"
    norm = normalize_text(original)
    assert norm.text == "(株)ミナト 1万2千件"
    start = norm.text.index("1万2千件")
    assert norm.original_slice(start, start + len("1万2千件")) == "１万２千件"
    # ㈱ becomes three characters that all point back to the one original character.
    assert norm.to_original(0, 3) == (0, 1)


def test_half_width_katakana_with_voiced_mark_is_one_character():
    norm = normalize_text("ｶﾞｲﾄﾞ")
    assert norm.text == "ガイド"
    assert norm.original_slice(0, 1) == "ｶﾞ"


def test_wave_dash_and_full_width_tilde_unify_as_range_marks():
    assert normalize_text("1日〜3日").text == "1日~3日"
    assert normalize_text("1日～3日").text == "1日~3日"


# An invented release as a PDF viewer or an e-mail hands it over: wrapped at 18 full-width characters.
RELEASE = ("北浜技研、顧客情報流出の可能性\n"
           "\n"
           "精密機器メーカーの北浜技研株式会社は１０\n"
           "月６日、通販サイトが不正アクセスを受け、\n"
           "顧客の氏名や住所など最大１万２千件の個人\n"
           "情報が流出した可能性があると発表した。\n"
           "\n"
           "同社によると、９月下旬にサーバーの異常な\n"
           "通信を検知した。クレジットカード情報は保\n"
           "有していないという。\n")


def test_text_wrapped_at_a_fixed_width_reads_as_whole_sentences():
    norm = join_wrapped_lines(normalize_text(RELEASE))
    assert norm.text.split("\n") == [
        "北浜技研、顧客情報流出の可能性",
        "",
        "精密機器メーカーの北浜技研株式会社は10月6日、通販サイトが不正アクセスを受け、"
        "顧客の氏名や住所など最大1万2千件の個人情報が流出した可能性があると発表した。",
        "",
        "同社によると、9月下旬にサーバーの異常な通信を検知した。クレジットカード情報は保有していないという。",
        "",
    ]


def test_a_span_across_a_joined_line_break_quotes_the_original_with_its_break():
    norm = join_wrapped_lines(normalize_text(RELEASE))
    start = norm.text.index("10月6日")
    assert norm.original_slice(start, start + len("10月6日")) == "１０\n月６日"


@pytest.mark.parametrize("text", [
    # one paragraph per line, however long
    "北浜市は3日、市民の個人情報を記録したUSBメモリーを紛失したと発表した。\n"
    "同市によると、職員が会議資料とともに持ち出し、帰宅途中に紛失したという。\n"
    "現時点で情報の不正利用は確認されていない。",
    # a list whose items happen to be one width: each starts an item of its own
    "流出した可能性のある情報は次の通りです。\n"
    "・会員登録時に入力された氏名、住所、電話番号\n"
    "・会員登録時に入力されたメールアドレスと生年\n"
    "・会員登録時に入力された勤務先の名称と所在地\n",
    # short lines of one width (a table of names) are no wrapped text
    "氏名\n住所\n電話\n",
])
def test_text_that_is_not_wrapped_is_left_as_it_is(text):
    norm = normalize_text(text)
    assert join_wrapped_lines(norm).text == norm.text


def test_latin_words_wrapped_apart_keep_a_space():
    text = ("攻撃には既知の脆弱性を突く手口が使われ、同社は\n"
            "ファイアウォールの設定を見直したという。Remote\n"
            "Desktopの接続は既に止めており、被害の拡大は\n"
            "確認されていない。")
    assert "Remote Desktopの" in join_wrapped_lines(normalize_text(text)).text


def test_wrap_width_counts_full_width_characters_as_two_columns():
    lines = ["あ" * 20, "い" * 18 + "2024", "う" * 20, "え" * 5]  # 40, 40, 40 and 10 columns
    assert wrap_width(lines) == (display_width, 40)


def test_a_pdfs_code_points_for_a_glyph_read_as_the_character_drawn():
    # A text layer gives 長 as the radical ⻑, 民 as ⺠, 人 as the Kangxi radical ⼈, ・ as ‧.
    assert normalize_text("校⻑‧教頭と市⺠1,280⼈分の⼾籍").text == "校長・教頭と市民1,280人分の戸籍"
