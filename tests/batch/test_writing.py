"""CSV output: BOM for Excel, atomic replacement, and no cell that a spreadsheet runs as a formula."""

import csv
import os
import stat

from pipeline.batch.writing import cell, write_table
from pipeline.records import ArticleRow


def test_cells_that_start_like_a_formula_get_a_quote():
    for payload in ("=HYPERLINK(\"http://evil\")", "+81-3-1234", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert cell(payload) == "'" + payload
    assert cell("北浜市=犠牲") == "北浜市=犠牲"
    assert cell("2024-06-03") == "2024-06-03"
    assert (cell(-5), cell(True), cell(None)) == ("-5", "true", "")


def test_a_written_table_reads_back_guarded_and_whole(tmp_path):
    row = ArticleRow("=cmd|' /C calc'!A0", "in/x.txt", "00", 10, "utf-8", "@見出し", "", "", "none", "ok", "")
    path = tmp_path / "articles.csv"
    path.write_text("old contents", encoding="utf-8")
    write_table(path, ArticleRow, [row])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, values = list(csv.reader(handle))
    assert header[0] == "article_id"
    assert values[0] == "'=cmd|' /C calc'!A0" and values[5] == "'@見出し"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.csv"], "no temporary file is left behind"


def test_tables_and_the_review_folder_honour_the_umask(tmp_path):
    from pipeline.batch.store import Store
    from pipeline.report.review import write_review

    for umask, file_mode, folder_mode in ((0o022, 0o644, 0o755), (0o027, 0o640, 0o750)):
        previous = os.umask(umask)
        try:
            out = tmp_path / f"out{umask:o}"
            write_table(out / "articles.csv", ArticleRow, [])
            with Store.open(out) as store:
                review = write_review(out, store).parent
        finally:
            os.umask(previous)
        assert stat.S_IMODE((out / "articles.csv").stat().st_mode) == file_mode
        assert stat.S_IMODE(review.stat().st_mode) == folder_mode
