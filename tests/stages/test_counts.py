from pipeline.records import Article
from pipeline.stages.counts import extract_counts
from pipeline.stages.extraction import extract_article


def pairs(rows):
    return [(r.value, r.unit) for r in rows]


def test_commas_man_oku_and_kanji(article):
    a = article("メールは合計1万8,843件。約3万7,000人分、最大5億人、市民三十二人分、15万1421件。同一人物。")
    assert pairs(extract_counts(a)) == [(18843, "件"), (37000, "人"), (500_000_000, "人"), (32, "人"), (151421, "件")]


def test_bun_suffix_is_dropped_from_the_unit(article):
    assert pairs(extract_counts(article("299名分と56人分、570件分。"))) == [(299, "名"), (56, "人"), (570, "件")]


def test_qualifiers(article):
    rows = extract_counts(article("約30万件、最大で約44万件、40万件強、1万件程度、100人以上、計188件が対象。"))
    assert [r.qualifier for r in rows] == ["approx", "max", "over", "approx", "min", "exact"]


def test_possible_only_when_the_sentence_says_so(article):
    rows = extract_counts(article("7409人の情報が流出した可能性がある。253件を送信した。"))
    assert [r.possible for r in rows] == [True, False]


def test_counted_noun(article):
    text = "7409人のクレジットカード情報が漏えい。個人情報280件を公開。利用者のメールアドレス 1,780件。"
    rows = extract_counts(article(text))
    assert [r.counted for r in rows] == ["クレジットカード情報", "個人情報", "メールアドレス"]


def test_ages_money_durations_ordinals_and_vague_amounts_are_not_counts(article):
    a = article("職員(47)と50代の男性が約1万2千円を持ち、2分後に3年2カ月間、第3人目、数百件、一人ひとり。")
    assert extract_counts(a) == []


def test_other_units_are_kept_with_their_unit(article):
    assert pairs(extract_counts(article("58法人・387名、76事業所85件、パソコン1台、企業1社。"))) == [
        (58, "法人"), (387, "名"), (76, "事業所"), (85, "件"), (1, "台"), (1, "社")]


def test_rows_quote_the_original_text(article):
    a = article("約３万７，０００人分が流出。")
    [row] = extract_counts(a)
    assert row.text == "約３万７，０００人分"
    assert (row.value, row.unit, row.rule) == (37000, "人", "count.unit.nin_bun")


def test_a_count_row_never_starts_with_the_space_before_it():
    # A full-width space before a number (a table cell, a list) is no part of the count's row; after a
    # qualifier (`約 3万件`) the span keeps the space between them.
    text = "漏えい件数　３，０００件。対象者 1,200人。約 3万件。"
    extraction, _ = extract_article(Article("t1", text, "test"), use_ner=False)
    assert [row.text for row in extraction.counts] == ["３，０００件", "1,200人", "約 3万件"]
    assert all(text[row.start:row.end] == row.text for row in extraction.counts)
