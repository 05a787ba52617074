"""GET imports/{id} and POST imports/ when the storage cannot be asked or refuses: the job keeps
its recorded file status and says it is unchecked, the job's read asks the storage once, and an
upload the storage refuses is a documented JSON 503 with no job recorded. Split from
test_imports.py."""

import pytest
from django.core.files.storage import storages

from catalog.models import ImportJob
from tests.api_schema import assert_answer_matches_schema
from tests.catalog.api.conftest import client_for, error_of
from tests.catalog.api.test_imports import TWO_BOOKS, job_url, upload
from tests.catalog.test_import_files_s3 import refusing_s3
from tests.s3_emulator import count_calls

pytestmark = pytest.mark.django_db


def test_a_job_whose_storage_cannot_be_asked_reads_its_recorded_status_unchecked(
    importer, s3_bucket
):
    """S3 refusing every request: the job page says "Could not be checked"; the endpoint keeps
    the recorded status and says it is unchecked, never a 500."""
    job_id = upload(client_for(importer), TWO_BOOKS, enrich="false").json()["id"]
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        answer = client_for(importer).get(job_url(job_id))

    assert answer.status_code == 200
    assert (answer.json()["file_status"], answer.json()["file_status_checked"]) == (
        "stored",
        False,
    )


def test_the_upload_answers_the_recorded_file_status_and_a_job_asks_the_storage_once(
    importer, s3_bucket
):
    body = upload(client_for(importer), TWO_BOOKS, enrich="false").json()
    assert (body["file_status"], body["file_status_checked"]) == ("stored", False)

    calls = count_calls(storages["imports"])
    body = client_for(importer).get(job_url(body["id"])).json()
    assert (body["file_status"], body["file_status_checked"]) == ("stored", True)
    assert calls.counts == {"HeadObject": 1}


def test_an_upload_the_bucket_refuses_is_a_documented_503_and_records_no_job(
    api_as, importer, s3_bucket, caplog
):
    """S3 refusing every request (credentials revoked): the JSON error every refusal carries,
    with Retry-After, as the schema documents it; before, Django's HTML 500 page."""
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        response = upload(api_as(importer), TWO_BOOKS, enrich="false")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    error = error_of(response)
    assert error == {
        "code": "storage_unavailable",
        "message": "The storage failed to store the uploaded file (the server's log has its "
        "error): nothing was imported. Upload it again later.",
    }
    assert "(403) when calling the HeadObject" in caplog.text  # the storage's words: the log
    assert not ImportJob.objects.exists()
    assert_answer_matches_schema(client_for(importer), "/api/v1/imports/", "post", response)
