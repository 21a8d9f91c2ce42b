from pipeline.stages.analysis import analyse
from pipeline.stages.categories import extract_categories
from pipeline.stages.counts import extract_counts
from pipeline.stages.dates import extract_dates
from pipeline.stages.incident import choose_cause, headline_article, roll_up
from pipeline.stages.organizations import find_organizations


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
                title="メールアドレスの漏洩についてのお詫び(マウスコンピューター)")
    assert incident_of(a).victim == "マウスコンピューター"


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


def test_suspects_are_not_the_affected(article):
    a = article("顧客データが持ち出された事件で、警視庁は社員2名と元社員1名の計3名を逮捕した。")
    row = incident_of(a)
    assert row.is_incident and row.cause == "insider" and row.affected_total is None


def test_statistics_are_not_an_incident(article):
    a = article("サイバー攻撃の被害件数、過去最多に\n"
                "機構は、ランサムウェアの被害が1位になったと公表し、対策を呼びかけた。")
    assert not incident_of(a).is_incident


def test_the_police_who_arrest_an_insider_are_not_the_victim(article):
    a = article("北浜県警は14日、勤務先の顧客情報約1万件を持ち出して売却したとして、通信会社の元社員の男を逮捕した。",
                "2025-05-15")
    row = incident_of(a)
    assert (row.victim, row.cause, row.affected_total) == ("", "insider", 10000)


def test_a_letter_posted_to_the_wrong_patient_is_a_misdelivery(article):
    a = article("みなとクリニックは、患者58人分の検査結果を誤って別の患者に郵送していたと公表した。")
    assert incident_of(a).cause == "misdelivery"


def test_a_tally_of_reported_cases_is_statistics_not_an_incident(article):
    a = article("北浜県個人情報審議会は25日、昨年度に報告のあった漏えい等事案が1万2,120件となり、"
                "過去最多だったと発表した。", "2025-04-26", title="昨年度の個人情報漏えい、過去最多に")
    assert not incident_of(a).is_incident


def test_an_employee_who_looked_up_residents_and_told_a_friend_is_an_insider(article):
    a = article("北浜町は29日、税務課の元職員が業務と関係なく住民約40人の所得情報を閲覧し、"
                "知人に漏らしていたと発表した。", "2025-09-30")
    row = incident_of(a)
    assert row.is_incident and (row.victim, row.cause, row.affected_total) == ("北浜町", "insider", 40)


def test_encrypted_passwords_do_not_make_an_intrusion_ransomware(article):
    a = article("北浜クラウドは29日、データベースに不正アクセスがあり、利用者の氏名が流出したと明らかにした。"
                "パスワードは暗号化されていたという。", "2023-11-30")
    assert incident_of(a).cause == "unauthorized_access"
    b = article("北浜医療センターは7日、電子カルテのサーバーが暗号化され、患者の診療情報が"
                "流出した可能性があると発表した。", "2025-08-08")
    assert incident_of(b).cause == "ransomware"
