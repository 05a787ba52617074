"""The demo provider: Open Library, its covers service and Google Books on one loopback port.

    GET /api/books?bibkeys=ISBN:a,ISBN:b&jscmd=data&format=json   Books API, several bibkeys
    GET /search.json?title=…&author=…                               Open Library search
    GET /search.json?q=(title:(…) AND author:(…)) OR (…)             several searches in one
    GET /books/OL…M.json, /works/OL…W.json, /authors/OL…A.json       Open Library records
    GET /b/id/{id}-{S|M|L}.jpg, /b/isbn/{isbn}-{S|M|L}.jpg            Open Library covers
    GET /books/v1/volumes?q=isbn:…  (or intitle:… inauthor:…)        Google Books
    GET /books/content?id={volume id}&…                               Google's cover images

Answers come from the recorded bodies (recordings.py). What they do not know gets the answer the
real service gives when it knows nothing: `{}` from the Books API, a search without docs, a 404
`{"error": "notfound", "key": …}` for a record, Google's recorded empty result, and Open
Library's 1×1 "no cover" GIF for a cover nobody knows (a 404 for a Google image). Covers of
known books are drawn by covers.py, marked DEMO. The server listens on a loopback address only:
it stands in for public services, for this machine alone.
"""

import ipaddress
import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from catalog.isbn import to_isbn13
from enrichment.covers.placeholders import OPENLIBRARY_MISSING_COVER_GIF
from enrichment.demo.covers import demo_cover_jpeg
from enrichment.demo.recordings import Recordings, load_recordings
from enrichment.providers.openlibrary import read_search_clauses

logger = logging.getLogger(__name__)

JSON = "application/json; charset=utf-8"
_RECORD_PATH = re.compile(r"^/(books|works|authors)/(OL\d+[MWA])\.json$")
_COVER_PATH = re.compile(r"^/b/(id|isbn)/([0-9Xx]+)-([SML])\.jpg$")

Answer = tuple[int, str, bytes]  # status, content type, body


class DemoProvider:
    """What the demo provider answers to one GET (no sockets: the server's handler asks)."""

    def __init__(self, recordings: Recordings | None = None, *, cover_delay: float = 0.0):
        self.recordings = recordings or load_recordings()
        self.cover_delay = cover_delay
        self.requests: Counter = Counter()  # endpoint -> requests answered
        self._covers: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def answer(self, target: str, *, base_url: str) -> Answer:
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        found = self._route(path, query, base_url)
        with self._lock:
            self.requests[found[0]] += 1
        return found[1]

    def _route(self, path: str, query: dict, base_url: str) -> tuple[str, Answer]:
        recordings = self.recordings
        if path == "/api/books":
            bibkeys = ",".join(query.get("bibkeys", [])).split(",")
            return "books_api", _json(recordings.books_api_answer(bibkeys))
        if path == "/search.json" and "q" in query:  # several searches in one (OpenLibraryProvider)
            searches = [(q.title, q.author) for q in read_search_clauses(_first(query, "q"))]
            return "search", (200, JSON, recordings.openlibrary_grouped_search(searches))
        if path == "/search.json":
            title, author = _first(query, "title"), _first(query, "author")
            return "search", (200, JSON, recordings.openlibrary_search(title=title, author=author))
        if match := _RECORD_PATH.match(path):
            key = f"{match.group(1)}/{match.group(2)}"
            body = recordings.record(key)
            if body is None:
                return "record", _json({"error": "notfound", "key": f"/{key}"}, status=404)
            return "record", (200, JSON, body)
        if match := _COVER_PATH.match(path):
            kind, value, size = match.groups()
            return "cover", self._cover(f"{kind}:{value.upper()}", size, openlibrary=True)
        if path == "/books/v1/volumes":
            body = recordings.google_volumes(_first(query, "q"), image_base_url=base_url)
            return "google_volumes", (200, JSON, body)
        if path == "/books/content":
            return "google_cover", self._cover(f"google:{_first(query, 'id')}", "L")
        return "other", (404, "text/plain; charset=utf-8", b"Not Found\n")

    def _cover(self, key: str, size: str, *, openlibrary: bool = False) -> Answer:
        if key.startswith("isbn:"):
            key = f"isbn:{to_isbn13(key[5:]) or key[5:]}"
        title = self.recordings.cover_title(key)
        if title is None:
            if openlibrary:
                return 200, "image/gif", OPENLIBRARY_MISSING_COVER_GIF
            return 404, "text/plain; charset=utf-8", b"Not Found\n"
        if self.cover_delay:
            time.sleep(self.cover_delay)  # so that covers visibly arrive one by one
        with self._lock:
            data = self._covers.get((key, size))
        if data is None:
            data = demo_cover_jpeg(title=title, key=key, size=size)
            with self._lock:
                self._covers[(key, size)] = data
        return 200, "image/jpeg", data


def _first(query: dict, name: str) -> str:
    return (query.get(name) or [""])[0]


def _json(value, *, status: int = 200) -> Answer:
    return status, JSON, json.dumps(value, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def do_GET(self):
        try:
            status, content_type, body = self.server.provider.answer(
                self.path, base_url=self.server.base_url
            )
        except Exception:  # a bug here must answer 500, not leave the client waiting
            logger.exception("Demo provider failed on %s", self.path)
            status, content_type, body = 500, "text/plain; charset=utf-8", b"demo provider error\n"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        logger.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    provider: DemoProvider
    base_url: str

    def handle_error(self, request, client_address):
        # A client that hangs up (a cover download's deadline, a closed keep-alive) is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            logger.exception("Demo provider: error with %s", client_address)


class DemoProviderServer:
    """The demo provider on `host:port` (port 0: a free one). `start()` serves it from a thread
    (tests), `serve_forever()` from this one (the demo_provider command)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        recordings: Recordings | None = None,
        cover_delay: float = 0.0,
    ):
        if not ipaddress.ip_address(host).is_loopback or ":" in host:
            raise ValueError(f"The demo provider listens on an IPv4 loopback address only: {host}")
        self.host = host
        self.provider = DemoProvider(recordings, cover_delay=cover_delay)
        self._server = _Server((host, port), _Handler)
        self._server.provider = self.provider
        self._server.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def requests(self) -> Counter:
        return self.provider.requests

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-provider", daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "DemoProviderServer":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
