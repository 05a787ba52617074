"""An S3-compatible endpoint that takes the connection and never answers: every storage call
gives up within AWS_S3_CONNECT_TIMEOUT / AWS_S3_READ_TIMEOUT × AWS_S3_MAX_ATTEMPTS, and the page
that asked says so, instead of holding a web process for botocore's own 60 s per read, retried.

The silent endpoint is a real HTTP server on 127.0.0.1 (a thread) that reads each request and
writes nothing back; it hangs up after HOLD_SECONDS, so that a client without timeouts fails the
test rather than hanging it. The uploads are made first, on moto's S3 emulator.
"""

import time

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookstore.storage_settings import s3_client_config
from catalog.models import ImportJob
from tests.catalog.api.conftest import client_for, error_of, user_with
from tests.catalog.test_import_file_gone import uploaded_file_line
from tests.catalog.test_import_files import staff, upload
from tests.catalog.test_import_files_s3 import SYNTHETIC_EXPORT
from tests.enrichment.providers.local_server import LocalServer

pytestmark = pytest.mark.django_db
READ_TIMEOUT, MAX_ATTEMPTS = 0.5, 2
#: The most a storage call may take here: each attempt's read timeout, the retry's backoff
#: (botocore's standard retries wait at most 50 ms after a timeout) and the page's own work on a
#: loaded two-core machine; still well under HOLD_SECONDS, when the silent server hangs up.
GIVE_UP_SECONDS = READ_TIMEOUT * MAX_ATTEMPTS + 3.0
HOLD_SECONDS = 6.0


def silent_server() -> LocalServer:
    """Takes every request and answers nothing until HOLD_SECONDS have passed."""
    server = LocalServer()

    def hold(handler):
        handler.close_connection = True
        server.stop.wait(HOLD_SECONDS)

    server.answer = hold
    return server


@pytest.fixture
def silence(s3_bucket):
    """Call it to point the test's storages at a silent endpoint, with short timeouts; it
    returns the server, whose `requests` lists what it was asked."""
    with silent_server() as silent:

        def go_silent() -> LocalServer:
            s3_bucket.use(
                AWS_S3_ENDPOINT_URL=silent.url,
                AWS_S3_CONNECT_TIMEOUT="0.5",
                AWS_S3_READ_TIMEOUT=str(READ_TIMEOUT),
                AWS_S3_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
            )
            return silent

        yield go_silent


def timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_a_download_from_a_silent_bucket_is_a_503_page_within_the_timeouts(client, silence, caplog):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    silent = silence()

    response, seconds = timed_get(
        client, reverse("admin:catalog_importjob_source_file", args=[job.pk])
    )

    assert seconds < GIVE_UP_SECONDS, f"the download page took {seconds:.1f} s"
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0  # as the API's 503 says when to ask again
    page = response.content.decode()
    assert "The storage failed to open the uploaded file" in page
    assert "Read timeout" in caplog.text  # botocore's words, for whoever keeps the server
    assert len(silent.requests) == MAX_ATTEMPTS  # asked again once, then given up


def test_the_job_page_says_a_silent_bucket_could_not_be_checked_within_the_timeouts(
    client, silence
):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    silence()

    response, seconds = timed_get(client, reverse("admin:catalog_importjob_change", args=[job.pk]))

    assert seconds < GIVE_UP_SECONDS, f"the job page took {seconds:.1f} s"
    assert response.status_code == 200
    assert uploaded_file_line(response.content.decode()).startswith("Could not be checked")


def test_without_the_variables_storage_calls_give_up_within_seconds_not_minutes():
    env = environ.Env()
    env.ENVIRON = {}
    config = s3_client_config(env)
    assert (config.connect_timeout, config.read_timeout) == (3.0, 5.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}


@pytest.mark.parametrize(
    "variable, value",
    [("AWS_S3_READ_TIMEOUT", "0"), ("AWS_S3_CONNECT_TIMEOUT", "-1"), ("AWS_S3_MAX_ATTEMPTS", "0")],
)
def test_a_timeout_or_attempts_that_would_never_ask_or_never_give_up_is_refused(variable, value):
    env = environ.Env()
    env.ENVIRON = {variable: value}
    with pytest.raises(ImproperlyConfigured, match=variable):
        s3_client_config(env)


def test_an_api_upload_to_a_silent_bucket_is_a_json_503_within_the_timeouts(silence, caplog):
    """Before: Django's HTML 500 page, after the timeouts."""
    uploader = user_with("ivy", "catalog.import_books")
    silence()

    started = time.monotonic()
    response = client_for(uploader).post(
        reverse("api:import-create"),
        {"file": SimpleUploadedFile("synthetic-export.csv", SYNTHETIC_EXPORT), "enrich": "false"},
        format="multipart",
    )
    seconds = time.monotonic() - started

    assert seconds < GIVE_UP_SECONDS, f"the upload took {seconds:.1f} s"
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    error = error_of(response)
    assert error["code"] == "storage_unavailable"
    assert error["message"].startswith("The storage failed to store the uploaded file")
    assert "Upload it again later" in error["message"]
    assert "Read timeout" not in error["message"]
    assert "Read timeout" in caplog.text  # botocore's words, for whoever keeps the server
    assert not ImportJob.objects.exists()  # no job pointing at no file


def test_the_import_form_with_a_silent_bucket_says_on_the_form_the_file_was_not_stored(
    client, silence, caplog
):
    """Before: Django's 500 page, the file lost with no word of why."""
    client.force_login(staff("uploader", "import_books"))
    silence()

    started = time.monotonic()
    response = client.post(
        reverse("admin:catalog_importjob_upload"),
        {"file": SimpleUploadedFile("my reading list.csv", SYNTHETIC_EXPORT), "format": "auto"},
    )
    seconds = time.monotonic() - started

    assert seconds < GIVE_UP_SECONDS, f"the upload took {seconds:.1f} s"
    assert response.status_code == 200  # the form again, to pick the file again
    errors = response.context["form"].errors["file"]
    assert errors == [
        "The storage failed to store the uploaded file (the server's log has its error): "
        "nothing was imported. Upload it again later."
    ]
    assert "Read timeout" not in response.content.decode()
    assert "Read timeout" in caplog.text
    assert not ImportJob.objects.exists()
