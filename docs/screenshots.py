"""Take the docs' screenshots from the sample run: `python docs/screenshots.py` (from the checkout).

Runs the pipeline on data/raw/ into a temporary folder, then photographs with Debian's Chromium
(Playwright, no browser download) at 1400×1000:
- docs/img/review.png: the review page (`pipeline review`), one article open, a span pinned;
- docs/img/correct.png: the same page in `pipeline serve`, the correction panel of that article.
Needs the `dev` extra (Playwright) and a Japanese font (fonts-noto-cjk), as .ci/run installs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 1000}
ARTICLE = "s10_yoshino_card"  # a card-data breach: every kind of span, and data said not leaked


def sample_run(out: Path) -> None:
    for command in (["run", REPO / "data" / "raw", "--out", out, "--quiet"], ["review", "--out", out]):
        subprocess.run([sys.executable, "-m", "pipeline", *map(str, command)], cwd=REPO, check=True)


def open_article(page, article_id: str, panel: bool) -> None:
    page.wait_for_selector("#incidents tbody tr")
    page.fill("#search", article_id)
    page.locator("#incidents tbody tr").first.click()
    page.wait_for_selector("#correction #c-save" if panel else "#article-text mark")


def main() -> None:
    from pipeline.learning.gold_store import GoldStore
    from pipeline.report.server import ReviewServer

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docs-shots-") as folder:
        out = Path(folder) / "out"
        sample_run(out)
        server = ReviewServer(out, GoldStore(Path(folder) / "gold"), port=0)  # corrections go nowhere real
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport=VIEWPORT)
                page.goto((out / "review" / "index.html").as_uri())
                open_article(page, ARTICLE, panel=False)
                page.fill("#search", "")
                page.locator("#article-text mark.count").first.click()
                page.screenshot(path=str(IMAGES / "review.png"))
                page.close()

                page = browser.new_page(viewport=VIEWPORT)
                page.goto(server.url)
                open_article(page, ARTICLE, panel=True)
                page.locator("#correction").scroll_into_view_if_needed()
                page.locator("#correction").screenshot(path=str(IMAGES / "correct.png"))
                page.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    print(f"screenshots in {IMAGES}: review.png, correct.png")


if __name__ == "__main__":
    main()
