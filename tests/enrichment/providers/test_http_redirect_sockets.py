"""Provider redirects against a real HTTP server on 127.0.0.1 (a thread): what the client reads of
a redirect's answer, and a Location that is no URL.

The redirecting answers are synthetic, written here; the answer redirected to is the recorded
Open Library record for 9780316030571 (tests/fixtures/providers/openlibrary/).
"""

import json
import time

import pytest

from enrichment.backfill.sources.llm import post_json
from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState
from enrichment.providers.http import ProviderFault
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import load
from tests.enrichment.providers.local_server import LocalServer

pytestmark = pytest.mark.usefixtures("cover_settings")  # the provider hosts at their defaults

ISBN = "9780316030571"
RECORDED_ANSWER = json.dumps(load("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"))
MB = 1024 * 1024
#: A redirect's body: 50 MB without a Content-Length (it ends when the connection does).
ENDLESS = 50 * 16
CHUNK = bytes(64 * 1024)


@pytest.fixture
def server(settings):
    with LocalServer() as local:
        settings.OPENLIBRARY_URL = local.url
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 1, 3
        yield local


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def redirect_then_answer(server: LocalServer, status: int = 302, to: str = "", body=ENDLESS):
    """/api/books redirects (its body `body` chunks long: never ending by default) to
    `to`/v2/api/books, which answers."""

    def answer(handler):
        if handler.path.startswith("/v2/"):
            data = RECORDED_ANSWER.encode()
            server.send(handler, [data], headers={"Content-Length": str(len(data))})
        else:
            location = f"{to}/v2{handler.path}"
            server.send(handler, [CHUNK] * body, status=status, headers={"Location": location})

    return answer


def test_a_followed_redirect_whose_body_never_ends_is_not_read(server, openlibrary):
    # requests read a redirect's whole body before following it, under no byte cap: a body that
    # never ended filled memory until the deadline, and the lookup read as a timeout.
    server.answer = redirect_then_answer(server)
    started = time.monotonic()

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND
    assert result.candidates[0].title == "Use of Weapons"
    assert time.monotonic() - started < 1
    assert server.body_bytes_sent < 30 * MB  # socket buffers at most, far from 50 MB


def test_a_redirect_not_followed_is_not_read_either(server, settings):
    # The language-model source follows no redirect, yet requests read the redirect's body to
    # prepare the next request all the same.
    settings.BACKFILL_LLM_TIMEOUT = 3.0
    server.answer = redirect_then_answer(server, status=307)
    started = time.monotonic()

    with pytest.raises(ProviderFault) as caught:
        post_json(f"{server.url}/v1/chat/completions", {"model": "m"}, "")

    assert caught.value.status == LookupStatus.SERVER_ERROR
    assert caught.value.error.startswith("HTTP 307")
    assert time.monotonic() - started < 1
    assert server.body_bytes_sent < 30 * MB
    assert server.requests == ["/v1/chat/completions"]


def test_a_redirect_to_another_host_connects_to_the_address_it_was_checked_at(
    server, openlibrary, dns, settings
):
    # The check resolved the name, then requests resolved it again to connect: a second answer
    # (DNS rebinding) could send the request to an address nobody checked.
    port = server.httpd.server_port
    settings.COVER_ALLOWED_HOSTS = [f"books-cache.internal:{port}"]  # the operator's mirror
    answers = iter([["127.0.0.1"]])
    dns.table["books-cache.internal"] = lambda: next(answers, ["203.0.113.9"])  # unroutable
    server.answer = redirect_then_answer(server, to=f"http://books-cache.internal:{port}", body=1)

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND, result.error
    assert result.candidates[0].title == "Use of Weapons"
    assert dns.lookups == ["books-cache.internal"]  # asked once: the connection used that answer
    assert [path.split("?")[0] for path in server.requests] == ["/api/books", "/v2/api/books"]


@pytest.mark.parametrize("location", ["http://[::1/latest/meta-data/", "http://\xff\xfe\xc3/"])
def test_a_location_that_is_no_url_is_a_refused_redirect(server, openlibrary, location):
    # It was an unexpected ValueError (UnicodeDecodeError), logged as a bug in our code and
    # shown as an answer we could not read.
    server.answer = lambda handler: server.send(
        handler, [], status=302, headers={"Location": location, "Content-Length": "0"}
    )

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.SERVER_ERROR
    assert "refused: not a URL" in result.error
    assert len(server.requests) == 1


def test_a_redirect_whose_dns_never_answers_is_given_up_at_the_deadline(
    server, openlibrary, dns, settings
):
    # The redirect's check resolves its name outside any socket the deadline can shut.
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 0.3, 0.6
    dns.table["slow-dns.example"] = lambda: (server.stop.wait(3), ["127.0.0.1"])[1]
    server.answer = redirect_then_answer(server, to="http://slow-dns.example", body=1)
    started = time.monotonic()

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.TIMEOUT, result.error
    assert "gave up after 0.9 s" in result.error
    assert time.monotonic() - started < 0.9 + 0.5


def test_a_redirect_loop_is_given_up_after_five_redirects(server, openlibrary):
    # requests followed 30: 31 requests in a burst to a provider asked at one a second.
    server.answer = lambda handler: server.send(
        handler, [], status=302, headers={"Location": handler.path, "Content-Length": "0"}
    )

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.SERVER_ERROR
    assert "Exceeded 5 redirects" in result.error
    assert len(server.requests) == 6  # the request and five redirects


def test_the_login_in_a_provider_url_is_never_said(server, openlibrary, settings):
    """An operator's mirror behind basic auth (OPENLIBRARY_URL with user:password@): a refused
    redirect's error quoted the URL whole, password and all, on every page that shows a
    provider's last error. It names the URL without its login."""
    settings.OPENLIBRARY_URL = server.url.replace("http://", "http://librarian:s3cret@")
    server.answer = redirect_then_answer(server, to="http://169.254.169.254", body=0)

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.SERVER_ERROR
    assert f"redirect from {server.url}/api/books refused" in result.error, result.error
    state = ProviderState.objects.get(provider="openlibrary")
    for said in (result.error, result.fault.detail, state.last_error, state.last_error_detail):
        assert "s3cret" not in said and "librarian@" not in said, said
