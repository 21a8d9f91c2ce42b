"""The calendar-date check of issue 19: the share of calendar-date forms read right, and the false
dates found where there is none.

    python bench/dates_peer.py [--failures]

The issue asked for the calendar-date test cases of a peer library (ja-timex) as our check. They
cannot be read from the package: neither its sdists (0.1.0 to 0.2.8) nor its wheel on PyPI ship its
tests, only the library. So the check is built from the classes of forms the issue lists, one
invented case per form, each read in a sentence of its own against one reference date
(`REFERENCE`, the day the "article" was published):
- positive cases: the set of values read must equal the expected set exactly (a range gives both
  ends, as dates.csv does);
- negative cases: nothing may be read as a date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.records import Article  # noqa: E402
from pipeline.stages.analysis import analyse  # noqa: E402
from pipeline.stages.dates import extract_dates  # noqa: E402

REFERENCE = "2024-06-15"

# (class, text, expected values). Bare months and days take their year from REFERENCE: a date
# more than a month after it belongs to the year before.
CALENDAR_CASES: list[tuple[str, str, set[str]]] = [
    ("full", "2024年10月31日に発表した。", {"2024-10-31"}),
    ("full", "２０２４年１０月３１日に発表した。", {"2024-10-31"}),
    ("full", "2024年 10月 31日に発表した。", {"2024-10-31"}),
    ("full", "令和6年12月5日に公表した。", {"2024-12-05"}),
    ("full", "令和６年１２月５日に公表した。", {"2024-12-05"}),
    ("full", "平成31年4月1日から運用している。", {"2019-04-01"}),
    ("full", "令和元年5月1日に改元された。", {"2019-05-01"}),
    ("full", "令和元年に導入した。", {"2019"}),
    ("full", "昭和64年1月7日の記録。", {"1989-01-07"}),
    ("full", "2021年7月に発生した。", {"2021-07"}),
    ("full", "2021年に発生した。", {"2021"}),
    ("full", "令和2年3月に発生した。", {"2020-03"}),
    ("full", "2024年度の名簿。", {"FY2024"}),
    ("full", "令和5年度の名簿。", {"FY2023"}),
    ("full", "平成30年度の名簿。", {"FY2018"}),
    ("full", "令和元年度の名簿。", {"FY2019"}),
    ("full", "5月20日に判明した。", {"2024-05-20"}),
    ("full", "12月5日に発生した。", {"2023-12-05"}),
    ("full", "6月に判明した。", {"2024-06"}),
    ("full", "昨年12月に発生した。", {"2023-12"}),
    ("full", "今年1月に発生した。", {"2024-01"}),
    ("full", "2024年6月10日(月)に送信した。", {"2024-06-10"}),
    # kanji numerals
    ("kanji", "令和六年十二月五日に公表した。", {"2024-12-05"}),
    ("kanji", "平成三十一年四月一日から運用している。", {"2019-04-01"}),
    ("kanji", "二〇二四年に導入した。", {"2024"}),
    ("kanji", "二〇二四年十月三十一日に発表した。", {"2024-10-31"}),
    ("kanji", "二〇一九年五月一日に改元された。", {"2019-05-01"}),
    ("kanji", "令和元年五月一日に改元された。", {"2019-05-01"}),
    ("kanji", "令和二年三月に発生した。", {"2020-03"}),
    ("kanji", "平成三十年度の名簿。", {"FY2018"}),
    ("kanji", "令和五年度の名簿。", {"FY2023"}),
    ("kanji", "昭和六十三年に設立した。", {"1988"}),
    ("kanji", "平成十年に設立した。", {"1998"}),
    ("kanji", "十二月二十五日に発生した。", {"2023-12-25"}),
    ("kanji", "三月三日に判明した。", {"2024-03-03"}),
    ("kanji", "一月十日に判明した。", {"2024-01-10"}),
    ("kanji", "五月二十日に判明した。", {"2024-05-20"}),
    ("kanji", "二千二十四年六月一日に発表した。", {"2024-06-01"}),
    ("kanji", "令和六年六月十日付で通知した。", {"2024-06-10"}),
    # dotted and slashed
    ("dotted", "令和3.7.18に発生した。", {"2021-07-18"}),
    ("dotted", "R3.7.18に発生した。", {"2021-07-18"}),
    ("dotted", "H31.4.1から運用している。", {"2019-04-01"}),
    ("dotted", "2021.7.18に発生した。", {"2021-07-18"}),
    ("dotted", "5/18に判明した。", {"2024-05-18"}),
    ("dotted", "2021/7/18に発生した。", {"2021-07-18"}),
    ("dotted", "2021/07/18に発生した。", {"2021-07-18"}),
    ("dotted", "2021-07-18に発生した。", {"2021-07-18"}),
    ("dotted", "R3/7/18に発生した。", {"2021-07-18"}),
    ("dotted", "H30.12.1に発生した。", {"2018-12-01"}),
    ("dotted", "R元.5.1に改元された。", {"2019-05-01"}),
    ("dotted", "令和元.5.1に改元された。", {"2019-05-01"}),
    ("dotted", "平成30.12.1に発生した。", {"2018-12-01"}),
    ("dotted", "S64.1.7の記録。", {"1989-01-07"}),
    ("dotted", "2021/7に発生した。", {"2021-07"}),
    ("dotted", "2024.10.31付で通知した。", {"2024-10-31"}),
    ("dotted", "5/18(土)に送信した。", {"2024-05-18"}),
    ("dotted", "5/18 10:30に送信した。", {"2024-05-18"}),
    ("dotted", "R6.5.18に送信した。", {"2024-05-18"}),
    ("dotted", "Ｒ６．５．１８に送信した。", {"2024-05-18"}),
    # abbreviated eras and fiscal years
    ("abbreviated", "R5年度の名簿。", {"FY2023"}),
    ("abbreviated", "H30年に導入した。", {"2018"}),
    ("abbreviated", "R3年に導入した。", {"2021"}),
    ("abbreviated", "R5年4月に発生した。", {"2023-04"}),
    ("abbreviated", "H31年4月1日から運用している。", {"2019-04-01"}),
    ("abbreviated", "R元年に導入した。", {"2019"}),
    ("abbreviated", "R元年度の名簿。", {"FY2019"}),
    ("abbreviated", "H30年度の名簿。", {"FY2018"}),
    ("abbreviated", "R6年度の名簿。", {"FY2024"}),
    ("abbreviated", "Ｒ５年度の名簿。", {"FY2023"}),
    ("abbreviated", "R.5年度の名簿。", {"FY2023"}),
    ("abbreviated", "H.30年に導入した。", {"2018"}),
    ("abbreviated", "S63年に設立した。", {"1988"}),
    ("abbreviated", "FY2024の計画。", {"FY2024"}),
    ("abbreviated", "24年度の名簿。", {"FY2024"}),
    ("abbreviated", "平成31年5月に発生した。", {"2019-05"}),
    ("abbreviated", "平成32年度の計画。", {"FY2020"}),
    # ranges
    ("range", "1~2日に送信した。", {"2024-06-01", "2024-06-02"}),
    ("range", "5月1日~3日に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "1〜2月に送信した。", {"2024-01", "2024-02"}),
    ("range", "5月1日から3日にかけて送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "5月1日~5月3日に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "5月1日-3日に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "2024年5月1日~3日に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "令和6年1~3月に送信した。", {"2024-01", "2024-03"}),
    ("range", "2023年12月~2024年1月に送信した。", {"2023-12", "2024-01"}),
    ("range", "5月1日から同月3日まで送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "5月1~3日に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "2024/5/1~5/3に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "R6.5.1~R6.5.3に送信した。", {"2024-05-01", "2024-05-03"}),
    ("range", "2022~2023年度の名簿。", {"FY2022", "FY2023"}),
    ("range", "令和4~5年度の名簿。", {"FY2022", "FY2023"}),
    # a bare day after a month named before it
    ("context", "5月1日に発生し、3日に判明した。", {"2024-05-01", "2024-05-03"}),
    ("context", "2023年12月25日に発生し、27日に判明した。", {"2023-12-25", "2023-12-27"}),
    ("context", "5月10日に検知し、同日中に遮断した。", {"2024-05-10"}),
    ("context", "5月10日に検知し、同12日に報告した。", {"2024-05-10", "2024-05-12"}),
    ("context", "5月10日に検知し、同月末に報告した。", {"2024-05-10", "2024-05"}),
    ("context", "同社は14日、発表した。", {"2024-06-14"}),
    ("context", "2024年5月20日に発生。同年6月1日に判明した。", {"2024-05-20", "2024-06-01"}),
]

# Texts with no calendar date in them: nothing may be read.
NEGATIVE_CASES: list[tuple[str, str]] = [
    ("impossible", "令和0年に導入した。"),
    ("impossible", "令和00年に導入した。"),
    ("impossible", "32年度の計画。"),
    ("impossible", "2月30日に発生した。"),
    ("impossible", "13月1日に発生した。"),
    ("impossible", "2023年2月29日に発生した。"),
    ("impossible", "4月31日に発生した。"),
    ("impossible", "5月32日に発生した。"),
    ("impossible", "0月5日に発生した。"),
    ("impossible", "5月0日に発生した。"),
    ("impossible", "平成0年に導入した。"),
    ("impossible", "令和元年4月1日に導入した。"),
    ("impossible", "R0.5.1に導入した。"),
    ("impossible", "2021.13.1に発生した。"),
    ("impossible", "2021/2/30に発生した。"),
    ("impossible", "45年度の計画。"),
    ("fraction", "1/2の確率で当たる。"),
    ("fraction", "全体の3/4が回答した。"),
    ("fraction", "2/3以上が賛成した。"),
    ("version", "ver.2.1.3に更新した。"),
    ("version", "バージョン3.7.18を配布した。"),
    ("version", "3.7.18版を配布した。"),
    ("decimal", "円周率は3.14である。"),
    ("decimal", "前年の1.5倍に増えた。"),
    ("time", "午後6時9分に送信した。"),
    ("time", "10:30に送信した。"),
    ("duration", "3日間停止した。"),
    ("duration", "2年間保管した。"),
    ("duration", "5か月にわたり掲載した。"),
    ("duration", "30日以内に通知する。"),
    ("duration", "3~4日間停止した。"),
    ("duration", "5日後に削除した。"),
    ("duration", "3日前に判明した。"),
    ("duration", "24時間監視している。"),
    ("duration", "1年半にわたり掲載した。"),
    ("relative", "10年前に導入した。"),
    ("age", "20歳の会員。"),
    ("age", "20~30代の会員。"),
    ("money", "2024円を請求した。"),
    ("count", "2024件が流出した。"),
    ("count", "1万2千人が対象。"),
    ("count", "1〜2割が回答した。"),
    ("number", "電話番号は03-1234-5678です。"),
    ("number", "文書番号2024-0001を参照。"),
    ("number", "第2024号を参照。"),
    ("number", "〒123-4567に送付した。"),
    ("number", "192.168.1.10からアクセスされた。"),
    ("number", "第5回の会議。"),
    ("url", "https://example.jp/2024/10/31/news.html を参照。"),
    ("frequency", "毎月1日に更新する。"),
    ("frequency", "1日3回送信した。"),
    ("frequency", "1日あたり100件を処理した。"),
    ("grade", "3年生の生徒。"),
    ("grade", "6年目の社員。"),
    ("score", "5対3で勝った。"),
]


def values_in(text: str) -> set[str]:
    article = analyse(Article("check", text, "check", reference_date=REFERENCE))
    return {row.value for row in extract_dates(article)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list every case read wrong")
    args = parser.parse_args()
    by_class: dict[str, list[int]] = {}
    failures = []
    for kind, text, expected in CALENDAR_CASES:
        got = values_in(text)
        tally = by_class.setdefault(kind, [0, 0])
        tally[0] += got == expected
        tally[1] += 1
        if got != expected:
            failures.append(f"  {kind}: {text} -> {sorted(got)} (expected {sorted(expected)})")
    false_dates = []
    for kind, text in NEGATIVE_CASES:
        got = values_in(text)
        if got:
            false_dates.append(f"  {kind}: {text} -> {sorted(got)}")
    right = sum(t[0] for t in by_class.values())
    print(f"calendar-date cases right: {right}/{len(CALENDAR_CASES)} ({right / len(CALENDAR_CASES):.0%})")
    for kind, (ok, total) in by_class.items():
        print(f"  {kind:12} {ok}/{total}")
    print(f"negative cases with a false date: {len(false_dates)}/{len(NEGATIVE_CASES)}")
    if args.failures:
        print("wrong calendar-date cases:", *failures, sep="\n")
        print("false dates:", *false_dates, sep="\n")


if __name__ == "__main__":
    main()
