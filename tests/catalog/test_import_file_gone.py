"""An uploaded export no longer stored (deleted after IMPORT_RETENTION_DAYS, or removed from
storage behind the application's back): what the job page, the download, a run and a retry say."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog import services
from catalog.models import ImportJob
from tests.catalog.test_import_admin import failed_rows_marked_corrected
from tests.catalog.test_import_files import (
    SYNTHETIC_HTML_PAYLOAD,
    file_url,
    job_page,
    make_job,
    staff,
    upload,
)

pytestmark = pytest.mark.django_db

FILE_GONE = (
    "The uploaded file is no longer stored (deleted after IMPORT_RETENTION_DAYS days, or removed "
    "from storage): upload it again to import it."
)


def uploaded_file_line(page: str) -> str:
    """What the job page's "Uploaded file:" line reads."""
    line = re.search(r'<label>Uploaded file:</label>\s*<div class="readonly">(.*?)</div>', page)
    assert line is not None, "no Uploaded file line"
    return line[1]


def test_the_page_of_a_job_whose_file_was_not_found_says_so_and_still_retries_its_rows(client):
    """The migration that moved uploads to private storage marks a job it found no file for; its
    page says the file was not found, in words that fit whenever one is (no "moved to private
    storage"), and offers what the kept cells still allow."""
    job = make_job(days_old=0)  # done: one row created, one failed, their cells kept
    failed_rows_marked_corrected(job)  # a retry could import it: offered
    ImportJob.objects.filter(pk=job.pk).update(
        source_file="", file_status=ImportJob.FileStatus.MISSING
    )
    client.force_login(User.objects.create_superuser("root", password="pw"))

    page = client.get(job_page(job)).content.decode()

    assert uploaded_file_line(page) == "File not found"
    assert "private storage" not in page
    assert file_url(job) not in page  # no link to a file that is not there
    assert "Retry failed rows" in page


def remove_from_storage(job: ImportJob) -> None:
    """The file goes behind the application's back: deleted by hand, a volume not mounted."""
    storages["imports"].delete(job.source_file.name)


def test_the_page_of_a_job_whose_file_went_from_storage_says_file_not_found_until_it_is_back(
    client,
):
    """Recorded as stored, the file deleted behind the application's back: the page asks the
    storage and says "File not found", with no link to a 404, and still offers the retry its
    rows' kept cells allow. Nothing is recorded: the file put back (a volume mounted again)
    reads "Stored" with its link."""
    job = make_job(days_old=0)  # done: one row created, one failed, their cells kept
    failed_rows_marked_corrected(job)  # a retry could import it: offered
    data = storages["imports"].open(job.source_file.name).read()
    remove_from_storage(job)
    client.force_login(User.objects.create_superuser("root", password="pw"))

    page = client.get(job_page(job)).content.decode()

    assert uploaded_file_line(page) == "File not found"
    assert file_url(job) not in page
    assert "Retry failed rows" in page
    job.refresh_from_db()
    assert job.file_status == ImportJob.FileStatus.STORED  # a finding of this look only

    storages["imports"].save(job.source_file.name, ContentFile(data))
    page = client.get(job_page(job)).content.decode()
    assert uploaded_file_line(page) == "Stored" and file_url(job) in page


@pytest.mark.parametrize("how", ["removed from storage", "marked missing"])
def test_a_job_whose_file_is_gone_fails_saying_so_where_the_librarian_reads_it(
    client, how, caplog, tmp_path, monkeypatch
):
    job = make_job(days_old=0, status="pending")
    name = job.source_file.name
    if how == "removed from storage":
        remove_from_storage(job)
    else:  # as the migration left a job it found no file for: a retry's resume reads the file
        ImportJob.objects.filter(pk=job.pk).update(
            source_file="", file_status=ImportJob.FileStatus.MISSING
        )
        job.refresh_from_db()
    services.import_job_run(job=job)
    job.refresh_from_db()

    assert (job.status, job.error) == ("failed", FILE_GONE)  # no path, no "attribute"
    if how == "removed from storage":
        assert name in caplog.text  # the storage's own words, for whoever keeps the server
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert FILE_GONE in client.get(job_page(job)).content.decode()
    api = client.get(reverse("api:import-detail", args=[job.pk]))
    assert api.json()["error"] == FILE_GONE


def test_import_books_json_says_in_words_that_the_file_went_before_the_run(tmp_path, monkeypatch):
    create = services.import_job_create

    def created_then_removed(**kwargs):
        job = create(**kwargs)
        remove_from_storage(job)
        return job

    monkeypatch.setattr(services, "import_job_create", created_then_removed)
    path = tmp_path / "export.csv"
    path.write_bytes(SYNTHETIC_HTML_PAYLOAD)
    out = StringIO()
    with pytest.raises(CommandError, match="no longer stored"):
        call_command("import_books", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["error"] == FILE_GONE


def test_downloading_a_file_no_longer_stored_is_a_page_that_says_why(client, caplog):
    uploader = staff("uploader", "import_books")
    client.force_login(uploader)
    job = upload(client, SYNTHETIC_HTML_PAYLOAD, "payload.html")
    remove_from_storage(job)

    response = client.get(file_url(job))
    assert response.status_code == 404
    page = response.content.decode()
    assert FILE_GONE in page and job_page(job) in page  # why, and the way back to the import
    assert job.source_file.name not in page
    assert job.source_file.name in caplog.text
    # The failed row is still retried from its kept cells, which do not need the file.
    failed_rows_marked_corrected(job)  # a retry could import it: the view runs one
    response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)
    assert response.status_code == 200
    said = [str(message) for message in response.context["messages"]]
    assert said and "still fails" in said[-1]


def test_a_retry_that_stops_says_why_rather_than_counting_rows(client, monkeypatch):
    client.force_login(staff("uploader", "import_books"))
    job = upload(client, SYNTHETIC_HTML_PAYLOAD, "payload.html")
    assert job.failed_count == 1

    def broken_batch(**kwargs):
        raise RuntimeError("synthetic failure during a retry")

    failed_rows_marked_corrected(job)  # a retry could import it: the view runs one
    monkeypatch.setattr(services.rows, "import_rows", broken_batch)
    response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "failed"
    said = [str(message) for message in response.context["messages"]]
    assert said[-1] == job.error and "unexpected error" in job.error
    assert "synthetic failure" not in response.content.decode()
