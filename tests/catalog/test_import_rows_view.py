"""Every row of an import in view: the job page's counts link to the rows list (paginated,
filtered by status or warnings), each row says what it was read as, what it became or matched
and by which key, its warnings and its cells; a failed row can be corrected and re-run alone.

Every export here is synthetic, built in the test in Goodreads' 24-column shape."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog import services
from catalog.models import Edition, ImportJob, ImportRow, Work
from tests.catalog.test_importers import GOODREADS_24
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
HEADER = GOODREADS_24.split(",")
ROWS_URL = reverse("admin:catalog_importrow_changelist")
touched_work_ids: list[list[int]] = []


def record_enrichment(*, work_ids, trigger):
    touched_work_ids.append(sorted(work_ids))
    return len(work_ids)


def synthetic_export(*rows: dict[str, str]) -> bytes:
    """A Goodreads-shaped CSV from {column: value} rows; quoting done by the csv module."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(column, "") for column in HEADER])
    return out.getvalue().encode()


def user_with(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def librarian(username: str = "carol") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def run(data: bytes, uploaded_by=None) -> ImportJob:
    job = services.import_job_create(
        data=data, filename="synthetic-export.csv", uploaded_by=uploaded_by, enrich=False
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


@pytest.fixture
def mixed_job():
    """A finished job with a created, an updated, a duplicate, a failed and a warning row."""
    knife = make_work("The Subtle Knife", authors=["Philip Pullman"])
    bare = make_edition(knife, publisher="")
    full = make_edition(knife, publisher="Knopf")
    alice = user_with("alice", "import_books")
    job = run(
        synthetic_export(
            {"Title": "A New Book", "Author": "Ann Author"},  # line 2: created
            {"Title": "The Subtle Knife", "Author": "Philip Pullman", "ISBN13": bare.isbn13,
             "Publisher": "Scholastic"},  # line 3: updated (gains a publisher)
            {"Title": "The Subtle Knife", "Author": "Philip Pullman", "ISBN13": full.isbn13,
             "Publisher": "Knopf"},  # line 4: duplicate
            {"Book Id": "77", "Author": "Nobody, Really"},  # line 5: failed, no title
            {"Title": "Damaged Isbn", "Author": "Sheet Spread",
             "ISBN13": "9.78053E+12"},  # line 6: created, with a warning
        ),
        uploaded_by=alice,
    )  # fmt: skip
    # What the matching code records (set here so the page is tested on its own).
    job.rows.filter(line_number__in=[3, 4]).update(matched_by=ImportRow.MatchedBy.ISBN)
    assert [job.created_count, job.updated_count, job.duplicate_count, job.failed_count] == [
        2,
        1,
        1,
        1,
    ]
    return job


def lines_listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="field-line"><a href="[^"]+">(\d+)</a>', page)]


def rows_page(client, **params) -> str:
    response = client.get(ROWS_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def job_page(client, job) -> str:
    response = client.get(reverse("admin:catalog_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The job page and the rows list -------------------------------------------------------------


def test_each_count_on_the_job_page_links_to_exactly_its_rows(client, mixed_job):
    client.force_login(librarian())
    page = job_page(client, mixed_job)
    expected = {
        "created": [2, 6],
        "updated": [3],
        "duplicate": [4],
        "failed": [5],
    }
    for status, lines in expected.items():
        link = f"{ROWS_URL}?job={mixed_job.pk}&amp;status__exact={status}"
        assert link in page, status
        assert lines_listed(rows_page(client, job=mixed_job.pk, status__exact=status)) == lines

    warned = sorted(row.line_number for row in mixed_job.rows.all() if row.messages)
    assert 6 in warned and 2 not in warned  # the damaged ISBN warns; a clean row does not
    assert f"{ROWS_URL}?job={mixed_job.pk}&amp;warnings=yes" in page
    assert re.search(rf"with warnings <strong>{len(warned)}</strong>", page)
    assert lines_listed(rows_page(client, job=mixed_job.pk, warnings="yes")) == warned
    assert lines_listed(rows_page(client, job=mixed_job.pk)) == [2, 3, 4, 5, 6]


def test_the_rows_list_says_what_each_row_became_and_links_the_books(client, mixed_job):
    client.force_login(librarian())
    page = rows_page(client, job=mixed_job.pk)
    knife = Work.objects.get(title="The Subtle Knife")
    duplicate = mixed_job.rows.get(line_number=4)
    assert "Rows of Import #" in page and "synthetic-export.csv" in page
    assert "Matched by ISBN: <a href=" in page
    assert "&#x27;The Subtle Knife&#x27; by Philip Pullman" in page
    assert reverse("admin:catalog_work_change", args=[knife.pk]) in page
    assert reverse("admin:catalog_edition_change", args=[duplicate.edition_id]) in page
    assert f"edition {duplicate.edition.isbn13}" in page
    new = Work.objects.get(title="A New Book")
    assert reverse("admin:catalog_work_change", args=[new.pk]) in page
    assert "by Ann Author" in page  # read as
    assert "This row has no title." in page  # the failed row's reason
    assert "damaged by a spreadsheet" in page  # the warning row's warning


def test_a_title_and_author_match_and_an_earlier_row_are_said_in_words(client, mixed_job):
    mixed_job.rows.filter(line_number=3).update(matched_by=ImportRow.MatchedBy.TITLE_AUTHOR)
    mixed_job.rows.filter(line_number=4).update(matched_by=ImportRow.MatchedBy.EARLIER_ROW)
    client.force_login(librarian())
    page = rows_page(client, job=mixed_job.pk)
    assert "Matched by title and author: <a" in page
    assert "Matched the book an earlier row of this file made: <a" in page


def test_the_rows_of_another_job_or_a_deleted_one_are_not_listed(client, mixed_job):
    other = run(synthetic_export({"Title": "Elsewhere", "Author": "Other Person"}))
    client.force_login(librarian())
    assert lines_listed(rows_page(client, job=other.pk)) == [2]
    assert "Elsewhere" not in rows_page(client, job=mixed_job.pk)
    assert lines_listed(rows_page(client, job=999_999)) == []  # never "every row" instead
    response = client.get(ROWS_URL, {"job": "x"})
    assert response.status_code == 302 and "e=1" in response.url


def test_rows_are_paginated_by_100_with_a_fixed_number_of_queries(client):
    def job_of(size: int) -> ImportJob:
        job = ImportJob.objects.create(original_filename="synthetic.csv", header=HEADER)
        work = make_work(f"Book of {size}", authors=["Some Author"])
        edition = make_edition(work)
        ImportRow.objects.bulk_create(
            ImportRow(
                job=job,
                line_number=n + 2,
                status=ImportRow.Status.DUPLICATE,
                raw=["", f"Book of {size}", "Some Author"],
                normalized={"title": f"Book of {size}", "credits": [{"name": "Some Author"}]},
                messages=["a warning"] if n % 3 == 0 else [],
                work=work,
                edition=edition,
                matched_by=ImportRow.MatchedBy.ISBN,
            )
            for n in range(size)
        )
        return job

    small, big = job_of(5), job_of(250)
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    counts = []
    for job in (small, big):
        with CaptureQueriesContext(connection) as queries:
            rows_page(client, job=job.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15
    assert lines_listed(rows_page(client, job=big.pk)) == list(range(2, 102))
    assert lines_listed(rows_page(client, job=big.pk, p=3)) == list(range(202, 252))
    warned = lines_listed(rows_page(client, job=big.pk, warnings="yes", p=1))
    assert warned[:3] == [2, 5, 8] and len(warned) == 84  # every third of 250


def test_the_rows_list_finds_a_row_by_its_title(client, mixed_job):
    client.force_login(librarian())
    assert lines_listed(rows_page(client, job=mixed_job.pk, q="damaged isbn")) == [6]


def test_rows_are_seen_by_importers_and_viewers_only(client, mixed_job):
    row = mixed_job.rows.get(line_number=2)
    row_url = reverse("admin:catalog_importrow_change", args=[row.pk])
    client.force_login(user_with("stranger", "view_work"))
    assert client.get(ROWS_URL).status_code == 403
    assert client.get(row_url).status_code == 403
    client.force_login(user_with("viewer", "view_importjob"))
    assert client.get(ROWS_URL, {"job": mixed_job.pk}).status_code == 200
    assert client.get(row_url).status_code == 200
    # Rows are reached from their job: the admin index lists the jobs only.
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:catalog_importjob_changelist") in index and ROWS_URL not in index


# --- One row's page -------------------------------------------------------------------------------


def test_a_rows_page_shows_its_cells_one_per_column_and_what_they_were_read_as(client):
    job = run(
        synthetic_export(
            {
                "Title": "Commas, Quotes and <script>alert(1)</script>",
                "Author": "Le Guin, Ursula K.",
                "Publisher": "Ace, New York",
                "Number of Pages": "304",
            }
        )
    )
    row = job.rows.get()
    client.force_login(librarian())
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert '<th scope="row">Publisher</th><td>Ace, New York</td>' in page  # one cell, whole
    assert '<th scope="row">Author</th><td>Le Guin, Ursula K.</td>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert '<th scope="row">Pages</th><td>304</td>' in page  # read as
    assert '<th scope="row">Bookshelves</th><td><span class="quiet">(empty)</span>' in page
    assert reverse("admin:catalog_importjob_change", args=[job.pk]) in page  # breadcrumbs
    assert "Correct and re-run" not in page  # not a failed row


def test_a_rows_page_after_the_retention_purge_says_its_cells_are_gone(client, mixed_job):
    old = mixed_job.created_at.replace(year=2000)
    ImportJob.objects.filter(pk=mixed_job.pk).update(created_at=old)
    assert services.import_files_purge(retention_days=1) == 1
    row = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert "Deleted with the uploaded file" in page
    assert "it cannot be re-run" in page and "Correct and re-run" not in page
    rerun_url = reverse("admin:catalog_importrow_rerun", args=[row.pk])
    assert client.post(rerun_url, {"cell_1": "Now Titled"}).status_code == 302
    row.refresh_from_db()
    assert row.status == ImportRow.Status.FAILED


# --- Correcting and re-running a failed row -------------------------------------------------------


def local_datetime(value) -> str:
    """A date and time as the admin shows it: localized, in the site's time zone."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def rerun_url(row) -> str:
    return reverse("admin:catalog_importrow_rerun", args=[row.pk])


def fixed(row, **cells_by_column) -> list[str]:
    """The row's cells with some columns replaced, as the service takes them."""
    data = corrected(row, **cells_by_column)
    return [data[f"cell_{i}"] for i in range(len(HEADER))]


def corrected(row, **cells_by_column) -> dict[str, str]:
    """The form's fields: the row's cells, with some columns replaced."""
    data = {f"cell_{i}": (row.raw[i] if i < len(row.raw) else "") for i in range(len(HEADER))}
    for column, value in cells_by_column.items():
        data[f"cell_{HEADER.index(column.replace('_', ' '))}"] = value
    return data


def test_a_librarian_corrects_a_failed_row_and_reruns_it_alone(client, mixed_job, settings):
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.test_import_rows_view.record_enrichment"
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
    assert response.url == reverse("admin:catalog_importrow_change", args=[rerun.pk])
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


def test_a_row_the_database_refuses_fails_alone_with_the_reason(client, mixed_job, monkeypatch):
    def refuse(**kwargs):
        raise IntegrityError("synthetic refusal")

    monkeypatch.setattr(services.rows, "import_rows", refuse)
    failed = mixed_job.rows.get(line_number=5)
    client.force_login(librarian())
    client.post(rerun_url(failed), corrected(failed, Title="Refused"))
    rerun = mixed_job.rows.get(line_number=5)
    assert rerun.status == ImportRow.Status.FAILED
    assert rerun.error == "The database refused this row: synthetic refusal"
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

    assert re.search(r"with warnings <strong>1</strong>", job_page(client, job))
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
    assert retried.pk != refused.pk and retried.status == ImportRow.Status.CREATED
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


def test_a_row_as_in_the_file_says_nothing_of_corrections(client, mixed_job):
    client.force_login(librarian())
    row = mixed_job.rows.get(line_number=2)
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert "Corrected" not in page and "Re-run unchanged" not in page
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


def test_the_filters_counts_can_be_shown(client, mixed_job):
    client.force_login(librarian())
    page = rows_page(client, job=mixed_job.pk, _facets="True")
    assert "With warnings (" in page and "Failed (1)" in page


class FormNesting(HTMLParser):
    """Records every form opened inside another: browsers drop such a form, so its button
    posts the outer form instead."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.nested = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.nested += self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


@pytest.mark.parametrize("state", ["running", "finished"])
def test_the_job_pages_buttons_post_to_their_own_views(client, mixed_job, state):
    """Cancel and Retry sit inside the read-only change form: as nested forms, a browser posted
    the change form itself (403) instead."""
    if state == "running":
        ImportJob.objects.filter(pk=mixed_job.pk).update(status=ImportJob.Status.RUNNING)
        action, label = "admin:catalog_importjob_cancel", "Cancel import"
    else:
        action, label = "admin:catalog_importjob_retry", "Retry failed rows"
    client.force_login(librarian())
    page = job_page(client, mixed_job)
    parser = FormNesting()
    parser.feed(page)
    assert parser.nested == 0
    url = reverse(action, args=[mixed_job.pk])
    assert re.search(
        rf'<button type="submit" class="button" formaction="{url}">{label}</button>', page
    )


def test_deleting_a_job_counts_its_rows_and_needs_no_permission_on_them(client, mixed_job):
    """Rows have an admin of their own (view only): deleting their job must not ask for a
    permission on rows, nor list every row on the confirmation page."""
    client.force_login(user_with("deleter", "view_importjob", "delete_importjob"))
    delete_url = reverse("admin:catalog_importjob_delete", args=[mixed_job.pk])
    page = client.get(delete_url).content.decode()
    assert "5 import rows" in page and "Line 2" not in page
    assert "would require deleting the following protected" not in page
    assert "doesn’t have permission to delete" not in page
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not ImportJob.objects.exists() and not ImportRow.objects.exists()


def test_deleting_a_job_needs_the_permission(client, mixed_job):
    client.force_login(user_with("viewer", "view_importjob"))
    delete_url = reverse("admin:catalog_importjob_delete", args=[mixed_job.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=mixed_job.pk).exists()
