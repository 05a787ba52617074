"""An upload whose body ends before it is whole (the client stopped or was cut off mid-file, the
connection broke, a body that ends inside its file part) is a JSON 400 saying the body is
incomplete, by token as by session, and nothing is saved. It was "file: No file was submitted."
(Django drops a cut file silently), or a 500 for a broken connection."""

import io

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from catalog.models import ImportJob
from tests.catalog.api.conftest import client_for, error_of
from tests.catalog.api.test_imports import TWO_BOOKS, UPLOAD_URL, csv_file, stored_uploads

pytestmark = pytest.mark.django_db

BODY = encode_multipart(BOUNDARY, {"enrich": "false", "file": csv_file(TWO_BOOKS)})
CLOSING = f"\r\n--{BOUNDARY}--\r\n".encode()


class BrokenConnection(io.BytesIO):
    """A WSGI server's input whose connection broke after its first bytes (OSError)."""

    def read(self, size=-1):
        if self.tell() >= 100:
            raise OSError("Connection reset by peer")
        return super().read(min(size, 100 - self.tell()) if size and size > 0 else 100)


def post_body(client: APIClient, sent: bytes | io.BytesIO, *, announced: int):
    stream = sent if isinstance(sent, io.BytesIO) else io.BytesIO(sent)
    extra = {"CONTENT_LENGTH": str(announced), "wsgi.input": stream}
    return client.generic("POST", UPLOAD_URL, b"", content_type=MULTIPART_CONTENT, **extra)


def session_client(user) -> APIClient:
    """A signed-in session with its CSRF token: Django's CSRF check parses the form itself."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


@pytest.fixture(params=["token", "session"])
def uploader(request, importer) -> APIClient:
    return client_for(importer) if request.param == "token" else session_client(importer)


@pytest.mark.parametrize("cut_at", [len(BODY) // 2, 60], ids=["in the file", "before the file"])
def test_a_body_shorter_than_its_content_length_is_400_incomplete(uploader, cut_at):
    response = post_body(uploader, BODY[:cut_at], announced=len(BODY))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert error_of(response) == {
        "code": "incomplete_body",
        "message": f"The request body is incomplete: {cut_at} of the {len(BODY)} bytes its "
        "Content-Length announced arrived: its sender stopped, or the connection was cut. "
        "Send it again.",
    }
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_body_that_ends_inside_its_file_is_400_incomplete(uploader):
    """Its Content-Length is the bytes sent, but the form never closes: the file may be cut."""
    assert BODY.endswith(CLOSING)
    sent = BODY[: -len(CLOSING)]

    response = post_body(uploader, sent, announced=len(sent))

    assert response.status_code == 400
    assert error_of(response)["code"] == "incomplete_body"
    assert "before the multipart body's closing boundary" in error_of(response)["message"]
    assert not ImportJob.objects.exists() and stored_uploads() == []


def test_a_connection_broken_mid_body_is_400_incomplete_not_a_500(uploader):
    response = post_body(uploader, BrokenConnection(BODY), announced=len(BODY))

    assert response.status_code == 400
    assert error_of(response)["code"] == "incomplete_body"
    assert "100 of the" in error_of(response)["message"]
    assert not ImportJob.objects.exists()


def test_a_whole_body_sent_this_way_is_imported(uploader):
    """The harness itself: the same body, whole, is an import."""
    response = post_body(uploader, BODY, announced=len(BODY))

    assert response.status_code == 201, response.content
