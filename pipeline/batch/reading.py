"""Read articles from a folder of .txt/.html/.pdf files or a JSON Lines file.

Reading never raises for a bad article: it yields a ReadFailure naming the file (and line) and
the problem, and goes on with the rest.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.records import Article, ReadFailure
from pipeline.stages.analysis import HEADLINE_MAX_CHARS, HEADLINE_SEARCH_LINES
from pipeline.stages.normalize import LINE_END, display_width, wrapped_line_breaks
from pipeline.stages.organizations import org_rules
from pipeline.stages.time_limit import ArticleTimeout, time_limit

log = logging.getLogger(__name__)
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
PDF_SUFFIXES = {".pdf"}
FILE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
READ_SUFFIXES = ", ".join(sorted(FILE_SUFFIXES | JSONL_SUFFIXES))



def first_line_title(text: str) -> str:
    """The headline of an article given without a title (a .txt or .pdf file): its first non-blank
    line, when more text follows and the line is short enough to be a headline, else ""."""
    text = text.strip()
    lines = text.split("\n", 1)
    first = lines[0].strip()
    if len(lines) < 2 or len(first) > HEADLINE_MAX_CHARS or len(lines[0]) in wrapped_line_breaks(text):
        return ""  # a lead wrapped at a fixed width starts the text: no headline
    return first


def unreadable_file_type(path: Path) -> bool:
    """A file (not a folder) of a type the pipeline does not read (.docx, .xlsx, ...)."""
    return not path.is_dir() and path.suffix.lower() not in FILE_SUFFIXES | JSONL_SUFFIXES
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# Tags whose content a reader never sees as article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "header",
              "footer", "aside", "form", "button", "select")
# A <header> inside these is the article's own, not the site's: its headline and date are read
# (its byline and share buttons are not).
_ARTICLE_TAGS = {"article", "main"}
_ARTICLE_HEADER_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "time"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
               "section", "article", "main", "blockquote", "pre", "dd", "dt", "dl", "hr", "figcaption",
               "td", "th", "caption", "title"}
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_JAPANESE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff、。「」]")


class InputError(Exception):
    """An input the pipeline cannot read as an article; the message says why."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _japanese_score(text: str) -> float:
    """Share of characters that look like ordinary Japanese prose (hiragana weighs most)."""
    if not text:
        return 0.0
    return (len(_HIRAGANA.findall(text)) * 2 + len(_JAPANESE.findall(text))) / len(text)


MIN_HIRAGANA_SHARE = 0.05  # Japanese prose is a fifth to a third hiragana


def _hiragana_share(text: str) -> float:
    return len(_HIRAGANA.findall(text)) / len(text) if text else 0.0


def _first_invalid_utf8(data: bytes) -> UnicodeDecodeError | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def _looks_like_text(text: str) -> bool:
    """False for bytes that decoded only by accident: control characters or private-use
    and replacement characters make up a noticeable share."""
    if not text:
        return False
    odd = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd"
              or 0xE000 <= ord(ch) <= 0xF8FF or 0x80 <= ord(ch) < 0xA0)
    return odd / len(text) < 0.01


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding name). Raises InputError when it cannot."""
    if not data:
        raise InputError("empty file (0 bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-8 after a UTF-8 byte-order mark: byte 0x{data[3 + exc.start]:02x} "
                             f"at offset {3 + exc.start}; re-save the file as UTF-8") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 (after a UTF-16 byte-order mark) at offset {exc.start}") from exc
    if not data.strip():
        raise InputError(f"file holds only whitespace ({len(data)} bytes)")
    if b"\x00" in data[:4096]:
        raise InputError("binary file (contains NUL bytes), not text")
    invalid = _first_invalid_utf8(data)
    if invalid is None:
        return data.decode("utf-8"), "utf-8"
    # EUC-JP bytes usually also decode as CP932 (as half-width kana garbage) and vice versa in
    # rare cases, so decode with both and keep whichever reads more like Japanese.
    candidates = []
    for encoding in ("cp932", "euc_jp"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_japanese_score(text), encoding, text))
    if candidates:
        score, encoding, text = max(candidates)
        if score > 0.2 and _looks_like_text(text):
            return text, "shift_jis" if encoding == "cp932" else "euc-jp"
    # Mostly valid UTF-8 with a few bad bytes (a truncated download, a bad copy) is damaged
    # UTF-8, not some other encoding: guessing one would turn the article into mojibake.
    repaired = data.decode("utf-8", errors="replace")
    if repaired.count("\ufffd") <= max(3, len(repaired) // 20) and _japanese_score(repaired) > 0.2:
        raise InputError(f"invalid UTF-8: byte 0x{data[invalid.start]:02x} at offset {invalid.start} "
                         f"({repaired.count(chr(0xFFFD))} bad sequence(s)); the file looks like damaged UTF-8, "
                         "re-save or re-download it")
    from charset_normalizer import from_bytes

    # The detector names some encoding for any bytes (a few bytes of junk read as Cyrillic or as
    # UTF-16): its guess is taken only when it reads as Japanese prose, which has hiragana.
    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)) or _hiragana_share(str(best)) < MIN_HIRAGANA_SHARE:
        raise InputError("binary or undecodable file: not UTF-8, Shift_JIS, EUC-JP or UTF-16 Japanese text")
    return str(best), best.encoding


def _html_text(root: LexborNode, out: list[str]) -> None:
    """Append the visible text under `root` to `out`, a line break around each block element.

    A loop over an explicit stack, not recursion: a page of 100,000 nested tags (scraped or
    hostile) would exceed Python's recursion limit and stop the whole run."""
    # Each level: its children, whether it is a block, whether it is inside an article, and
    # whether its text is read (in an article's <header>, only the headline's and the date's is).
    stack: list[tuple[Iterator[LexborNode], bool, bool, bool]] = [(root.iter(include_text=True), False, False, True)]
    while stack:
        children, block, in_article, read = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                out.append("\n")
            continue
        tag = child.tag
        if tag == "-text":
            if read:
                out.append(child.text_content or "")
        elif tag == "header" and in_article:
            stack.append((child.iter(include_text=True), True, True, False))
        elif tag not in _DROP_TAGS and tag != "-comment":
            is_block = tag in _BLOCK_TAGS
            if is_block:
                out.append("\n")
            stack.append((child.iter(include_text=True), is_block, in_article or tag in _ARTICLE_TAGS,
                          read or tag in _ARTICLE_HEADER_TAGS))


# HTML parsers take time growing with the square of the nesting depth (each tag looks through
# the open elements), so 100,000 nested <div>s take minutes. Real pages nest a few dozen deep.
MAX_HTML_DEPTH = 5_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
# Elements that never hold others, or whose end tag the parser supplies itself (<p>, <li>, <td>
# left open close when the next one starts): they never pile up.
_FLAT_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
              "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb", "rt",
              "rp", "colgroup", "caption", "html", "head", "body"}


def html_depth(html: str) -> int:
    """How deep the page's elements nest, counted from its tags in one pass (an upper bound)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT_TAGS:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def html_to_text(html: str) -> tuple[str, str]:
    """Return (visible text, <title>) of an HTML page: no markup, scripts, styles or navigation."""
    depth = html_depth(html)
    if depth > MAX_HTML_DEPTH:
        raise InputError(f"HTML elements nest {depth} deep (over {MAX_HTML_DEPTH}): not a page a reader sees; "
                         "it would take the parser minutes")
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    root = tree.body or tree.root
    if root is None:
        return "", title
    pieces: list[str] = []
    _html_text(root, pieces)
    text = "".join(pieces).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, page_headline(title, text)


# Between a page's headline and the site's name in its <title> (`見出し | 北浜新聞デジタル`, `北浜新聞：見出し`).
_SITE_AFTER = re.compile(r"\s*[|｜:：\-－–—―/／]|\s")
_SITE_BEFORE = re.compile(r"(?:[|｜:：\-－–—―/／]|\s)\s*$")
# The last part of a <title> after a pipe or a spaced dash (`見出し | 北浜新聞デジタル`, `見出し - 北浜ニュース`).
_LAST_TITLE_PART = re.compile(r"\s*(?:[|｜]|\s[-－–—―]\s)\s*([^|｜]+?)\s*$")
# A line shorter than this is too short to tell the headline from a word the title happens to start with.
PAGE_HEADLINE_MIN_CHARS = 4


def page_headline(title: str, text: str) -> str:
    """The headline of a page whose <title> adds the site's name to it: the longest line of the
    text's top (its h1) that the title starts or ends with, the shorter rest set off by a separator.
    A page that shows no such line loses a last part of the title that names an outlet (新聞,
    ニュース, 放送, …: the organisation rules' kinds of media name); else the title as it is. A site's
    name in the headline would stand as the release's signer."""
    found = ""
    for line in text.split("\n", HEADLINE_SEARCH_LINES)[:HEADLINE_SEARCH_LINES]:
        line = line.strip()
        # The site's name is the shorter part (a section name on a line of its own is no headline).
        if len(line) < max(PAGE_HEADLINE_MIN_CHARS, len(found) + 1) or 2 * len(line) <= len(title) - 3:
            continue
        if title.startswith(line) and _SITE_AFTER.match(title[len(line):]) \
                or title.endswith(line) and _SITE_BEFORE.search(title[:-len(line)]):
            found = line
    if found:
        return found
    return without_outlet(title)


def without_outlet(title: str) -> str:
    """`title` without a last part, after a pipe or a spaced dash, that names an outlet (新聞,
    ニュース, 放送, …: the organisation rules' kinds of media name): the outlet that carried the
    story is not its signer. A last part such as `北浜市` stays."""
    site = _LAST_TITLE_PART.search(title)
    if site and len(site.group(1)) < site.start() and org_rules().media.search(site.group(1)):
        return title[:site.start()]
    return title


# A PDF line at least this share (in display columns) of the widest line set in its size, not
# ending a sentence, wraps onto the next line of that size.
_WRAPPED_SHARE = 0.8
# A headline is set at least this much larger than the text.
_HEADLINE_SIZE = 1.1


@dataclass(frozen=True)
class PdfLine:
    text: str
    size: float  # the size its glyphs are set in (a headline's is larger), 0 when unknown
    page: int
    last_page: int = -1  # where a line joined over a page break ends (-1: on its own page)

    @property
    def ends_on(self) -> int:
        return self.page if self.last_page < 0 else self.last_page


def page_lines(page: Any, number: int) -> list[PdfLine]:
    """The text lines of a PDF page, each with the size of its glyphs."""
    parts: list[tuple[str, float]] = []

    def visit(text: str, user_matrix: list[float], text_matrix: list[float], font: object, size: float) -> None:
        vertical_scale = text_matrix[2] * user_matrix[1] + text_matrix[3] * user_matrix[3]
        parts.append((text, round(abs(size * vertical_scale) if vertical_scale else size, 1)))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(part for part, _ in parts) != text:  # sizes that do not line up with the text say nothing
        return [PdfLine(line, 0.0, number) for line in text.split("\n")]
    lines, current, size = [], "", 0.0
    for part, part_size in parts:
        for index, piece in enumerate(part.split("\n")):
            if index:
                lines.append(PdfLine(current, size, number))
                current, size = "", 0.0
            current += piece
            if piece.strip():
                size = max(size, part_size)
    lines.append(PdfLine(current, size, number))
    return lines


# What a page's running header or footer holds besides its repeated text: a page number (`3`,
# `- 3 -`, `3/12`, `p. 3`, `3ページ`), an address, or the date and time a browser printed the page at.
_PAGE_FURNITURE = re.compile(
    r"^\s*(?:[-‐–—]\s*)?\d{1,4}\s*(?:[-‐–—]\s*)?$"
    r"|(?:^|\s)\d{1,4}\s*/\s*\d{1,4}\s*$|^\s*(?:p\.|page)\s*\d|\d\s*ページ\s*$"
    r"|^\s*(?:https?|ﬁle|file)://"
    r"|^\s*\d{1,4}[/.\-年]\d{1,2}[/.\-月]\d{1,4}日?[\s,]+(?:午[前後])?\d{1,2}:\d{2}", re.IGNORECASE)
# A running header or footer is among the first or last this many lines of its page.
_PAGE_EDGE_LINES = 2


def body_size(lines: list[PdfLine]) -> float:
    """The size most of the PDF's characters are set in (its text's)."""
    chars_by_size: dict[float, int] = {}
    for line in lines:
        chars_by_size[line.size] = chars_by_size.get(line.size, 0) + len(line.text)
    return max(chars_by_size, key=chars_by_size.__getitem__, default=0.0)


def without_running_lines(lines: list[PdfLine]) -> list[PdfLine]:
    """The lines without the page's running header and footer: a line at a page's top or bottom,
    set smaller than the text, that holds a page number, an address or a print stamp, or comes
    again at the edge of another page (digits aside). A browser prints the page's title, its
    address, the date and the page number so; a release its name and page number."""
    body = body_size(lines)
    pages: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text.strip():
            pages.setdefault(line.page, []).append(index)
    edges = {i for on_page in pages.values() for i in on_page[:_PAGE_EDGE_LINES] + on_page[-_PAGE_EDGE_LINES:]
             if 0 < lines[i].size * _HEADLINE_SIZE < body}
    pattern = {i: re.sub(r"\d+", "0", lines[i].text.strip()) for i in edges}
    pages_of: dict[str, set[int]] = {}
    for i, text in pattern.items():
        pages_of.setdefault(text, set()).add(lines[i].page)
    running = {i for i in edges if len(pages_of[pattern[i]]) > 1 or _PAGE_FURNITURE.search(lines[i].text)}
    return [line for index, line in enumerate(lines) if index not in running]


def unwrap_lines(lines: list[PdfLine]) -> list[PdfLine]:
    """A PDF's lines with those it wrapped at the page's edge joined, so that a sentence (or a
    headline set large) reads as one line again: the stages cut sentences at line breaks. A line
    that is not full (a heading, a list item) stays alone, and so does a line set in another size
    than the next one (a headline over its lead). A sentence runs on over a page break."""
    lines = [line for line in lines if line.text.strip()]
    widest: dict[float, int] = {}
    for line in lines:
        widest[line.size] = max(widest.get(line.size, 0), display_width(line.text.strip()))
    joined: list[PdfLine] = []
    last = None  # the line as the page has it, last of those joined so far: its width says if it wraps
    for line in lines:
        previous = joined[-1] if joined else None
        before = previous.text.rstrip() if previous else ""
        if previous and line.size == previous.size and not LINE_END.search(before) \
                and display_width(last.text.strip()) >= _WRAPPED_SHARE * widest[previous.size]:
            glue = " " if before[-1].isascii() and line.text.lstrip()[:1].isascii() else ""
            joined[-1] = PdfLine(before + glue + line.text.strip(), previous.size, previous.page, line.page)
        else:
            joined.append(PdfLine(line.text.rstrip(), line.size, line.page))
        last = line
    return joined


def pdf_lines_text(lines: list[PdfLine]) -> str:
    """The joined lines as one text, a blank line where a page ends with its line."""
    parts = [lines[0].text] if lines else []
    for previous, line in pairwise(lines):
        parts.append(("\n\n" if line.page != previous.ends_on else "\n") + line.text)
    return "".join(parts)


def pdf_headline(lines: list[PdfLine]) -> str:
    """The first page's line set in the largest size, when that is larger than the text's own (a
    release's headline often stands below its date and addressee); else ""."""
    body = body_size(lines)
    larger = [line for line in lines if line.page == lines[0].page and line.size > _HEADLINE_SIZE * body > 0]
    if not larger:
        return ""
    headline = max(larger, key=lambda line: line.size).text.strip()  # the first of the largest
    return headline if len(headline) <= HEADLINE_MAX_CHARS else ""


PDF_SECONDS = 60


def pdf_text(data: bytes) -> tuple[str, str]:
    """The text layer of a PDF, page after page (a blank line between pages), and its headline.
    Raises InputError for a damaged or encrypted PDF, and for one without text (a scanned page is
    only an image)."""
    from pypdf import PdfReader  # imported when a PDF comes: most batches hold none

    try:
        with time_limit(PDF_SECONDS):  # reading runs in the calling process: a hostile PDF must not stall it
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise InputError("encrypted PDF (it needs a password): save an unprotected copy")
            pages = len(reader.pages)
            lines = [line for number, page in enumerate(reader.pages) for line in page_lines(page, number)]
    except InputError:
        raise
    except ArticleTimeout as exc:
        raise InputError(f"PDF text took longer than {PDF_SECONDS} s to extract (a damaged or hostile file?)") from exc
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise InputError(f"damaged or unreadable PDF: {type(exc).__name__}: {exc}") from exc
    lines = unwrap_lines(without_running_lines(lines))
    text = pdf_lines_text(lines)
    if not text.strip():
        raise InputError(f"PDF has no text layer ({pages} page(s) of images only, e.g. a scan): "
                         "run OCR on it first")
    return text, pdf_headline(lines)


def valid_reference_date(value: object) -> str:
    """Return a YYYY-MM-DD reference date or "" when absent; raise InputError when malformed."""
    if value in (None, ""):
        return ""
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise InputError(f"reference_date {value!r} is not a YYYY-MM-DD date") from exc


def file_article_id(path: Path, root: Path | None = None) -> str:
    """A file's article id: its path below the input folder `root` without extension (`2024-10/index`:
    saved pages often share one name), or its name without extension for a file given alone."""
    if root is None:
        return path.stem
    return path.relative_to(root).with_suffix("").as_posix()


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, root: Path | None = None) -> Article | ReadFailure:
    """Read one .txt, .html or .pdf article file (found in the input folder `root`, if any)."""
    article_id = file_article_id(path, root)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            return ReadFailure(article_id, str(path), "is a folder, not an article file")
        if not stat.S_ISREG(status.st_mode):
            return ReadFailure(article_id, str(path), "not a regular file (a pipe, socket or device)")
        size = status.st_size
        if size > max_bytes:
            return ReadFailure(article_id, str(path), f"file is {size} bytes, over the {max_bytes}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        return ReadFailure(article_id, str(path), f"cannot read file: {exc.strerror or exc}")
    digest = sha256_of(data)
    try:
        title = ""
        if path.suffix.lower() in PDF_SUFFIXES:
            (text, title), encoding = pdf_text(data), "pdf"
        else:
            text, encoding = decode_bytes(data)
        if path.suffix.lower() in HTML_SUFFIXES:
            text, title = html_to_text(text)
        if not text.strip():
            raise InputError("no article text (empty after decoding)")
    except (InputError, UnicodeDecodeError) as exc:
        return ReadFailure(article_id, str(path), str(exc), digest)
    return Article(article_id, text, str(path), digest, encoding, title)


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
               root: Path | None = None) -> Iterator[Article | ReadFailure]:
    """Read a JSON Lines file, one article per line; a bad line fails alone."""
    file_id = file_article_id(path, root)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadFailure(file_id, str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        for line_number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{line_number}"
            fallback_id = f"{file_id}-line{line_number}"
            record: object = None
            try:
                record = json.loads(raw.decode("utf-8-sig"))
                yield article_from_record(record, where, fallback_id, len(raw), max_bytes)
            except (InputError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                if isinstance(exc, json.JSONDecodeError):
                    message = f"malformed JSON: {exc}"
                elif isinstance(exc, UnicodeDecodeError):
                    message = f"invalid UTF-8 at byte {exc.start} of the line; JSON Lines must be UTF-8"
                else:
                    message = str(exc)
                record_id = record.get("id") if isinstance(record, dict) else None
                yield ReadFailure(str(record_id or fallback_id), where, message, sha256_of(raw))


def article_from_record(record: object, where: str, fallback_id: str, size: int = 0,
                        max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An Article from a JSON Lines record (`id`, `text`, optional `title`, `reference_date`,
    `url`); raises InputError naming what is wrong with it."""
    if not isinstance(record, dict):
        raise InputError("line is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("record has no 'text' string")
    if not text.strip():
        raise InputError("record 'text' is empty")
    if size > max_bytes:
        raise InputError(f"record is {size} bytes, over the {max_bytes}-byte limit")
    return Article(
        article_id=str(record.get("id") or fallback_id),
        text=text,
        source=where,
        sha256=sha256_of(text.encode("utf-8")),
        encoding="utf-8",
        title=without_outlet(str(record.get("title") or "")),
        reference_date=valid_reference_date(record.get("reference_date")),
        url=str(record.get("url") or ""),
    )


def _listing(folder: Path) -> list[Path]:
    """The entries of a folder worth reporting on: hidden files and editor backups are not."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and not p.name.endswith("~"))


def iter_inputs(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadFailure]:
    """Yield every article (or failure) from the given files and folders, in a stable order.

    Folders are read recursively. A file of a type the pipeline does not read is named in a
    warning, so that a user who dropped a .docx in learns why it is missing.
    """
    for path in paths:
        yield from _read_path(path, max_bytes, None)


def _read_path(path: Path, max_bytes: int, root: Path | None) -> Iterator[Article | ReadFailure]:
    """The articles of one input path; `root` is the input folder it was found in (None: given alone)."""
    suffix = path.suffix.lower()
    if path.is_symlink() and not path.exists():
        yield ReadFailure(file_article_id(path, root), str(path), "broken symbolic link (its target does not exist)")
    elif path.is_dir():
        for entry in _listing(path):
            yield from _read_path(entry, max_bytes, root or path)
    elif suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, max_bytes, root)
    elif suffix in FILE_SUFFIXES:
        yield read_file(path, max_bytes, root)
    else:
        log.warning("%s: ignored, unsupported file type (the pipeline reads %s)", path, READ_SUFFIXES)
