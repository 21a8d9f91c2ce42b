import pytest

from pipeline.records import Article
from pipeline.stages.dates import extract_dates
from pipeline.stages.extraction import extract_article


def values(rows):
    return [r.value for r in rows]


def test_western_japanese_era_and_numeric_dates(article):
    a = article("2024年10月31日、令和6年5月28日、平成31年4月1日、2024/10/31 と令和元年に。")
    assert values(extract_dates(a)) == ["2024-10-31", "2024-05-28", "2019-04-01", "2024-10-31", "2019"]


def test_fiscal_years(article):
    a = article("令和5年度と24年度中、平成30年度、31年度及び令和2年度。")
    assert values(extract_dates(a)) == ["FY2023", "FY2024", "FY2018", "FY2019", "FY2020"]


def test_same_day_same_month_and_same_17th(article):
    a = article("10月9日に不正アクセスがあった。同17日に検知し、同日中に遮断した。同月末に報告。", "2023-11-28")
    assert values(extract_dates(a)) == ["2023-10-09", "2023-10-17", "2023-10-17", "2023-10"]


def test_range_ends_inherit_year_and_month(article):
    a = article("2019年9月1日~9月16日にかけて公開し、昨年6月10日から19日にも発生。", "2020-01-15")
    assert values(extract_dates(a)) == ["2019-09-01", "2019-09-16", "2019-06-10", "2019-06-19"]


def test_year_comes_from_the_reference_date_with_last_year_for_later_dates(article):
    a = article("佐賀県は24日、発表した。12月1日に判明した。6月26日に続報を出す予定。", "2016-06-25")
    assert values(extract_dates(a)) == ["2016-06-24", "2015-12-01", "2016-06-26"]


def test_without_a_reference_the_latest_dateline_stands_in(article):
    a = article("2024年9月12日\n同社は11日、9月3日に被害を確認したと発表した。")
    assert values(extract_dates(a)) == ["2024-09-12", "2024-09-11", "2024-09-03"]


def test_without_a_reference_a_two_digit_year_after_a_full_one_can_be_the_latest(article):
    # `26年1月5日` is the latest date written: the bare 26日 of the lead counts back from it.
    a = article("北浜市が26日発表した。2021年6月8日から25年12月19日まで掲載されていた。26年1月5日以降に通知する。")
    assert values(extract_dates(a))[0] == "2025-12-26"


def test_without_a_reference_a_later_bare_day_in_the_next_sentence_keeps_the_month(article):
    a = article("2024年10月25日、文書を発送した。ところが29日、受け取った2名から連絡があった。")
    assert values(extract_dates(a)) == ["2024-10-25", "2024-10-29"]
    # With a publication date the bare day counts back from it, as before.
    a = article("10月25日、文書を発送した。ところが29日、連絡があった。", "2024-11-30")
    assert values(extract_dates(a)) == ["2024-10-25", "2024-11-29"]


def test_a_date_whose_year_cannot_be_told_is_left_out(article):
    assert extract_dates(article("東和信用金庫は2月21日、盗難を発表した。")) == []


def test_urls_document_numbers_times_and_durations_are_not_dates(article):
    a = article("詳細は https://example.jp/2024/10/31/news.html を参照。#2023-499 午後6時9分、2分後に削除。")
    assert extract_dates(a) == []


def test_month_day_with_weekday_or_time(article):
    a = article("12/4(火) 22:22配信\n3/8 20:45 送信", "2018-12-04")
    assert values(extract_dates(a)) == ["2018-12-04", "2018-03-08"]


def test_roles_follow_the_cue_words(article):
    rows = extract_dates(article("同社は11月27日に発表した。10月9日に不正アクセスが発生し、10月17日に検知した。",
                                 "2023-11-28"))
    assert [r.role for r in rows] == ["announced", "occurred", "detected"]


def test_rows_quote_the_original_text(article):
    a = article("令和７年８月２５日に送信。")
    [row] = extract_dates(a)
    assert row.text == "令和７年８月２５日"
    assert a.article.text[row.start:row.end] == row.text
    assert (row.value, row.granularity, row.rule) == ("2025-08-25", "day", "date.era")


def test_two_digit_years_with_a_month_after_a_full_year(article):
    a = article("2021年6月8日から25年12月19日までの間、名簿が掲載されていた。26年1月5日以降に通知する。", "2025-12-26")
    assert values(extract_dates(a)) == ["2021-06-08", "2025-12-19", "2026-01-05"]
    # Past the year after the reference date, two digits are no year of ours.
    assert values(extract_dates(article("計画は40年3月までに終える。", "2024-05-01"))) == []


def test_ranges_of_months_give_both_ends(article):
    a = article("帳票3冊(2016年1~3月)と一覧表(14年4~9月)を誤って廃棄した。", "2017-03-27")
    assert values(extract_dates(a)) == ["2016-01", "2016-03", "2014-04", "2014-09"]


def test_an_era_carries_from_one_two_digit_year_to_the_next(article):
    a = article("平成24年1月以降の利用者のうち、29年1月10日~30年4月24日に注文した人が対象。")
    assert values(extract_dates(a)) == ["2012-01", "2017-01-10", "2018-04-24"]


def test_ranges_of_fiscal_years_and_of_bare_days(article):
    a = article("2012~14年度と10~19年度の名簿が対象。", "2025-12-26")
    assert values(extract_dates(a)) == ["FY2012", "FY2014", "FY2010", "FY2019"]
    b = article("北浜市が24日発表した。窓口は20~22日の午前9時から開いていた。", "2025-12-26")
    assert values(extract_dates(b)) == ["2025-12-24", "2025-12-20", "2025-12-22"]


# One row per form: (sentence, the article's reference date, the values read). Bare months and days
# take their year from the reference date; a date more than a month after it is last year's.
@pytest.mark.parametrize(("text", "reference", "expected"), [
    # kanji numerals
    ("令和六年十二月五日に通知した。", "", ["2024-12-05"]),
    ("平成三十一年四月一日から運用した。", "", ["2019-04-01"]),
    ("令和元年五月一日に改元。", "", ["2019-05-01"]),
    ("二〇二四年に導入した。", "", ["2024"]),
    ("二〇二三年十月三十一日に送信した。", "", ["2023-10-31"]),
    ("二千二十四年六月一日に公表した。", "", ["2024-06-01"]),
    ("令和五年度の名簿。", "", ["FY2023"]),
    ("十二月二十五日に発生した。", "2025-01-10", ["2024-12-25"]),
    ("同年五月に指摘を受けた。", "2025-01-10", []),  # 同年 with no year named before it
    ("二〇〇八年三月に始まり、同年五月に判明した。", "", ["2008-03", "2008-05"]),
    # an era with a dotted or slashed month and day
    ("令和3.7.18に発生した。", "", ["2021-07-18"]),
    ("R3.7.18に発生した。", "", ["2021-07-18"]),
    ("R3/7/18に発生した。", "", ["2021-07-18"]),
    ("H31.4.1に発生した。", "", ["2019-04-01"]),
    ("R元.5.7に発生した。", "", ["2019-05-07"]),
    ("S64.1.7に記録した。", "", ["1989-01-07"]),
    # numeric dates
    ("2021.7.18に発生した。", "", ["2021-07-18"]),
    ("2021/7に発生した。", "", ["2021-07"]),
    ("7/18に判明した。", "2025-08-01", ["2025-07-18"]),
    ("7/18(金)に判明した。", "2025-08-01", ["2025-07-18"]),
    ("2025/7/1~7/3に送信した。", "", ["2025-07-01", "2025-07-03"]),
    # abbreviated eras and fiscal years
    ("R5年度の名簿。", "", ["FY2023"]),
    ("H30年に導入した。", "", ["2018"]),
    ("R3年に導入した。", "", ["2021"]),
    ("R.5年度の名簿。", "", ["FY2023"]),
    ("R5年4月に発生した。", "", ["2023-04"]),
    ("H31年4月1日に発生した。", "", ["2019-04-01"]),
    ("FY2024の計画。", "", ["FY2024"]),
    # ranges
    ("1~2日に送信した。", "2025-07-10", ["2025-07-01", "2025-07-02"]),
    ("7月1日~3日に送信した。", "2025-07-10", ["2025-07-01", "2025-07-03"]),
    ("7月1~3日に送信した。", "2025-07-10", ["2025-07-01", "2025-07-03"]),
    ("1~2月に送信した。", "2025-07-10", ["2025-01", "2025-02"]),
    ("令和6年1~3月に送信した。", "", ["2024-01", "2024-03"]),
    ("令和4~5年度の名簿。", "", ["FY2022", "FY2023"]),
    # a bare day after a full date in its sentence is in that date's month
    ("7月1日に発生し、3日に判明した。", "2025-07-10", ["2025-07-01", "2025-07-03"]),
    ("2024年12月25日に発生し、27日に判明した。", "2025-01-10", ["2024-12-25", "2024-12-27"]),
    # the era change: 平成31年5月 is still May 2019; a notice printed before it wrote 平成32年度
    ("平成31年5月に発生した。", "", ["2019-05"]),
    ("平成32年度の計画。", "", ["FY2020"]),
])
def test_calendar_forms(article, text, reference, expected):
    assert values(extract_dates(article(text, reference))) == expected


# Impossible dates and numbers that only look like dates: nothing is read.
@pytest.mark.parametrize("text", [
    "令和0年に導入した。",
    "令和00年に導入した。",
    "平成0年に導入した。",
    "平成33年に導入した。",
    "令和元年4月1日に導入した。",
    "R0.5.1に導入した。",
    "32年度の計画。",
    "5年度の計画。",
    "2月30日に発生した。",
    "2023年2月29日に発生した。",
    "2021/2/30に発生した。",
    "1/2の確率で当たる。",
    "2/3以上が賛成した。",
    "バージョン3.7.18を配布した。",
    "3~4日間停止した。",
    "毎月1日に更新する。",
    "20~30代の会員。",
])
def test_impossible_or_not_dates(article, text):
    assert extract_dates(article(text, "2024-06-15")) == []


def roles(rows):
    return [(r.value, r.role) for r in rows]


# One row per way a role is told: (article text, the dates read with their roles).
@pytest.mark.parametrize(("text", "expected"), [
    # a release's own date line is its announcement, with or without a label
    ("名簿の誤送付について\n2025/3/14\n東山市\n3月10日に名簿を誤って送付した。",
     [("2025-03-14", "announced"), ("2025-03-10", "occurred")]),
    ("お知らせ\n掲載日:2025年3月14日\n3月10日に名簿を誤って送付した。",
     [("2025-03-14", "announced"), ("2025-03-10", "occurred")]),
    ("名簿の誤送付について\n令和7年3月14日 (金)\n3月10日に名簿を誤って送付した。",
     [("2025-03-14", "announced"), ("2025-03-10", "occurred")]),
    # an update line is the announcement only where the release has no other date line
    ("公開日 2025年3月14日\n更新日 2025年3月20日\n名簿を誤って送付した。",
     [("2025-03-14", "announced"), ("2025-03-20", "other")]),
    ("更新日:2025年3月20日\n名簿を誤って送付した。", [("2025-03-20", "announced")]),
    # a news report's own date gives way to the day its lead says the news was announced
    ("2025年3月14日\n東山市は13日、名簿を誤って送付したと発表した。",
     [("2025-03-14", "other"), ("2025-03-13", "announced")]),
    # event dates in sentences: the verb closing the date's clause
    ("2025年3月1日に不正アクセスが発生し、3月5日に検知した。",
     [("2025-03-01", "occurred"), ("2025-03-05", "detected")]),
    ("2025年3月5日未明、ファイルが暗号化されていることを職員が発見した。", [("2025-03-05", "detected")]),
    ("2025年3月5日、職員が名簿の所在不明に気付いた。", [("2025-03-05", "detected")]),
    ("2025年3月2日午後、職員が宛先を取り違えたことが原因。", [("2025-03-02", "occurred")]),
    # a period is the event's, both ends alike, with the cue after or before it
    ("2025年3月1日から3月5日にかけて不審なメールが送信されていたことが判明した。",
     [("2025-03-01", "occurred"), ("2025-03-05", "occurred")]),
    ("閲覧可能な状態にあった期間は2024年4月1日から2025年3月2日までです。",
     [("2024-04-01", "occurred"), ("2025-03-02", "occurred")]),
    # a label before a date on its line
    ("発生日時:2025年3月2日\n判明日:2025年3月5日", [("2025-03-02", "occurred"), ("2025-03-05", "detected")]),
    # a year or fiscal year inside a name is no event date
    ("2025年度講習会の名簿を誤って掲載した。", [("FY2025", "other")]),
    ("令和5年度入学生の名簿を誤って送付した。", [("FY2023", "other")]),
    ("2024年度中に名簿が流出した。", [("FY2024", "occurred")]),
    # a later step of the story is no role of ours
    ("同協会は2025年3月9日にファイルを削除した。", [("2025-03-09", "other")]),
    # a date line signing the release below its prose is its announcement too
    ("東山市の職員が3月10日に名簿を誤って送付したことについて、心よりお詫び申し上げます。\n2025年3月14日\n東山市",
     [("2025-03-10", "occurred"), ("2025-03-14", "announced")]),
    # a labelled date line is the announcement wherever it stands; an update line beside it is not
    ("更新日:2025年3月20日\nここから本文です。\n発表日:2025年3月14日\n名簿を誤って送付した。",
     [("2025-03-20", "other"), ("2025-03-14", "announced")]),
    # a date line heading a step of a timeline takes its role from the line after it
    ("3月10日に名簿を誤って送付したことについて、経緯をご報告いたします。\n2025年3月12日\n受取人からの連絡で誤送付が判明。\n"
     "2025年3月13日\n名簿を回収した。",
     [("2025-03-10", "occurred"), ("2025-03-12", "detected"), ("2025-03-13", "other")]),
    ("3月10日に名簿を誤って送付したことについて、経緯をご報告いたします。\n(1)2025年3月11日(火)\n"
     "17時9分 案内のメールを宛先が見える状態のまま送信。\n(2)2025年3月12日(水)10時ごろ\n受講生からの指摘で判明。",
     [("2025-03-10", "occurred"), ("2025-03-11", "occurred"), ("2025-03-12", "detected")]),
    # inside the prose, a date line heading no step is named by a label above it; 同日 is never a date line
    ("3月10日に名簿を誤って送付したことについて、経緯をご報告いたします。\n(1) 発生日時\n 2025年3月11日(火)午後3時\n"
     "(2) 対象\n 名簿\n(3) 同日20時18分\n 回収を依頼",
     [("2025-03-10", "occurred"), ("2025-03-11", "occurred"), ("2025-03-11", "other")]),
    # the time of day and `になって` say when, not what
    ("2025年3月12日(水)午前9時頃、受取人から名簿が届いたとのご連絡をいただきました。", [("2025-03-12", "detected")]),
    ("2025年3月12日になって受取人より、名簿が届いたとの連絡を受けた。", [("2025-03-12", "detected")]),
    # a date modifying a noun: only a cue right after it tells a role
    ("2025年3月1日の不正アクセスで名簿が流出した。", [("2025-03-01", "occurred")]),
    ("2025年3月1日以前の予約にかかわる名簿が流出したと発表した。", [("2025-03-01", "other")]),
    # a date in a clause of its own verb (`申請した人`) is not the event of the sentence
    ("2024年度に申請した人の氏名、住所が掲載されていた。", [("FY2024", "other")]),
])
def test_roles(article, text, expected):
    assert roles(extract_dates(article(text))) == expected


@pytest.mark.parametrize(("header", "announced_on"), [
    ("2024/10/31", "2024-10-31"),
    ("2025年7月15日", "2025-07-15"),
    ("令和7年7月15日", "2025-07-15"),
])
def test_a_dated_release_fills_the_incidents_announced_on(header, announced_on):
    text = (f"個人情報を記録したUSBメモリの紛失について\n\n{header}\n東山総合病院\n\n"
            "当院において、患者様320名分の氏名、住所を記録したUSBメモリ1本を紛失する事案が発生いたしました。"
            "職員が院内で所在不明となっていることに気付きました。深くお詫び申し上げます。")
    extraction, _ = extract_article(Article("release", text, "test"), use_ner=False)
    assert extraction.incident.is_incident
    assert extraction.incident.announced_on == announced_on
