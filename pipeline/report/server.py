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
import logging
import re
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.batch.corrections import Correction, correct_incident, export_tables
from pipeline.batch.store import RunLock, Store, StoreError, stored_articles
from pipeline.batch.writing import write_tables
from pipeline.learning.gold import GoldError, draft_records
from pipeline.learning.gold_store import CAUSES, SAVED_AT, SERVE, GoldStore, gold_part, last_retrain
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
# A team saving at once: connections wait in the listen queue (the standard library's is 5, and
# the kernel resets what overflows it) for one of a bounded number of workers.
REQUEST_QUEUE = 256
WORKERS = 32
IDLE_SECONDS = 15  # a kept-alive connection with nothing to say gives its worker back after this
log = logging.getLogger(__name__)
_ARTICLE = re.compile(r"^/articles/(\d+)\.js$")


@dataclass
class ReviewState:
    """What the pages show, rebuilt from the store and the gold store whenever the page is loaded."""

    out_dir: Path
    gold: GoldStore
    overview: dict = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.exporter = Exporter(self.export)

    def refresh(self) -> None:
        latest = self.gold.saved()
        with Store.open(self.out_dir) as store:
            overview, details = review_data(store, latest)
            drafts = {record["id"]: record for record in draft_records(store)}
        for item, detail in zip(overview["incidents"], details, strict=True):
            record = latest.get(detail["article_id"])
            item["corrected"] = record is not None
            draft = drafts.get(detail["article_id"])
            if draft is not None:  # the roles the extraction gave, for the panel to correct
                draft["date_roles"] = {span["value"]: span["role"] for span in detail["spans"]
                                       if span["table"] == "date" and span["role"] != "other"}
            detail["gold"] = gold_part(record) if record else draft
            detail["gold_saved_at"] = record[SAVED_AT] if record else ""
        overview["sort_key"], overview["sort_dir"] = "confidence", 1  # the least sure first
        codes = {code for code, _ in category_rules().terms.values()} - {"", "other"}  # "": terms read to be ignored
        overview["corrections"] = {"causes": list(CAUSES), "categories": sorted(codes), "pending": self.pending()}
        with self.lock:
            self.overview, self.details = overview, details

    def pending(self) -> int:
        """Corrections saved since the last retrain: what the next `pipeline retrain` will learn from."""
        return self.gold.pending(last_retrain())

    def export(self) -> None:
        """Write the CSV tables again with every saved correction laid over, unless a `pipeline run`
        holds the folder (it writes them when it ends, with the corrections saved by then)."""
        try:
            with RunLock(self.out_dir), Store.open(self.out_dir) as store:
                write_tables(self.out_dir, export_tables(store, self.gold.saved()))
        except StoreError as exc:
            log.info("tables not rewritten now: %s", exc)

    def corrected_incident(self, article_id: str, record: dict) -> dict | None:
        with Store.open(self.out_dir) as store:
            _, incident, _, counts, _ = store.article_rows(article_id)
        return asdict(correct_incident(incident, Correction(record), counts)) if incident else None
    def detail(self, index: int) -> dict | None:
        with self.lock:
            return self.details[index] if 0 <= index < len(self.details) else None


class Exporter:
    """Runs `export` in the background after saves; saves arriving meanwhile make one more export,
    not one each."""

    def __init__(self, export: Callable[[], None]):
        self._export = export
        self._changed = threading.Condition()
        self._wanted = self._running = False

    def request(self) -> None:
        with self._changed:
            self._wanted = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._loop, daemon=True, name="export").start()

    def _loop(self) -> None:
        while True:
            with self._changed:
                if not self._wanted:
                    self._running = False
                    self._changed.notify_all()
                    return
                self._wanted = False
            try:
                self._export()
            except Exception:  # the save is kept; the next save or `pipeline run` writes the tables
                log.exception("writing the tables after a save failed")

    def wait(self, timeout: float = 60) -> bool:
        """Until no export is running or wanted (True), or the timeout (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._running, timeout)


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
    timeout = IDLE_SECONDS

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
            store.add([record], SERVE, texts)
        except GoldError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        latest = store.history(record["id"])[-1]
        detail["gold"], detail["gold_saved_at"] = gold_part(latest), latest[SAVED_AT]
        state = self.server.state
        state.exporter.request()
        self._json(HTTPStatus.OK, {"saved_at": latest[SAVED_AT], "gold_store": str(store.records_path),
                                   "incident": state.corrected_incident(record["id"], gold_part(latest)),
                                   "pending": state.pending()})

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
    """Connections queue in a listen backlog of REQUEST_QUEUE and are served by WORKERS threads (not
    a thread each: a burst cannot start hundreds)."""

    daemon_threads = True
    request_queue_size = REQUEST_QUEUE

    def __init__(self, out_dir: Path, gold: GoldStore, host: str = "127.0.0.1", port: int = 8765,
                 token: str | None = None, verbose: bool = False, workers: int = WORKERS):
        self.state = ReviewState(out_dir, gold)
        self.state.refresh()
        self.token = token or secrets.token_urlsafe(24)
        self.verbose = verbose
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="serve")
        super().__init__((host, port), ReviewHandler)

    def process_request(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's hook
        self.pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/?token={self.token}"
