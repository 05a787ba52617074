"""A failed import row corrected in the admin and re-run alone: who may, which rows, what the
counts and the row then say, and how the correction is kept and shown.

Every export here is synthetic, built in the test in Goodreads' 24-column shape."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from catalog import services
from catalog.models import Edition, ImportJob, ImportRow, Work
from tests.catalog.import_rows_view_support import (
    HEADER,
    corrected,
    fixed,
    job_page,
    librarian,
    lines_listed,
    local_datetime,
    rerun_url,
    rows_page,
    run,
    synthetic_export,
    touched_work_ids,
    user_with,
)

pytestmark = pytest.mark.django_db

# --- Correcting and re-running a failed row -------------------------------------------------------


def test_a_librarian_corrects_a_failed_row_and_reruns_it_alone(client, mixed_job, settings):
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.import_rows_view_support.record_enrichment"
    ImportJob.objects.filter(pk=mixed_job.pk).update(enrich=True)
    touched_work_ids.clear()
    carol = librarian()
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(carol)
    row_page = client.get(reverse("admin:catalog_importrow_change", args=[failed.pk]))
    assert rerun_url(failed) in row_page.content.decode()
    form_page = client.get(rerun_url(failed)).content.decode()
    assert 'name="cell_2" value="Nobody, Really"' in form_page  # prefilled, one input a column
    works_before = Work.objects.count()

    response = client.post(rerun_url(failed), corrected(failed, Title="Found Its Title"))

    rerun = mixed_job.rows.get(line_number=5)
    assert response.status_code == 302
    # The same row, under the same address: a link to it from before still leads to it.
    assert rerun.pk == failed.pk
    assert response.url == reverse("admin:catalog_importrow_change", args=[failed.pk])
    assert rerun.status == ImportRow.Status.CREATED and rerun.error == ""
    assert rerun.raw[HEADER.index("Title")] == "Found Its Title"
    assert rerun.work.title == "Found Its Title" and Work.objects.count() == works_before + 1
    # Who corrected which columns, and when, on the row that now stands for line 5; not a warning.
    assert (rerun.corrected_by, rerun.corrected_columns) == (carol, ["Title"])
    assert rerun.corrected_at is not None and rerun.messages == []
    mixed_job.refresh_from_db()
    assert (mixed_job.created_count, mixed_job.failed_count) == (3, 0)
    assert mixed_job.rows.count() == 5 and mixed_job.rows_processed == 5
    assert touched_work_ids == [[rerun.work_id]] and mixed_job.enqueued_count == 1
    entry = LogEntry.objects.get()
    assert entry.user == carol and entry.object_id == str(mixed_job.pk)
    assert "Line 5 was re-run: created." in entry.get_change_message()
    page = client.get(response.url).content.decode()
    correction = f"Corrected by carol on {local_datetime(rerun.corrected_at)}: Title"
    assert "Line 5 was re-run: created." in page and correction in page
    assert correction in rows_page(client, job=mixed_job.pk)


def test_a_rerun_row_whose_book_enrichment_being_off_leaves_unqueued_says_so(
    client, mixed_job, settings
):
    """The job page's "queued for enrichment" stays 0 after the rerun: its warnings say why."""
    settings.ENRICHMENT_AUTO_ENABLED = False
    ImportJob.objects.filter(pk=mixed_job.pk).update(enrich=True)
    client.force_login(librarian())
    failed = mixed_job.rows.get(line_number=5)
    client.post(rerun_url(failed), corrected(failed, Title="Found Its Title"))

    mixed_job.refresh_from_db()
    assert mixed_job.rows.get(line_number=5).status == ImportRow.Status.CREATED
    assert mixed_job.enqueued_count == 0
    said = [w for w in mixed_job.warnings if "(ENRICHMENT_AUTO_ENABLED)" in w]
    assert len(said) == 1 and said[0] in job_page(client, mixed_job)


def test_a_rerun_row_is_matched_like_any_row_of_a_batch(client, mixed_job):
    """The corrected row is the same book as an existing edition: it matches by ISBN, and no
    second work is made."""
    knife = Edition.objects.get(publisher="Knopf")
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    works_before = Work.objects.count()
    client.post(
        rerun_url(failed),
        corrected(failed, Title="The Subtle Knife", Author="Philip Pullman", ISBN13=knife.isbn13),
    )
    rerun = mixed_job.rows.get(line_number=5)
    assert rerun.edition_id == knife.pk and Work.objects.count() == works_before
    assert rerun.status in (ImportRow.Status.UPDATED, ImportRow.Status.DUPLICATE)
    mixed_job.refresh_from_db()
    assert mixed_job.failed_count == 0
    assert mixed_job.updated_count + mixed_job.duplicate_count == 3


def test_a_row_rerun_unchanged_stays_failed_and_the_counts_stay(client, mixed_job):
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    response = client.post(rerun_url(failed), corrected(failed), follow=True)
    rerun = mixed_job.rows.get(line_number=5)
    assert rerun.status == ImportRow.Status.FAILED and rerun.error == "This row has no title."
    assert (rerun.corrected_by.username, rerun.corrected_columns) == ("carol", [])
    assert rerun.messages == []
    assert "Re-run unchanged by carol on " in response.content.decode()
    assert "Line 5 was re-run: failed. This row has no title." in response.content.decode()
    mixed_job.refresh_from_db()
    assert (mixed_job.created_count, mixed_job.failed_count) == (2, 1)


def test_a_row_the_database_refuses_fails_alone_with_the_reason(
    client, mixed_job, monkeypatch, caplog
):
    def refuse(**kwargs):
        raise IntegrityError("synthetic refusal")

    monkeypatch.setattr(services.rows, "import_rows", refuse)
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    client.post(rerun_url(failed), corrected(failed, Title="Refused"))
    rerun = mixed_job.rows.get(line_number=5)
    assert rerun.status == ImportRow.Status.FAILED
    # A refusal that names no rule the catalog knows is said so; its text is the log's.
    assert rerun.error == (
        "The catalog's database could not store this row (the server's log has its reason); "
        "the row was not imported."
    )
    assert "synthetic refusal" in caplog.text
    assert rerun.raw[HEADER.index("Title")] == "Refused"  # the correction is kept
    mixed_job.refresh_from_db()
    assert mixed_job.failed_count == 1 and mixed_job.created_count == 2


@pytest.mark.parametrize("line", [2, 3, 4, 6])
def test_only_a_failed_row_can_be_rerun(client, mixed_job, line):
    row = mixed_job.rows.get(line_number=line)
    client.force_login(librarian())
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert rerun_url(row) not in page
    before = (row.status, row.raw, row.work_id)
    response = client.post(rerun_url(row), corrected(row, Title="Changed"), follow=True)
    assert "Only a failed row can be corrected and re-run" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.raw, row.work_id) == before
    mixed_job.refresh_from_db()
    assert [mixed_job.created_count, mixed_job.updated_count, mixed_job.failed_count] == [2, 1, 1]


def test_a_stale_second_rerun_of_the_same_row_is_refused():
    job = run(synthetic_export({"Author": "No Title"}))
    failed = job.rows.get()
    user = librarian()
    cells = list(failed.raw)
    cells[HEADER.index("Title")] = "Fixed"
    services.import_row_rerun(row=failed, cells=cells, user=user)
    with pytest.raises(services.ImportRowRerunRefused):
        services.import_row_rerun(row=failed, cells=cells, user=user)  # the same stale row
    job.refresh_from_db()
    assert (job.created_count, job.failed_count) == (1, 0)
    assert Work.objects.filter(title="Fixed").count() == 1


def test_a_row_of_a_running_import_is_not_rerun(client, mixed_job):
    ImportJob.objects.filter(pk=mixed_job.pk).update(status=ImportJob.Status.RUNNING)
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    response = client.post(rerun_url(failed), corrected(failed, Title="Too Soon"), follow=True)
    assert "still running" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == ImportRow.Status.FAILED


def test_rerunning_someone_elses_row_needs_the_manage_permission(client, mixed_job):
    failed = mixed_job.rows.get(line_number=5)
    row_url = reverse("admin:catalog_importrow_change", args=[failed.pk])
    for user in (user_with("bob", "import_books"), user_with("viewer", "view_importjob")):
        client.force_login(user)
        assert rerun_url(failed) not in client.get(row_url).content.decode()
        assert client.get(rerun_url(failed)).status_code == 403
        response = client.post(rerun_url(failed), corrected(failed, Title="Not Yours"))
        assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == ImportRow.Status.FAILED and not LogEntry.objects.exists()

    client.force_login(mixed_job.uploaded_by)  # alice, the uploader, may
    assert rerun_url(failed) in client.get(row_url).content.decode()
    assert client.post(rerun_url(failed), corrected(failed, Title="Hers")).status_code == 302
    assert mixed_job.rows.get(line_number=5).status == ImportRow.Status.CREATED


def test_rerun_is_csrf_protected(mixed_job):
    failed = mixed_job.rows.get(line_number=5)
    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian())
    response = client.post(rerun_url(failed), corrected(failed, Title="Forged"))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == ImportRow.Status.FAILED


def test_a_corrected_row_is_not_counted_with_warnings_unless_its_reread_warns(client):
    """The correction is the row's history, not a warning: a cleanly corrected row leaves the
    "with warnings" count and filter alone; one whose corrected cells read with a warning (a
    spreadsheet-damaged ISBN) is counted for that warning alone."""
    job = run(synthetic_export({"Author": "No Title"}, {"Author": "Also No Title"}))
    carol = librarian()
    clean, damaged = job.rows.order_by("line_number")
    services.import_row_rerun(row=clean, cells=fixed(clean, Title="Clean Now"), user=carol)
    services.import_row_rerun(
        row=damaged, cells=fixed(damaged, Title="Damaged Now", ISBN13="9.78053E+12"), user=carol
    )
    client.force_login(carol)

    assert re.search(r"with warnings <strong[^>]*>1</strong>", job_page(client, job))
    assert lines_listed(rows_page(client, job=job.pk, warnings="yes")) == [3]
    assert lines_listed(rows_page(client, job=job.pk, warnings="no")) == [2]
    clean_row, damaged_row = job.rows.order_by("line_number")
    assert clean_row.messages == [] and clean_row.corrected_columns == ["Title"]
    assert len(damaged_row.messages) == 1 and "spreadsheet" in damaged_row.messages[0]
    assert damaged_row.corrected_columns == ["Title", "ISBN13"]


def test_a_row_corrected_twice_keeps_every_corrected_column():
    job = run(synthetic_export({"Author": "No Title"}))
    carol, dave = librarian(), librarian("dave")
    first = services.import_row_rerun(
        row=job.rows.get(), cells=fixed(job.rows.get(), Author="Still No Title"), user=carol
    )
    assert first.status == ImportRow.Status.FAILED and first.corrected_columns == ["Author"]
    second = services.import_row_rerun(row=first, cells=fixed(first, Title="Titled"), user=dave)
    assert second.status == ImportRow.Status.CREATED
    assert (second.corrected_by, second.corrected_columns) == (dave, ["Author", "Title"])
    assert second.corrected_at >= first.corrected_at


def test_a_corrected_row_stays_marked_through_retry_failed_rows(monkeypatch):
    """Retrying a job's failed rows replaces their records too: a row corrected by hand that
    the database refused is retried from its corrected cells and still says who corrected it."""
    job = run(synthetic_export({"Author": "No Title"}))
    carol = librarian()

    def refuse(**kwargs):
        raise IntegrityError("synthetic refusal")

    with monkeypatch.context() as patched:
        patched.setattr(services.rows, "import_rows", refuse)
        refused = services.import_row_rerun(
            row=job.rows.get(), cells=fixed(job.rows.get(), Title="Refused Once"), user=carol
        )
    assert refused.status == ImportRow.Status.FAILED and refused.corrected_by == carol

    assert services.import_job_retry_failed(job=job) == 1
    retried = job.rows.get()
    assert retried.pk == refused.pk and retried.status == ImportRow.Status.CREATED
    assert retried.work.title == "Refused Once"
    assert (retried.corrected_by, retried.corrected_at) == (carol, refused.corrected_at)
    assert retried.corrected_columns == ["Title"] and retried.messages == []


def test_the_correction_is_shown_in_the_sites_time_zone_and_survives_its_user(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    job = run(synthetic_export({"Author": "No Title"}))
    carol = librarian()
    row = services.import_row_rerun(
        row=job.rows.get(), cells=fixed(job.rows.get(), Title="Titled"), user=carol
    )
    at = datetime.datetime(2026, 11, 29, 13, 3, tzinfo=datetime.UTC)
    ImportRow.objects.filter(pk=row.pk).update(corrected_at=at)
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    row_url = reverse("admin:catalog_importrow_change", args=[row.pk])
    expected = "Corrected by carol on Nov. 29, 2026, 2:03 p.m.: Title"  # 14:03 in Berlin
    assert expected in rows_page(client, job=job.pk)
    assert expected in client.get(row_url).content.decode()

    carol.delete()
    page = client.get(row_url).content.decode()
    assert "Corrected by a deleted user on Nov. 29, 2026, 2:03 p.m.: Title" in page


def test_a_corrected_rows_cells_are_not_called_the_files(client):
    """The re-run keeps the corrected cells in the row: its page must not present them as the
    export's, and marks the ones changed by hand."""
    job = run(synthetic_export({"Author": "No Title", "Publisher": "Tor"}))
    row = services.import_row_rerun(
        row=job.rows.get(), cells=fixed(job.rows.get(), Title="Titled"), user=librarian()
    )
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert "Cells, as in the file" not in page and "Cells, as corrected" in page
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', page))
    assert "Titled" in cells["Title"] and "corrected" in cells["Title"]
    assert cells["Publisher"] == "Tor"  # as in the file: not marked


def test_a_row_as_in_the_file_says_nothing_of_corrections(client, mixed_job):
    client.force_login(librarian())
    row = mixed_job.rows.get(line_number=2)
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert "Corrected" not in page and "Re-run unchanged" not in page
    assert "Cells, as in the file" in page and "Cells, as corrected" not in page
    assert "Corrected" not in rows_page(client, job=mixed_job.pk)


def test_a_generic_jobs_row_is_reread_with_the_jobs_column_map():
    job = ImportJob.objects.create(
        original_filename="synthetic-any.csv",
        source="generic",
        requested_format="generic",
        column_map={"title": "Book", "author": "Writer"},
        header=["Writer", "Book"],
        status=ImportJob.Status.COMPLETED,
        rows_total=1,
        rows_processed=1,
        failed_count=1,
    )
    failed = ImportRow.objects.create(
        job=job, line_number=2, status="failed", raw=["Mapped Author", ""], error="No title."
    )
    rerun = services.import_row_rerun(
        row=failed, cells=["Mapped Author", "Mapped Title"], user=librarian()
    )
    assert rerun.status == ImportRow.Status.CREATED
    assert rerun.work.title == "Mapped Title"
    assert rerun.work.credits.get().author.name == "Mapped Author"
    assert rerun.corrected_columns == ["Book"]


def test_every_series_a_row_was_read_with_is_shown(client):
    job = ImportJob.objects.create(original_filename="synthetic.csv", header=HEADER)
    several = {
        "title": "Raising Steam",
        "series": "Discworld",
        "series_number": "40",
        "series_entries": [["Discworld", "40"], ["Moist von Lipwig", "3"]],
        "credits": [
            {"name": "Terry Pratchett", "role": "author"},
            {"name": "Synthetic Translator", "role": "translator"},
        ],
    }
    older = {"title": "Going Postal", "series": "Discworld", "series_number": "33"}
    for line, normalized in ((2, several), (3, older)):
        ImportRow.objects.create(
            job=job, line_number=line, status="failed", raw=[], normalized=normalized
        )
    client.force_login(librarian())
    page = rows_page(client, job=job.pk)
    assert "<strong>Raising Steam</strong> (Discworld #40; Moist von Lipwig #3)" in page
    assert "<strong>Going Postal</strong> (Discworld #33)" in page
    row = job.rows.get(line_number=2)
    detail = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content
    assert b'<th scope="row">Series</th><td>Discworld #40; Moist von Lipwig #3</td>' in detail
    assert b"<td>Terry Pratchett; Synthetic Translator (Translator)</td>" in detail
    assert "by Terry Pratchett<" in page and "Synthetic Translator" not in page  # authors only
