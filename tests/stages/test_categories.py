from pipeline.stages.categories import extract_categories


def pairs(rows):
    return sorted({(r.category, r.negated) for r in rows})


def test_lexicon_maps_terms_to_codes(article):
    a = article("流出したのは氏名、生年月日、携帯電話番号、メールアドレス、カード番号、マイナンバー、病名です。")
    assert pairs(extract_categories(a)) == [("birth_date", False), ("credit_card", False), ("email", False),
                                             ("government_id", False), ("health", False), ("name", False),
                                             ("phone", False)]


def test_longest_term_wins(article):
    rows = extract_categories(article("流出した情報はカード名義と顧客管理番号です。"))
    assert [(r.text, r.category) for r in rows] == [("カード名義", "credit_card"), ("顧客管理番号", "account_id")]


def test_negation_per_mention(article):
    a = article("氏名と住所が流出した。銀行口座やクレジットカードなどの情報流出は確認されていないという。")
    assert pairs(extract_categories(a)) == [("address", False), ("bank_account", True), ("credit_card", True),
                                             ("name", False)]


def test_a_leak_verb_between_keeps_the_mention_positive(article):
    a = article("氏名が流出したが、クレジットカード情報は含まれていない。")
    assert pairs(extract_categories(a)) == [("credit_card", True), ("name", False)]


def test_list_items_take_the_heading_as_context(article):
    a = article("漏えいしたおそれがある項目\n・氏名、性別、年齢\n・299名分")
    assert pairs(extract_categories(a)) == [("age", False), ("gender", False), ("name", False)]


def test_contact_details_and_advice_are_not_leaks(article):
    a = article("お問い合わせ先\n電話番号:0996-23-5111\n可能であれば電話番号を変えるなどの対策を。")
    assert extract_categories(a) == []


def test_rule_names_the_lexicon_entry_and_the_negation(article):
    [row] = extract_categories(article("パスワードは含まれておりません。"))
    assert row.negated and row.rule == "cat.password;cat.negation.not_included"


def test_a_listed_clause_ending_in_fukumare_is_positive(article):
    a = article("流出した情報には氏名、電話番号が含まれ、クレジットカード情報や口座情報は含まれていないという。")
    assert pairs(extract_categories(a)) == [("bank_account", True), ("credit_card", True), ("name", False),
                                             ("phone", False)]


def test_nothing_but_the_address_means_the_address_leaked(article):
    a = article("誤ってTO欄に他のお客様のメールアドレス計327件を表示して送信しました。"
                "メールアドレス以外の情報は含まれておりません。")
    assert {(row.category, row.negated) for row in extract_categories(a)} == {("email", False)}
