"""When an import's page offers "Retry failed rows" (catalog.import_retry_offer): only where a
retry could import a row, and a big job's without reading its rows again. Split from
test_import_admin.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.import_retry_offer import FAILED_ROWS_READ_AT_MOST
from catalog.models import ImportJob, ImportRow
from tests.catalog.test_import_admin import staff, upload
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian_client(client):
    client.force_login(staff("import_books", "view_work"))
    return client


NO_RETRY = "No retry is offered: every failed row failed for what its cells hold"


def test_a_retry_is_offered_only_where_a_failed_row_could_succeed(librarian_client):
    """A row with no title fails on every retry: the button promised what it cannot do. It is
    offered again once a row was corrected by hand, or for a row whose cells read as a book
    (it failed for a reason outside them, here recorded as a database refusal is)."""
    data = (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode()
    job_url = upload(librarian_client, data).url
    job = ImportJob.objects.get()
    page = librarian_client.get(job_url).content.decode()
    assert "This row has no title." in page
    assert "Retry failed rows" not in page
    assert NO_RETRY in page and "Correct and re-run this row" in page

    no_title = job.rows.filter(status=ImportRow.Status.FAILED)
    no_title.update(corrected_at=timezone.now(), corrected_columns=["Title"])
    page = librarian_client.get(job_url).content.decode()
    assert "Retry failed rows" in page and NO_RETRY not in page

    no_title.update(corrected_at=None, corrected_columns=[])
    job.rows.filter(line_number=2).update(
        status=ImportRow.Status.FAILED,
        error="The catalog's database could not store this row; it was not imported.",
    )
    ImportJob.objects.filter(pk=job.pk).update(failed_count=2)
    page = librarian_client.get(job_url).content.decode()
    assert "Retry failed rows" in page and NO_RETRY not in page


def test_a_job_with_more_failed_rows_than_the_page_reads_again_is_offered_the_retry_unread(
    librarian_client,
):
    """Reading every failed row's cells again on each view of the page would cost a big job's
    page its speed: past FAILED_ROWS_READ_AT_MOST failed rows, the retry is offered without
    reading any (nobody can say it would change nothing)."""
    untitled = "".join(f"{n},,Author {n}\n" for n in range(1, FAILED_ROWS_READ_AT_MOST + 2))
    job_url = upload(librarian_client, (GOODREADS_24 + "\n" + untitled).encode()).url
    job = ImportJob.objects.get()
    assert job.failed_count == FAILED_ROWS_READ_AT_MOST + 1
    with CaptureQueriesContext(connection) as queries:
        page = librarian_client.get(job_url).content.decode()
    assert "Retry failed rows" in page and NO_RETRY not in page
    cells_read = 'SELECT "catalog_importrow"."raw" AS "raw" FROM'  # the offer's reading only
    assert not [q for q in queries if q["sql"].startswith(cells_read)]


def test_a_retry_posted_where_no_failed_row_could_succeed_is_refused_and_runs_nothing(
    librarian_client,
):
    """The page offers no retry where every failed row fails for what its cells hold, yet a
    page left open (or a second tab) could still post one: it ran, recorded the librarian as
    having retried, and said the row still fails. Refused as the page's offer is, with why."""
    data = (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode()
    job_url = upload(librarian_client, data).url
    librarian_client.get(job_url)  # the upload's own message, read
    job = ImportJob.objects.get()
    row_before = job.rows.get(status=ImportRow.Status.FAILED)

    response = librarian_client.post(
        reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True
    )

    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert str(message).startswith("Nothing was retried: every failed row failed for what its")
    assert "Correct and re-run this row" in str(message)
    job.refresh_from_db()
    assert (job.status, job.failed_count, job.retried_by, job.retried_at) == (
        "completed",
        1,
        None,
        None,
    )
    assert job.rows.get(status=ImportRow.Status.FAILED).pk == row_before.pk  # not re-run
    history = librarian_client.get(reverse("admin:catalog_importjob_history", args=[job.pk]))
    assert "Retried" not in history.content.decode()
