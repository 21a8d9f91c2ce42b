"""The review page: built from the store, safe with hostile text, and usable in a real browser."""

import json
import re

import pytest

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import Store
from pipeline.records import Article
from pipeline.report.review import chart_svg, review_data, script_json, write_review
from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
HOSTILE = ('南浜町は6月3日、市民32人分の氏名を誤送信したと発表した。'
           '<script>window.__pwned = 1</script> "><img src=x onerror="window.__pwned = 2"> '
           '<img src=x onerror=window.__pwned=3> &lt;b&gt;')
HOSTILE_TITLE = '"><img src=x onerror="window.__pwned = 4"><script>window.__pwned = 5</script>'


@pytest.fixture(scope="module")
def review_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("review-out")
    hostile = Article("xss", HOSTILE, "hostile.jsonl:1", title=HOSTILE_TITLE, reference_date="2024-06-04")
    items = [*iter_inputs([REPO / "data" / "raw"]), hostile]
    with Store.open(out) as store:
        run_into_store(items, store, use_ner=False)
        write_review(out, store)
    return out


def test_script_json_cannot_close_a_script_element():
    text = script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


def test_the_chart_escapes_its_labels_and_stacks_causes_per_month():
    svg = chart_svg({"2024-06": {"misdelivery": 2, "<b>": 1}, "2024-07": {"loss": 1}})
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert len(re.findall(r'<rect [^>]*data-month="2024-06"', svg)) == 2


def test_each_ok_article_gets_a_detail_file_and_an_overview_row(review_dir):
    with Store.open(review_dir) as store:
        overview, details = review_data(store)
    assert len(details) == len(overview["incidents"]) == 12
    assert sorted(p.name for p in (review_dir / "review" / "articles").iterdir()) == sorted(
        f"{i}.js" for i in range(12))
    card = next(d for d in details if d["article_id"] == "s10_yoshino_card")
    assert {s["table"] for s in card["spans"]} == {"organization", "date", "count", "category"}
    assert all(card["text"][s["start"]:s["end"]] == s["text"] for s in card["spans"])
    page = (review_dir / "review" / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page and "<img src=x" not in page


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


def open_page(browser, review_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto((review_dir / "review" / "index.html").as_uri())
    page.wait_for_selector("#incidents tbody tr")
    return page, problems


def test_an_analyst_filters_by_cause_opens_an_incident_and_follows_a_row_to_its_span(browser, review_dir, tmp_path):
    page, problems = open_page(browser, review_dir)
    assert page.locator("#incidents tbody tr").count() == 11  # incidents only: the advisory is not one

    page.select_option("#cause-filter", "misdelivery")
    causes = page.locator("#incidents tbody tr").evaluate_all("rows => rows.map(r => r.dataset.cause)")
    assert causes and set(causes) == {"misdelivery"}

    page.select_option("#cause-filter", "")
    page.fill("#search", "ヨシノ")
    assert page.locator("#incidents tbody tr").count() == 1
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#article-text mark")
    assert page.locator("#article-title").inner_text() != "No article selected"
    assert page.locator("#article-text mark.negated").count() >= 2, "address and name were not leaked"

    row = page.locator(".rows-count tr[data-span]").first
    row.click()
    span_id = row.get_attribute("data-span")
    active = page.locator("#article-text mark.active")
    assert active.count() >= 1
    assert span_id in active.first.get_attribute("data-spans").split()
    assert active.first.inner_text() == row.locator("td").nth(3).inner_text()

    page.locator("#article-text mark.date").first.click()
    assert page.locator(".rows-date tr.active").count() == 1
    assert "rule date." in page.locator("#detail").inner_text()

    shot = tmp_path / "review.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    assert problems == []
    page.close()


def test_hostile_text_is_shown_as_text_and_runs_nothing(browser, review_dir):
    page, problems = open_page(browser, review_dir)
    page.fill("#search", "xss")
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#article-text mark")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#article-text").inner_text() == HOSTILE
    assert page.locator("#article-title").inner_text() == HOSTILE_TITLE
    assert page.locator("img").count() == 0
    assert page.locator("script:not([src])").count() == 2  # the page's own: its data and its code
    assert problems == []
    page.close()


@pytest.fixture(scope="module")
def news_review_dir(tmp_path_factory):
    from tests.cases import articles

    out = tmp_path_factory.mktemp("review-cases")
    source = out / "news.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in articles.ALL), encoding="utf-8")
    with Store.open(out) as store:
        run_into_store(iter_inputs([source]), store, use_ner=True)
        write_review(out, store)
        overview, _ = review_data(store)
    return out, overview


def test_the_chart_counts_each_case_once(news_review_dir):
    _, overview = news_review_dir
    incident_articles = [row for row in overview["incidents"] if row["is_incident"]]
    charted = sum(sum(causes.values()) for causes in overview["months"].values())
    assert charted == overview["cases"] == len({row["case_id"] for row in incident_articles})
    assert charted == len(incident_articles) - 2  # two incidents were reported twice
    assert overview["months"]["2025-03"] == {"loss": 1}  # the USB loss and its follow-up: one incident


def test_the_articles_of_a_case_stay_together_under_its_first_row(browser, news_review_dir):
    review_dir, _ = news_review_dir
    page, problems = open_page(browser, review_dir)
    for key in ("victim", "cause", "affected_total"):  # whatever the sort, a case's rows are adjacent
        page.locator(f'#incidents th[data-key="{key}"]').click()
        cases = page.locator("#incidents tbody tr").evaluate_all("rows => rows.map(r => r.dataset.case)")
        runs = [case for position, case in enumerate(cases) if position == 0 or cases[position - 1] != case]
        assert len(runs) == len(set(cases))
    members = page.locator("#incidents tbody tr.case-member")
    assert members.count() == 2
    assert members.first.locator("td").first.inner_text().startswith("↳ ")
    assert "2 articles" in page.locator("#incidents").inner_text()
    assert "with hamanasu: ハマナス電子, 38 days" in page.locator("#incidents").inner_text()  # why they are one case
    assert problems == []
    page.close()


def overflowing_boxes(page) -> list[str]:
    """Every element of the page that scrolls sideways: its content wider than its box."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(node => {
        const style = getComputedStyle(node);
        return ['auto', 'scroll'].includes(style.overflowX) && node.scrollWidth > node.clientWidth + 1;
      }).map(node => node.id || node.className || node.tagName)""")


def test_at_1400_by_1000_no_table_box_scrolls_sideways_and_every_column_is_in_view(browser, review_dir):
    page, problems = open_page(browser, review_dir)
    page.uncheck("#incidents-only")  # every row, the longest ids among them
    box = page.locator("#overview .scroll")
    assert box.evaluate("node => node.scrollWidth <= node.clientWidth")
    right = box.evaluate("node => node.getBoundingClientRect().right")
    for header in ("Leaked data", "Sure"):
        assert page.locator("#incidents th", has_text=header).bounding_box()["x"] < right
    ids = page.locator("#incidents td.id").evaluate_all("cells => cells.map(c => c.innerText)")
    assert "s07_touwa_shinkin_theft" in [text.replace("\n", "") for text in ids], "ids wrap, they are not cut"
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#article-text mark")
    assert overflowing_boxes(page) == []
    assert problems == []
    page.close()


def test_the_announced_column_sorts_by_date_with_a_month_after_its_days(browser, review_dir):
    page, problems = open_page(browser, review_dir)
    header = page.locator('#incidents th[data-key="announced_sort"]')
    for direction in (1, -1):
        header.click()
        if page.locator('#incidents th[data-key="announced_sort"]').get_attribute("aria-sort") != \
                ("ascending" if direction > 0 else "descending"):
            header.click()
        shown = page.locator("#incidents td.announced").evaluate_all("cells => cells.map(c => c.innerText)")
        months = [value for value in shown if len(value) == 7]
        assert months and len(months) < len([value for value in shown if value])  # days and months both
        keys = [value + "-99" if len(value) == 7 else value for value in shown if value]
        assert keys == sorted(keys, reverse=direction < 0), shown
    assert problems == []
    page.close()


def test_causes_and_categories_show_their_japanese_labels_beside_the_codes(browser, review_dir):
    page, problems = open_page(browser, review_dir)
    page.select_option("#cause-filter", "misdelivery")
    assert page.locator("#cause-filter option:checked").inner_text() == "misdelivery (誤送信・誤送付)"
    cause_cell = page.locator("#incidents tbody tr").first.locator("td").nth(3).inner_text()
    assert "誤送信・誤送付" in cause_cell and "misdelivery" in cause_cell
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#article-text mark")
    meta = page.locator("#article-meta").inner_text()
    assert "misdelivery (誤送信・誤送付)" in meta and re.search(r"(email|name) \((メールアドレス|氏名)\)", meta)
    assert "misdelivery (誤送信・誤送付)" in page.locator(".legend").inner_text()
    assert problems == []
    page.close()


# Private-use code points: no font has a glyph for them, so they always draw the missing-glyph box.
NO_GLYPH = "\ue000\ue001\ue002\ue003\ue004\ue005"


def test_japanese_text_renders_as_glyphs_not_as_missing_glyph_boxes(browser, review_dir):
    # Without a Japanese font every kanji draws the same missing-glyph box as a private-use code
    # point: a screenshot of a victim's name is then pixel for pixel that of NO_GLYPH in its place.
    page, problems = open_page(browser, review_dir)
    page.fill("#search", "北浜")
    cell = page.locator("#incidents tbody tr td:nth-child(3)").first
    name = cell.inner_text()
    assert len(name) >= 3 and all("\u3040" <= ch <= "\u9fff" or "\u30a0" <= ch <= "\u30ff" for ch in name[:3])
    cell.evaluate("(node, text) => { node.textContent = text; }", name[:3])
    japanese = cell.screenshot()
    cell.evaluate("(node, text) => { node.textContent = text; }", NO_GLYPH[:3])
    boxes = cell.screenshot()
    assert japanese != boxes
    glyphs = page.evaluate("""(chars) => chars.map(ch => {
        const canvas = document.createElement('canvas'); canvas.width = 40; canvas.height = 40;
        const context = canvas.getContext('2d');
        context.font = '32px ' + getComputedStyle(document.body).fontFamily;
        context.fillText(ch, 2, 34);
        return canvas.toDataURL();
      })""", [*name[:3], NO_GLYPH[0]])
    assert len(set(glyphs)) == 4, "each character draws its own glyph, none the missing-glyph box"
    assert problems == []
    page.close()
