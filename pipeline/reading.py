"""Read articles from a folder of .txt/.html files or a JSON Lines file.

Reading never raises for a bad article: it yields a ReadFailure naming the file (and line) and
the problem, and goes on with the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.records import Article, ReadFailure

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# Tags whose content a reader never sees as article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "header",
              "footer", "aside", "form", "button", "select")
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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding name). Raises InputError when it cannot."""
    if not data.strip():
        raise InputError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
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
        if score > 0.2:
            return text, "shift_jis" if encoding == "cp932" else "euc-jp"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable bytes: not UTF-8, Shift_JIS, EUC-JP or any known text encoding")
    return str(best), best.encoding


def _html_text(node: LexborNode, out: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content or "")
        elif tag in _DROP_TAGS or tag == "-comment":
            continue
        else:
            block = tag in _BLOCK_TAGS
            if block:
                out.append("\n")
            _html_text(child, out)
            if block:
                out.append("\n")


def html_to_text(html: str) -> tuple[str, str]:
    """Return (visible text, <title>) of an HTML page: no markup, scripts, styles or navigation."""
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
    return text, title


def valid_reference_date(value: object) -> str:
    """Return a YYYY-MM-DD reference date or "" when absent; raise InputError when malformed."""
    if value in (None, ""):
        return ""
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise InputError(f"reference_date {value!r} is not a YYYY-MM-DD date") from exc


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article | ReadFailure:
    """Read one .txt or .html article file."""
    article_id = path.stem
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadFailure(article_id, str(path), f"file is {size} bytes, over the {max_bytes}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        return ReadFailure(article_id, str(path), f"cannot read file: {exc.strerror or exc}")
    digest = sha256_of(data)
    try:
        text, encoding = decode_bytes(data)
        title = ""
        if path.suffix.lower() in HTML_SUFFIXES:
            text, title = html_to_text(text)
        if not text.strip():
            raise InputError("no article text (empty after decoding)")
    except (InputError, UnicodeDecodeError) as exc:
        return ReadFailure(article_id, str(path), str(exc), digest)
    return Article(article_id, text, str(path), digest, encoding, title)


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadFailure]:
    """Read a JSON Lines file, one article per line; a bad line fails alone."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadFailure(path.stem, str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        for line_number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{line_number}"
            fallback_id = f"{path.stem}-line{line_number}"
            record: object = None
            try:
                record = json.loads(raw.decode("utf-8-sig"))
                yield _article_from_record(record, where, fallback_id, len(raw), max_bytes)
            except (InputError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                message = f"malformed JSON: {exc}" if isinstance(exc, json.JSONDecodeError) else str(exc)
                record_id = record.get("id") if isinstance(record, dict) else None
                yield ReadFailure(str(record_id or fallback_id), where, message, sha256_of(raw))


def _article_from_record(record: object, where: str, fallback_id: str, size: int, max_bytes: int) -> Article:
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
        title=str(record.get("title") or ""),
        reference_date=valid_reference_date(record.get("reference_date")),
        url=str(record.get("url") or ""),
    )


def iter_inputs(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadFailure]:
    """Yield every article (or failure) from the given files and folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in
                           TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES or p.is_symlink())
            yield from iter_inputs(files, max_bytes)
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from read_jsonl(path, max_bytes)
        elif path.is_symlink() and not path.exists():
            yield ReadFailure(path.stem, str(path), "broken symbolic link")
        else:
            yield read_file(path, max_bytes)
