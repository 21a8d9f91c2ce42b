import json
import multiprocessing
import os
import random
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.batch.reading import (
    PdfLine,
    first_line_title,
    html_to_text,
    iter_inputs,
    page_headline,
    pdf_headline,
    pdf_lines_text,
    read_file,
    read_jsonl,
    unwrap_lines,
    without_running_lines,
)
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


def failure_of(path, **kwargs):
    item = read_file(path, **kwargs)
    assert isinstance(item, ReadFailure), f"{path.name} was read as an article: {item!r}"
    assert item.source == str(path)
    return item.error


def test_empty_and_whitespace_only_files_fail_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "ideographic.txt").write_text("\u3000\u3000\n", encoding="utf-8")
    assert failure_of(tmp_path / "empty.txt") == "empty file (0 bytes)"
    assert failure_of(tmp_path / "blank.txt") == "file holds only whitespace (5 bytes)"
    assert "no article text" in failure_of(tmp_path / "ideographic.txt")


def test_binary_files_fail_whether_or_not_they_hold_nul_bytes(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    noise = bytes(b for b in random.Random(7).randbytes(4000) if b)  # no NUL to give it away
    (tmp_path / "noise.txt").write_bytes(noise)
    assert "binary file (contains NUL bytes)" in failure_of(tmp_path / "image.txt")
    assert "binary or undecodable" in failure_of(tmp_path / "noise.txt")


@pytest.mark.parametrize("junk", [b"\xc3\x28\xa0\xa1\xff", b"\x80\x81\xfa\xfb\xfc", b"abc\xff\xfe\xfa",
                                  "Kitahama said a list was lost. Caf\u00e9".encode("cp1252")])
def test_a_few_bytes_of_junk_or_text_in_another_encoding_fail_rather_than_being_guessed(tmp_path, junk):
    (tmp_path / "junk.txt").write_bytes(junk)
    assert failure_of(tmp_path / "junk.txt").startswith("binary or undecodable file")


def test_damaged_utf8_fails_naming_the_byte_instead_of_turning_into_mojibake(tmp_path):
    one = len(TEXT.encode("utf-8"))
    (tmp_path / "damaged.txt").write_bytes(TEXT.encode("utf-8") + b"\xff" + (TEXT * 20).encode("utf-8"))
    (tmp_path / "cut.txt").write_bytes((TEXT * 20).encode("utf-8")[:one + 4] + (TEXT * 5).encode("utf-8"))
    assert failure_of(tmp_path / "damaged.txt").startswith(f"invalid UTF-8: byte 0xff at offset {one} ")
    assert failure_of(tmp_path / "cut.txt").startswith(f"invalid UTF-8: byte 0xe6 at offset {one + 3} ")


def test_folders_pipes_and_broken_links_fail_with_what_they_are(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    assert failure_of(tmp_path / "folder.txt") == "is a folder, not an article file"
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    errors = {item.article_id: item.error for item in iter_inputs([tmp_path / "pipe.txt", tmp_path / "gone.txt"])}
    assert errors["pipe"] == "not a regular file (a pipe, socket or device)"
    assert errors["gone"] == "broken symbolic link (its target does not exist)"


def _read_as_nobody(path, pipe):
    # Root reads any file, so the permission check needs an unprivileged process.
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    item = read_file(path)
    pipe.send(item.error if isinstance(item, ReadFailure) else "read")


def test_a_file_without_read_permission_fails_with_the_system_reason(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(TEXT, encoding="utf-8")
    path.chmod(0)
    tmp_path.chmod(0o755)
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_read_as_nobody, args=(path, sender))
    child.start()
    child.join(30)
    assert receiver.recv() == "cannot read file: Permission denied"


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


# (<title>, the text's top lines) -> the headline: the site's name dropped when the page's h1 shows it.
PAGE_HEADLINES = [
    ("市職員がUSB紛失 | 北浜新聞デジタル", "市職員がUSB紛失\n本文", "市職員がUSB紛失"),
    ("市職員がUSB紛失 - 北浜タイムズ", "ホーム > 社会\n市職員がUSB紛失\n本文", "市職員がUSB紛失"),
    ("北浜新聞：市職員がUSB紛失", "市職員がUSB紛失\n本文", "市職員がUSB紛失"),
    ("ニュース：市職員がUSB紛失", "ホーム\nニュース\n市職員がUSB紛失\n本文", "市職員がUSB紛失"),
    ("市職員がUSB紛失", "市職員がUSB紛失\n本文", "市職員がUSB紛失"),
    ("市職員がUSB紛失で処分", "市職員がUSB紛失\n本文", "市職員がUSB紛失で処分"),  # no separator: one headline
    ("ニュース：市職員がUSB紛失", "ニュース\n本文", "ニュース：市職員がUSB紛失"),  # a section, not the headline
    ("お知らせ | 北浜市", "本文の一行目です。", "お知らせ | 北浜市"),  # no h1, no outlet: the title as it is
    ("市職員がUSB紛失 | 北浜新聞デジタル", "本文の一行目です。", "市職員がUSB紛失"),  # no h1: an outlet's name goes
    ("市職員がUSB紛失 - テレ北NEWS", "本文の一行目です。", "市職員がUSB紛失"),
    ("市職員がUSB紛失 - 北浜市立病院", "本文の一行目です。", "市職員がUSB紛失 - 北浜市立病院"),
]


@pytest.mark.parametrize(("title", "top", "headline"), PAGE_HEADLINES)
def test_a_pages_headline_is_its_h1_without_the_sites_name(title, top, headline):
    assert page_headline(title, top) == headline


def test_a_saved_page_gives_its_headline_not_the_sites_name(tmp_path):
    page = ("<html><head><title>ミナト工業で顧客情報流出 | 北浜新聞デジタル</title></head><body>"
            "<nav><a href='/'>トップ</a></nav><article><h1>ミナト工業で顧客情報流出</h1>"
            "<p>ミナト工業は3日、顧客約500人分の氏名が流出したと発表した。</p></article></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    article = read_file(tmp_path / "page.html")
    assert article.title == "ミナト工業で顧客情報流出"
    assert article.text.startswith("ミナト工業で顧客情報流出\n")


def test_an_articles_own_header_gives_its_headline_and_date_not_its_byline():
    html = ("<html><head><title>ミナト工業で顧客情報流出 | 北浜新聞デジタル</title></head><body>"
            "<header><p>北浜新聞デジタル ログイン</p></header><main><article><header><div><h1>ミナト工業で顧客情報流出"
            "</h1></div><p>北浜新聞 社会部</p><time>2026年3月3日</time><button>共有</button></header>"
            "<p>ミナト工業は3日、顧客の氏名が流出したと発表した。</p><footer>関連記事</footer></article></main></body></html>")
    text, title = html_to_text(html)
    assert title == "ミナト工業で顧客情報流出"
    assert text.split() == ["ミナト工業で顧客情報流出", "2026年3月3日",
                            "ミナト工業は3日、顧客の氏名が流出したと発表した。"]


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


def test_folder_inputs_are_read_recursively_in_name_order(tmp_path, caplog):
    (tmp_path / "2026-11").mkdir()
    for name in ("b.txt", "a.html", "notes.docx", ".hidden.txt", "2026-11/c.txt"):
        (tmp_path / name).write_text("<p>" + TEXT + "</p>" if name.endswith("html") else TEXT, encoding="utf-8")
    ids = [item.article_id for item in iter_inputs([tmp_path])]
    assert ids == ["2026-11/c", "a", "b"]
    assert "notes.docx: ignored, unsupported file type" in caplog.text


def test_html_entities_are_decoded_and_markup_in_text_stays_text():
    html = ("<body><header><a href='/'>トップ</a></header><article><h1>お詫び</h1>"
            "<p>氏名&nbsp;&#x3068;&#12525;&#x30b0;&#x30a4;&#x30f3;ID&hellip;</p>"
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;は無害な文字列です。</p></article>"
            "<aside>関連記事</aside><noscript>JavaScriptを有効に</noscript></body>")
    text, _ = html_to_text(html)
    assert text == "お詫び\n\n氏名 とログインID…\n\n<script>alert(1)</script>は無害な文字列です。"


def test_jsonl_line_with_invalid_utf8_fails_alone(tmp_path):
    path = tmp_path / "batch.jsonl"
    good = json.dumps({"id": "ok1", "text": TEXT}, ensure_ascii=False).encode()
    path.write_bytes(good + b"\n" + b'{"id": "bad", "text": "\xff\xfe"}\n' + good.replace(b"ok1", b"ok2") + b"\n")
    items = list(read_jsonl(path))
    assert [type(i).__name__ for i in items] == ["Article", "ReadFailure", "Article"]
    assert items[1].error == "invalid UTF-8 at byte 23 of the line; JSON Lines must be UTF-8"
    assert items[1].source == f"{path}:2"


def test_article_ids_are_paths_below_the_input_folder_so_saved_pages_named_alike_stay_apart(tmp_path):
    for month in ("2024-10", "2024-11"):
        (tmp_path / "pages" / month).mkdir(parents=True)
        (tmp_path / "pages" / month / "index.html").write_text(f"<p>{month}の{TEXT}</p>", encoding="utf-8")
    (tmp_path / "pages" / "top.txt").write_text(TEXT, encoding="utf-8")
    items = list(iter_inputs([tmp_path / "pages"]))
    assert [item.article_id for item in items] == ["2024-10/index", "2024-11/index", "top"]
    assert all(isinstance(item, Article) for item in items)
    alone = list(iter_inputs([tmp_path / "pages" / "2024-11" / "index.html"]))
    assert [item.article_id for item in alone] == ["index"], "a file given alone is named by its file name"


PDF_FIXTURES = Path(__file__).parent.parent / "fixtures" / "pdf"


def test_a_pdf_press_release_is_read_page_after_page_with_wrapped_lines_joined():
    article = read_file(PDF_FIXTURES / "press_release.pdf")
    assert isinstance(article, Article) and article.encoding == "pdf"
    lines = article.text.split("\n")
    assert lines[0] == "お客様情報の流出に関するお知らせ", "a short heading stays on its own line"
    assert "顧客情報が流出した可能性があると発表した。" in lines[1], "a line wrapped at the page edge is joined"
    assert article.text.index("発表した") < article.text.index("不正アクセス"), "page 1 comes before page 2"


def test_a_page_printed_from_a_browser_reads_as_its_headline_and_whole_sentences():
    pages = [page.extract_text() for page in PdfReader(PDF_FIXTURES / "printed_page.pdf").pages]
    assert len(pages) == 2 and pages[0].count("\n") > 6, "the fixture wraps its lines and breaks a page"
    article = read_file(PDF_FIXTURES / "printed_page.pdf")
    lines = article.text.split("\n")
    # The headline is set large over two lines; its size keeps it apart from the lead below it.
    assert lines[0].startswith("北浜市") and lines[0].endswith("電話番号") and lines[1].startswith("北浜市教育委員会は")
    assert lines[2] == "紛失の経緯", "a short heading stays on its own line"
    assert "店舗や警察に届け出たが、" in lines[3] and "つかっていない。" in lines[3], "a sentence runs on over the page"
    assert len(lines) == 4
    assert article.title == lines[0], "the line set largest on the first page is the headline"


def test_a_sentence_run_on_over_a_page_break_leaves_the_next_page_in_one_block():
    lines = [PdfLine("お客様情報の流出について", 14.0, 0),
             PdfLine("北浜通商は3日、顧客情報が流出した可能性があると", 10.5, 0),
             PdfLine("発表した。対象は約1,200件。", 10.5, 1),
             PdfLine("原因は調査中という。", 10.5, 1),
             PdfLine("以上", 10.5, 2)]
    text = pdf_lines_text(unwrap_lines(lines))
    assert text.split("\n") == ["お客様情報の流出について",
                                "北浜通商は3日、顧客情報が流出した可能性があると発表した。対象は約1,200件。",
                                "原因は調査中という。", "", "以上"]
    assert pdf_headline(unwrap_lines(lines)) == "お客様情報の流出について"


def test_a_pdf_without_text_or_a_damaged_one_fails_saying_so(tmp_path):
    assert "PDF has no text layer" in failure_of(PDF_FIXTURES / "scan.pdf")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes((PDF_FIXTURES / "press_release.pdf").read_bytes()[:400])
    assert failure_of(damaged).startswith("damaged or unreadable PDF")
    (tmp_path / "not.pdf").write_bytes(bytes(random.Random(3).randrange(256) for _ in range(3000)))
    assert failure_of(tmp_path / "not.pdf").startswith("damaged or unreadable PDF")


def test_deeply_nested_html_reads_when_plausible_and_fails_clearly_when_hostile(tmp_path):
    nested = tmp_path / "nested.html"
    nested.write_text("<div>" * 1000 + TEXT + "</div>" * 1000, encoding="utf-8")
    assert read_file(nested).text == TEXT, "read without hitting Python's recursion limit"
    nested.write_text("<div>" * 100_000 + TEXT + "</div>" * 100_000, encoding="utf-8")
    assert failure_of(nested).startswith("HTML elements nest 100000 deep (over 5000)")
    sloppy = tmp_path / "sloppy.html"
    sloppy.write_text("<ul>" + "<li><p>項目<br>" * 20_000 + "</ul>", encoding="utf-8")
    assert isinstance(read_file(sloppy), Article), "elements the parser closes itself do not count as nesting"


def test_a_pdf_that_takes_too_long_to_read_fails_and_reading_goes_on(tmp_path, monkeypatch):
    import pypdf

    from pipeline.batch import reading

    class EndlessReader:
        def __init__(self, stream):
            while True:  # as pypdf would on a file built to make it loop
                pass

    monkeypatch.setattr(pypdf, "PdfReader", EndlessReader)
    monkeypatch.setattr(reading, "PDF_SECONDS", 0.3)
    assert "PDF text took longer than 0.3 s" in failure_of(PDF_FIXTURES / "press_release.pdf")


@pytest.mark.parametrize(("text", "title"), [
    ("北浜市、住民票を誤交付\n\n北浜市は3日、住民票の写しを別人に交付したと発表した。", "北浜市、住民票を誤交付"),
    # a lead wrapped at 20 characters starts the text: its first line is no headline
    ("北浜市は3日、住民票の写しを別人に交付したと発\n表した。同市によると、窓口の職員が同姓の別の住\n"
     "民の写しを取り違えて渡したという。同市は相手に\n謝罪した。", ""),
    ("北浜市は3日、住民票の写しを別人に交付したと発表した。", ""),
])
def test_a_text_file_headline_is_its_short_first_line(text, title):
    assert first_line_title(text) == title


@pytest.mark.parametrize(("given", "read"), [
    ("ミナト工業で顧客情報流出 - 北浜ニュース", "ミナト工業で顧客情報流出"),
    ("ミナト工業で顧客情報流出｜週刊北浜新聞", "ミナト工業で顧客情報流出"),
    ("受講者のメールアドレスが流出 - 北浜市", "受講者のメールアドレスが流出 - 北浜市"),  # the owner, not an outlet
    ("北浜放送局で取材メモ紛失", "北浜放送局で取材メモ紛失"),  # no last part: the outlet is the subject
])
def test_a_records_title_loses_the_outlet_that_carried_it(tmp_path, given, read):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": TEXT, "title": given}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert next(read_jsonl(path)).title == read


def test_a_paragraph_ending_in_a_short_line_without_a_full_stop_does_not_run_into_the_next():
    lines = [PdfLine("北浜通商株式会社　お客様情報の流出の可能性に関するお詫びとお知", 10.5, 0),
             PdfLine("らせ", 10.5, 0),
             PdfLine("当社のウェブサイトに外部から不正なアクセスがあり、お客様の情報", 10.5, 0),
             PdfLine("が流出した可能性があることが分かりました。", 10.5, 0)]
    assert pdf_lines_text(unwrap_lines(lines)).split("\n") == [
        "北浜通商株式会社　お客様情報の流出の可能性に関するお詫びとお知らせ",
        "当社のウェブサイトに外部から不正なアクセスがあり、お客様の情報が流出した可能性があることが分かりました。"]


LEAD = ("北浜通商株式会社は3日、通販サイトに外部から不正なアクセスがあり、会員約1,200人分の氏名、住所、"
        "電話番号が流出した可能性があると発表した。同社は対象の会員にメールで知らせている。")
DETAIL = ("同社によると、2月下旬から3月1日にかけて、海外のIPアドレスから管理画面へのログインが繰り返され、"
          "会員データベースの一部が外部に送られた形跡が見つかった。クレジットカード情報は外部の決済代行会社が"
          "管理しており、同社のサーバーには保存していないという。")


@pytest.mark.parametrize("header, footer", [
    ("2025/03/14 9:05 お客様情報の流出について | 北浜通商", "https://kitahama-tsusho.example.jp/news/0314 {page}/2"),
    ("北浜通商株式会社　ニュースリリース", "- {page} -"),
    ("12/7/26, 11:14 PM お客様情報の流出について", "file:///C:/Users/staff/release.html {page}/2"),
])
def test_a_pdfs_running_header_and_footer_are_not_read_as_its_text(header, footer):
    lines = []
    for page, body in enumerate([["お客様情報の流出について", LEAD], [DETAIL, "以上"]]):
        lines += [PdfLine(header, 8.0, page), *(PdfLine(text, 10.5, page) for text in body),
                  PdfLine("※金額は税込みです", 8.0, page) if page else PdfLine(footer.format(page=page + 1), 8.0, page)]
        if page:
            lines.append(PdfLine(footer.format(page=page + 1), 8.0, page))
    assert [line.text for line in without_running_lines(lines)] == [
        "お客様情報の流出について", LEAD, DETAIL, "以上", "※金額は税込みです"], \
        "a footnote set small stays"


def test_a_one_page_print_loses_its_print_stamp_and_address_but_keeps_small_text_of_its_own():
    lines = [PdfLine("2025年3月14日 9:05 お客様情報の流出について", 8.0, 0),
             PdfLine(LEAD, 10.5, 0),
             PdfLine(DETAIL, 10.5, 0),
             PdfLine("問い合わせ先：北浜通商 お客様窓口", 8.0, 0),
             PdfLine("https://kitahama-tsusho.example.jp/news/0314 1/1", 8.0, 0)]
    assert [line.text for line in without_running_lines(lines)] == [LEAD, DETAIL, "問い合わせ先：北浜通商 お客様窓口"]
