"""Cookies from a real server on 127.0.0.1 writing raw bytes (raw_http_server), to cover
downloads and provider requests: a session lives as long as its worker, and kept every cookie a
host set, sending all of them back with each later request to it. A host that set 60 new cookies
of 3 KB with each answer made the fifth request's head 720 KB, and more with each one after.
Nothing here needs a cookie: none is kept or sent. The answers are built here (synthetic).
"""

import itertools

from enrichment.candidates import LookupStatus
from enrichment.covers import fetch_cover_bytes
from enrichment.covers.fetch import cover_session
from enrichment.providers.http import session_for
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body
from tests.enrichment.raw_http_server import raw_http_server
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
ISBNS = ["9780316030571", "9780060557812", "9780575079212"]
RECORDED_ANSWER = body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")


def setting_new_cookies(payload: bytes, content_type: bytes):
    """An answer that sets 60 cookies of 3 KB, named anew each time."""
    answers = itertools.count()

    def answer(conn, head):
        n = next(answers)
        cookies = b"".join(
            b"Set-Cookie: c%d_%d=%s; Path=/\r\n" % (n, i, b"v" * 3000) for i in range(60)
        )
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\n" + cookies
            + b"Content-Length: " + str(len(payload)).encode()
            + b"\r\nConnection: close\r\n\r\n" + payload
        )  # fmt: skip

    return answer


def test_a_cover_host_s_cookies_are_neither_kept_nor_sent_back(covers):
    with raw_http_server(setting_new_cookies(JPEG, b"image/jpeg")) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        for _ in range(3):
            assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG
    assert not any(b"\r\ncookie:" in head.lower() for head in server.heads), server.heads[-1][:300]
    assert max(len(head) for head in server.heads) < 1000
    assert not cover_session().cookies


def test_a_provider_s_cookies_are_neither_kept_nor_sent_back(settings, openlibrary):
    with raw_http_server(setting_new_cookies(RECORDED_ANSWER, b"application/json")) as server:
        settings.OPENLIBRARY_URL = server.url
        results = [openlibrary.lookup_isbns([isbn])[isbn] for isbn in ISBNS]
    assert results[0].status == LookupStatus.FOUND, results[0]
    assert len(server.heads) == len(ISBNS)
    assert not any(b"\r\ncookie:" in head.lower() for head in server.heads), server.heads[-1][:300]
    assert not session_for(OpenLibraryProvider).cookies
