"""An import's History in the admin: its upload, cancel and retry, by whom; a row's History is
its import's (split from test_import_admin.py, whose helpers it uses)."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import ImportJob
from tests.catalog.test_import_admin import failed_rows_marked_corrected, staff, upload
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db


def history_text(client, job) -> str:
    page = client.get(reverse("admin:catalog_importjob_history", args=[job.pk])).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_an_imports_history_lists_its_upload_cancel_and_retry_by_whom(client, settings):
    """It said "This object doesn't have a change history. It probably wasn't added via this
    admin site." of a file uploaded, cancelled and retried through this admin site."""
    client.force_login(staff("import_books", "view_importjob"))
    upload(client, (GOODREADS_24 + "\n1,Good,A\n2,,B\n").encode(), name="mine.csv")
    job = ImportJob.objects.get()
    failed_rows_marked_corrected(job)  # a retry could import it: offered, and run
    client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]))
    settings.IMPORT_INLINE_MAX_ROWS = 0
    upload(client, (GOODREADS_24 + "\n1,Good,A\n").encode(), name="later.csv")
    later = ImportJob.objects.latest("pk")
    client.post(reverse("admin:catalog_importjob_cancel", args=[later.pk]))

    history = history_text(client, job)
    assert "probably wasn" not in history
    assert "librarian Uploaded mine.csv through the import form: 2 rows, read as Goodreads." in (
        history
    )
    assert "librarian Retried the failed row: it still fails, for the reason it gives." in history
    later_history = history_text(client, later)
    assert "librarian Uploaded later.csv through the import form: 1 row" in later_history
    assert "librarian Asked the import to stop" in later_history


def test_an_import_rows_history_is_its_imports(client, mixed_job):
    """A row is changed only by a re-run, which its import's History records."""
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    row = mixed_job.rows.get(line_number=5)
    response = client.get(reverse("admin:catalog_importrow_history", args=[row.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_importjob_history", args=[mixed_job.pk])


def test_a_retried_row_that_imports_now_is_said_in_the_singular(client, monkeypatch):
    """It said "Retried the failed rows: 1 imported, 0 still failing." of one row."""
    from catalog.importers import GoodreadsImporter
    from catalog.importers.base import RowError

    normalize = GoodreadsImporter.normalize

    def flaky(self, cells):
        if "Good" in cells:
            raise RowError("Temporarily unreadable.")
        return normalize(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", flaky)
    client.force_login(staff("import_books", "view_importjob"))
    upload(client, (GOODREADS_24 + "\n1,Good,A\n2,Fine,B\n").encode(), name="mine.csv")
    job = ImportJob.objects.get()
    assert job.failed_count == 1
    monkeypatch.setattr(GoodreadsImporter, "normalize", normalize)  # readable now

    response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert "Retried the failed row: it is imported now." in messages, messages
    assert "librarian Retried the failed row: it is imported now." in history_text(client, job)
