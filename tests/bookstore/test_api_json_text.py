"""A JSON body's text, read by the API's parser (bookstore.api_parsers) as RFC 8259 says JSON
is: UTF-8 whatever charset the Content-Type names, a leading byte order mark ignored."""

import io

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.enrichment.test_review import needs_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]
REASON = '{"reason": "Caf\u00e9 cr\u00e8me, another edition"}'.encode()


def dismiss(client, body: bytes, content_type: str):
    request = needs_review()
    response = client.post(
        reverse("api:enrichment-dismiss", args=[request.pk]), body, content_type=content_type
    )
    return response, EnrichmentRequest.objects.get(pk=request.pk)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=ISO-8859-1",  # a label JSON has no use for (RFC 8259 §11)
        "application/json; charset=utf-16",
        "application/json; charset=bz2_codec",
        "application/json; charset=no-such-charset",
    ],
)
def test_a_body_is_read_as_utf8_whatever_charset_it_names(admin_api, content_type):
    """`charset=ISO-8859-1` on a UTF-8 body (some HTTP clients' default label) stored the reason
    as "CafÃ© crÃ¨me" in the request's review note and the audit; `charset=utf-16` was a 400
    saying "UTF-16 stream does not start with BOM"."""
    response, request = dismiss(admin_api, REASON, content_type)

    assert response.status_code == 200, response.content
    assert request.review_note == "Dismissed: Caf\u00e9 cr\u00e8me, another edition"


def test_a_byte_order_mark_before_the_json_is_ignored(admin_api):
    """It was a 400 telling the client to "decode using utf-8-sig", Python's advice to the
    server."""
    response, request = dismiss(admin_api, b"\xef\xbb\xbf" + REASON, "application/json")

    assert response.status_code == 200, response.content
    assert request.review_note.endswith("Caf\u00e9 cr\u00e8me, another edition")


@pytest.mark.parametrize(
    "body", ['{"reason": "Caf\u00e9"}'.encode("latin-1"), '{"reason": "x"}'.encode("utf-16")]
)
def test_a_body_that_is_not_utf8_is_a_parse_error_saying_so(admin_api, body):
    response, request = dismiss(admin_api, body, "application/json; charset=ISO-8859-1")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "JSON parse error - the body is not UTF-8, the one encoding of JSON.",
    }
    assert request.status == EnrichmentRequest.Status.NEEDS_REVIEW


def test_a_body_shorter_than_its_content_length_is_400_incomplete_and_nothing_done(admin_api):
    """A JSON body cut off in transit was "JSON parse error - Unterminated string starting at…",
    as if the client had sent bad JSON."""
    request = needs_review()
    response = admin_api.generic(
        "POST",
        reverse("api:enrichment-dismiss", args=[request.pk]),
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(len(REASON)),
        **{"wsgi.input": io.BytesIO(REASON[:12])},
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "incomplete_body",
        "message": f"The request body is incomplete: 12 of the {len(REASON)} bytes its "
        "Content-Length announced arrived: its sender stopped, or the connection was cut. "
        "Send it again.",
    }
    assert EnrichmentRequest.objects.get(pk=request.pk).status == request.status
