"""Answers no well-behaved server sends, from a real server on 127.0.0.1 writing raw bytes
(raw_http_server), to a cover download and a provider request.

Interim (1xx) answers before the answer itself are skipped, as RFC 9110 asks: http.client
skips "100 Continue" only, and a "103 Early Hints" (a CDN's) or "102 Processing" was taken for
the answer, the cover refused for good as "HTTP 103", the provider's lookup a server error
"HTTP 103". A body its Content-Encoding does not describe is a corrupt cover, not a connection
error. The answers are built here (synthetic); the provider's body is the recorded Books API
answer.
"""

import time

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes, verify_cover
from enrichment.covers.errors import reached_no_host
from enrichment.faults import FaultKind, classify_fault, reached_the_server
from tests.enrichment.providers.helpers import body
from tests.enrichment.raw_http_server import raw_http_server, reset
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
ISBN = "9780316030571"
RECORDED_ANSWER = body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </covers.css>; rel=preload; as=style\r\n\r\n"
INTERIM = {
    "103 Early Hints": EARLY_HINTS,
    "102 Processing": b"HTTP/1.1 102 Processing\r\n\r\n",
    "100, 103 and 103": b"HTTP/1.1 100 Continue\r\n\r\n" + EARLY_HINTS * 2,
}


def answer(body: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nContent-Length: " + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n" + body
    )  # fmt: skip


def interim_then(body: bytes, content_type: bytes, interim: bytes):
    return lambda conn, head: conn.sendall(interim + answer(body, content_type))


def endless_interim_answers(conn, head):
    while True:  # until the client hangs up
        try:
            conn.sendall(EARLY_HINTS * 100)
        except OSError:
            return


@pytest.mark.parametrize("interim", INTERIM.values(), ids=INTERIM.keys())
def test_a_cover_after_interim_answers_is_downloaded(covers, interim):
    with raw_http_server(interim_then(JPEG, b"image/jpeg", interim)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG


@pytest.mark.parametrize("interim", INTERIM.values(), ids=INTERIM.keys())
def test_a_provider_answer_after_interim_answers_is_read(settings, openlibrary, interim):
    with raw_http_server(interim_then(RECORDED_ANSWER, b"application/json", interim)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.FOUND, result
    assert result.candidates[0].title == "Use of Weapons"


def test_endless_interim_answers_are_given_up_at_once_and_for_good(covers, settings, openlibrary):
    """A server that sends 1xx answers for ever is not read until the deadline, nor asked
    again: it answers so every time. It was a connection error, retried to the attempt limit."""
    with raw_http_server(endless_interim_answers) as server:
        covers.OPENLIBRARY_COVERS_URL = settings.OPENLIBRARY_URL = server.url
        started = time.monotonic()
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
        seconds = time.monotonic() - started
    said = "more than 10 interim (1xx) answers before the answer"  # MAX_INTERIM_ANSWERS
    refused = caught.value
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable, refused
    assert refused.message.startswith(said), refused.message
    assert result.status == LookupStatus.UNPARSEABLE and said in result.error, result
    assert result.fault.kind == FaultKind.UNPARSEABLE and not result.fault.passes_on_its_own
    assert seconds < 1.0


def test_a_cover_body_its_content_encoding_does_not_describe_is_corrupt_not_a_connection_error(
    covers,
):
    """A "gzip" body that is no gzip: the connection worked, and asking again brings the same
    bytes. It was a retryable connection error, tried again three times."""
    lying = (
        b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: " + str(len(JPEG)).encode() + b"\r\nConnection: close\r\n\r\n" + JPEG
    )
    with raw_http_server(lambda conn, head: conn.sendall(lying)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    assert caught.value.reason == RejectionReason.CORRUPT and not caught.value.retryable
    assert caught.value.message.startswith("undecodable body: "), caught.value.message


def test_a_valid_json_answer_of_50_mb_of_whitespace_is_refused_at_the_cap(settings, openlibrary):
    """The recorded answer, then 50 MB of blanks before its last brace: valid JSON, read only
    as far as ENRICHMENT_MAX_RESPONSE_BYTES, then refused as too large."""
    sent = []

    def blanks(conn, head):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
        conn.sendall(RECORDED_ANSWER.rstrip()[:-1])
        try:
            for _ in range(50 * 16):
                conn.sendall(b" " * 64 * 1024)
                sent.append(64 * 1024)
            conn.sendall(b"}")
        except OSError:  # the client hung up
            return

    with raw_http_server(blanks) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.UNPARSEABLE, result
    assert "answer too large" in result.error
    assert sum(sent) < 20 * 1024 * 1024  # abandoned near the 4 MiB cap, not read to the end


def test_a_refused_cover_url_of_100_kb_is_quoted_short(covers):
    """A record's cover URL of 100 KB that its host answers 414: the refusal, kept with the
    request and shown on its review page, quoted all of it."""
    too_long = b"HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with raw_http_server(lambda conn, head: conn.sendall(too_long)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        url = f"{server.url}/b/id/1-L.jpg?" + "a" * 100_000
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(url)
    assert caught.value.reason == RejectionReason.HTTP_STATUS
    assert caught.value.message.startswith(f"HTTP 414 from {server.url}/b/id/1-L.jpg?aaa")
    assert len(caught.value.message) < 300


def test_an_http_1_0_cover_cut_short_without_a_length_is_refused_as_truncated(covers):
    """Without a Content-Length the body ends where the connection does: the download cannot
    tell a cut from the end, the image's own structure does."""
    cut = b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\n\r\n" + JPEG[: len(JPEG) // 2]
    with raw_http_server(lambda conn, head: conn.sendall(cut)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        data = fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    assert data == JPEG[: len(JPEG) // 2]
    with pytest.raises(CoverRejected) as caught:
        verify_cover(data)
    assert caught.value.reason == RejectionReason.TRUNCATED


def reset_mid_body(conn, head):
    """Headers promising the recorded answer, half of it, then a TCP reset."""
    conn.sendall(answer(RECORDED_ANSWER, b"application/json")[: -len(RECORDED_ANSWER) // 2])
    reset(conn)


def test_a_connection_reset_mid_body_is_a_lost_connection_that_passes(settings, openlibrary):
    """A provider whose connection is reset half way through its answer: the network failed,
    not the provider's answer. It was kind "other", its note the raw exception's first line
    ("('Connection broken: ConnectionResetError(104, …"), and a book past its attempts ended
    failed for it rather than waiting for the provider, as for any network fault."""
    with raw_http_server(reset_mid_body) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    host = f"127.0.0.1:{server.port}"
    assert result.status == LookupStatus.SERVER_ERROR, result
    assert result.fault.kind == FaultKind.CONNECTION_LOST
    assert result.fault.message == f"the connection to {host} was cut off before the answer ended"
    assert result.fault.passes_on_its_own and reached_the_server(result.fault)
    assert "Connection reset by peer" in result.fault.detail


def test_a_cover_whose_connection_is_reset_mid_body_is_retried_as_a_lost_connection(covers):
    with raw_http_server(
        lambda conn, head: (conn.sendall(answer(JPEG, b"image/jpeg")[:-100]), reset(conn))
    ) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    refused = caught.value
    assert refused.reason == RejectionReason.CONNECTION_ERROR and refused.retryable
    # The review page shows it: a line for people first, Python's words after it.
    said = f"the connection to 127.0.0.1:{server.port} was cut off before the answer ended: "
    assert refused.message.startswith(said), refused.message
    assert classify_fault(error=refused.message).kind == FaultKind.CONNECTION_LOST
    assert not reached_no_host(refused.reason, refused.message)  # a host answered: a claim


def two_lengths(body: bytes, content_type: bytes, first: int, second: int) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nContent-Length: " + str(first).encode()
        + b"\r\nContent-Length: " + str(second).encode()
        + b"\r\nConnection: close\r\n\r\n" + body
    )  # fmt: skip


def test_a_cover_with_two_content_lengths_that_disagree_is_refused_for_good(covers):
    """RFC 9112 §6.3: an answer whose Content-Lengths disagree is an unrecoverable error; the
    server answers that URL so every time. It was a connection error, retried three times."""
    lying = two_lengths(JPEG, b"image/jpeg", len(JPEG), len(JPEG) - 100)
    with raw_http_server(lambda conn, head: conn.sendall(lying)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    refused = caught.value
    assert refused.reason == RejectionReason.CORRUPT and not refused.retryable
    assert refused.message == (
        f"Content-Length values that disagree ({len(JPEG)}, {len(JPEG) - 100}): "
        "the server's answers to this URL cannot be read (RFC 9112 §6.3)"
    )


def test_a_provider_answer_with_two_content_lengths_that_disagree_is_unreadable(
    settings, openlibrary
):
    size = len(RECORDED_ANSWER)
    lying = two_lengths(RECORDED_ANSWER, b"application/json", size, size + 7)
    with raw_http_server(lambda conn, head: conn.sendall(lying)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.UNPARSEABLE, result
    assert result.fault.kind == FaultKind.UNPARSEABLE
    assert result.fault.message == (
        f"127.0.0.1:{server.port} sent an answer we could not read: Content-Length values that "
        f"disagree ({size}, {size + 7}): the server's answers to this URL cannot be read "
        "(RFC 9112 §6.3)"
    )


def test_two_content_lengths_that_agree_are_one(settings, openlibrary, covers):
    size = len(RECORDED_ANSWER)
    same = two_lengths(RECORDED_ANSWER, b"application/json", size, size)
    with raw_http_server(lambda conn, head: conn.sendall(same)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.FOUND, result


def test_a_304_to_a_request_that_sent_no_validator_says_what_it_is(covers, settings, openlibrary):
    """ "304 Not Modified" to a request that named nothing cached: no answer. The provider's note
    read "127.0.0.1:…: HTTP 304: ", a line cut off after a colon."""
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nConnection: close\r\n\r\n'
    with raw_http_server(lambda conn, head: conn.sendall(not_modified)) as server:
        covers.OPENLIBRARY_COVERS_URL = settings.OPENLIBRARY_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert all(
        b"If-None-Match" not in head and b"If-Modified-Since" not in head for head in server.heads
    )
    assert caught.value.reason == RejectionReason.HTTP_STATUS and not caught.value.retryable
    assert caught.value.message == f"HTTP 304 from {server.url}/b/id/1-L.jpg"
    assert result.status == LookupStatus.SERVER_ERROR, result
    assert result.fault.message == (
        f"127.0.0.1:{server.port} answered HTTP 304 where an answer was expected"
    )
