import pytest

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


@pytest.mark.parametrize("text", [
    "お客様のクレジットカード情報1,204件が漏洩した可能性があることが判明いたしました。",
    "決済画面が改ざんされ、クレジットカード情報(3,847件)が流出した可能性がある。",
])
def test_a_count_after_the_mention_is_no_field_value(text, article):
    assert pairs(extract_categories(article(text))) == [("credit_card", False)]


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


def test_every_item_of_a_long_headed_list_takes_the_heading(article):
    a = article("■流出した可能性のある情報\n・氏名\n・住所\n・電話番号\n・生年月日\n・メールアドレス\n・性別\n\n"
                "■今後の対応\n・お客様にご連絡します")
    assert pairs(extract_categories(a)) == [("address", False), ("birth_date", False), ("email", False),
                                             ("gender", False), ("name", False), ("phone", False)]


def test_numbered_items_on_one_line_are_not_contact_values(article):
    a = article("紛失したUSBメモリ内の個人情報\n加入者120名分\n"
                "(1)被保険者番号  (2)氏名  (3)口座情報  (4)高額療養費支給額")
    assert pairs(extract_categories(a)) == [("bank_account", False), ("financial", False),
                                             ("government_id", False), ("name", False)]


def test_losing_discarding_and_posting_are_leaks(article):
    assert pairs(extract_categories(article("名前や口座番号を記した帳票12冊をなくしたと公表した。"))) == [
        ("bank_account", False), ("name", False)]
    assert pairs(extract_categories(article("申請者の住所や氏名、助成決定額がページに掲載されていた。"))) == [
        ("address", False), ("financial", False), ("name", False)]
    assert pairs(extract_categories(article("名簿には保護者名のほか児童の電話番号などが記されていた。"))) == [
        ("name", False), ("phone", False)]


def test_data_handed_out_sent_out_or_put_on_a_page_is_leaked(article):
    assert pairs(extract_categories(article("元行員が顧客の氏名や預金残高を知人に流していた。"))) == [
        ("financial", False), ("name", False)]
    assert pairs(extract_categories(article("市のHPに出てしまったのは住所と生年月日だった。"))) == [
        ("address", False), ("birth_date", False)]
    attached = article("誤って添付したファイルの中身は、児童名、利用者負担額、アレルギーの有無だった。")
    assert pairs(extract_categories(attached)) == [("financial", False), ("health", False), ("name", False)]
    assert pairs(extract_categories(article("利用者の名前やメールアドレスが外に流れた。"))) == [
        ("email", False), ("name", False)]


def test_a_sentence_under_a_list_item_takes_the_lead_above_the_list(article):
    a = article("漏えいした可能性がある情報は次のとおりです:\n- 取引先に関する情報\n"
                "取引先の担当者の情報(氏名、電話番号)。")
    assert pairs(extract_categories(a)) == [("name", False), ("phone", False)]
    # Without a list item above it, a sentence is its own context.
    assert extract_categories(article("お知らせ\n担当者の氏名と電話番号を記入してください。")) == []


def test_domain_terms_of_schools_insurers_and_clinics(article):
    a = article("流出したのは学籍番号、成績、証券番号、保険料、治療内容、児童の写真、メール・アドレスと本名です。")
    assert pairs(extract_categories(a)) == [("account_id", False), ("email", False), ("financial", False),
                                             ("health", False), ("name", False), ("other", False),
                                             ("photo", False)]


def test_no_trace_of_viewing_is_a_negation(article):
    a = article("氏名が閲覧された。クレジットカード番号などを見られた痕跡は見つかっていないという。")
    assert pairs(extract_categories(a)) == [("credit_card", True), ("name", False)]


def test_a_password_that_protects_a_file_or_a_pc_was_not_leaked(article):
    texts = ("紛失したUSBメモリにはパスワードが設定されていた。", "名簿はパスワード付きのZIPファイルで送信していた。",
             "盗まれたパソコンはパスワードで保護されている。",
             "誤送信先にファイルのパスワードを送信していた。")
    for text in texts:
        assert extract_categories(article(text)) == [], text
    leaked = extract_categories(article("IDとパスワードが流出した。"))
    assert pairs(leaked) == [("account_id", False), ("password", False)]


def test_fax_numbers_in_prevention_measures_and_other_incidents_are_not_leaks(article):
    a = article("書類を誤送信した。再発防止のため、FAX番号は複数人で確認を徹底する。")
    assert extract_categories(a) == []
    b = article("氏名が流出した。同社では2021年にも電話番号が流出する事案があった。")
    assert pairs(extract_categories(b)) == [("name", False)]


def test_a_long_table_row_takes_the_lead_sentence_above_it(article):
    a = article("アクセスの痕跡が残っていた情報は次のとおり。\n"
                "・加盟店:店名/住所/代表者生年月日/振込先口座 ・従業員:氏名/所属/役職\n同社は謝罪した。")
    assert pairs(extract_categories(a)) == [("address", False), ("bank_account", False), ("birth_date", False),
                                             ("employer", False), ("name", False)]


def test_a_count_in_brackets_after_a_term_is_not_a_contact_value(article):
    a = article("メールアドレス(4万7175人分)、性別(2493人分)も流出の対象となっていた。")
    assert pairs(extract_categories(a)) == [("email", False), ("gender", False)]


def test_past_negatives_and_causes_ruled_out_are_negations(article):
    a = article("IDが流出した。ファイルの中身はIDのみで、パスワードは入っていなかったという。")
    assert pairs(extract_categories(a)) == [("account_id", False), ("password", True)]
    b = article("本件はクレジットカード情報の流出によって生じたものではございません。")
    assert pairs(extract_categories(b)) == [("credit_card", True)]
    assert extract_categories(article("両社のID連携が始まった矢先の流出だった。")) == []


def test_a_clause_ending_in_nado_de_keeps_its_items_positive(article):
    a = article("対象となる情報は氏名や住所、性別などで、"
                "同社はパスワードやクレジットカード番号は含まれていないとしている。")
    assert pairs(extract_categories(a)) == [("address", False), ("credit_card", True), ("gender", False),
                                             ("name", False), ("password", True)]
    b = article("机の上の名簿が写っており、1人は氏名と電話番号が判読できた。")
    assert pairs(extract_categories(b)) == [("name", False), ("phone", False)]


def test_data_of_an_older_incident_told_in_the_same_article_is_not_this_leak(article):
    a = article("氏名とメールアドレスが流出した。同社では2021年3月には、委託先が電話番号を閲覧できる状態だった。",
                reference_date="2023-11-28")
    assert pairs(extract_categories(a)) == [("email", False), ("name", False)]
    b = article("2023年10月には氏名と電話番号が流出していた。", reference_date="2023-11-28")
    assert pairs(extract_categories(b)) == [("name", False), ("phone", False)]


def leaked(article):
    return {(row.text, not row.negated) for row in extract_categories(article)}


def test_a_negation_after_a_contrast_is_about_its_own_clause(article):
    stored = article("サーバーには顧客の氏名、住所が保存されておりましたが、"
                     "現時点で外部への流出は確認されておりません。")
    assert leaked(stored) == {("氏名", True), ("住所", True)}
    handed_over = article("流出した可能性があるのは会員の氏名、メールアドレスで、"
                          "クレジットカード番号は含まれないという。")
    assert leaked(handed_over) == {("氏名", True), ("メールアドレス", True), ("クレジットカード番号", False)}
    # Without a contrast the negation still covers what it names.
    assert leaked(article("銀行口座やクレジットカードなどの情報流出は確認されていないという。")) == \
        {("銀行口座", False), ("クレジットカード", False)}


def test_every_positive_between_rule_counts_not_only_the_first(article):
    assert leaked(article("漏えいしたデータにメールアドレス以外の情報は含まれていない。")) == {("メールアドレス", True)}


# Invented sentences -> (category, negated) pairs: what a reader takes as leaked, and as not leaked.
MISREADINGS = [
    # A suspect's 住所不定 is no address; the leaked data stays.
    ("住所不定、無職の男が顧客の氏名を持ち出した疑いで逮捕された。", [("name", False)]),
    ("逮捕されたのは住居不定の元社員で、会員の電話番号を流出させた。", [("phone", False)]),
    ("容疑者は住所・職業不詳。流出したのは利用者の住所と氏名だった。", [("address", False), ("name", False)]),
    # Where a suspect works is a place; a listed 勤務先 or 会社名 is data.
    ("元社員の男は勤務先の通販会社から顧客の氏名を持ち出した疑いがある。", [("name", False)]),
    ("流出したのは氏名、勤務先の会社名、部署名だった。", [("employer", False), ("name", False)]),
    # Addresses shown to every recipient of a mail have leaked.
    ("宛先をBCCにせず送信したため、顧客のメールアドレスが他の受信者に表示された。", [("email", False)]),
    # Data sold on is data leaked.
    ("元行員は顧客の氏名や口座番号を名簿業者に売った疑いがある。", [("bank_account", False), ("name", False)]),
    # A password or ID used to break in is the means, not the data.
    ("男は元同僚のIDとパスワードを使ってシステムに不正にログインし、顧客の氏名を閲覧した。", [("name", False)]),
    ("推測したパスワードで不正にアクセスされ、会員のメールアドレスが流出した。", [("email", False)]),
    ("第三者が他人のログインIDを悪用して侵入し、住所が漏えいした。", [("address", False)]),
    # ... but a password that leaked is a leaked password.
    ("会員のIDとパスワードが流出し、不正ログインに使われた。", [("account_id", False), ("password", False)]),
    # Data the organisation does not hold did not leak, even said in a sentence of its own.
    ("氏名が流出した。クレジットカード情報は当社では保有しておりません。", [("credit_card", True), ("name", False)]),
    ("住所が漏えいしたおそれがあります。なお、当社ではカード番号を保持しない仕組みです。",
     [("address", False), ("credit_card", True)]),
    ("マイナンバーは当市では取り扱いはありません。", [("government_id", True)]),
    ("カード情報は当社では取り扱っておりません。氏名が流出した。", [("credit_card", True), ("name", False)]),
    ("カード情報は決済会社に任せており、当社は持っていない。", [("credit_card", True)]),
    # Not leaked, said in other words; a leak verb that only names the data does not undo the negation.
    ("氏名が流出した一方、クレジットカード情報の漏洩は起きておらず安心してほしいという。",
     [("credit_card", True), ("name", False)]),
    ("流出したのは氏名で、カード番号は流出した情報に含まれておりません。", [("credit_card", True), ("name", False)]),
    # A sentence with no leak word and no negation still says nothing.
    ("当社は氏名と住所を保有しています。", []),
]


@pytest.mark.parametrize(("text", "expected"), MISREADINGS)
def test_what_is_not_a_leaked_category(article, text, expected):
    assert pairs(extract_categories(article(text))) == expected
