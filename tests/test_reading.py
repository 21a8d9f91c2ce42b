import json

from pipeline.reading import html_to_text, iter_inputs, read_file, read_jsonl
from pipeline.records import Article, ReadFailure

TEXT = "北浜市は11月8日、個人情報の漏えいを発表した。"


def test_shift_jis_euc_jp_utf16_and_bom_are_decoded(tmp_path):
    encodings = {"sjis.txt": ("cp932", "shift_jis"), "euc.txt": ("euc_jp", "euc-jp"),
                 "utf16.txt": ("utf-16", "utf-16"), "bom.txt": ("utf-8-sig", "utf-8-sig"),
                 "plain.txt": ("utf-8", "utf-8")}
    for name, (codec, _) in encodings.items():
        (tmp_path / name).write_bytes(TEXT.encode(codec))
    for name, (_, recorded) in encodings.items():
        article = read_file(tmp_path / name)
        assert isinstance(article, Article), name
        assert article.text == TEXT
        assert article.encoding == recorded
        assert article.article_id == name.removesuffix(".txt")


def test_empty_and_binary_files_fail_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    empty = read_file(tmp_path / "empty.txt")
    binary = read_file(tmp_path / "binary.txt")
    assert isinstance(empty, ReadFailure) and "empty" in empty.error
    assert isinstance(binary, ReadFailure) and "binary" in binary.error


def test_oversized_file_fails(tmp_path):
    (tmp_path / "big.txt").write_text(TEXT * 10, encoding="utf-8")
    failure = read_file(tmp_path / "big.txt", max_bytes=100)
    assert isinstance(failure, ReadFailure) and "limit" in failure.error


def test_html_keeps_the_article_and_drops_scripts_styles_and_navigation():
    html = ("<html><head><title>お知らせ</title><style>p{color:red}</style></head><body>"
            "<nav>ホーム &gt; ニュース</nav><script>alert(1)</script>"
            "<p>当社は&amp;個人情報の<b>流出</b>を確認しました。</p><footer>著作権</footer></body></html>")
    text, title = html_to_text(html)
    assert title == "お知らせ"
    assert text == "当社は&個人情報の流出を確認しました。"


def test_jsonl_bad_lines_fail_alone(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": TEXT, "reference_date": "2024-11-09", "title": "見出し"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a3"}),
        json.dumps({"id": "a4", "text": TEXT, "reference_date": "2024/11/09"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert isinstance(items[0], Article) and items[0].reference_date == "2024-11-09" and items[0].title == "見出し"
    assert isinstance(items[1], ReadFailure) and "malformed JSON" in items[1].error and items[1].source.endswith(":2")
    assert isinstance(items[2], ReadFailure) and items[2].article_id == "a3" and "'text'" in items[2].error
    assert isinstance(items[3], ReadFailure) and "reference_date" in items[3].error


def test_folder_inputs_are_read_in_name_order(tmp_path):
    for name in ("b.txt", "a.html", "notes.md"):
        (tmp_path / name).write_text("<p>" + TEXT + "</p>" if name.endswith("html") else TEXT, encoding="utf-8")
    ids = [item.article_id for item in iter_inputs([tmp_path])]
    assert ids == ["a", "b"]
