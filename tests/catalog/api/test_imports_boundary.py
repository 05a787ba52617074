"""An upload whose Content-Type names no boundary (set by hand to `multipart/form-data`, which
drops the one an HTTP library writes), or another boundary than its body was written with: a
JSON 400 saying so, by token as by session, and nothing is saved. The first was Django's own
words ("Multipart form parse error - Invalid boundary in multipart: None"); the second was
misread, the first part running to the end of the body: "the request body is incomplete…
send it again whole" (which fails the same way), or "No file was submitted"."""

import io

import pytest
from django.test.client import BOUNDARY, encode_multipart

from catalog.models import ImportJob
from tests.catalog.api.conftest import client_for, error_of
from tests.catalog.api.test_imports import TWO_BOOKS, UPLOAD_URL, csv_file, stored_uploads
from tests.catalog.api.test_imports_incomplete_body import session_client

pytestmark = pytest.mark.django_db

# The file first, then a flag: the order curl -F and most libraries keep.
BODY = encode_multipart(BOUNDARY, {"file": csv_file(TWO_BOOKS), "enrich": "false"})


@pytest.fixture(params=["token", "session"])
def uploader(request, importer):
    """By session, Django's CSRF check parses the form itself."""
    return client_for(importer) if request.param == "token" else session_client(importer)


def post_form(client, content_type: str):
    extra = {"CONTENT_LENGTH": str(len(BODY)), "wsgi.input": io.BytesIO(BODY)}
    return client.generic("POST", UPLOAD_URL, b"", content_type=content_type, **extra)


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; charset=utf-8",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary=""',
    ],
)
def test_a_form_whose_content_type_names_no_boundary_is_a_400_saying_so(uploader, content_type):
    response = post_form(uploader, content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert error["message"].startswith(f'The Content-Type "{content_type}" names no boundary: ')
    assert 'send "multipart/form-data; boundary=…"' in error["message"]
    assert "Invalid boundary" not in error["message"]
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_boundary_django_cannot_use_is_a_400_naming_it(uploader):
    response = post_form(uploader, 'multipart/form-data; boundary="ends in a space "')

    assert response.status_code == 400
    assert error_of(response)["message"].startswith(
        "The Content-Type's boundary 'ends in a space ' is not one a multipart body can use"
    )
    assert not ImportJob.objects.exists()


def test_a_form_written_with_another_boundary_is_a_400_not_a_file_read_to_the_bodys_end(
    uploader,
):
    response = post_form(uploader, "multipart/form-data; boundary=AnotherBoundary")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "parse_error",
        "message": "The multipart body does not begin with the boundary its Content-Type names "
        '("AnotherBoundary"): send the boundary the body was written with.',
    }
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_the_boundary_the_body_was_written_with_imports_it(uploader):
    response = post_form(uploader, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2 and response.json()["enrich"] is False
