"""`pipeline serve`: an analyst corrects an article in the browser, the correction lands in the gold
store, and after a retrain and a run the pipeline says what the analyst said. No token, no entry."""

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import Store
from pipeline.learning.gold_store import GoldStore
from pipeline.report.server import ReviewServer
from tests.conftest import REPO
from tests.report.test_review import browser  # noqa: F401 - the shared Chromium fixture

# Invented articles. Nothing in the stock pipeline knows ミズナラ (no legal form, no suffix).
ARTICLES = [
    {"id": "mizunara-1", "reference_date": "2025-05-15",
     "text": "会員情報の閲覧設定に誤り\n\nミズナラは14日、通販サイトの会員1,204人分の氏名と住所が、"
             "外部から閲覧できる状態だったと発表した。ミズナラによると、5月2日の設定変更で誤りが生じたという。"},
    {"id": "wakaba-1", "reference_date": "2025-06-10",
     "text": "若葉台市は9日、市立図書館の利用者83人分のメールアドレスを、宛先を隠さずに一斉送信したと発表した。"
             "若葉台市は利用者に謝罪した。"},
]
LATER = {"id": "mizunara-2", "reference_date": "2025-08-20",
         "text": "ミズナラの物流倉庫で8月18日、顧客の電話番号を含む出荷伝票が盗まれたことが分かった。"
                 "ミズナラが被害の範囲を調べている。"}


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def served(tmp_path):
    inputs = write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    out = tmp_path / "out"
    with Store.open(out) as store:
        run_into_store(iter_inputs([inputs]), store, use_ner=False)
    server = ReviewServer(out, GoldStore(tmp_path / "data" / "gold"), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, tmp_path
    server.shutdown()
    server.server_close()


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_request_without_the_right_token_is_refused(served):
    server, _ = served
    base = server.url.split("?")[0]
    assert fetch(base)[0] == 403
    assert fetch(base + "?token=not-the-token")[0] == 403
    assert fetch(base + "articles/0.js")[0] == 403
    assert fetch(base + "correct.js", headers={"Cookie": "pipeline_token=guess"})[0] == 403
    assert fetch(base, headers={"Cookie": 'a b=1; pipeline_token="x'})[0] == 403
    status, page = fetch(server.url)
    assert status == 200 and "server-config" in page
    assert fetch(base + "articles/0.js", headers={"Cookie": f"pipeline_token={server.token}"})[0] == 200

    save = json.dumps({"index": 0, "record": {"id": "mizunara-1"}}).encode()
    cookie_only = {"Cookie": f"pipeline_token={server.token}", "Content-Type": "application/json"}
    assert fetch(base + "api/gold", save, cookie_only)[0] == 403, "a save needs the token header, not a cookie"
    assert server.state.gold.history() == []
    bad = fetch(base + "api/gold", json.dumps({"index": 0, "record": {"id": "mizunara-1", "cause": ["spam"]}}).encode(),
                {"X-Pipeline-Token": server.token})
    assert bad[0] == 400 and "unknown cause" in bad[1]
    assert server.server_address[0] == "127.0.0.1"


def select_text(page, needle):
    """Select the first occurrence of `needle` in the article text as a mouse would, and release."""
    page.evaluate("""needle => {
        const box = document.getElementById("article-text");
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent.indexOf(needle);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + needle.length);
            getSelection().removeAllRanges(); getSelection().addRange(range);
            box.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            return;
        }
        throw new Error("not in the text: " + needle);
    }""", needle)


def open_article(page, article_id):
    page.uncheck("#incidents-only")  # what the pipeline thinks no incident may well be one
    page.fill("#search", article_id)
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#correction #c-save")


def test_an_analyst_corrects_an_article_and_the_pipeline_learns_it(served, browser, tmp_path):  # noqa: F811
    server, workspace = served
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server.url)
    page.wait_for_selector("#incidents tbody tr")
    assert page.locator("#incidents th[data-key=confidence]").get_attribute("aria-sort") == "ascending"
    shown = page.locator("#incidents tbody tr").count()
    page.fill("#max-confidence", "-0.5")  # surer than nothing: no row
    assert page.locator("#incidents tbody tr").count() == 0
    page.fill("#max-confidence", "1")
    assert page.locator("#incidents tbody tr").count() == shown

    open_article(page, "mizunara-1")
    assert "draft from the extraction" in page.locator("#c-origin").inner_text()
    assert "ミズナラ" not in page.locator("#c-orgs").inner_text(), "the stock pipeline misses the name"
    select_text(page, "ミズナラ")
    assert "ミズナラ" in page.locator("#c-selected").inner_text()
    page.click("#c-add-org")
    assert "ミズナラ" in page.locator("#c-orgs").inner_text()
    page.select_option("#c-victim", label="ミズナラ")
    page.select_option("#c-cause", "misconfiguration")
    page.fill("#c-total", "1204")
    select_text(page, "5月2日")
    page.click("#c-add-date")
    expect(page.locator("#c-dates")).to_contain_text("2025-05-02")
    page.fill("#c-count-value", "1204")
    page.select_option("#c-count-unit", "件")
    page.click("#c-count-add")
    expect(page.locator("#c-counts")).to_contain_text("1,204 件")
    assert page.locator("#c-categories tr[data-category]").count() >= 20
    assert page.locator("#c-categories tr[data-category='']").count() == 0
    page.check("input[name=c-cat-address][value=leaked]")
    page.click("#c-save")
    expect(page.locator("#c-status")).to_contain_text("Saved at")
    assert page.locator("#incidents tbody tr.corrected").count() == 1

    open_article(page, "wakaba-1")
    page.check("input[name=c-cat-email][value=leaked]")
    page.click("#c-save")
    expect(page.locator("#c-status")).to_contain_text("Saved at")
    assert problems == []
    page.close()

    saved = GoldStore(workspace / "data" / "gold").latest()
    assert set(saved) == {"mizunara-1", "wakaba-1"}
    corrected = saved["mizunara-1"]
    assert ["ミズナラ"] in corrected["organizations"] and corrected["victim"] == ["ミズナラ"]
    assert corrected["cause"] == ["misconfiguration"] and corrected["affected_total"] == [1204]
    assert "2025-05-02" in corrected["dates"] and corrected["categories"]["address"] is True
    assert [1204, "件"] in corrected["counts"] and [1204, "人"] in corrected["counts"]

    env = {**os.environ, "PIPELINE_DATA_DIR": str(workspace / "data")}

    def pipeline(*args):
        result = subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    pipeline("retrain", "--epochs", "0", "--no-ner", "--folds", "2")
    later = write_jsonl(tmp_path / "later.jsonl", [LATER])
    pipeline("run", later, "--out", tmp_path / "later-out", "--no-ner", "--quiet")
    with Store.open(tmp_path / "later-out") as store:
        names = {row.name: row.source for row in store.tables()["organizations.csv"]}
    assert names.get("ミズナラ", "").startswith("learned.gaz."), names

    reopened = browser.new_page()
    reopened.goto(server.url)
    reopened.wait_for_selector("#incidents tbody tr")
    open_article(reopened, "mizunara-1")
    assert "your correction of" in reopened.locator("#c-origin").inner_text()
    assert reopened.locator("#c-cause").input_value() == "misconfiguration"
    reopened.close()


def test_in_serve_the_article_text_comes_before_the_long_correction_form_and_nothing_is_cut(
        served, browser):  # noqa: F811
    from tests.report.test_review import overflowing_boxes

    server, _ = served
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url)
    page.wait_for_selector("#incidents tbody tr")
    open_article(page, "mizunara-1")
    text = page.locator("#article-text").bounding_box()
    categories = page.locator("#c-categories").bounding_box()
    assert page.locator("#c-categories tr[data-category]").count() >= 20
    assert page.locator("#c-categories tr[data-category=name] td").first.inner_text() == "name (氏名)"
    assert page.locator("#c-cause option[value=misdelivery]").inner_text() == "misdelivery (誤送信・誤送付)"
    assert text["y"] < categories["y"], "the text is read first, the 21-row form follows it"
    assert text["y"] < 1000 - 100, "the text starts in the first screen"
    # The date field shows its whole placeholder: its text is no wider than the field's content box.
    date_input = page.locator("#c-date-input")
    assert date_input.get_attribute("placeholder").startswith("YYYY-MM-DD")
    assert date_input.evaluate("""node => {
        const style = getComputedStyle(node), context = document.createElement('canvas').getContext('2d');
        context.font = `${style.fontSize} ${style.fontFamily}`;
        const room = node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return context.measureText(node.placeholder).width <= room;
      }""")
    assert overflowing_boxes(page) == []
    page.close()


def read_csv(path):
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def open_served(browser, server, article_id):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url)
    page.wait_for_selector("#incidents tbody tr")
    open_article(page, article_id)
    return page


def test_a_corrected_cause_shows_in_the_tables_and_the_page_with_no_retrain(served, browser):  # noqa: F811
    server, workspace = served
    from playwright.sync_api import expect

    page = open_served(browser, server, "mizunara-1")
    assert page.locator("#c-cause").input_value() != "theft"
    page.select_option("#c-cause", "theft")
    page.locator("#c-dates li[data-date='2025-05-02'] select").select_option("occurred")
    page.click("#c-save")
    expect(page.locator("#c-status")).to_contain_text("1 corrected article waits for `pipeline retrain`")
    expect(page.locator("#incidents tbody tr.corrected")).to_contain_text("theft")
    page.close()

    assert server.state.exporter.wait()
    out = workspace / "out"
    row = next(r for r in read_csv(out / "incidents.csv") if r["article_id"] == "mizunara-1")
    assert (row["cause"], row["corrected"], row["occurred_on"]) == ("theft", "true", "2025-05-02"), "written on save"

    env = {**os.environ, "PIPELINE_DATA_DIR": str(workspace / "data")}
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", workspace / "articles.jsonl", "--out", out,
                             "--no-ner", "--quiet", "--rebuild"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    row = next(r for r in read_csv(out / "incidents.csv") if r["article_id"] == "mizunara-1")
    assert (row["cause"], row["corrected"], row["correction_stale"]) == ("theft", "true", "false")
    case = next(c for c in read_csv(out / "cases.csv") if "mizunara-1" in c["article_ids"].split(";"))
    assert case["cause"] == "theft"
    assert all(r["cause"] != "theft" for r in read_csv(out / "incidents.csv") if r["article_id"] != "mizunara-1")

    reopened = browser.new_page()
    reopened.goto(server.url)
    reopened.wait_for_selector("#incidents tbody tr")
    reopened.uncheck("#incidents-only")
    reopened.fill("#search", "mizunara-1")
    expect(reopened.locator("#incidents tbody tr.corrected")).to_contain_text("theft")
    reopened.close()


def test_a_save_that_fails_says_so_and_keeps_the_edit(served, browser):  # noqa: F811
    server, _ = served
    from playwright.sync_api import expect

    page = open_served(browser, server, "wakaba-1")
    page.check("#c-is-incident")
    page.select_option("#c-cause", "misdelivery")
    page.route("**/api/gold", lambda route: route.abort("connectionreset"))
    page.click("#c-save")
    expect(page.locator("#c-status")).to_contain_text("NOT saved")
    assert page.locator("#c-cause").input_value() == "misdelivery", "the edit stays to save again"
    assert server.state.gold.history() == []
    page.unroute("**/api/gold")
    page.click("#c-save")
    expect(page.locator("#c-status")).to_contain_text("Saved at")
    assert server.state.gold.latest()["wakaba-1"]["cause"] == ["misdelivery"]
    page.close()


def test_forty_connections_saving_at_once_are_all_served(served):
    from concurrent.futures import ThreadPoolExecutor
    from http.client import HTTPConnection

    server, _ = served
    host, port = server.server_address[:2]
    causes = ["loss", "theft", "misdelivery", "misposting", "malware"]

    ready = threading.Barrier(40)

    def analyst(number):
        connection = HTTPConnection(host, port, timeout=60)
        ready.wait()  # all forty knock at the same moment
        connection.connect()
        statuses = []
        for save in range(5):
            record = {"id": "wakaba-1", "cause": [causes[(number + save) % 5]], "affected_total": [number * 10 + save]}
            connection.request("POST", "/api/gold", json.dumps({"index": 1, "record": record}),
                               {"X-Pipeline-Token": server.token, "Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()
        return statuses

    assert server.state.detail(1)["article_id"] == "wakaba-1"
    with ThreadPoolExecutor(40) as pool:
        statuses = [s for batch in pool.map(analyst, range(40)) for s in batch]
    assert statuses == [200] * 200
    saved = server.state.gold.history("wakaba-1")
    assert {r["affected_total"][0] for r in saved} == {n * 10 + s for n in range(40) for s in range(5)}
