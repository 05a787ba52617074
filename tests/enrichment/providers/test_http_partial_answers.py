"""An answer "206 Partial Content" to a request that asked for all of it (no Range), from a real
server on 127.0.0.1 writing raw bytes (raw_http_server).

A part is not the answer: a provider's first two bytes of a record, "{}", were read as "no such
book" and cached for ENRICHMENT_CACHE_MISS_DAYS; a cover's part was refused as "HTTP 206", as if
the host had refused it. A 206 whose Content-Range covers the whole representation is the whole
answer. The answers are built here (synthetic); the provider's body is the recorded Books API
answer.
"""

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from tests.enrichment.providers.helpers import body
from tests.enrichment.raw_http_server import served
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
ISBN = "9780316030571"
RECORDED_ANSWER = body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")


def partial(payload: bytes, content_type: bytes, *, first: int, last: int, total: int) -> bytes:
    part = payload[first : last + 1]
    return (
        b"HTTP/1.1 206 Partial Content\r\nContent-Type: " + content_type
        + b"\r\nContent-Range: bytes %d-%d/%d" % (first, last, total)
        + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(part) + part
    )  # fmt: skip


def test_a_part_of_a_provider_answer_is_no_answer(settings, openlibrary):
    size = len(RECORDED_ANSWER)
    with served(partial(b"{}", b"application/json", first=0, last=1, total=size)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.UNPARSEABLE, result
    assert result.fault.message == (
        f"127.0.0.1:{server.port} sent an answer we could not read: a part of the answer "
        f"(Content-Range: bytes 0-1/{size}) to a request for all of it"
    )


def test_a_206_that_covers_the_whole_provider_answer_is_read(settings, openlibrary):
    size = len(RECORDED_ANSWER)
    whole = partial(RECORDED_ANSWER, b"application/json", first=0, last=size - 1, total=size)
    with served(whole) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    assert result.status == LookupStatus.FOUND, result


def test_a_part_of_a_cover_is_refused_as_truncated(covers):
    size = len(JPEG)
    with served(partial(JPEG, b"image/jpeg", first=0, last=99, total=size)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg")
    refused = caught.value
    assert refused.reason == RejectionReason.TRUNCATED and not refused.retryable
    assert refused.message == (
        f"a part of the answer (Content-Range: bytes 0-99/{size}) to a request for all of it"
    )


def test_a_206_that_covers_the_whole_cover_is_the_cover(covers):
    size = len(JPEG)
    with served(partial(JPEG, b"image/jpeg", first=0, last=size - 1, total=size)) as server:
        covers.OPENLIBRARY_COVERS_URL = server.url
        assert fetch_cover_bytes(f"{server.url}/b/id/1-L.jpg") == JPEG
