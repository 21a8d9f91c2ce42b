"""CSV output: BOM for Excel, atomic replacement, and no cell that a spreadsheet runs as a formula."""

import csv

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
