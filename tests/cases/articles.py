"""Invented articles (our own text, invented organisations) about a few incidents, for the case tests,
and `facts`: what linking knows of an invented article, written directly.

Each is a JSONL-like record. `REPORTS_OF` says which of them report one incident.
"""

from pipeline.cases.linking import ArticleFacts, day_number

KITAHAMA_USB = {
    "id": "kitahama-usb",
    "reference_date": "2025-03-04",
    "title": "北浜市、児童名簿入りUSBメモリーを紛失 412人分",
    "text": "北浜市教育委員会は3月4日、市立東小学校の教諭が児童412人分の氏名と住所を記録したUSBメモリーを紛失したと"
            "発表した。教諭は2月28日に帰宅途中の電車内で置き忘れたとみられる。"}
# The board's follow-up a week later, under its short name (市教委), no victim the stages pick.
KITAHAMA_USB_FOLLOW_UP = {
    "id": "kitahama-usb-2",
    "reference_date": "2025-03-11",
    "title": "北浜市教委、紛失のUSBメモリー見つからず 保護者に謝罪",
    "text": "北浜市教委は3月11日、児童412人分の個人情報を記録したUSBメモリーの紛失について、"
            "保護者説明会を開き謝罪した。警察に遺失届を出しているが、まだ見つかっていない。"}
# The same city, another year, another cause: another incident.
KITAHAMA_MAIL = {
    "id": "kitahama-mail",
    "reference_date": "2026-09-02",
    "title": "北浜市、税務通知を別人に誤送付 18人分",
    "text": "北浜市は9月2日、固定資産税の納税通知書18人分を誤った宛先に送付したと発表した。"
            "封入作業の確認が不十分だった。"}
HAMANASU_RANSOMWARE = {
    "id": "hamanasu",
    "reference_date": "2025-05-20",
    "title": "ハマナス電子にランサムウェア攻撃 顧客情報3万件流出の恐れ",
    "text": "株式会社ハマナス電子は5月20日、社内サーバーがランサムウェアに感染し、顧客約3万件の氏名やメールアドレスが"
            "流出した恐れがあると発表した。"}
# A 第2報 five weeks later with a revised count.
HAMANASU_SECOND_REPORT = {
    "id": "hamanasu-2",
    "reference_date": "2025-06-27",
    "title": "ハマナス電子、流出は2万8千件と確定 第2報",
    "text": "ハマナス電子社は6月27日、ランサムウェア被害の調査結果を公表し、流出した顧客情報は約2万8千件だったと"
            "明らかにした。当初は約3万件としていた。"}
# The same week's ransomware at another company: never the same case.
SAKURA_RANSOMWARE = {
    "id": "sakura",
    "reference_date": "2025-05-21",
    "title": "さくら工業もランサムウェア被害 取引先情報1200件",
    "text": "さくら工業株式会社は5月21日、ランサムウェアによる攻撃を受け、取引先1200件の担当者名や電話番号が外部に"
            "流出した可能性があると発表した。"}
ADVICE = {
    "id": "advice",
    "reference_date": "2025-05-22",
    "title": "ランサムウェアへの備え 専門家に聞く",
    "text": "ランサムウェアの被害が相次いでいる。専門家は、バックアップを定期的に取り、"
            "復旧手順を確認しておくよう呼びかけている。"}

ALL = [KITAHAMA_USB, KITAHAMA_USB_FOLLOW_UP, KITAHAMA_MAIL, HAMANASU_RANSOMWARE, HAMANASU_SECOND_REPORT,
       SAKURA_RANSOMWARE, ADVICE]
SAME_INCIDENT = [{"kitahama-usb", "kitahama-usb-2"}, {"hamanasu", "hamanasu-2"}]


# One organisation spelled another way in its second report: a variant character form (髙/高), a
# Latin name and the katakana reading the first report gives it, a university hospital's short
# and full names. The same university's other incident a year later stays apart.
SPELLINGS = [
    {"id": "takahashi-1", "reference_date": "2025-07-01", "title": "髙橋精機に不正アクセス 顧客情報1万2千件流出か",
     "text": "髙橋精機株式会社は7月1日、同社の通販サイトが不正アクセスを受け、顧"
             "客約1万2千件のクレジットカード情報が流出した可能性があると発表した。"},
    {"id": "takahashi-2", "reference_date": "2025-07-03", "title": "高橋精機、カード情報流出の恐れ",
     "text": "高橋精機は、通販サイトへの不正アクセスにより顧客約1万2千"
             "件のクレジットカード情報が流出した恐れがあると明らかにした。"},
    {"id": "kirara-1", "reference_date": "2025-08-05", "title": "KIRARA、会員3400人の情報流出",
     "text": "化粧品通販のKIRARA（キララ）は8月5日、ランサムウェア攻撃"
             "により会員3400人の氏名とメールアドレスが流出したと発表した。"},
    {"id": "kirara-2", "reference_date": "2025-08-07", "title": "キララ、ランサムウェア被害で会員情報流出",
     "text": "通販サイトを運営するキララは、ランサムウェアの被害を受け、会員"
             "3400人の氏名やメールアドレスが外部に流出したと明らかにした。"},
    {"id": "kitahama-univ-1", "reference_date": "2025-10-02", "title": "北浜大病院、患者情報入りUSBを紛失",
     "text": "北浜大病院は10月2日、医師が患者215人分の氏名"
             "や病名を記録したUSBメモリーを紛失したと発表した。"},
    {"id": "kitahama-univ-2", "reference_date": "2025-10-06", "title": "北浜大学医学部附属病院、USB紛失で謝罪",
     "text": "北浜大学医学部附属病院は、患者215人分の個人情報を"
             "記録したUSBメモリーを医師が紛失した問題で謝罪した。"},
    {"id": "kitahama-univ-other", "reference_date": "2026-11-20", "title": "北浜大学、学生の成績を誤送信 52人分",
  "text": "北浜大学は11月20日、学生52人分の成績一覧を別の学生にメールで誤送信したと発表した。"},
]
SPELLINGS_SAME_INCIDENT = [{"takahashi-1", "takahashi-2"}, {"kirara-1", "kirara-2"},
                           {"kitahama-univ-1", "kitahama-univ-2"}]


def facts(article_id: str, day: str, cause: str = "loss", total: int | None = 412,
          keys: tuple[str, ...] = ("北浜市",), occurred: str = "") -> ArticleFacts:
    return ArticleFacts(article_id=article_id, keys=frozenset(keys), headline_keys=frozenset(),
                        indexed=frozenset(keys), cause=cause, day=day_number(day), occurred=occurred, total=total,
                        figures=frozenset({total} if total else ()))

# A news report with no date but its lead's day (11日), and the organisation's own release of that
# day: one incident. The same company's other incident, reported on another day, stays apart.
UNDATED_NEWS = [
    {"id": "minamo-release", "reference_date": "2025-10-14",
     "title": "ミナモ精工、ランサムウェア被害による情報漏えいのお知らせ",
     "text": "10月11日、ミナモ精工株式会社は、社内サーバーがランサムウェアに感染し、従業員や取引先の"
             "個人情報が外部に流出したおそれがあると公表した。10月8日に第1報として不正アクセスを伝えていた。"},
    {"id": "minamo-news",
     "title": "ミナモ精工、ランサム被害で個人情報流出の恐れ",
     "text": "ミナモ精工は11日、ランサムウェアによるサイバー攻撃を受け、従業員や取引先の個人情報が"
             "外部に流出した恐れがあると明らかにした。不正なアクセスに気づいたのは5日だった。"},
    {"id": "minamo-other",
     "title": "ミナモ精工、物流子会社のサーバーにランサムウェア",
     "text": "ミナモ精工は24日、物流子会社のサーバーがランサムウェアに感染し、配送先の氏名や住所が"
             "流出した恐れがあると発表した。"},
]
UNDATED_NEWS_SAME_INCIDENT = [{"minamo-release", "minamo-news"}]

# The same city and the same cause five months apart, with other counts: two incidents (the city's
# name ties them, and little else).
CITY_MONTHS_APART = [
    {"id": "kitahama-fax-june", "reference_date": "2024-06-04",
     "title": "北浜市、市民32人分の氏名を誤送信",
     "text": "北浜市は6月3日、市民32人分の氏名を記載した文書を別の事業所にファクスで誤送信したと発表した。"},
    {"id": "kitahama-fax-november", "reference_date": "2024-11-08",
     "title": "北浜市、介護保険の一覧を誤送信 18人分",
     "text": "北浜市は11月8日、介護保険課の職員が11月5日、市民18人分の氏名と住所を記載した一覧表を"
             "誤った事業所にファクスで送信したと発表した。"},
]
