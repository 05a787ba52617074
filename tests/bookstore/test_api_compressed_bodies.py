"""A request body sent compressed (`Content-Encoding: gzip`, as some HTTP clients do to save
bytes): no endpoint reads one, and each says so as RFC 9110 §15.5.16 asks: 415 with
`Accept-Encoding`, which tells it from a body type the endpoint does not read."""

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from catalog.models import ImportJob
from tests.api_schema import assert_answer_matches_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]
TRIGGER_ALL_URL = reverse("api:enrichment-trigger-all")


def assert_refused_as_compressed(response, coding: str = "gzip") -> None:
    assert response.status_code == 415
    assert response["Accept-Encoding"] == "identity"
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["message"] == (
        f'This endpoint does not read a body with Content-Encoding "{coding}": send it '
        "uncompressed."
    )


@pytest.mark.parametrize("coding", ["gzip", "GZIP", "br", "deflate"])
def test_a_compressed_json_body_is_415_with_accept_encoding_and_nothing_is_done(
    admin_api, sent_tasks, coding
):
    """It was a 400 "JSON parse error - 'utf-8' codec can't decode byte 0x8b…": the client was
    told its JSON was bad, when only its compression was not read."""
    body = gzip.compress(b'{"covers": true, "metadata": true}')

    response = admin_api.post(
        TRIGGER_ALL_URL, body, content_type="application/json", HTTP_CONTENT_ENCODING=coding
    )

    assert_refused_as_compressed(response, coding)
    assert sent_tasks == []
    assert_answer_matches_schema(admin_api, "/api/v1/enrichment/trigger-all", "post", response)


def test_a_compressed_upload_is_415_and_no_job_is_made(admin_api):
    form = {"file": SimpleUploadedFile("synthetic-export.csv", b"Title\nA\n", "text/csv")}
    body = gzip.compress(encode_multipart(BOUNDARY, form))

    response = admin_api.post(
        reverse("api:import-create"),
        body,
        content_type=MULTIPART_CONTENT,
        HTTP_CONTENT_ENCODING="gzip",
    )

    assert_refused_as_compressed(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("coding", ["identity", "", " "])
def test_a_body_said_to_be_uncompressed_is_read(admin_api, sent_tasks, coding):
    response = admin_api.post(
        TRIGGER_ALL_URL,
        b'{"covers": true, "metadata": false}',
        content_type="application/json",
        HTTP_CONTENT_ENCODING=coding,
    )

    assert response.status_code == 202, response.content
