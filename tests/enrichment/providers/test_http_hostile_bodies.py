"""Bodies a hostile server sends, from a real server on 127.0.0.1 writing raw bytes
(raw_http_server), to a cover download and a provider request, pinned as they are handled: a
gzip or deflate bomb (40 MB of zeros in 40 KB, once or twice compressed) stops at the 2 MB cap
of inflated bytes, without inflating the whole; a body trickled a byte at a time that ends
within the deadline is read whole. The answers are built here (synthetic).
"""

import functools
import gzip
import time
import tracemalloc
import zlib

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from tests.enrichment.raw_http_server import raw_http_server

ISBN = "9780316030571"
MB = 1 << 20
CODINGS = ["gzip", "gzip, gzip", "deflate"]


@functools.cache
def bomb(coding: str) -> bytes:
    """40 MB of zeros, so encoded (made once, on first use: not when the module is collected)."""
    zeros = bytes(40 * MB)
    if coding == "deflate":
        return zlib.compress(zeros, 9)
    once = gzip.compress(zeros, compresslevel=9)
    return gzip.compress(once, compresslevel=9) if coding == "gzip, gzip" else once


def bomb_answer(coding: str, content_type: bytes) -> bytes:
    payload = bomb(coding)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nContent-Encoding: " + coding.encode()
        + b"\r\nContent-Length: " + str(len(payload)).encode()
        + b"\r\nConnection: close\r\n\r\n" + payload
    )  # fmt: skip


def peak_memory(call):
    tracemalloc.start()
    try:
        outcome = call()
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("coding", CODINGS)
def test_a_cover_bomb_stops_at_the_byte_cap(covers, coding):
    covers.COVER_MAX_BYTES = 2 * MB
    answer = bomb_answer(coding, b"image/jpeg")
    with raw_http_server(lambda conn, head: conn.sendall(answer)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url

        def fetch():
            with pytest.raises(CoverRejected) as caught:
                fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
            return caught.value

        refused, peak = peak_memory(fetch)
    assert refused.reason == RejectionReason.TOO_LARGE and not refused.retryable, refused
    assert peak < 8 * MB  # the cap and a step of it, never 40 MB


@pytest.mark.parametrize("coding", CODINGS)
def test_a_provider_bomb_stops_at_the_byte_cap(settings, openlibrary, coding):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 2 * MB
    answer = bomb_answer(coding, b"application/json")
    with raw_http_server(lambda conn, head: conn.sendall(answer)) as server:
        settings.OPENLIBRARY_URL = server.url
        result, peak = peak_memory(lambda: openlibrary.lookup_isbns([ISBN])[ISBN])
    assert result.status == LookupStatus.UNPARSEABLE and "answer too large" in result.error
    assert peak < 8 * MB


def trickled(payload: bytes, content_type: bytes):
    def answer(conn, head):
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + str(len(payload)).encode() + b"\r\n\r\n"
        )  # fmt: skip
        for byte in payload:
            time.sleep(0.8)  # inside the read timeout (2 s); all of it inside the deadline (3 s)
            conn.sendall(bytes([byte]))

    return answer


def test_a_body_trickled_within_the_deadline_is_read(covers, settings, openlibrary):
    with raw_http_server(trickled(b"{}", b"application/octet-stream")) as server:
        covers.OPENLIBRARY_COVERS_URL = settings.OPENLIBRARY_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == b"{}"
        assert openlibrary.lookup_isbns([ISBN])[ISBN].status == LookupStatus.NOT_FOUND
