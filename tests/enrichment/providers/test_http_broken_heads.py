"""Answers whose head no HTTP client can read, from a real server on 127.0.0.1 writing raw bytes
(raw_http_server), to a cover download and a provider request: a status line that is not HTTP's
(something else listening on the port) or one of another HTTP version ("HTTP/2 200", which no
HTTP/1.1 answer may carry), a status or header line over 64 KB, more than 100 header lines. The
server answers that URL so every time: a cover is refused as corrupt, not retried, a provider's
answer is unreadable, each saying why, where both were a connection error retried as if the
network had failed, their note Python's exception ("('Connection aborted.',
BadStatusLine('garbage\\r\\n'))"). A Content-Length that is no number is refused the same way,
where the body was read until the server closed the connection (a timeout when it did not). The
answers are built here (synthetic).
"""

import time

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from enrichment.faults import FaultKind
from tests.enrichment.raw_http_server import raw_http_server

ISBN = "9780316030571"
END = b"Content-Length: 2\r\nConnection: close\r\n\r\nok"
BROKEN_HEADS = {
    "no HTTP status line": (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "no HTTP status line: 'SSH-2.0-"),
    "a status that is no number": (b"HTTP/1.1 abc OK\r\n" + END, "no HTTP status line: 'HTTP/1"),
    "an HTTP/2 status line": (
        b"HTTP/2 200 OK\r\n" + END,
        "a status line of another HTTP version: 'HTTP/2'",
    ),
    "an HTTP/2.0 status line": (
        b"HTTP/2.0 200 OK\r\n" + END,
        "a status line of another HTTP version: 'HTTP/2.0'",
    ),
    "a status line of 100 KB": (
        b"HTTP/1.1 200 " + b"O" * 100_000 + b"\r\n" + END,
        "a status or header line over 64 KB",
    ),
    "a header line of 100 KB": (
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n" + END,
        "a status or header line over 64 KB",
    ),
    "120 header lines": (
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + END,
        "over 100 header lines",
    ),
}


@pytest.mark.parametrize(("answer", "why"), BROKEN_HEADS.values(), ids=BROKEN_HEADS.keys())
def test_a_cover_whose_answer_has_no_readable_head_is_refused_for_good(covers, answer, why):
    with raw_http_server(lambda conn, head: conn.sendall(answer)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    refused = caught.value
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable, refused
    assert refused.message.startswith(f"an answer whose head cannot be read ({why}")
    assert len(refused.message) < 300


@pytest.mark.parametrize(("answer", "why"), BROKEN_HEADS.values(), ids=BROKEN_HEADS.keys())
def test_a_provider_answer_with_no_readable_head_is_unreadable(settings, openlibrary, answer, why):
    with raw_http_server(lambda conn, head: conn.sendall(answer)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.UNPARSEABLE, result
    assert result.fault.kind == FaultKind.UNPARSEABLE
    said = f"127.0.0.1:{server.port} sent an answer we could not read: an answer whose head"
    assert result.fault.message.startswith(said), result.fault.message


def test_a_connection_closed_without_an_answer_is_cut_off_not_broken(settings, openlibrary):
    """http.client calls it a bad status line too (RemoteDisconnected): the network's fault."""
    with raw_http_server(lambda conn, head: None) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.SERVER_ERROR, result
    assert result.fault.kind == FaultKind.CONNECTION_LOST


#: Content-Length values that are no number, from a server that keeps the connection open.
NO_NUMBER_LENGTHS = ["abc", "-2", "0x2", "2, abc"]


def keeping_the_connection_open(length: str, content_type: bytes, payload: bytes):
    def answer(conn, head):
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + length.encode() + b"\r\n\r\n" + payload
        )  # fmt: skip
        time.sleep(4)  # longer than the read timeout: the body's end is never seen

    return answer


@pytest.mark.parametrize("length", NO_NUMBER_LENGTHS)
def test_a_cover_whose_content_length_is_no_number_is_refused_at_once_for_good(covers, length):
    """urllib3 reads such a body until the connection closes: it waited out the read timeout and
    was a timeout, retried to the attempt limit."""
    with raw_http_server(keeping_the_connection_open(length, b"image/jpeg", b"ok")) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        started = time.monotonic()
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
        seconds = time.monotonic() - started
    refused = caught.value
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable, refused
    assert refused.message.startswith(f"a Content-Length that is no number ({length!r})")
    assert seconds < 1.0


@pytest.mark.parametrize("length", NO_NUMBER_LENGTHS)
def test_a_provider_answer_whose_content_length_is_no_number_is_unreadable(
    settings, openlibrary, length
):
    with raw_http_server(keeping_the_connection_open(length, b"application/json", b"{}")) as server:
        settings.OPENLIBRARY_URL = server.url
        started = time.monotonic()
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
        seconds = time.monotonic() - started
    assert result.status == LookupStatus.UNPARSEABLE, result
    # Its book counts its attempts: it waited past them, as for a provider offline.
    assert result.fault.kind == FaultKind.UNPARSEABLE and not result.fault.passes_on_its_own
    said = f"127.0.0.1:{server.port} sent an answer we could not read: a Content-Length that"
    assert result.fault.message.startswith(said), result.fault.message
    assert seconds < 1.0


def test_a_content_length_of_thousands_of_digits_is_refused_and_one_of_twenty_is_too_large(
    covers, settings, openlibrary
):
    """Python reads no number of over 4,300 digits: the ValueError stopped the cover download
    (a provider's note was Python's words)."""
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 1000
    for digits, said in [(5000, "a Content-Length of 5,000 digits"), (20, None)]:
        length = b"Content-Length: " + b"9" * digits
        answer = b"HTTP/1.1 200 OK\r\n" + length + b"\r\nConnection: close\r\n\r\nok"
        with raw_http_server(lambda conn, head, answer=answer: conn.sendall(answer)) as server:
            covers.OPENLIBRARY_COVERS_URL = settings.OPENLIBRARY_URL = server.url
            with pytest.raises(CoverRejected) as caught:
                fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
            result = openlibrary.lookup_isbns([ISBN])[ISBN]
        refused = caught.value
        assert result.status == LookupStatus.UNPARSEABLE, result
        if said:
            assert refused.reason == RejectionReason.CORRUPT, refused
            assert refused.message.startswith(said), refused.message
            assert said in result.fault.message, result.fault.message
        else:  # a number, only a large one
            assert refused.reason == RejectionReason.TOO_LARGE, refused
            assert result.error.startswith("answer too large: Content-Length 99,999"), result


def test_a_content_length_of_digits_or_beside_chunked_framing_is_read(
    covers, settings, openlibrary
):
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Length: abc\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    with raw_http_server(lambda conn, head: conn.sendall(chunked)) as server:
        settings.OPENLIBRARY_URL = server.url
        assert openlibrary.lookup_isbns([ISBN])[ISBN].status == LookupStatus.NOT_FOUND
    with raw_http_server(lambda conn, head: conn.sendall(b"HTTP/1.1 200 OK\r\n" + END)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == b"ok"
