from pipeline.stages.normalize import normalize_text


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
