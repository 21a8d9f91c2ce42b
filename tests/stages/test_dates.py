from pipeline.stages.dates import extract_dates


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
