"""A redirect from https to plain http, from real servers on 127.0.0.1: a TLS server
(tls_servers, its certificate trusted by the client) whose answer redirects to a plain-HTTP
server (raw_http_server) on the same host.

The operator asked for https: an answer that came over plain http could have been changed on
the way, and is stored and shown to reviewers. A provider's redirect so is refused like one to a
private address, where it was followed and the plain-http answer proposed. A cover's is refused
too, even to a host the operator named (which may use plain http, but not after https), where
that one was followed and the plain-http image stored; a redirect to a public cover host's
plain-http URL is asked over https, as its first URL is (test_covers_fetch).
"""

import pytest

from enrichment.candidates import LookupStatus
from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from enrichment.covers.fetch import cover_session
from enrichment.providers.http import session_for
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body
from tests.enrichment.raw_http_server import raw_http_server
from tests.enrichment.tls_servers import tls_answering_server
from tests.fixtures.covers import synthetic

ISBN = "9780316030571"
RECORDED_ANSWER = body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")
JPEG = synthetic.read("synthetic-cover-400x600.jpg")


def redirect_to(location: str) -> bytes:
    return (
        b"HTTP/1.1 302 Found\r\nLocation: " + location.encode()
        + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )  # fmt: skip


def answer(payload: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nContent-Length: " + str(len(payload)).encode()
        + b"\r\nConnection: close\r\n\r\n" + payload
    )  # fmt: skip


@pytest.fixture
def plain_answer():
    with raw_http_server(
        lambda conn, head: conn.sendall(answer(RECORDED_ANSWER, b"application/json"))
    ) as server:
        yield server


@pytest.fixture
def plain_image():
    with raw_http_server(lambda conn, head: conn.sendall(answer(JPEG, b"image/jpeg"))) as server:
        yield server


def test_a_provider_redirect_from_https_to_plain_http_is_refused(
    settings, make, monkeypatch, tmp_path, plain_answer
):
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 1, 2
    target = f"{plain_answer.url}/api/books?bibkeys=ISBN:{ISBN}&format=json&jscmd=data"
    with tls_answering_server(redirect_to(target), tmp_path) as secure:
        settings.OPENLIBRARY_URL = f"https://127.0.0.1:{secure.port}"
        monkeypatch.setattr(session_for(OpenLibraryProvider), "verify", secure.ca)
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would win over `verify`
            monkeypatch.delenv(name, raising=False)
        result = make(OpenLibraryProvider).lookup_isbns([ISBN])[ISBN]
    assert not plain_answer.heads  # nothing was asked over plain http
    assert result.status == LookupStatus.SERVER_ERROR, result
    assert f"redirect from https://127.0.0.1:{secure.port}/api/books refused" in result.error
    assert "from https to plain http" in result.error


def test_a_cover_redirect_from_https_to_plain_http_on_a_public_host_is_refused(
    cover_settings, dns, monkeypatch, tmp_path
):
    """A host the operator did not name must stay on https: a plain-http URL on a port of its
    own is not one https could stand in for."""
    dns.table["covers.openlibrary.org"] = ["127.0.0.1"]
    dns.table["ia800100.us.archive.org"] = ["93.184.216.34"]  # public: the address check passes
    location = "http://ia800100.us.archive.org:80/view/1-L.jpg"
    with tls_answering_server(redirect_to(location), tmp_path) as secure:
        cover_settings.COVER_ALLOWED_HOSTS = []
        cover_settings.OPENLIBRARY_COVERS_URL = f"https://{secure.host}:{secure.port}"
        dns.table[secure.host] = ["127.0.0.1"]
        monkeypatch.setattr(cover_session(), "verify", secure.ca)
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"https://{secure.host}:{secure.port}/b/id/1-L.jpg")
    assert caught.value.reason == RejectionReason.NOT_HTTPS, caught.value


def test_a_cover_redirect_from_https_to_plain_http_on_an_operator_host_is_refused(
    cover_settings, dns, monkeypatch, tmp_path, plain_image
):
    """The operator's mirror may serve covers over plain http, but a download that began on
    https stays there: the plain-http image was fetched and stored."""
    cover_settings.COVER_ALLOWED_HOSTS = ["127.0.0.1", "covers.mirror.test"]  # any port
    dns.table["covers.mirror.test"] = ["127.0.0.1"]
    with tls_answering_server(redirect_to(f"{plain_image.url}/b/id/1-L.jpg"), tmp_path) as secure:
        monkeypatch.setattr(cover_session(), "verify", secure.ca)
        start = f"https://{secure.host}:{secure.port}/b/id/1-L.jpg"
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(start)
    assert not plain_image.heads  # nothing was asked over plain http
    refused = caught.value
    assert refused.reason == RejectionReason.NOT_HTTPS and not refused.retryable, refused
    assert refused.message == f"redirect from {start} refused: from https to plain http"


def test_a_cover_on_an_operator_host_over_plain_http_is_still_fetched(covers, plain_image):
    """Plain http is allowed where the operator allowed it, from the first URL on."""
    covers.COVER_ALLOWED_HOSTS = ["127.0.0.1"]
    assert fetch_cover_bytes(f"{plain_image.url}/b/id/1-L.jpg") == JPEG
