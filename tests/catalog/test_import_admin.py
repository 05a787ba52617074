"""The import form and job page in the admin."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.importers import read_csv
from catalog.importers.generic import guess_column_map
from catalog.models import ImportJob, ImportRow, Work
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"
REAL_SHAPES = FIXTURES.parent / "real_shapes"
UPLOAD_URL = reverse("admin:catalog_importjob_upload")
WORKS_URL = reverse("admin:catalog_work_changelist")


def staff(*codenames: str) -> User:
    user = User.objects.create_user("librarian", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def upload(client, data: bytes, name="export.csv", **fields):
    return client.post(
        UPLOAD_URL,
        {"file": SimpleUploadedFile(name, data), "format": "auto", "enrich": "on", **fields},
    )


def failed_rows_marked_corrected(job: ImportJob) -> None:
    """The job's failed rows as a librarian's hand correction leaves them (their cells are what a
    retry reads): a retry could import them, so the page offers it."""
    job.rows.filter(status=ImportRow.Status.FAILED).update(
        corrected_at=timezone.now(), corrected_columns=["Title"]
    )


@pytest.fixture
def librarian_client(client):
    client.force_login(staff("import_books", "view_work"))
    return client


def test_import_button_shows_only_for_users_who_may_import(client):
    client.force_login(staff("view_work", "add_work"))
    assert b"Import CSV" not in client.get(WORKS_URL).content
    assert client.get(UPLOAD_URL).status_code == 403

    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(WORKS_URL).content.decode()
    assert "Import CSV" in page and UPLOAD_URL in page


def test_the_import_jobs_list_offers_an_import_to_those_who_may_import(client):
    """The list of imports offered no way to start one (only the works list and the index
    did): a librarian reading the history of the imports had to go elsewhere to upload."""
    jobs_url = reverse("admin:catalog_importjob_changelist")
    ImportJob.objects.create(original_filename="goodreads_library_export.csv")
    client.force_login(staff("view_importjob"))
    assert b"Import CSV" not in client.get(jobs_url).content

    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(jobs_url).content.decode()
    assert f'<a href="{UPLOAD_URL}" class="addlink">Import CSV</a>' in page


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_upload_is_csrf_protected():
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("import_books"))
    response = upload(client, (FIXTURES / "storygraph_export.csv").read_bytes())
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_uploading_a_real_export_shows_the_job_with_its_counts(librarian_client):
    response = upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_importjob_change", args=[job.pk])
    assert job.status == "completed" and job.uploaded_by.username == "librarian"
    page = librarian_client.get(response.url).content.decode()
    assert "<progress" in page and 'value="100"' in page
    assert f"{job.created_count}" in page and "Imported 193 rows" in page


ENRICHMENT_OFF = (
    "The books this import created or changed were not queued for enrichment: automatic "
    "enrichment is off on this server (ENRICHMENT_AUTO_ENABLED). To queue them, run "
    "manage.py enrich_missing, or use “Enrich all missing covers / metadata” on the works list."
)


def test_the_upload_form_does_not_offer_enrichment_that_is_off(librarian_client, settings):
    """The box was offered ticked while nothing would be queued: it is unticked, disabled, and
    says why and how to queue the books later; a tick posted anyway enriches nothing."""
    settings.ENRICHMENT_AUTO_ENABLED = False
    page = librarian_client.get(UPLOAD_URL).content.decode()
    box = _enrich_box(page)
    assert " disabled" in box and " checked" not in box
    assert "Automatic enrichment is off on this server (ENRICHMENT_AUTO_ENABLED)" in page
    assert "manage.py enrich_missing" in page

    response = upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert not job.enrich and job.created_count and job.enqueued_count == 0
    assert "icon-yes.svg" not in _enrich_field(librarian_client.get(response.url))

    settings.ENRICHMENT_AUTO_ENABLED = True  # offered, ticked, as before
    page = librarian_client.get(UPLOAD_URL).content.decode()
    box = _enrich_box(page)
    assert " checked" in box and " disabled" not in box
    assert "ENRICHMENT_AUTO_ENABLED" not in page


def _enrich_box(page: str) -> str:
    return re.search(r'<input type="checkbox" name="enrich"[^>]*>', page)[0]


def _enrich_field(response) -> str:
    """The job page's "Enrich" box (beside "Uploaded by" and "Source")."""
    page = response.content.decode()
    start = page.index("fieldBox field-enrich")
    box = page[start : page.index("</div>", start)]
    assert "Enrich" in box
    return box


def test_a_job_whose_books_were_not_queued_because_enrichment_is_off_says_why(
    librarian_client, settings
):
    """ "Enrich ✓" and "queued for enrichment 0" with no word of why: the librarian waited for
    covers that nothing would fetch. A job recorded while enrichment was on, run by a worker
    where it is off, shows no tick and says why."""
    settings.ENRICHMENT_AUTO_ENABLED = True
    settings.IMPORT_INLINE_MAX_ROWS = 0  # recorded here, run on a "worker" below
    response = upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert job.enrich
    settings.ENRICHMENT_AUTO_ENABLED = False
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert not job.enrich and job.created_count and job.enqueued_count == 0
    page = librarian_client.get(response.url)
    assert f'<p class="warning">{ENRICHMENT_OFF}</p>' in page.content.decode()
    assert "icon-yes.svg" not in _enrich_field(page)
    # As it was when the job ran: switching enrichment on later does not take it back.
    settings.ENRICHMENT_AUTO_ENABLED = True
    assert ENRICHMENT_OFF in librarian_client.get(response.url).content.decode()


def test_a_job_not_asked_to_enrich_has_no_such_note(librarian_client, settings):
    settings.ENRICHMENT_AUTO_ENABLED = False
    response = upload(
        librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes(), enrich=""
    )
    assert ENRICHMENT_OFF not in librarian_client.get(response.url).content.decode()


def test_only_a_job_asked_to_enrich_counts_the_books_queued(librarian_client, settings):
    """A job not asked to enrich said "queued for enrichment 0", as if its books were waiting
    their turn; it says none were queued. One asked to counts them (live: data-field)."""
    settings.ENRICHMENT_AUTO_ENABLED = True
    data = (FIXTURES / "storygraph_export.csv").read_bytes()
    page = librarian_client.get(upload(librarian_client, data, enrich="").url).content.decode()
    assert "not queued for enrichment" in page
    assert 'data-field="enqueued"' not in page
    ImportJob.objects.all().delete()
    page = librarian_client.get(upload(librarian_client, data).url).content.decode()
    assert ImportJob.objects.get().enrich
    assert "not queued for enrichment" not in page
    assert re.search(r'queued for enrichment <strong data-field="enqueued">\d+</strong>', page)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "cover.png", "looks like a PNG image"),
        (b"PK\x03\x04\x14\x00", "books.zip", "looks like a ZIP archive"),
        (b"Book Id,Author\n1,A\n", "notitle.csv", "no Title column"),
        (
            (FIXTURES.parent / "real_shapes" / "synthetic-calibredb-list.txt").read_bytes(),
            "books.txt",
            "calibredb catalog books.csv",
        ),
    ],
)
def test_bad_files_get_a_clear_message_and_save_nothing(librarian_client, data, name, message):
    response = upload(librarian_client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0 and Work.objects.count() == 0


def test_oversize_upload_is_refused(librarian_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    response = upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    assert "the limit is 1000" in response.content.decode().replace("\xa0", " ")
    assert ImportJob.objects.count() == 0


def test_the_import_form_says_its_size_limit_before_the_upload(librarian_client, settings):
    """The limit was said only in the refusal, once a librarian had sent a file over it."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    page = librarian_client.get(reverse("admin:catalog_importjob_upload")).content.decode()
    assert "Up to 5.0 MB." in page.replace("\xa0", " ")


def test_failed_rows_are_listed_downloadable_and_retryable(librarian_client):
    data = (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode()
    job_url = upload(librarian_client, data).url
    job = ImportJob.objects.get()
    page = librarian_client.get(job_url).content.decode()
    assert "This row has no title." in page
    failed_csv_url = reverse("admin:catalog_importjob_failed_csv", args=[job.pk])
    assert failed_csv_url in page

    body = librarian_client.get(failed_csv_url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Line", "Reason", "Book Id", "Title"]
    assert rows[1][:4] == ["3", "This row has no title.", "2", ""]

    failed_rows_marked_corrected(job)  # a retry could import it: offered, and run
    response = librarian_client.post(
        reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True
    )
    job.refresh_from_db()
    assert job.failed_count == 1  # still no title: the same honest answer
    # Said as a warning, not as a success: nothing was imported, and why.
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert str(message) == (
        "Retried the failed row: it still fails, for the reason it gives. Correct its cells on "
        "its page, or the file, and import it again."
    )


def test_large_upload_runs_in_the_background_with_a_live_progress_endpoint(
    librarian_client, settings, sent_tasks, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert [(task.func, task.args) for task in sent_tasks] == [
        ("catalog.tasks.run_import_job", (job.pk,))
    ]
    page = librarian_client.get(response.url).content.decode()
    assert "bookstore/progress.js" in page and "Cancel import" in page

    progress_url = reverse("admin:catalog_importjob_progress", args=[job.pk])
    assert librarian_client.get(progress_url).json()["status"] == "pending"
    from catalog.tasks import run_import_job

    run_import_job(job.pk)
    progress = librarian_client.get(progress_url).json()
    assert progress["finished"] and progress["percent"] == 100 and progress["processed"] == 193


def test_cancel_button_stops_a_pending_job(librarian_client, settings, sent_tasks):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    librarian_client.post(reverse("admin:catalog_importjob_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_cancel_says_what_it_did_to_a_running_a_stopping_and_a_finished_import(
    librarian_client, settings, sent_tasks
):
    """A page left open while its import finished offered "Cancel import", whose click said "The
    import will stop after the batch it is working on." of an import that had completed (and
    logged that it was asked to stop); once asked, the button stayed, and a second click said it
    again and wrote the second librarian in as the one who asked."""
    settings.IMPORT_INLINE_MAX_ROWS = 10
    upload(librarian_client, (FIXTURES / "storygraph_export.csv").read_bytes())
    job = ImportJob.objects.get()
    job_url = reverse("admin:catalog_importjob_change", args=[job.pk])
    cancel_url = reverse("admin:catalog_importjob_cancel", args=[job.pk])
    librarian_client.get(job_url)  # the upload's own message, read
    ImportJob.objects.filter(pk=job.pk).update(status="running")

    asked = librarian_client.post(cancel_url, follow=True)
    assert messages_of(asked) == ["The import will stop after the batch it is working on."]
    assert "Cancel import" not in asked.content.decode()  # asked once: nothing more to click

    other = User.objects.create_superuser("other", password="pw")
    librarian_client.force_login(other)
    again = librarian_client.post(cancel_url, follow=True)
    assert messages_of(again) == [
        "This import is stopping already: librarian asked it to stop after the batch it is "
        "working on."
    ]
    job.refresh_from_db()
    assert job.cancel_requested_by.username == "librarian"

    ImportJob.objects.filter(pk=job.pk).update(status="completed")
    late = librarian_client.post(cancel_url, follow=True)
    assert messages_of(late) == ["This import had finished already (Completed): nothing to stop."]
    history = librarian_client.get(reverse("admin:catalog_importjob_history", args=[job.pk]))
    assert history.content.decode().count("Asked the import to stop.") == 1
    assert librarian_client.get(job_url).status_code == 200


def test_retry_from_a_page_left_open_after_the_failed_rows_were_mended_says_so(
    librarian_client,
):
    """Its failed row corrected and re-run (or retried) from another page, the job has none
    left: "Retry failed rows" from the page left open said "Retried the failed rows: none
    imported, all 0 still fail, each for the reason it gives…" and wrote it into the History."""
    data = (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode()
    job_url = upload(librarian_client, data).url
    librarian_client.get(job_url)  # the upload's own message, read
    job = ImportJob.objects.get()
    row = job.rows.get(status="failed")
    mended = librarian_client.post(
        reverse("admin:catalog_importrow_rerun", args=[row.pk]),
        {f"cell_{i}": cell for i, cell in enumerate(row.raw)} | {"cell_1": "Mended"},
    )
    assert mended.status_code == 302
    job.refresh_from_db()
    assert job.failed_count == 0
    librarian_client.get(job_url)

    response = librarian_client.post(
        reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True
    )

    assert messages_of(response) == ["No failed row is left to retry."]
    history = librarian_client.get(reverse("admin:catalog_importjob_history", args=[job.pk]))
    assert "still fail" not in history.content.decode()


@pytest.mark.parametrize("status", ["pending", "running"])
def test_an_import_at_work_is_not_deleted_under_its_worker(client, status):
    """A running import's page offered Delete, which deleted the job while its worker went on:
    the books imported so far stayed with no job to say where they came from, and the worker
    failed ("ImportJob matching query does not exist") after logging that another worker had
    taken it. It is cancelled first; Delete (a page left open, or the list's action) says so."""
    job = ImportJob.objects.create(original_filename="reading.csv", status=status)
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    delete_url = reverse("admin:catalog_importjob_delete", args=[job.pk])
    page = client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content.decode()
    assert "Cancel import" in page and delete_url not in page

    refused = client.post(delete_url, {"post": "yes"})
    text = " ".join(re.sub(r"<[^>]+>", " ", refused.content.decode()).split())
    assert refused.status_code == 200 and ImportJob.objects.filter(pk=job.pk).exists()
    assert (
        f"Import #{job.pk}: reading.csv is still at work: cancel it on its page, then delete it "
        "once it has stopped."
    ) in text
    assert "protected related objects" not in text and "Yes, I’m sure" not in text

    listed = client.post(
        reverse("admin:catalog_importjob_changelist"),
        {"action": "delete_selected", "_selected_action": [job.pk], "post": "yes"},
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", listed.content.decode()).split())
    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert (
        "This import is still at work: cancel it on its page, then delete it once it has "
        "stopped. Nothing was deleted."
    ) in text
    assert "protected related objects" not in text


def test_retry_and_cancel_need_post_and_permission(client):
    job = ImportJob.objects.create(original_filename="x.csv", status="completed")
    client.force_login(staff("view_importjob"))
    assert client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).status_code == 200
    assert client.post(reverse("admin:catalog_importjob_retry", args=[job.pk])).status_code == 403
    assert client.post(reverse("admin:catalog_importjob_cancel", args=[job.pk])).status_code == 403
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    assert client.get(reverse("admin:catalog_importjob_retry", args=[job.pk])).status_code == 405


def test_an_oversize_upload_stops_being_read_at_the_limit(
    librarian_client, settings, stored_upload_bytes
):
    """The admin's upload, as the API's: a huge file was received whole into a temporary file
    (or memory) before the size check refused it."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    huge = (GOODREADS_24 + "\n" + "1,Synthetic Padding,Ann Author\n" * 20_000).encode()

    response = upload(librarian_client, huge)

    assert response.status_code == 200
    assert sum(stored_upload_bytes) == 0  # nothing past the first chunk was read, none kept
    page = response.content.decode().replace("\xa0", " ")
    # The file's size, as the request gives it, not how far reading got ("This file is over
    # 64.0 KB" of a 620 KB file, which its reader knows is bigger than that).
    said = re.search(r"This file is about ([\d.]+) KB; the limit is 1000 bytes\.", page)
    assert said and abs(float(said.group(1)) - len(huge) / 1024) < 1, page
    assert ImportJob.objects.count() == 0


def test_the_upload_form_still_checks_csrf(settings):
    """The view checks CSRF itself (after its size stop is in place): a post without the token
    is refused and imports nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("import_books", "view_work"))

    refused = upload(client, (GOODREADS_24 + "\n1,Good,A\n").encode())
    page = client.get(UPLOAD_URL)
    token = page.cookies["csrftoken"].value
    accepted = upload(client, (GOODREADS_24 + "\n1,Good,A\n").encode(), csrfmiddlewaretoken=token)

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert ImportJob.objects.count() == 1


def test_the_job_page_counts_the_rows_left_out_as_not_books_by_kind(librarian_client):
    """A real Zotero export mixes books with articles, chapters, web pages and a film: the job
    page says how many of each were left out, and the failed-rows download lists them with
    their reason, where all of them became books."""
    name = "zotero-krishardy-item-types.csv"
    data = (REAL_SHAPES / name).read_bytes()
    header = read_csv(data).header
    job = services.import_job_create(
        data=data,
        filename=name,
        enrich=False,
        requested_format="generic",
        column_map=guess_column_map(header),
        uploaded_by=User.objects.get(),
    )
    services.import_job_run(job=job)
    job_url = reverse("admin:catalog_importjob_change", args=[job.pk])
    page = librarian_client.get(job_url).content.decode()
    assert (
        "Of the failed rows, these are not books and were left out: book section "
        "<strong>1</strong> · conference paper <strong>1</strong> · film <strong>1</strong> · "
        "journal article <strong>1</strong> · webpage <strong>1</strong>"
    ) in page
    failed_csv_url = reverse("admin:catalog_importjob_failed_csv", args=[job.pk])
    body = librarian_client.get(failed_csv_url).content.decode("utf-8-sig")
    reasons = [row[1] for row in csv.reader(io.StringIO(body))][1:]
    assert (
        reasons[0] == "Item Type says this is a journal article, not a book; it was not imported."
    )
    assert len(reasons) == 5


@pytest.mark.parametrize(
    ("rows", "summary"),
    [
        # Every row failed: nothing was imported, and the message does not say it was.
        (
            b",Jane Austen,,read\n,Frank Herbert,,read\n",
            "None of the 2 rows was imported: all 2 failed, each for the reason listed on "
            "this page.",
        ),
        (b",Jane Austen,,read\n", "The row was not imported: it failed, for the reason listed"),
        # Some failed: those imported are counted, not every row read.
        (
            b"Dune,Frank Herbert,,read\n,Jane Austen,,read\n",
            "Imported 1 of 2 rows: 1 created, 0 updated, 0 duplicates, 1 failed, 0 with warnings.",
        ),
    ],
)
def test_the_summary_never_calls_failed_rows_imported(librarian_client, rows, summary):
    response = upload(librarian_client, b"Title,Authors,ISBN/UID,Read Status\n" + rows)
    [message] = list(response.wsgi_request._messages)
    assert message.tags == "warning"
    assert message.message.startswith(summary), message.message


def test_a_one_row_import_is_counted_in_the_singular_on_its_page(client):
    """ "1 of 1 row", "It stopped after 0 of 1 row", never "1 rows"."""
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    job = ImportJob.objects.create(original_filename="one.csv", status="cancelled", rows_total=1)
    page = re.sub(
        r"<[^>]+>|\s+",
        " ",
        client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content.decode(),
    )
    page = re.sub(r"\s+", " ", page)
    assert "0 of 1 row ·" in page
    assert "It stopped after 0 of 1 row: the books imported so far" in page
    assert "1 rows" not in page


def test_a_one_row_import_handed_to_a_worker_is_said_in_the_singular(
    librarian_client, settings, sent_tasks
):
    settings.IMPORT_INLINE_MAX_ROWS = 0  # every import goes to a worker
    response = upload(librarian_client, b"Title,Authors,ISBN/UID,Read Status\nDune,F. H.,,read\n")
    [message] = list(response.wsgi_request._messages)
    assert message.message == "1 row is being imported."


def test_the_imports_source_filter_offers_only_formats_a_file_is_read_as(client):
    """ "Detect from the header" is what a librarian asks for, never what a file is read as: a
    choice that listed no import whatever the catalog held."""
    ImportJob.objects.create(original_filename="a.csv", source="goodreads", status="completed")
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("admin:catalog_importjob_changelist")).content.decode()
    assert "Detect from the header" not in page
    assert re.search(r'<a href="\?source__exact=goodreads">Goodreads</a>', page)
    listed = client.get(
        reverse("admin:catalog_importjob_changelist"), {"source__exact": "goodreads"}
    )
    assert "a.csv" in listed.content.decode()


def test_an_import_whose_every_row_failed_is_not_shown_as_a_plain_green_completed(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    upload(client, b"Title,Authors,ISBN/UID,Read Status\n,Jane Austen,,read\n,F. H.,,read\n")
    job = ImportJob.objects.get()
    assert job.status == "completed"  # the job's state: it read every row
    label = "Completed: every row failed"
    badge = re.compile(r'<span class="status-badge" style="background:([^"]+)">([^<]+)</span>')
    job_page = client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content
    jobs_list = client.get(reverse("admin:catalog_importjob_changelist")).content
    for page in (job_page.decode(), jobs_list.decode()):
        [(colour, text)] = badge.findall(page)
        assert text == label and colour != "#2e7d32"  # not the green of an import that went well
    progress = client.get(reverse("admin:catalog_importjob_progress", args=[job.pk])).json()
    assert progress["status_label"] == label
