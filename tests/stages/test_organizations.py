from pipeline.stages.organizations import canonical_name, find_organizations, merge_key, organization_rows


def names(article):
    return [org.name for org in find_organizations(article)]


def test_legal_forms_are_stripped_and_spellings_merged(article):
    a = article("株式会社イセトーは5月、被害を公表した。和歌山市はイセトーに調査を求めた。")
    orgs = find_organizations(a)
    assert [o.name for o in orgs] == ["イセトー", "和歌山市"]
    assert len(orgs[0].mentions) == 2


def test_canonical_names_and_merge_keys():
    assert canonical_name("株式会社エイチーム") == "エイチーム"
    assert canonical_name("井上商事株式会社") == "井上商事"
    assert merge_key("NAVER Cloud") == merge_key("NAVERCloud")
    assert merge_key("旧LINE社") == merge_key("LINE")


def test_parenthesised_reading_is_an_alias(article):
    a = article("LINE Creditは2019年9月19日に発表した。LINE Credit(ラインクレジット)で流出。")
    [org] = find_organizations(a)
    assert org.name == "LINE Credit"
    assert "ラインクレジット" in {a.text[s:e] for s, e, _ in org.mentions}


def test_name_before_a_middle_dot_merges(article):
    a = article("マリオット・インターナショナルはこのほど発表した。マリオットの顧客情報が流出。")
    assert names(a) == ["マリオット・インターナショナル"]


def test_place_names_count_only_when_they_act(article):
    a = article("京都市の会社「イセトー」から連絡があった。和歌山市によりますと、東京都杉並区内で見つかった。")
    assert names(a) == ["イセトー", "和歌山市"]


def test_suffixes_government_police_schools_hospitals(article):
    a = article("神奈川県警サイバー犯罪捜査課は21日発表した。府中警察署に相談した。所沢市立小学校において紛失。"
                "東京都立病院機構の職員が対応し、さくら総合病院が謝罪した。")
    orgs = {o.name: o.kind for o in find_organizations(a)}
    assert orgs == {"神奈川県警": "government", "府中警察署": "government", "所沢市立小学校": "education",
                    "東京都立病院機構": "medical", "さくら総合病院": "medical"}


def test_generic_references_departments_and_products_are_not_organizations(article):
    a = article("同社は所轄警察署と第三者機関に相談し、健康福祉部が「LINEアプリ」とGoogleドライブの設定を確認した。")
    assert names(a) == []


def test_company_contexts_for_katakana_names(article):
    a = article("「リベロ」の顧客データが持ち出され、ビズリンクの代表が逮捕された。セールスフォース社も調べた。")
    assert names(a) == ["リベロ", "ビズリンク", "セールスフォース"]


def test_gazetteer(article):
    a = article("個人情報保護委員会と総務省に報告した。")
    orgs = find_organizations(a)
    assert [(o.name, o.kind, o.authority) for o in orgs] == [("個人情報保護委員会", "government", True),
                                                              ("総務省", "government", True)]


def test_rows_mark_victim_and_contractor(article):
    a = article("和歌山市によりますと、委託先イセトーのサーバーが攻撃を受けた。")
    rows = organization_rows(a, find_organizations(a), victim="和歌山市")
    assert [(r.text, r.role) for r in rows] == [("和歌山市", "victim"), ("イセトー", "contractor")]
    assert all(a.article.text[r.start:r.end] == r.text for r in rows)


def test_a_name_ending_a_longer_one_across_scripts_merges(article):
    a = article("NTTドコモの委託先で流出した。ドコモは2023年10月17日に発表した。")
    assert names(a) == ["NTTドコモ"]


def test_a_place_alone_on_a_line_signs_a_press_release(article):
    a = article("2024年8月2日\n個人情報の誤送付について\n須賀川市\nこのたび、住民票の写しを誤って郵送しました。")
    assert names(a) == ["須賀川市"]


def test_one_span_is_one_organization(article):
    orgs = find_organizations(article("日本航空(JAL)は会員番号が閲覧できる状態だったと発表した。JALは謝罪した。"))
    assert [(o.name, len(o.mentions)) for o in orgs] == [("日本航空", 3)]


def test_hiragana_company_names_and_the_tails_of_quoted_names(article):
    a = article("株式会社はなまるは、運営する「はなまるマート」のシステムが改ざんされたと公表した。"
                "都立駒込病院も調べた。")
    assert names(a) == ["はなまる", "都立駒込病院"]


def test_a_katakana_name_after_a_generic_noun_leads_the_sentence(article):
    assert names(article("中堅ゲーム会社ハーツフィールドは14日、流出の可能性を発表した。")) == ["ハーツフィールド"]


def test_a_business_relation_names_a_company_of_mixed_scripts(article):
    a = article("北浜電力は6月2日、委託先の日立ネクサスが管理するサーバーに不正アクセスがあったと発表した。")
    assert "日立ネクサス" in names(a)
    b = article("決済代行会社ミナトペイメントゲートウェイからの連絡で発覚した。")
    assert names(b) == ["ミナトペイメントゲートウェイ"]
    c = article("ホシノ・ホールディングス傘下のサクラヨーカ堂は、会員情報の流出を公表した。")
    assert "サクラヨーカ堂" in names(c)


def test_a_business_relation_followed_by_a_common_word_names_nothing(article):
    texts = ("委託先の業者が誤って送信した。", "委託先のサーバーが攻撃を受けた。", "委託先のベンダーが調査している。")
    for text in texts:
        assert names(article(text)) == [], text


def test_a_municipality_the_dictionary_holds_whole_acts(article):
    a = article("長野県松川町は18日、町立図書館の利用者情報を記録したパソコンが盗まれたと発表した。")
    assert names(a) == ["長野県松川町"]


def test_a_hiragana_brand_word_inside_a_name_is_kept_whole(article):
    a = article("北浜県は1日、県立中部ひまわり病院の医師が、患者の氏名を記録したUSBメモリーを紛失したと発表した。")
    assert "県立中部ひまわり病院" in names(a)
    assert names(article("データを紛失した病院は謝罪した。")) == []


HASH_SEED_PROBE = '''
from pipeline.records import Article
from pipeline.stages.extraction import extract_article
text = ("大手旅行会社KTBは3日、子会社の顧客情報が流出した可能性があると発表した。"
        "対象は、ネット予約を扱うe.KTB(大阪)の会員。e.KTBの社員がメールを開き、感染した。KTBは謝罪した。")
extraction, _ = extract_article(Article("t", text, "t"), use_ner=False)
print([(row.start, row.end, row.text) for row in extraction.organizations])
'''


def test_where_a_name_and_its_tail_stand_at_one_place_the_whole_name_wins_whatever_the_hash_seed():
    import os
    import subprocess
    import sys

    outputs = {subprocess.run([sys.executable, "-c", HASH_SEED_PROBE], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
               for seed in range(6)}
    assert len(outputs) == 1
    assert "(50, 55, 'e.KTB')" in outputs.pop()
