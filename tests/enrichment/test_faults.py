"""Classified faults (enrichment.faults): real requests errors from sockets on 127.0.0.1 and a
patched resolver, HTTP statuses, and the texts older rows hold. No network."""

import socket

import pytest
import requests

from enrichment.faults import (
    DETAIL_MAX_CHARS,
    ClassifiedFault,
    FaultKind,
    classify_fault,
    strip_url_queries,
)
from tests.enrichment.providers.local_server import LocalServer

ISBNS = ",".join(f"ISBN:97800000000{n:02d}" for n in range(40))


def refused_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raised(url: str, **kwargs) -> requests.RequestException:
    with pytest.raises(requests.RequestException) as caught:
        requests.get(url, timeout=kwargs.pop("timeout", 2), **kwargs)
    return caught.value


@pytest.fixture
def no_dns(monkeypatch):
    """Every name fails to resolve, as on a machine without a network."""

    def getaddrinfo(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_dns_failure_is_dns_on_its_host_without_the_batch_query(no_dns):
    url = f"https://openlibrary.org/api/books?bibkeys={ISBNS}&format=json&jscmd=data"
    error = raised(url)
    assert "9780000000039" in str(error)  # what used to be stored and shown

    fault = classify_fault(provider="openlibrary", error=error, url=url)

    assert (fault.kind, fault.host, fault.http_status) == (FaultKind.DNS, "openlibrary.org", None)
    assert fault.message == "openlibrary.org could not be found (DNS lookup failed)"
    assert "NameResolutionError" in fault.detail  # the full text is kept for "details"
    assert "/api/books" in fault.detail
    assert "ISBN:" not in fault.detail and "bibkeys" not in fault.detail


def test_a_refused_connection_is_refused_with_its_port():
    port = refused_port()
    url = f"http://127.0.0.1:{port}/api/books?bibkeys={ISBNS}"
    fault = classify_fault(error=raised(url))  # the host from the exception's request
    assert (fault.kind, fault.host) == (FaultKind.REFUSED, f"127.0.0.1:{port}")
    assert fault.message == f"127.0.0.1:{port} refused the connection"
    assert "ISBN:" not in fault.detail


def test_a_server_that_never_answers_is_a_timeout():
    with LocalServer() as server:
        server.answer = lambda handler: server.stop.wait(2)
        error = raised(f"{server.url}/search.json?q=secret", timeout=0.2)
    fault = classify_fault(error=error)
    assert fault.kind == FaultKind.TIMEOUT
    assert "did not answer in time" in fault.message
    assert "secret" not in fault.detail


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (429, FaultKind.HTTP_429, "openlibrary.org answered HTTP 429: too many requests"),
        (503, FaultKind.HTTP_5XX, "openlibrary.org answered HTTP 503: a server error"),
        (403, FaultKind.HTTP_4XX, "openlibrary.org answered HTTP 403: request refused"),
    ],
)
def test_http_statuses_are_classified(status, kind, message):
    fault = classify_fault(
        error=f"HTTP {status}: <html>busy</html>",
        http_status=status,
        url="https://openlibrary.org/api/books?bibkeys=ISBN:9780316030571",
    )
    assert (fault.kind, fault.http_status, fault.message) == (kind, status, message)


def test_an_unreadable_answer_quotes_its_first_line_only():
    fault = classify_fault(error="not JSON (text/html): '<html>\nline two'", status="unparseable")
    assert fault.kind == FaultKind.UNPARSEABLE
    assert (
        fault.message
        == "the provider sent an answer we could not read: not JSON (text/html): '<html>"
    )


def test_the_full_text_is_capped():
    fault = classify_fault(error="x" * (DETAIL_MAX_CHARS * 3))
    assert len(fault.detail) == DETAIL_MAX_CHARS
    assert len(fault.message) < 130


def test_url_queries_and_fragments_are_cut_but_paths_kept():
    text = (
        "HTTPSConnectionPool(host='openlibrary.org', port=443): Max retries exceeded with url: "
        "/api/books?bibkeys=ISBN%3A9780316030571%2CISBN%3A9780060557812&format=json (Caused by "
        "x); see https://www.googleapis.com/books/v1/volumes?q=isbn:9780316030571&key=SECRET#top "
        "or 'http://127.0.0.1:8001/b/id/1-L.jpg?default=false'"
    )
    assert strip_url_queries(text) == (
        "HTTPSConnectionPool(host='openlibrary.org', port=443): Max retries exceeded with url: "
        "/api/books (Caused by x); see https://www.googleapis.com/books/v1/volumes "
        "or 'http://127.0.0.1:8001/b/id/1-L.jpg'"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("HTTPSConnectionPool(host='mtls.example.org', port=443): Read timed out.", "timeout"),
        (
            "HTTPSConnectionPool(host='x.org', port=443): url: /settlsment.jpg (Caused by x)",
            "other",
        ),
        ("[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version", "tls"),
        ("openlibrary: the secure connection to openlibrary.org failed (TLS)", "tls"),
    ],
)
def test_only_tls_own_words_make_a_tls_fault(text, kind):
    """A timeout to mtls.example.org was told as "the secure connection … failed (TLS)"."""
    assert classify_fault(error=text).kind == kind


def test_an_ipv6_host_is_named_in_brackets():
    """ "::1:8080" is another address: a host with its port is written as a URL writes it."""
    fault = classify_fault(error="Connection refused", url="http://[::1]:8080/api/books")
    assert fault.host == "[::1]:8080"
    assert fault.message == "[::1]:8080 refused the connection"
    text = "HTTPConnectionPool(host='::1', port=8080): Max retries exceeded (Connection refused)"
    assert classify_fault(error=text).host == "[::1]:8080"
    assert classify_fault(error="HTTP 503", url="https://[2001:db8::1]/").host == "2001:db8::1"


def test_the_login_in_a_url_is_cut():
    text = (
        "redirect from http://librarian:s3cret@mirror.local:8080/api/books?bibkeys=1 refused; "
        "https://key@example.org/path and https://example.org/a@b stay as they were asked"
    )
    assert strip_url_queries(text) == (
        "redirect from http://mirror.local:8080/api/books refused; "
        "https://example.org/path and https://example.org/a@b stay as they were asked"
    )


def test_a_fault_stored_as_text_by_older_code_is_classified_when_read():
    old = (
        "openlibrary: server_error connection failed: HTTPSConnectionPool(host='openlibrary.org', "
        "port=443): Max retries exceeded with url: /api/books?bibkeys=ISBN:9780316030571 (Caused "
        "by NameResolutionError(\"...: Failed to resolve 'openlibrary.org'\"))"
    )
    fault = ClassifiedFault.from_json(old)
    assert (fault.provider, fault.kind, fault.host) == ("openlibrary", "dns", "openlibrary.org")
    assert "9780316030571" not in fault.detail
    assert ClassifiedFault.from_json(fault.to_json()) == fault  # and it round-trips as JSON
