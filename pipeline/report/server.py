"""`pipeline serve`: the review page, served from the store, where an analyst corrects an article.

The page is the review page (review.py builds both) plus a correction panel (correct.js): the
article's gold record, pre-filled from the latest saved correction or else from the extraction
(a draft, as `pipeline draft-gold` makes), edited in place and saved to the gold store.

Like Jupyter, the server binds 127.0.0.1 unless told otherwise, and every request needs the
random token printed in its URL: `?token=…` (which also sets a same-site cookie, so the page's own
requests carry it), the cookie, or an `X-Pipeline-Token` header. Anything else gets 403. Saving
needs the header as well, so another site cannot post through the browser's cookie.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.batch.store import Store, stored_articles
from pipeline.learning.gold import GoldError, draft_records
from pipeline.learning.gold_store import CAUSES, SAVED_AT, GoldStore, gold_part
from pipeline.records import Article
from pipeline.report.review import article_script, review_data, review_page, script_json
from pipeline.stages.analysis import analyse
from pipeline.stages.categories import category_rules
from pipeline.stages.counts import find_counts
from pipeline.stages.dates import extract_dates
from pipeline.stages.normalize import normalize_text

TOKEN_COOKIE = "pipeline_token"
TOKEN_HEADER = "X-Pipeline-Token"
# Served pages may also load the panel's script and talk to this server; nothing else.
SERVER_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
              "img-src data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'")
STATIC = {"/correct.js": "application/javascript", "/correct.css": "text/css"}
MAX_BODY = 1_000_000
_ARTICLE = re.compile(r"^/articles/(\d+)\.js$")


@dataclass
class ReviewState:
    """What the pages show, rebuilt from the store and the gold store whenever the page is loaded."""

    out_dir: Path
    gold: GoldStore
    overview: dict = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        with Store.open(self.out_dir) as store:
            overview, details = review_data(store)
            drafts = {record["id"]: record for record in draft_records(store)}
        saved = self.gold.history()
        latest = {record["id"]: record for record in saved}
        for item, detail in zip(overview["incidents"], details, strict=True):
            record = latest.get(detail["article_id"])
            item["corrected"] = record is not None
            detail["gold"] = gold_part(record) if record else drafts.get(detail["article_id"])
            detail["gold_saved_at"] = record[SAVED_AT] if record else ""
        overview["sort_key"], overview["sort_dir"] = "confidence", 1  # the least sure first
        codes = {code for code, _ in category_rules().terms.values()} - {"", "other"}  # "": terms read to be ignored
        overview["corrections"] = {"causes": list(CAUSES), "categories": sorted(codes)}
        with self.lock:
            self.overview, self.details = overview, details

    def detail(self, index: int) -> dict | None:
        with self.lock:
            return self.details[index] if 0 <= index < len(self.details) else None


def parse_selection(detail: dict, kind: str, start: int, end: int) -> list:
    """What a selected stretch of the article says: a date value, or a [count, unit].

    The extraction of the whole article is tried first (it knows the year from the context,
    `同日`, …); a stretch it missed is read alone, with the article's reference date."""
    text = detail["text"]
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"the selection {start}-{end} is not within the article")
    if kind == "date":
        for span in detail["spans"]:
            if span["table"] == "date" and span["start"] < end and start < span["end"]:
                return [span["value"]]
        article = Article(detail["article_id"], text[start:end], "selection", reference_date=detail["reference_date"])
        return [row.value for row in extract_dates(analyse(article))][:1]
    if kind == "count":
        for span in detail["spans"]:
            if span["table"] == "count" and span["start"] < end and start < span["end"]:
                return [span["value"], span["unit"]]
        counts = find_counts(normalize_text(text[start:end]).text)
        return [counts[0].value, counts[0].unit] if counts else []
    raise ValueError(f"cannot read a selection as {kind!r}")


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    # -- the token ---------------------------------------------------------------------------

    def _query_token(self) -> str:
        return parse_qs(urlsplit(self.path).query).get("token", [""])[0]

    def _authorised(self, header_only: bool = False) -> bool:
        expected = self.server.token
        offered = [self.headers.get(TOKEN_HEADER, "")]
        if not header_only:
            try:
                cookie = SimpleCookie(self.headers.get("Cookie", ""))
            except CookieError:
                cookie = SimpleCookie()  # a malformed cookie carries no token
            offered += [self._query_token(), cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else ""]
        return any(t and hmac.compare_digest(t.encode(), expected.encode()) for t in offered)

    # -- replies -----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _forbidden(self) -> None:
        self._send(HTTPStatus.FORBIDDEN, b"403 Forbidden: open the URL with the token that `pipeline serve` printed\n",
                   "text/plain; charset=utf-8")

    # -- routes ------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._authorised():
            self._forbidden()
            return
        path = urlsplit(self.path).path
        state = self.server.state
        if path in ("/", "/index.html"):
            state.refresh()
            config = script_json({"token": self.server.token})
            extra = (f'<script type="application/json" id="server-config">{config}</script>'
                     '<link rel="stylesheet" href="correct.css"><script src="correct.js"></script>')
            page = review_page(state.overview, SERVER_CSP, extra).encode("utf-8")
            cookie = (f"{TOKEN_COOKIE}={self.server.token}; Path=/; HttpOnly; SameSite=Strict")
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8",
                       {"Content-Security-Policy": SERVER_CSP, "Set-Cookie": cookie})
        elif path in STATIC:
            body = resources.files("pipeline.report").joinpath(path.lstrip("/")).read_bytes()
            self._send(HTTPStatus.OK, body, f"{STATIC[path]}; charset=utf-8")
        elif (match := _ARTICLE.match(path)) and (detail := state.detail(int(match.group(1)))) is not None:
            body = article_script(int(match.group(1)), detail).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/javascript; charset=utf-8")
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if not self._authorised(header_only=True):
            self._forbidden()
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 < length <= MAX_BODY:
                raise ValueError(f"a request body of 1 to {MAX_BODY} bytes is expected")
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("the request body is a JSON object")
        except (ValueError, UnicodeDecodeError) as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        path = urlsplit(self.path).path
        if path == "/api/gold":
            self._save(body)
        elif path == "/api/parse":
            self._parse(body)
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {path}"})

    def _article(self, index: object) -> dict | None:
        return self.server.state.detail(index) if isinstance(index, int) else None

    def _save(self, body: dict) -> None:
        detail = self._article(body.get("index"))
        record = body.get("record")
        if detail is None or not isinstance(record, dict) or record.get("id") != detail["article_id"]:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "a save names an article (index) and its gold record"})
            return
        store = self.server.state.gold
        with Store.open(self.server.state.out_dir) as extracted:
            texts = list(stored_articles(extracted, {detail["article_id"]}).values())
        try:
            store.add([record], "pipeline serve", texts)
        except GoldError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        latest = store.history(record["id"])[-1]
        detail["gold"], detail["gold_saved_at"] = gold_part(latest), latest[SAVED_AT]
        self._json(HTTPStatus.OK, {"saved_at": latest[SAVED_AT], "gold_store": str(store.records_path)})

    def _parse(self, body: dict) -> None:
        detail = self._article(body.get("index"))
        start, end = body.get("start"), body.get("end")
        if detail is None or not isinstance(start, int) or not isinstance(end, int):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "a selection names an article (index), start and end"})
            return
        try:
            value = parse_selection(detail, str(body.get("kind")), start, end)
        except ValueError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        self._json(HTTPStatus.OK, {"value": value, "text": detail["text"][start:end]})


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out_dir: Path, gold: GoldStore, host: str = "127.0.0.1", port: int = 8765,
                 token: str | None = None, verbose: bool = False):
        self.state = ReviewState(out_dir, gold)
        self.state.refresh()
        self.token = token or secrets.token_urlsafe(24)
        self.verbose = verbose
        super().__init__((host, port), ReviewHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/?token={self.token}"
