"""Uploaded exports on S3-compatible storage, against moto's S3 **emulator** (a real HTTP server
on a loopback port: tests/s3_emulator.py): a private prefix and ACL, streamed back only by the
permission-checked download view, deleted by the retention purge and the holds' purge."""

import datetime
import json
import re

import pytest
import requests
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from catalog import services, upload_holds
from catalog.models import ImportJob
from tests.catalog.test_import_file_gone import FILE_GONE, uploaded_file_line
from tests.catalog.test_import_files import staff, upload
from tests.catalog.test_importers import GOODREADS_24
from tests.enrichment.providers.local_server import LocalServer
from tests.s3_emulator import count_calls

pytestmark = pytest.mark.django_db
RANDOM_NAME = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}$")
SYNTHETIC_EXPORT = (GOODREADS_24 + "\n1,The Dispossessed,Ursula K. Le Guin\n").encode()
EVERYONE = "http://acs.amazonaws.com/groups/global/AllUsers"


def test_an_upload_goes_to_the_private_prefix_and_the_emulator_refuses_anonymous_reads(
    client, s3_bucket
):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    assert job.status == "completed" and job.created_count == 1  # read back from the bucket
    name = job.source_file.name
    assert RANDOM_NAME.match(name), name
    key = f"private-imports/{name}"
    assert s3_bucket.keys() == [key]  # nothing under the covers' names

    acl = s3_bucket.emulator.client().get_object_acl(Bucket=s3_bucket.name, Key=key)
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # the owner's
    assert all(grant["Grantee"].get("URI") != EVERYONE for grant in acl["Grants"])
    # moto enforces the ACL on an unsigned request: the object's plain URL is refused.
    plain = f"{s3_bucket.emulator.endpoint}/{s3_bucket.name}/{key}"
    assert requests.get(plain, timeout=5).status_code == 403
    # The storage's own URLs are signed, never through a CDN domain (no page shows them).
    signed = storages["imports"].url(name)
    assert "Signature=" in signed and signed.startswith(plain)


def test_the_download_view_streams_the_object_to_a_permitted_user_only(client, s3_bucket):
    uploader = staff("uploader", "import_books")
    client.force_login(uploader)
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    download = reverse("admin:catalog_importjob_source_file", args=[job.pk])

    client.force_login(staff("other", "import_books"))
    assert client.get(download).status_code == 403
    client.force_login(staff("viewer", "view_importjob"))
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my_reading_list.csv"'
    assert b"".join(response.streaming_content) == SYNTHETIC_EXPORT


def test_the_retention_purge_deletes_the_object_from_the_bucket(settings, s3_bucket):
    settings.IMPORT_RETENTION_DAYS = 30
    old, recent = (
        services.import_job_create(
            data=SYNTHETIC_EXPORT, filename="export.csv", uploaded_by=None, enrich=False
        )
        for _ in range(2)
    )
    for job in (old, recent):
        services.import_job_run(job=job)
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert len(s3_bucket.keys("private-imports/")) == 2

    assert services.import_files_purge() == 1
    recent.refresh_from_db()
    assert s3_bucket.keys() == [f"private-imports/{recent.source_file.name}"]
    old.refresh_from_db()
    assert old.file_status == ImportJob.FileStatus.DELETED and not old.source_file


def test_held_uploads_wait_in_the_private_prefix_and_are_purged_from_the_bucket(s3_bucket):
    uploader = User.objects.create_user("uploader")
    held = upload_holds.upload_hold(
        data=SYNTHETIC_EXPORT, filename="any.csv", user=uploader, enrich=False
    )
    assert s3_bucket.keys() == [f"private-imports/{held.name}"]
    assert upload_holds.upload_held(token=held.token, user=uploader)[1] == SYNTHETIC_EXPORT
    # Young enough to keep, then past its age: listed and dated through the S3 API.
    assert upload_holds.upload_holds_purge(max_age=datetime.timedelta(hours=1)) == 0
    assert upload_holds.upload_holds_purge(max_age=datetime.timedelta(seconds=-5)) == 1
    assert s3_bucket.keys() == []
    assert upload_holds.upload_holds_purge() == 0  # an empty prefix is no error


def test_a_job_whose_object_is_gone_fails_in_words_and_its_download_says_why(
    client, s3_bucket, caplog
):
    uploader = staff("uploader", "import_books")
    client.force_login(uploader)
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    pending = services.import_job_create(data=SYNTHETIC_EXPORT, filename="export.csv", enrich=False)
    for gone in (job, pending):  # an object deleted from the bucket, a lifecycle rule
        s3_bucket.emulator.client().delete_object(
            Bucket=s3_bucket.name, Key=f"private-imports/{gone.source_file.name}"
        )

    services.import_job_run(job=pending)
    pending.refresh_from_db()
    assert (pending.status, pending.error) == ("failed", FILE_GONE)  # not "File does not exist"
    assert pending.source_file.name in caplog.text
    response = client.get(reverse("admin:catalog_importjob_source_file", args=[job.pk]))
    assert response.status_code == 404 and FILE_GONE in response.content.decode()


def test_the_job_page_asks_the_bucket_once_and_says_whether_the_object_is_there(client, s3_bucket):
    """One HEAD request on the job's page, none on the list of jobs (a request per row)."""
    uploader = staff("uploader", "import_books")
    client.force_login(uploader)
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    page_url = reverse("admin:catalog_importjob_change", args=[job.pk])
    download = reverse("admin:catalog_importjob_source_file", args=[job.pk])
    calls = count_calls(storages["imports"])

    page = client.get(page_url).content.decode()
    assert uploaded_file_line(page) == "Stored" and download in page
    assert calls.counts["HeadObject"] == 1
    client.get(reverse("admin:catalog_importjob_changelist"))
    assert calls.counts["HeadObject"] == 1

    s3_bucket.emulator.client().delete_object(
        Bucket=s3_bucket.name, Key=f"private-imports/{job.source_file.name}"
    )
    page = client.get(page_url).content.decode()
    assert uploaded_file_line(page) == "File not found" and download not in page


def refusing_s3() -> LocalServer:
    """An S3 endpoint that refuses every request, 403 AccessDenied (a synthetic answer in S3's
    error shape, written here): credentials revoked, or a policy without s3:ListBucket, under
    which S3 answers a HEAD of a missing object 403, not 404."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
        b"<Message>synthetic-access-denied</Message></Error>"
    )
    server = LocalServer()
    server.answer = lambda handler: server.send(
        handler,
        [body],
        status=403,
        headers={"Content-Type": "application/xml", "Content-Length": str(len(body))},
    )
    return server


def asked_of_a_refusing_bucket(client, s3_bucket, view: str):
    """An uploader's job, then its admin `view` ("change", "source_file") asked while the bucket
    refuses every request: the job and the answer."""
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_EXPORT, "my reading list.csv")
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        return job, client.get(reverse(f"admin:catalog_importjob_{view}", args=[job.pk]))


def test_a_bucket_that_refuses_the_question_gives_a_page_that_says_it_could_not_be_checked(
    client, s3_bucket, caplog
):
    job, response = asked_of_a_refusing_bucket(client, s3_bucket, "change")

    assert response.status_code == 200
    page = response.content.decode()
    assert uploaded_file_line(page).startswith("Could not be checked: asking the storage failed")
    # The storage's words (a HEAD answer has no body: botocore says "403 ... Forbidden") go to
    # the log, for whoever keeps the server.
    assert "Forbidden" not in page and "HeadObject" not in page
    assert "(403) when calling the HeadObject" in caplog.text
    assert job.source_file.name in caplog.text
    # Its counts and rows are shown as ever, and its file is still recorded as stored.
    assert "my reading list.csv" in page and "See every row" in page
    job.refresh_from_db()
    assert job.file_status == ImportJob.FileStatus.STORED


def test_a_download_the_bucket_refuses_is_a_page_that_says_so_not_a_server_error(
    client, s3_bucket, caplog
):
    job, response = asked_of_a_refusing_bucket(client, s3_bucket, "source_file")

    assert response.status_code == 503
    page = response.content.decode()
    assert "The storage failed to open the uploaded file" in page
    assert reverse("admin:catalog_importjob_change", args=[job.pk]) in page  # the way back
    assert "Forbidden" not in page and "upload it again" not in page  # it is not gone
    assert "(403) when calling the HeadObject" in caplog.text


def test_an_any_csv_upload_the_bucket_refuses_to_hold_is_said_on_the_form(
    client, s3_bucket, caplog
):
    """ "Any CSV" holds the file before its columns are mapped: a storage that refuses to hold it
    is said on the upload form; before, Django's 500 page."""
    client.force_login(staff("uploader", "import_books"))
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        response = client.post(
            reverse("admin:catalog_importjob_upload"),
            {"file": SimpleUploadedFile("list.csv", SYNTHETIC_EXPORT), "format": "generic"},
        )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The storage failed to store the uploaded file (the server's log has its error): "
        "nothing was imported. Upload it again later."
    ]
    assert "(403) when calling the HeadObject" in caplog.text


def test_a_mapped_upload_the_bucket_refuses_to_read_back_sends_back_to_the_form_saying_so(
    client, s3_bucket, caplog
):
    client.force_login(staff("uploader", "import_books"))
    response = client.post(
        reverse("admin:catalog_importjob_upload"),
        {"file": SimpleUploadedFile("list.csv", SYNTHETIC_EXPORT), "format": "generic"},
    )
    token = response.context["form"].initial["token"]
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        response = client.post(
            reverse("admin:catalog_importjob_upload"),
            {"token": token, "title": "Title", "import": "1"},
            follow=True,
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The storage failed to open the uploaded file" in page
    assert "Forbidden" not in page and "(403) when calling the HeadObject" in caplog.text
    assert not ImportJob.objects.exists()


def test_import_books_with_a_bucket_that_refuses_exits_saying_the_file_was_not_stored(
    tmp_path, s3_bucket, capsys
):
    export = tmp_path / "my reading list.csv"
    export.write_bytes(SYNTHETIC_EXPORT)
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        with pytest.raises(CommandError, match="The storage failed to store the uploaded file"):
            call_command("import_books", str(export), "--json", "--no-enrich")

    assert json.loads(capsys.readouterr().out)["error"].startswith(
        "The storage failed to store the uploaded file"
    )
    assert not ImportJob.objects.exists()


def test_a_job_whose_bucket_refuses_to_open_its_file_says_the_storage_failed(s3_bucket, caplog):
    """A worker that cannot open the job's file because the storage refuses: the job says the
    storage failed and how to go on, where it said "an unexpected error"."""
    pending = services.import_job_create(data=SYNTHETIC_EXPORT, filename="export.csv", enrich=False)
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        services.import_job_run(job=pending)
    pending.refresh_from_db()
    assert pending.status == "failed"
    assert pending.error.startswith("The storage failed to open the uploaded file")
    assert "importing the file again finishes it" in pending.error
    assert "HeadObject operation: Forbidden" in caplog.text  # the storage's error, in the log
