"""A request body sent without a Content-Length (`Transfer-Encoding: chunked`, as HTTP clients
stream a body of unknown size): Django reads a body only as far as its Content-Length, so it was
read as none, and the endpoint acted on nothing or said something false. Each endpoint answers
411 (RFC 9110 §15.5.12) and does nothing."""

import io
import json

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from catalog.models import ImportJob
from enrichment.models import EnrichmentRequest
from tests.api_schema import assert_answer_matches_schema
from tests.catalog.api.test_imports import TWO_BOOKS, csv_file
from tests.enrichment.test_review import needs_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]

LENGTH_REQUIRED = {
    "code": "length_required",
    "message": "This API reads a body only with its Content-Length: send it again with one, not "
    "Transfer-Encoding: chunked.",
}


def post_chunked(client, url: str, body: bytes, content_type: str):
    """As a WSGI server hands on a chunked body: Transfer-Encoding, no CONTENT_LENGTH."""
    extra = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)}
    return client.generic("POST", url, b"", content_type=content_type, **extra)


def test_a_chunked_dismissal_is_411_and_the_request_still_waits(admin_api):
    """It was a 200: the request dismissed with its reason dropped ("Dismissed.")."""
    request = needs_review()
    url = reverse("api:enrichment-dismiss", args=[request.pk])

    response = post_chunked(admin_api, url, b'{"reason": "another edition"}', "application/json")

    assert response.status_code == 411
    assert response.json()["error"] == LENGTH_REQUIRED
    assert EnrichmentRequest.objects.get(pk=request.pk).status == request.status
    assert_answer_matches_schema(admin_api, "/api/v1/enrichment/{id}/dismiss", "post", response)


def test_a_chunked_trigger_is_411_not_told_its_ids_are_missing(admin_api, sent_tasks):
    body = json.dumps({"work_ids": [1]}).encode()

    response = post_chunked(admin_api, reverse("api:enrichment-trigger"), body, "application/json")

    assert response.status_code == 411
    assert response.json()["error"] == LENGTH_REQUIRED
    assert sent_tasks == []


def test_a_chunked_upload_is_411_not_told_no_file_was_submitted(admin_api):
    body = encode_multipart(BOUNDARY, {"file": csv_file(TWO_BOOKS), "enrich": "false"})

    response = post_chunked(admin_api, reverse("api:import-create"), body, MULTIPART_CONTENT)

    assert response.status_code == 411
    assert response.json()["error"] == LENGTH_REQUIRED
    assert not ImportJob.objects.exists()
    assert_answer_matches_schema(admin_api, "/api/v1/imports/", "post", response)


def test_a_body_with_its_length_is_read_as_before(admin_api):
    request = needs_review()
    url = reverse("api:enrichment-dismiss", args=[request.pk])

    response = admin_api.post(url, {"reason": "another edition"}, format="json")

    assert response.status_code == 200
    assert response.json()["review_note"] == "Dismissed: another edition"
