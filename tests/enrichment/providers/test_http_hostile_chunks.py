"""Chunked answers from a real server on 127.0.0.1 writing raw bytes (raw_http_server), to a cover
download and a provider request: trailers after the body are read past; a chunk-size line of 100 KB
or one that is no number is a server that frames its answers wrongly, which asking again does not
mend (RFC 9112 §7.1), where both were a connection error retried as if the network had failed
("connection cut off" for the one that is no number, since urllib3 calls it an incomplete read). So
is one whose trailer lines never end, where they were read until the deadline and it was a timeout,
retried to the attempt limit. A body that ends exactly at the byte cap is read. The answers are
built here (synthetic); the provider's body is the recorded Books API answer.
"""

import time

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from enrichment.faults import FaultKind
from tests.enrichment.providers.helpers import body
from tests.enrichment.raw_http_server import raw_http_server, served
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
ISBN = "9780316030571"
RECORDED_ANSWER = body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")


def chunked(payload: bytes, content_type: bytes, *, size_line=None, trailer=b"") -> bytes:
    """`payload` as two chunks; `size_line` replaces the first chunk's size line."""
    half = len(payload) // 2
    first = size_line if size_line is not None else b"%x" % half
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + first + b"\r\n" + payload[:half] + b"\r\n"
        + b"%x\r\n" % (len(payload) - half) + payload[half:] + b"\r\n"
        + b"0\r\n" + trailer + b"\r\n"
    )  # fmt: skip


BROKEN_SIZE_LINES = {
    "a size line of 100 KB": b"0" * 100_000 + b"%x" % (len(JPEG) // 2),
    "an extension of 100 KB": b"%x;" % (len(JPEG) // 2) + b"x" * 100_000,
    "no number": b"zz",
}


def test_trailers_after_a_chunked_body_are_read_past(covers, settings, openlibrary):
    trailer = b"X-Checksum: abc\r\nExpires: never\r\n"
    with served(chunked(JPEG, b"image/jpeg", trailer=trailer)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG
    with served(chunked(RECORDED_ANSWER, b"application/json", trailer=trailer)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.FOUND, result


@pytest.mark.parametrize("size_line", BROKEN_SIZE_LINES.values(), ids=BROKEN_SIZE_LINES.keys())
def test_a_cover_whose_chunks_are_framed_wrongly_is_refused_for_good(covers, size_line):
    with served(chunked(JPEG, b"image/jpeg", size_line=size_line)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    refused = caught.value
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable, refused
    assert refused.message.startswith("a chunked answer framed wrongly"), refused.message
    assert refused.message.endswith("(RFC 9112 §7.1)")
    assert len(refused.message) < 400


@pytest.mark.parametrize("size_line", BROKEN_SIZE_LINES.values(), ids=BROKEN_SIZE_LINES.keys())
def test_a_provider_answer_whose_chunks_are_framed_wrongly_is_unreadable(
    settings, openlibrary, size_line
):
    with served(chunked(RECORDED_ANSWER, b"application/json", size_line=size_line)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.UNPARSEABLE, result
    assert result.fault.kind == FaultKind.UNPARSEABLE
    said = f"127.0.0.1:{server.port} sent an answer we could not read: a chunked answer framed"
    assert result.fault.message.startswith(said), result.fault.message


def test_a_body_that_ends_exactly_at_the_byte_cap_is_read(covers, settings, openlibrary):
    covers.COVER_MAX_BYTES = len(JPEG)
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = len(RECORDED_ANSWER)
    with served(chunked(JPEG, b"image/jpeg")) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG
    with served(chunked(RECORDED_ANSWER, b"application/json")) as server:
        settings.OPENLIBRARY_URL = server.url
        assert openlibrary.lookup_isbns([ISBN])[ISBN].status == LookupStatus.FOUND
    with served(chunked(JPEG + b"!", b"image/jpeg")) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    assert caught.value.reason == RejectionReason.TOO_LARGE


@pytest.mark.parametrize("cut", ["after a chunk", "inside a chunk"])
def test_a_chunked_answer_cut_off_is_a_lost_connection(settings, openlibrary, cut):
    """The connection closed before the last chunk: the network's fault, which passes, where
    one closed between two chunks was kind "other" ("Response ended prematurely")."""
    whole = chunked(RECORDED_ANSWER, b"application/json")
    end = whole.index(b"\r\n", whole.index(b"\r\n\r\n") + 4) + 2 + len(RECORDED_ANSWER) // 2 + 2
    with served(whole[:end] if cut == "after a chunk" else whole[: end - 10]) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.SERVER_ERROR, result
    assert result.fault.kind == FaultKind.CONNECTION_LOST, result.fault
    assert result.fault.passes_on_its_own


def endless_trailers(payload: bytes, content_type: bytes):
    """The whole body, then trailer lines for ever (until the client hangs up)."""
    body = chunked(payload, content_type)[: -len(b"\r\n")]  # up to the trailers' end

    def answer(conn, head):
        conn.sendall(body)
        while True:
            try:
                conn.sendall(b"X-Trailer: " + b"t" * 1000 + b"\r\n")
            except OSError:
                return

    return answer


def test_trailer_lines_without_end_are_given_up_at_once_and_for_good(covers, settings, openlibrary):
    with raw_http_server(endless_trailers(JPEG, b"image/jpeg")) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        started = time.monotonic()
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
        cover_seconds = time.monotonic() - started
    refused = caught.value
    said = "a chunked answer framed wrongly (more than 100 trailer lines)"  # MAX_TRAILER_LINES
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable, refused
    assert refused.message.startswith(said), refused.message
    assert cover_seconds < 1.0
    with raw_http_server(endless_trailers(RECORDED_ANSWER, b"application/json")) as server:
        settings.OPENLIBRARY_URL = server.url
        started = time.monotonic()
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
        provider_seconds = time.monotonic() - started
    assert result.status == LookupStatus.UNPARSEABLE, result
    # Its book counts its attempts: it waited past them, as for a provider offline.
    assert result.fault.kind == FaultKind.UNPARSEABLE and not result.fault.passes_on_its_own
    assert said in result.fault.message, result.fault.message
    assert provider_seconds < 1.0


def test_a_hundred_trailer_lines_are_read_past(covers, settings, openlibrary):
    trailer = b"".join(b"X-T%d: %s\r\n" % (i, b"t" * 1000) for i in range(100))
    with served(chunked(JPEG, b"image/jpeg", trailer=trailer)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG
    with served(chunked(RECORDED_ANSWER, b"application/json", trailer=trailer)) as server:
        settings.OPENLIBRARY_URL = server.url
        assert openlibrary.lookup_isbns([ISBN])[ISBN].status == LookupStatus.FOUND
