import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import pipeline.stages.rules as rule_files
from pipeline.batch.reading import read_file
from pipeline.records import Article
from pipeline.stages.analysis import analyse
from pipeline.stages.categories import extract_categories
from pipeline.stages.counts import extract_counts
from pipeline.stages.dates import extract_dates
from pipeline.stages.extraction import extract_article
from pipeline.stages.incident import (
    abbreviates,
    cause_candidates,
    choose_cause,
    headline_article,
    incident_features,
    incident_rules,
    roll_up,
    total_candidates,
    victim_candidates,
)
from pipeline.stages.organizations import Organization, find_organizations
from pipeline.stages.rules import RuleError, use_learned, with_fragments


def incident_of(a):
    headline = headline_article(a)
    title_orgs = find_organizations(analyse(headline)) if headline else []
    return roll_up(a, find_organizations(a), extract_dates(a), extract_counts(a), extract_categories(a), title_orgs)


def test_a_press_release_incident(article):
    a = article("株式会社ミナトデータは9月11日、サーバーがランサムウェアに感染し、会員の氏名など約1万2千件が"
                "流出した可能性があると発表した。クレジットカード情報は含まれていない。", "2024-09-12")
    row = incident_of(a)
    assert row.is_incident
    assert (row.victim, row.cause, row.affected_total, row.affected_unit) == ("ミナトデータ", "ransomware", 12000, "件")
    assert (row.announced_on, row.categories, row.not_leaked_categories) == ("2024-09-11", "name", "credit_card")


def test_advice_is_not_an_incident(article):
    a = article("消費者庁は2月13日、クレジットカード番号の漏えいに注意を呼びかけた。",
                title="消費者庁、カード番号の漏えい・不正利用に注意喚起")
    row = incident_of(a)
    assert not row.is_incident and row.victim == "" and row.affected_total is None


def test_victim_from_the_headline_source_and_not_the_authority(article):
    a = article("当社は誤って253件のメールアドレスを送信しました。個人情報保護委員会に報告しました。",
                title="メールアドレスの漏洩についてのお詫び(カモメコンピューター)")
    assert incident_of(a).victim == "カモメコンピューター"


def test_a_news_outlet_in_the_headline_is_not_the_victim(article):
    a = article("港区によりますと、教諭が投稿した写真に名簿が写り込み、2人の氏名が読み取れる状態だった。",
                title="給食の投稿で個人情報が流出(TOKYO MX)")
    row = incident_of(a)
    assert (row.victim, row.cause) == ("港区", "misposting")


def test_headline_count_is_the_affected_total(article):
    a = article("県によると、指定機関として公表した約570件分のうち、33人の住所を載せていた。",
                title="佐賀県、個人情報33人分を3年間サイトに誤掲載")
    row = incident_of(a)
    assert (row.affected_total, row.victim) == (33, "佐賀県")


def test_denied_causes_do_not_count(article):
    a = article("担当者が誤ってSNS上で公開した。外部からの不正アクセスによって流出した訳ではない。")
    assert choose_cause(a) == "misposting"


@pytest.mark.parametrize(("text", "cause", "counted"), [
    # "no trace of it was found" denies the cue in its clause, before it or around it
    ("顧客名簿が不正に持ち出された形跡はないという。", "insider", False),
    ("職員が名簿を社外へ持ち出したとはっきり示す痕跡はサーバー上に見当たらなかった。", "loss", False),
    ("USBメモリが見当たらなくなったが、盗まれた形跡はない。", "theft", False),
    # ... not a thing missing in another clause, nor a trace found
    ("USBメモリが見当たらなくなったが、盗まれた形跡はない。", "loss", True),
    ("職員は名簿を持ち出し、探したが見当たらなかった。", "loss", True),
    ("サーバーに不正アクセスの痕跡が見つかった。", "unauthorized_access", True),
    # a denial in the polite form of a release
    ("本件は外部からの不正アクセス等によって生じたものではございません。", "unauthorized_access", False),
])
def test_no_trace_found_denies_a_cause(article, text, cause, counted):
    features = {c.value: c.features for c in cause_candidates(article(text))}
    assert (features.get(cause, {}).get("hits", 0) > 0) is counted, features


def test_suspects_are_not_the_affected(article):
    a = article("顧客データが持ち出された事件で、警視庁は社員2名と元社員1名の計3名を逮捕した。")
    row = incident_of(a)
    assert row.is_incident and row.cause == "insider" and row.affected_total is None
    # ... but a count of whose data it is (人分) is the affected, though suspects are told beside it.
    shares = article("北浜県警は、勤めていた北浜銀行の顧客約900人分の氏名を名簿業者に売ったとして、"
                     "元行員の男を逮捕した。")
    assert incident_of(shares).affected_total == 900


def test_statistics_are_not_an_incident(article):
    a = article("サイバー攻撃の被害件数、過去最多に\n"
                "機構は、ランサムウェアの被害が1位になったと公表し、対策を呼びかけた。")
    assert not incident_of(a).is_incident


def test_the_police_who_arrest_an_insider_are_not_the_victim(article):
    a = article("北浜県警は14日、勤務先の顧客情報約1万件を持ち出して売却したとして、通信会社の元社員の男を逮捕した。",
                "2025-05-15")
    row = incident_of(a)
    assert (row.victim, row.cause, row.affected_total) == ("", "insider", 10000)
    # Nor are they chosen over the data's owner when the text names it.
    named = article("北浜県警は14日、勤務先の北浜テレコム株式会社の顧客情報約1万件を持ち出して売却したとして、"
                    "同社の元社員の男を逮捕した。", "2025-05-15")
    assert incident_of(named).victim == "北浜テレコム"


def test_a_letter_posted_to_the_wrong_patient_is_a_misdelivery(article):
    a = article("みなとクリニックは、患者58人分の検査結果を誤って別の患者に郵送していたと公表した。")
    assert incident_of(a).cause == "misdelivery"


def test_a_tally_of_reported_cases_is_statistics_not_an_incident(article):
    a = article("北浜県個人情報審議会は25日、昨年度に報告のあった漏えい等事案が1万2,120件となり、"
                "過去最多だったと発表した。", "2025-04-26", title="昨年度の個人情報漏えい、過去最多に")
    assert not incident_of(a).is_incident


@pytest.mark.parametrize(("text", "tally"), [
    # a tally names what it counts
    ("昨年度に報告のあった漏えい等事案が1万2,120件となった。", True),
    ("同年度の相談件数は約3,400件だった。", True),
    # a bare 件数 counts the affected
    ("対象はダイレクトメールを送ったお客様。件数は最大で約20万件程度と推定される。", False),
])
def test_a_tally_of_cases_is_no_count_of_the_affected(article, text, tally):
    a = article(text)
    totals = [c.value[0] for c in total_candidates(a, extract_counts(a))]
    assert (totals == []) is tally, totals


@pytest.mark.parametrize(("title", "advisory"), [
    ("フィッシング詐欺に注意喚起 手口と対策のまとめ", True),
    ("昨年の情報漏えい件数、過去最多に", True),
    # asking users to act after a leak is what an incident report does
    ("北浜ストアで会員情報が流出 利用者にパスワード変更を呼びかけ", False),
])
def test_a_headline_that_announces_advice_or_statistics(article, title, advisory):
    a = article("同社は詳細を調べている。", title=title)
    assert (incident_features(a, [])["advisory@title"] == 1.0) is advisory


def test_an_employee_who_looked_up_residents_and_told_a_friend_is_an_insider(article):
    a = article("北浜町は29日、税務課の元職員が業務と関係なく住民約40人の所得情報を閲覧し、"
                "知人に漏らしていたと発表した。", "2025-09-30")
    row = incident_of(a)
    assert row.is_incident and (row.victim, row.cause, row.affected_total) == ("北浜町", "insider", 40)


def test_encrypted_passwords_do_not_make_an_intrusion_ransomware(article):
    a = article("北浜クラウドは29日、データベースに不正アクセスがあり、利用者の氏名が流出したと明らかにした。"
                "パスワードは暗号化されていたという。", "2023-11-30")
    assert choose_cause(a) == "unauthorized_access"
    b = article("北浜医療センターは7日、電子カルテのサーバーが暗号化され、患者の診療情報が"
                "流出した可能性があると発表した。", "2025-08-08")
    assert incident_of(b).cause == "ransomware"


def test_the_client_whose_data_it_is_is_the_victim_not_its_contractor(article):
    a = article("南浜市は3日、住民税の通知書の印刷を委託している南浜印刷がランサムウェアの被害に遭い、"
                "市民1万2千人分の氏名と住所が流出した可能性があると発表した。同市は委託先に原因の調査を求めている。",
                "2025-07-04", title="南浜市、委託先がランサムウェア被害 市民1万2千人分の情報流出か")
    row = incident_of(a)
    assert (row.victim, row.cause, row.affected_total) == ("南浜市", "ransomware", 12000)


def test_a_bag_stolen_from_a_car_with_a_theft_report_filed_is_theft(article):
    a = article("東浜中学校の教諭が、生徒35人の成績が記録されたUSBメモリを入れたかばんを車内から盗まれた。"
                "教諭は警察に被害届を提出した。同校は保護者に謝罪した。", "2025-02-11",
                title="東浜中学校、生徒35人分の成績入りUSBメモリを盗まれる")
    row = incident_of(a)
    assert row.is_incident and (row.cause, row.affected_total) == ("theft", 35)


def test_a_fax_sent_to_the_wrong_number_is_a_misdelivery(article):
    a = article("西浜総合病院は、患者1人の診療情報提供書を、紹介先の医院ではなく別の事業所にFAXで誤送信したと発表した。"
                "番号の入力を誤ったことが原因という。", "2025-03-02", title="西浜総合病院、患者情報をFAXで誤送信")
    row = incident_of(a)
    assert (row.victim, row.cause, row.affected_total) == ("西浜総合病院", "misdelivery", 1)


def test_confidence_is_a_probability_and_evidence_quotes_the_text(article):
    a = article("株式会社ミナトデータは9月11日、サーバーがランサムウェアに感染し、会員の氏名など約1万2千件が"
                "流出した可能性があると発表した。", "2024-09-12")
    row = incident_of(a)
    assert 0 < row.confidence < 1
    assert row.evidence and row.evidence.split(" … ")[0] in a.article.text


def test_evidence_quotes_the_articles_own_characters(article):
    a = article("株式会社ミナト通商は１０月２日、通販サイトが不正アクセスを受け、顧客１万２千人分の氏名が"
                "流出したと発表した。", "2024-10-03", title="ミナト通商、顧客情報１万２千人分流出")
    row = incident_of(a)
    assert row.evidence and all(quote == a.article.title or quote in a.article.text
                                for quote in row.evidence.split(" … "))
    assert "１" in row.evidence and "1" not in row.evidence, "full-width digits are quoted as written"


def test_the_incident_total_is_not_a_sub_count(article):
    a = article("北浜大学は、学生の成績データ合計2,400人分が外部から閲覧できる状態だったと発表した。"
                "このうち300人分には住所も含まれていた。", "2025-05-20")
    row = incident_of(a)
    assert row.affected_total == 2400


def test_a_follow_up_reports_its_new_figure_not_the_one_it_started_from(article):
    follow_up = article("ミナト物産は6月27日、不正アクセス被害の調査結果を公表し、"
                        "顧客の氏名とメールアドレス約2万8千件が流出したと明らかにした。当初は約3万件としていた。",
                        reference_date="2025-06-27")
    assert incident_of(follow_up).affected_total == 28000


def test_the_exact_figure_wins_over_its_rounded_headline(article):
    rounded_headline = article("ハルカ商会は4日、通販サイトへの不正アクセスにより、会員83,412件の氏名、住所、電話番号が"
                               "流出した可能性があると発表した。", reference_date="2025-03-05",
                               title="ハルカ商会に不正アクセス 会員情報8万件超流出か")
    assert incident_of(rounded_headline).affected_total == 83412
    # The decision sees the two as one figure told twice: exact in the text, rounded in the headline.
    features = {c.value[0]: c.features for c in total_candidates(rounded_headline, extract_counts(rounded_headline))}
    assert features[83412]["exact_of_rounded"] == 1.0 and features[80000]["rounded_of_exact"] == 1.0
    # The finer of two near figures, whatever their words say (`6万件` and `約6万1千件`).
    finer_in_text = article("北浜電力は4日、契約者約6万1千件分の個人情報が閲覧できる状態になっていたと発表した。",
                            title="北浜電力、契約者6万件の情報が閲覧可能に")
    features = {c.value[0]: c.features for c in total_candidates(finer_in_text, extract_counts(finer_in_text))}
    assert features[61000]["finer_of_near"] == 1.0 and features[60000]["coarser_of_near"] == 1.0
    assert features[61000]["coarser_of_near"] == features[60000]["finer_of_near"] == 0.0


# Invented articles of the kinds a reader must keep as incidents (title, text).
INCIDENTS_TOLD_OTHERWISE = [
    ("職員のかばん盗まれる 住民名簿入り",
     "北浜町は、職員が電車内で置いたかばんを盗まれ、中に住民50人分の名簿が入っていたと発表した。"),
    ("北浜市、職員を停職処分 住民情報を漏らす",
     "北浜市は、住民の個人情報を知人に漏らしたとして、市民課の職員を停職3か月の懲戒処分にした。"),
    ("元社員を逮捕 顧客名簿を名簿業者に売却",
     "北浜県警は、勤務先の顧客約3千人分の名簿を名簿業者に売ったとして、元社員の男を逮捕した。"),
    ("申請書類を窓口に置いたまま 来庁者が閲覧できる状態に",
     "南浜区は、区民12人の氏名と住所が書かれた申請書類を窓口のカウンターに置いたまま、来庁者が"
     "閲覧できる状態にしていたと発表した。"),
]


@pytest.mark.parametrize(("title", "text"), INCIDENTS_TOLD_OTHERWISE)
def test_a_theft_an_exposure_an_arrest_or_a_punishment_is_still_an_incident(article, title, text):
    assert incident_of(article(text, title=title)).is_incident


# Invented sentences -> the cause a reader codes.
CAUSES = [
    # Files encrypted and a ransom demanded: ransomware, though the text never says the word.
    ("北浜運輸は、サーバーのファイルが暗号化され、復旧と引き換えに金銭を要求する脅迫文が残されていたと発表した。"
     "顧客の氏名が流出した可能性がある。", "ransomware"),
    # An older incident told in passing does not give this one its cause.
    ("北浜商事は、社員が顧客200人分の名簿を入れたUSBメモリを紛失したと発表した。"
     "同社では3年前にも不正アクセスによる流出があった。", "loss"),
    # A (former) employee who handed customer data to someone outside: an insider, told without
    # any of the words of looking data up.
    ("ミナト信用金庫の元行員が、顧客の氏名や預金残高を知人に流していたことが分かった。", "insider"),
    # A notice put in the wrong household's mailbox.
    ("北浜町水道課は、検針票を別のお宅に誤投函し、利用者1人の氏名と使用量が漏えいしたと発表した。", "misdelivery"),
    # Papers carried off by a gust of wind.
    ("北浜市立病院は、健診の受診票が突風で飛散し、患者12人分の個人情報が失われたと発表した。", "loss"),
    # A car broken into and the papers taken: a theft, though the headline says 紛失.
    ("北浜市、名簿を紛失\n北浜市の相談員の車が車上荒らしに遭い、かばんごと名簿が盗まれた。"
     "盗まれた名簿には40人分の住所が書かれていた。", "theft"),
    # A theft by the organisation's own staff: an insider, though the police speak of 窃盗.
    ("ミナト通販の派遣社員が、窃盗の疑いで逮捕された。顧客約300人分のカード番号を書き写していた。", "insider"),
    # Papers taken out of the office and then lost: a loss, though taking them out is an insider's cue.
    ("北浜市は、職員が住民50人分の名簿を無断で持ち出し、帰宅途中に紛失したと発表した。", "loss"),
    # A password phished on a fake login page, and the mailbox read: an intrusion, not a mailing.
    ("北浜書房は、社員が偽のログイン画面にパスワードを入力し、メールアカウントが乗っ取られたと発表した。"
     "受信したメールに含まれる読者約900人分の氏名とメールアドレスが閲覧された可能性がある。", "unauthorized_access"),
    # A list pinned up where visitors see it: shown, not sent and not lost.
    ("ミナト自動車学校は、教習生80人の名簿をロビーの掲示板に誤って張り出していたと発表した。", "misposting"),
    # Sent by mistake, with words between: 誤って外部にメール送信 is a misdelivery.
    ("南浜市は、住民約600人分の個人情報を含むファイルを誤って外部にメール送信したと発表した。", "misdelivery"),
]


@pytest.mark.parametrize(("text", "object_taken"), [
    ("名簿の入った車ごと盗まれた。", True),
    ("駅でかばんを盗まれ、中の書類がなくなった。", True),
    ("サーバーに侵入され、顧客のデータが盗まれた。", False),  # data stolen in an attack
])
def test_a_thing_taken_is_told_apart_from_data_stolen(article, text, object_taken):
    features = {c.value: c.features for c in cause_candidates(article(text))}
    assert bool(features["theft"].get("cue:cause.theft.object")) is object_taken


@pytest.mark.parametrize(("text", "mailing"), [
    ("受け取った市民から「他人の個人情報が書かれた文書が入っている」と連絡があった。", True),
    ("通知書の封筒に別人の情報が入っていたことが分かった。", True),
    ("男は他人のクレジットカード番号を使い、通販サイトで買い物をした疑い。", False),  # a fraud, not a mailing
])
def test_someone_elses_data_in_a_letter_speaks_for_a_misdelivery(article, text, mailing):
    assert ("misdelivery" in {c.value for c in cause_candidates(article(text))}) is mailing


@pytest.mark.parametrize(("text", "cause"), CAUSES)
def test_the_cause_is_this_incidents(article, text, cause):
    assert choose_cause(article(text)) == cause


def test_a_notice_template_with_placeholders_is_not_an_incident(article):
    text = ("お客様各位 ○○○株式会社 弊社が運営する○○○で不正アクセスが発生し、お客様のメールアドレスが最大で"
            "●●万件取り出されていたことが、**月**日に分かりました。心よりお詫び申し上げます。")
    assert not incident_of(article(text, title="不正アクセスについてのお詫びとお知らせ(文例)")).is_incident


def test_a_headline_that_shortens_the_victims_name_names_the_text_organisation(article):
    a = article("北浜医科大学港病院は、患者40人分の検査結果を記したUSBメモリを紛失したと発表した。",
                title="北浜医大港病院、患者40人分の検査結果を紛失")
    headline = headline_article(a)
    victims = victim_candidates(a, find_organizations(a), find_organizations(analyse(headline)))
    assert [c.value for c in victims if c.features["in_title"]] == ["北浜医科大学港病院"]
    assert incident_of(a).victim == "北浜医科大学港病院"


# A .txt file's first line is its headline, and a saved page's text repeats its title: the row is
# the one a separate title gives.
HEADLINE_FIRST_LINE = [
    ("北浜地区消防、職員が個人情報入りHDDをなくす",
     "40代の男性職員が、個人情報を保存した外付けハードディスクを許可なく庁舎の外へ持ち出し、その後なくしていたと、"
     "北浜地区消防事務組合が27日、明らかにした。救急搬送者約30人分の氏名などが含まれていた。"),
    ("北浜医大港病院 入院患者40人分のデータを紛失",
     "北浜医科大学港病院は12日、入院患者111人分の氏名や病名を記録したUSBメモリを紛失したと発表した。"
     "このうち40人分は検査結果も含まれていた。"),
]


@pytest.mark.parametrize(("headline", "body"), HEADLINE_FIRST_LINE)
def test_a_headline_atop_the_text_is_read_as_a_given_title(headline, body):
    given = extract_article(Article("given", body, "given.jsonl", title=headline))[0].incident
    for article in (Article("file", f"{headline}\n\n{body}", "file.txt"),
                    Article("page", f"{headline}\n\n{body}", "page.html", title=headline)):
        row = extract_article(article)[0].incident
        assert (row.victim, row.cause, row.affected_total) == (given.victim, given.cause, given.affected_total)
        assert row.confidence == pytest.approx(given.confidence, abs=0.03)
    assert not given.victim.endswith("消防") and given.victim.endswith(("組合", "病院"))


# (short, long) -> whether a headline's short name stands for the long one.
ABBREVIATIONS = [
    ("北浜医大港病院", "北浜医科大学港病院", True),
    ("北浜大病院", "北浜大学病院", True),
    ("北浜市", "北浜市役所", False),  # too short to tell
    ("港湾運輸", "話題港湾運輸", False),  # a longer name is not a shortening
    ("北浜病院", "北浜市民会館", False),
]


@pytest.mark.parametrize(("short", "long", "expected"), ABBREVIATIONS)
def test_a_shortened_name_keeps_its_ends_and_the_order_of_its_characters(short, long, expected):
    assert abbreviates(short, long) is expected


def test_victim_candidates_carry_how_sure_the_organisation_model_is(article):
    a = article("株式会社ミナトデータは、顧客の氏名が流出したと発表した。", title="和菓子、顧客情報が流出")
    headline = headline_article(a)
    features = {c.value: c.features for c in victim_candidates(a, find_organizations(a),
                                                               find_organizations(analyse(headline)))}
    assert features["ミナトデータ"]["org_probability"] > 0.5
    # A headline's first phrase the organisation model never chose is vouched for by nothing.
    assert all(f["org_probability"] == 0.0 for name, f in features.items() if f.get("head_only"))


def test_a_cause_read_only_in_an_older_incident_is_marked_as_such(article):
    a = article("北浜商事は、社員がUSBメモリを紛失したと発表した。同社では過去にも不正アクセスによる流出があった。")
    features = {c.value: c.features for c in cause_candidates(a)}
    assert features["unauthorized_access"]["only_past"] == 1.0 and features["loss"]["only_past"] == 0.0


def test_a_finer_cause_told_more_often_than_the_one_it_refines_is_marked(article):
    # The headline says lost; the text tells, twice, that the bag was stolen.
    a = article("北浜市の職員が車上荒らしに遭い、名簿の入ったかばんを盗まれた。盗まれた名簿には住所が載っていた。"
                "市は名簿の紛失を公表した。", title="北浜市、名簿を紛失")
    features = {c.value: c.features for c in cause_candidates(a)}
    assert features["theft"]["refines_told_more"] == 1.0
    assert features["loss"]["refines_told_more"] == 0.0


# Organisation names -> the kinds of body the victim model sees in them.
VICTIM_KINDS = [
    ("北浜警察署", {"victim.kind.police"}),
    ("北浜地裁", {"victim.kind.court"}),
    ("北浜ホールディングス", {"victim.kind.group"}),
    ("ミナトフィナンシャルグループ", {"victim.kind.group"}),
    ("北浜市立第一小学校", {"victim.kind.public_facility"}),
    ("北浜市教育委員会", {"victim.kind.board"}),
    ("北浜銀行", {"victim.kind.bank"}),
    ("北浜市", {"victim.kind.municipality"}),
    ("北浜新聞", {"victim.kind.outlet"}),
    ("ミナトデータ", set()),
]


@pytest.mark.parametrize(("name", "kinds"), VICTIM_KINDS)
def test_victim_candidates_carry_the_kind_of_body_their_name_says(article, name, kinds):
    a = article(f"{name}は、個人情報が流出したと発表した。")
    [candidate] = [c for c in victim_candidates(a, find_organizations(a)) if c.value == name]
    assert {f for f in candidate.features if f.startswith("victim.kind.")} == kinds


# Articles -> what their cues say as a kind: each look-alike kind (a column, a tally, a product
# release) and each telling of an incident (a theft, an arrest) also gives one shared feature.
SPEAKS_FOR = [
    ("判例から読む個人情報の連載です。今回は流出事案の賠償額を解説します。", "look-alike"),
    ("新製品の提供を開始しました。月額980円で、情報漏えい対策ができます。", "look-alike"),
    ("経営者500人を対象に調査を実施した。有効回答数は412人で、41.2%が対策の担当者はいないと回答した。",
     "look-alike"),
    ("【今週のインシデントまとめ】先週公表された主な事案を一覧にしました。", "look-alike"),
    ("社員の車が車上荒らしに遭い、顧客名簿が盗まれました。", "incident"),
    ("元社員を逮捕しました。顧客情報を持ち出した容疑です。", "incident"),
]


@pytest.mark.parametrize(("text", "kind"), SPEAKS_FOR)
def test_cues_of_one_kind_share_a_feature(article, text, kind):
    features = incident_features(article(text), [])
    other = {"look-alike": "incident", "incident": "look-alike"}[kind]
    assert features[f"speaks_for={kind}@text"] > 0 and features[f"speaks_for={other}@text"] == 0


def test_a_name_of_common_nouns_alone_is_marked_for_the_victim_model(article):
    a = article("株式会社ミナトデータは、保育施設の利用者の氏名が流出したと発表した。")
    start = a.text.index("保育施設")
    facility = Organization("保育施設", "other", [(start, start + 4, "test")], probability=0.5)
    features = {c.value: c.features for c in victim_candidates(a, find_organizations(a) + [facility])}
    assert features["ミナトデータ"]["common_nouns_only"] == 0.0
    assert features["保育施設"]["common_nouns_only"] == 1.0


def test_a_cue_that_speaks_for_an_unknown_kind_is_reported_with_its_file_and_rule(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(Path(rule_files.__file__).parent / "rules", rules)
    cues = rules / "incident.yaml"
    cues.write_text(cues.read_text(encoding="utf-8").replace("speaks_for: look-alike", "speaks_for: advice", 1),
                    encoding="utf-8")
    monkeypatch.setattr(rule_files, "RULES_DIR", rules)
    use_learned(None)  # drop the rules cached from the packaged files
    try:
        with pytest.raises(RuleError, match=r"incident.yaml:\d+: rule 'incident.advice': speaks_for must be one of"):
            incident_rules()
    finally:
        monkeypatch.undo()
        use_learned(None)


def test_a_word_list_shared_by_several_cues_is_written_out_in_each():
    data = {"fragments": [{"id": "f.lost", "name": "lost", "pattern": "紛失|なくし"}],
            "causes": [{"id": "c.loss", "cause": "loss", "pattern": "持ち出[^。]{0,40}{lost}"}]}
    [cue] = with_fragments(data, Path("incident.yaml"))["causes"]
    assert cue["pattern"] == "持ち出[^。]{0,40}(?:紛失|なくし)"  # the regex's own {0,40} stays
    assert not any("{lost}" in cue.pattern.pattern for cue in incident_rules().causes)


def test_a_fragment_may_use_a_fragment_above_it():
    data = {"fragments": [{"id": "f.lost", "name": "lost", "pattern": "紛失|なくし"},
                          {"id": "f.taken_out", "name": "taken_out", "pattern": "持ち出(?![^。]{0,40}{lost})"}],
            "causes": [{"id": "c.insider", "cause": "insider", "pattern": "{taken_out}|横流し"}]}
    [cue] = with_fragments(data, Path("incident.yaml"))["causes"]
    assert cue["pattern"] == "(?:持ち出(?![^。]{0,40}(?:紛失|なくし)))|横流し"
    insider = [cue for cue in incident_rules().causes if cue.id == "cause.insider"]
    assert insider and insider[0].pattern.search("顧客名簿を無断で持ち出し、名簿業者に売った")
    assert not insider[0].pattern.search("顧客名簿を持ち出した後、電車内で紛失した")


# An invented release; the copy wrapped at 25 characters breaks its total across two lines.
WRAPPED_RELEASE = ["北浜技研、顧客情報流出の可能性",
                   "精密機器メーカーの北浜技研株式会社(本社・北浜市)は10月6日、同社の通販サイトが外部から不正アクセスを"
                   "受け、顧客の氏名や住所、電話番号など最大1万2千件の個人情報が流出した可能性があると発表した。",
                   "同社によると、9月下旬にサーバーの異常な通信を検知し、調査したところ、攻撃者が脆弱性を悪用して顧客データ"
                   "ベースに侵入した痕跡が見つかった。クレジットカード情報は保有していないという。"]


@pytest.mark.parametrize("width", [None, 25])
def test_a_release_wrapped_at_a_fixed_width_gives_the_row_it_gives_unwrapped(width):
    lines = [[p] if width is None else [p[i:i + width] for i in range(0, len(p), width)] for p in WRAPPED_RELEASE]
    text = "\n\n".join("\n".join(paragraph) for paragraph in lines)
    extraction, _ = extract_article(Article("t1", text, "t1.txt", reference_date="2025-10-07"))
    row = extraction.incident
    assert (row.victim, row.cause, row.affected_total) == ("北浜技研", "unauthorized_access", 12000)
    assert [count.text for count in extraction.counts] == (["最大1万2千件"] if width is None else ["最大1万2\n千件"])


def test_a_release_printed_from_a_browser_gives_its_row():
    article = read_file(Path(__file__).parent.parent / "fixtures" / "pdf" / "printed_page.pdf")
    row = extract_article(replace(article, reference_date="2025-11-21"))[0].incident
    assert (row.victim, row.cause, row.affected_total) == ("北浜市教育委員会", "loss", 1280)


def test_statistics_surveys_and_digests_name_many_causes_give_shares_and_list_one_leak_a_line(article):
    digest = article("先週公表された主な事案です。\n"
                     "・12/1　ミナト観光：予約サイトに不正アクセス。顧客の情報が流出した可能性\n"
                     "・12/2　北浜町：通知書を別の世帯に誤送付\n"
                     "・12/3　南浜クリニック：患者の情報を保存したUSBメモリを紛失\n"
                     "・12/4　北浜運送：ランサムウェア感染でサーバーが暗号化\n"
                     "・12/5　北浜工業：元社員が取引先名簿を持ち出したとして逮捕")
    survey = article("調査では、41.2%が対策の担当者はいないと答え、23.5%が取引先から確認を求められた。"
                     "漏えいを経験した企業は12.7%だった。")
    report = article("北浜運送は、サーバーが不正アクセスを受け、顧客約1,200人分の氏名と住所が流出した可能性があると"
                     "発表した。\n・氏名\n・住所\n・電話番号")
    digest_features, survey_features, report_features = (incident_features(a, []) for a in (digest, survey, report))
    assert digest_features["causes_named"] > report_features["causes_named"]
    assert digest_features["event_items"] > report_features["event_items"] == 0
    assert survey_features["percentages"] > report_features["percentages"] == 0


@pytest.mark.parametrize(("text", "handed_out"), [
    ("元行員が、顧客の氏名や預金残高を知人に渡していた。", True),
    ("職員が家庭訪問の際に手渡した封筒に、別の43世帯分の名簿が紛れ込んでいた。", False),
    ("名簿は、職員へ受け渡しする段階で別の書類に混ざったという。", False),
])
def test_a_list_handed_over_by_mistake_is_no_insiders_doing(article, text, handed_out):
    features = {c.value: c.features for c in cause_candidates(article(text))}
    assert bool(features.get("insider", {}).get("cue:cause.insider.handover")) is handed_out
