"""A local stand-in for Open Library, its covers service and Google Books, for bench/enrich.py.

It serves, on 127.0.0.1 and a free port, answers BUILT FROM RECORDED BODIES (none is fetched
from the internet), and it ENFORCES the published limits:

    GET /api/books?bibkeys=ISBN:a,ISBN:b&format=json&jscmd=data  Open Library API: 1 req/s
    GET /search.json?title=..&author=..                         (the same 1 req/s)
    GET /b/id/{id}-{S,M,L}.jpg                                  not limited (as Open Library)
    GET /b/isbn/{isbn}-{S,M,L}.jpg                              100 per 5 minutes
    GET /books/v1/volumes?q=isbn:X (and any other q=)           Google Books: 1 req/s

Above a limit the answer is 429 with a Retry-After header.

How the bodies are made:

* Books API: each known bibkey's record is a copy of a real `jscmd=data` record from
  `tests/fixtures/providers/openlibrary/` — `books_api_jscmd_data__ISBN_9780316030571.json`
  (Use of Weapons: ebooks, subjects) for even books and `books_api_jscmd_data__ISBN_2070379043.json`
  (Les Enchanteurs: no subjects) for odd ones — with the book's ISBN-13/ISBN-10, title and first
  author substituted, and a unique edition key (`OL{30000000+n}M`), Goodreads id, Archive.org
  identifier and cover id (`10000000+n`) per book, so that answers match the imported rows (an
  ISBN + title match: the high tier). Everything else (publisher, pages, date, subjects) is the
  recorded record's. The answer object has one key per bibkey found, spelled as sent, as Open
  Library does (see that folder's PROVENANCE.md); unknown bibkeys are absent (`{}` if none).
* search.json: the recorded 2013 body's top-level shape
  (`search__author_tolkien__title_lord_of_the_rings__2013.json`: start, num_found, numFound,
  docs) with no docs: no book needing a title search is known to Open Library here.
* Google Books: `volumes__q_isbn_9784815602666.json` (a real `q=isbn:` answer) with the book's
  ISBNs, title, first author and a unique volume id substituted, and its `imageLinks` removed
  (the client rewrites Google image links to https, which a plain-http local server cannot
  answer; a real Google answer without imageLinks is recorded in
  `volumes__q_isbn_1568658079__no_imageLinks.json`). Books Google does not know, and every
  title search, get `volumes__empty_result__totalItems_0.json` (`{"kind", "totalItems": 0}`).
* Covers: `tests/fixtures/covers/synthetic.cover_jpeg()` images (400x600 for L, 180x270 for M,
  60x90 for S), `distinct_covers` different ones, chosen by cover id (or ISBN) modulo that.
* 429 bodies are synthetic: Open Library's a short text, Google's its documented
  `rateLimitExceeded` error object (not a "per day" one, which would stop Google for the day).

The rate limits count accepted requests the way nginx's `limit_req` does without `burst`: a
request that comes less than 1/rate seconds after the last accepted one of its group is refused
(a refused request does not count). Covers by ISBN use a sliding 300-second window.

Run alone (e.g. to point a dev server at it): `.venv/bin/python bench/enrich_server.py --books 100`.
"""

import argparse
import copy
import json
import re
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests/fixtures/providers"
OL_RECORDS = [
    FIXTURES / "openlibrary/books_api_jscmd_data__ISBN_9780316030571.json",
    FIXTURES / "openlibrary/books_api_jscmd_data__ISBN_2070379043.json",
]
OL_SEARCH = FIXTURES / "openlibrary/search__author_tolkien__title_lord_of_the_rings__2013.json"
GOOGLE_VOLUMES = FIXTURES / "google_books/volumes__q_isbn_9784815602666.json"
GOOGLE_EMPTY = FIXTURES / "google_books/volumes__empty_result__totalItems_0.json"
COVER_SIZES = {"L": (400, 600), "M": (180, 270), "S": (60, 90)}
COVER_ID_BASE = 10_000_000
EDITION_KEY_BASE = 30_000_000
_COVER_PATH = re.compile(r"^/b/(id|isbn)/([0-9Xx]+)-([SML])\.jpg$")


@dataclass(frozen=True, slots=True)
class Book:
    """One imported book as the stand-in providers know it."""

    number: int
    isbn13: str
    isbn10: str
    title: str
    author: str
    goodreads_id: str = ""
    subtitle: str = ""
    on_openlibrary: bool = True
    on_google: bool = False


class MinInterval:
    """At most one accepted request per `1 / rate` seconds (nginx limit_req, no burst)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.last: float | None = None
        self.lock = threading.Lock()

    def admit(self, now: float) -> float:
        """0 if admitted, else the seconds until the next request may come."""
        with self.lock:
            if self.last is not None and now - self.last < self.interval:
                return self.interval - (now - self.last)
            self.last = now
            return 0.0


class Window:
    """At most `limit` accepted requests in any `seconds`-long window."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self.times: deque[float] = deque()
        self.lock = threading.Lock()

    def admit(self, now: float) -> float:
        with self.lock:
            while self.times and now - self.times[0] >= self.seconds:
                self.times.popleft()
            if len(self.times) >= self.limit:
                return self.seconds - (now - self.times[0])
            self.times.append(now)
            return 0.0


class ProviderStub:
    """The server: build it with the books, `start()`, read `counts` / `throttled`, `stop()`."""

    def __init__(
        self,
        books: list[Book],
        *,
        openlibrary_rate: float = 1.0,
        google_rate: float = 1.0,
        covers_by_isbn: tuple[int, float] = (100, 300.0),
        distinct_covers: int = 300,
        max_lifetime: float = 3600.0,
    ):
        from catalog import isbn

        self.books = {book.isbn13: book for book in books}
        for book in books:  # covers by ISBN answer to either form
            if book.isbn10:
                self.books.setdefault(book.isbn10, book)
        self.to_isbn13 = isbn.to_isbn13
        self.limits = {
            "openlibrary": MinInterval(openlibrary_rate),
            "google": MinInterval(google_rate),
            "covers_isbn": Window(*covers_by_isbn),
        }
        #: The published per-second rates (the groups paced one request at a time).
        self.rates = {"openlibrary": openlibrary_rate, "google": google_rate}
        self.accepted: Counter = Counter()  # limit group -> requests served
        self.distinct_covers = distinct_covers
        self.max_lifetime = max_lifetime
        self.counts: Counter = Counter()  # endpoint -> requests (429s included)
        self.throttled: Counter = Counter()  # endpoint -> 429s sent
        self.first_at: dict[str, float] = {}
        self.last_at: dict[str, float] = {}
        # Per limit group: the gaps between accepted requests, and how much too early (seconds)
        # each refused one came after the last accepted one.
        self.gaps: dict[str, list[float]] = {}
        self.early: dict[str, list[float]] = {}
        self._previous: dict[str, float] = {}
        self.lock = threading.Lock()
        self._ol_templates = [
            json.loads(path.read_text())["ISBN:" + path.stem.rsplit("_", 1)[1]]
            for path in OL_RECORDS
        ]
        search = json.loads(OL_SEARCH.read_text())
        self._search_body = json.dumps(
            {key: (0 if key in ("num_found", "numFound", "start") else []) for key in search}
        ).encode()
        volumes = json.loads(GOOGLE_VOLUMES.read_text(encoding="utf-8-sig"))
        self._google_template = volumes
        self._google_empty = GOOGLE_EMPTY.read_bytes()
        self._covers: dict[tuple[int, str], bytes] = {}
        self._cover_lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # --- covers ----------------------------------------------------------------------------------

    def warm_covers(self) -> None:
        """Draw every large cover now, so that the timed run does not pay for it."""
        for seed in range(self.distinct_covers):
            self.cover_bytes(seed, "L")

    def cover_bytes(self, seed: int, size: str) -> bytes:
        from tests.fixtures.covers.synthetic import cover_jpeg

        key = (seed % self.distinct_covers, size)
        with self._cover_lock:
            data = self._covers.get(key)
            if data is None:
                width, height = COVER_SIZES[size]
                data = self._covers[key] = cover_jpeg(width, height, seed=key[0], quality=85)
        return data

    # --- bodies ----------------------------------------------------------------------------------

    def books_api_record(self, book: Book) -> dict:
        record = copy.deepcopy(self._ol_templates[book.number % 2])
        edition = f"OL{EDITION_KEY_BASE + book.number}M"
        cover = COVER_ID_BASE + book.number
        slug = re.sub(r"\W+", "_", book.title).strip("_")[:60] or "book"
        record["key"] = f"/books/{edition}"
        record["url"] = f"https://openlibrary.org/books/{edition}/{slug}"
        record["title"] = book.title
        if book.subtitle:
            record["subtitle"] = book.subtitle
        record["authors"][0]["name"] = book.author or record["authors"][0]["name"]
        identifiers = record["identifiers"]
        identifiers["isbn_13"] = [book.isbn13]
        identifiers["isbn_10"] = [book.isbn10] if book.isbn10 else []
        identifiers["openlibrary"] = [edition]
        if book.goodreads_id:
            identifiers["goodreads"] = [book.goodreads_id]
        record["cover"] = {
            name: f"https://covers.openlibrary.org/b/id/{cover}-{size}.jpg"
            for name, size in (("small", "S"), ("medium", "M"), ("large", "L"))
        }
        for ebook in record.get("ebooks", []):
            ebook["preview_url"] = f"https://archive.org/details/bench{book.number:06d}"
            ebook["borrow_url"] = f"https://openlibrary.org/books/{edition}/{slug}/borrow"
        return record

    def google_volumes(self, book: Book) -> dict:
        text = json.dumps(self._google_template, ensure_ascii=False)
        text = text.replace("9784815602666", book.isbn13).replace("4815602662", book.isbn10)
        text = text.replace("GjASzgEACAAJ", f"bench{book.number:07d}")
        body = json.loads(text)
        info = body["items"][0]["volumeInfo"]
        info["title"] = book.title
        if book.subtitle:
            info["subtitle"] = book.subtitle
        info["authors"] = [book.author] if book.author else info["authors"]
        info["industryIdentifiers"] = [
            {"type": "ISBN_10", "identifier": book.isbn10},
            {"type": "ISBN_13", "identifier": book.isbn13},
        ][0 if book.isbn10 else 1 :]
        info.pop("imageLinks", None)
        return body

    # --- the HTTP side ---------------------------------------------------------------------------

    def note(self, endpoint: str, group: str | None, now: float, refused: float) -> None:
        """Count a request; `refused` is 0 when it was served, else how long it should wait."""
        with self.lock:
            self.counts[endpoint] += 1
            if refused:
                self.throttled[endpoint] += 1
            self.first_at.setdefault(endpoint, now)
            self.last_at[endpoint] = now
            if group is None:
                return
            previous = self._previous.get(group)
            if refused:
                if previous is not None and group != "covers_isbn":
                    self.early.setdefault(group, []).append(refused)
                return
            self.accepted[group] += 1
            if previous is not None:
                self.gaps.setdefault(group, []).append(now - previous)
            self._previous[group] = now

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "requests": dict(self.counts),
                "429": dict(self.throttled),
                "first_at": dict(self.first_at),
                "last_at": dict(self.last_at),
                "gaps": {group: list(values) for group, values in self.gaps.items()},
                "early": {group: list(values) for group, values in self.early.items()},
                "accepted": dict(self.accepted),
            }

    def rate_bound(self, snapshot: dict) -> tuple[str, int, float, float]:
        """The least wall time the published rates allow for the requests in `snapshot`: the
        busiest paced provider's served requests / its rate. Returns (provider, requests, rate,
        seconds)."""
        accepted = snapshot["accepted"]
        bounds = [
            (group, accepted.get(group, 0), rate, accepted.get(group, 0) / rate)
            for group, rate in self.rates.items()
        ]
        return max(bounds, key=lambda bound: bound[3])

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict, bytes]:
        now = time.monotonic()
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path == "/api/books":
            endpoint, group = "openlibrary /api/books", "openlibrary"
        elif path == "/search.json":
            endpoint, group = "openlibrary /search.json", "openlibrary"
        elif path.startswith("/b/id/"):
            endpoint, group = "covers /b/id", None
        elif path.startswith("/b/isbn/"):
            endpoint, group = "covers /b/isbn", "covers_isbn"
        elif path == "/books/v1/volumes":
            isbn_query = query.get("q", [""])[0].startswith("isbn:")
            endpoint = "google volumes?q=isbn:" if isbn_query else "google volumes?q=(search)"
            group = "google"
        elif path.startswith("/books/v1/"):
            endpoint, group = "google (other)", "google"
        else:
            endpoint, group = f"other {path[:40]}", None
        wait = self.limits[group].admit(now) if group else 0.0
        self.note(endpoint, group, now, refused=wait)
        if wait > 0:
            headers = {"Retry-After": str(max(1, round(wait + 0.5)))}
            if group == "google":
                error = {"code": 429, "message": "Rate Limit Exceeded"}
                error["errors"] = [
                    {
                        "message": "Rate Limit Exceeded",
                        "domain": "usageLimits",
                        "reason": "rateLimitExceeded",
                    }
                ]
                return (
                    429,
                    {**headers, "Content-Type": "application/json"},
                    json.dumps({"error": error}).encode(),
                )
            return 429, {**headers, "Content-Type": "text/plain"}, b"Too Many Requests\n"
        if path == "/api/books":
            return self._json(self._books_api(query))
        if path == "/search.json":
            return self._json(self._search_body)
        if path.startswith("/books/v1/volumes") and path == "/books/v1/volumes":
            return self._json(self._volumes(query))
        match = _COVER_PATH.match(path)
        if match:
            kind, value, size = match.groups()
            if kind == "id":
                seed = int(value)
            else:
                book = self.books.get(value.upper())
                if book is None:
                    return 404, {"Content-Type": "text/plain"}, b"Not Found\n"
                seed = COVER_ID_BASE + book.number
            return 200, {"Content-Type": "image/jpeg"}, self.cover_bytes(seed, size)
        return 404, {"Content-Type": "text/plain"}, b"Not Found\n"

    @staticmethod
    def _json(body) -> tuple[int, dict, bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return 200, {"Content-Type": "application/json; charset=utf-8"}, data

    def _books_api(self, query: dict) -> dict:
        answer = {}
        for bibkey in ",".join(query.get("bibkeys", [])).split(","):
            raw = bibkey.strip().removeprefix("ISBN:")
            isbn13 = self.to_isbn13(raw) if raw else None
            book = self.books.get(isbn13 or "")
            if book is not None and book.on_openlibrary:
                answer[bibkey.strip()] = self.books_api_record(book)
        return answer

    def _volumes(self, query: dict) -> dict | bytes:
        q = query.get("q", [""])[0]
        if q.startswith("isbn:"):
            book = self.books.get(self.to_isbn13(q.removeprefix("isbn:")) or "")
            if book is not None and book.on_google:
                return self.google_volumes(book)
        return self._google_empty

    def start(self) -> int:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                try:
                    status, headers, body = stub.handle(self)
                except Exception as exc:  # a bug here must show, not hang the client
                    status, headers = 500, {"Content-Type": "text/plain"}
                    body = f"bench server error: {exc!r}\n".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.server = server
        serving = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
        serving.start()
        # Bounded: the server stops by itself after max_lifetime seconds.
        timer = threading.Timer(self.max_lifetime, server.shutdown)
        timer.daemon = True
        timer.start()
        self._threads = [serving, timer]
        return server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is None:
            return
        self._threads[1].cancel()
        self.server.shutdown()
        self.server.server_close()
        self.server = None


def sample_books(count: int) -> list[Book]:
    """Books for running the server alone: valid ISBNs, numbered titles."""
    from catalog import isbn

    books = []
    for n in range(count):
        first12 = f"978{1_900_000_00 + n:09d}"
        isbn13 = first12 + isbn.isbn13_check_digit(first12)
        books.append(
            Book(
                n,
                isbn13,
                isbn.isbn13_to_isbn10(isbn13) or "",
                f"Book {n}",
                "A. Author",
                on_openlibrary=n % 20 != 7,
                on_google=n % 20 == 7,
            )
        )
    return books


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long")
    args = parser.parse_args()
    stub = ProviderStub(sample_books(args.books), max_lifetime=args.seconds)
    stub.start()
    print(f"Serving {args.books} books on {stub.url} for {args.seconds:.0f} s", flush=True)
    try:
        stub._threads[0].join()
    except KeyboardInterrupt:
        pass
    finally:
        stub.stop()
        print(json.dumps(stub.snapshot(), indent=1))


if __name__ == "__main__":
    main()
