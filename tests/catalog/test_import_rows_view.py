"""Every row of an import in view: the job page's counts link to the rows list (paginated,
filtered by status or warnings), each row says what it was read as, what it became or matched
and by which key, its warnings and its cells; the job page's buttons and deleting a job.

Every export here is synthetic, built in the test in Goodreads' 24-column shape."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import ImportJob, ImportRow, Work
from tests.catalog.import_rows_view_support import (
    HEADER,
    ROWS_URL,
    job_page,
    librarian,
    lines_listed,
    rows_page,
    run,
    synthetic_export,
    user_with,
)
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db

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
    assert re.search(rf"with warnings <strong[^>]*>{len(warned)}</strong>", page)
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
    assert f"edition ISBN {duplicate.edition.isbn13}" in page
    new = Work.objects.get(title="A New Book")
    assert reverse("admin:catalog_work_change", args=[new.pk]) in page
    assert "by Ann Author" in page  # read as
    assert "This row has no title." in page  # the failed row's reason
    assert "damaged by a spreadsheet" in page  # the warning row's warning


def test_the_rows_list_links_the_books_only_for_who_may_open_them(client, mixed_job):
    """An importer who may not view editions (nor works) had every row's book and edition
    linked to 403 Forbidden: they are named, unlinked; the works, for one who may view them."""
    duplicate = mixed_job.rows.get(line_number=4)
    edition_url = reverse("admin:catalog_edition_change", args=[duplicate.edition_id])
    work_url = reverse("admin:catalog_work_change", args=[duplicate.work_id])
    client.force_login(user_with("importer", "import_books"))
    page = rows_page(client, job=mixed_job.pk)
    assert f"edition ISBN {duplicate.edition.isbn13}" in page and edition_url not in page
    assert "&#x27;The Subtle Knife&#x27; by Philip Pullman" in page and work_url not in page

    client.force_login(user_with("reader", "import_books", "view_work"))
    page = rows_page(client, job=mixed_job.pk)
    assert work_url in page and edition_url not in page
    assert client.get(work_url).status_code == 200


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


def row_of_line(page: str, line: int) -> str:
    """The text of the list's row of this line (the first one, when several jobs have it)."""
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if re.search(rf'class="field-line"><a href="[^"]+">{line}</a>', row):
            return " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
    raise AssertionError(f"line {line} is not listed")


def test_all_jobs_rows_name_their_job_and_filter_by_it(client, mixed_job):
    other = run(synthetic_export({"Title": "Elsewhere", "Author": "Other Person"}))
    client.force_login(librarian())

    page = rows_page(client)

    # Two jobs' line 2 are told apart: each row names its job by file and id, linked to it.
    for job in (mixed_job, other):
        link = reverse("admin:catalog_importjob_change", args=[job.pk])
        assert f'<a href="{link}">Import #{job.pk}: synthetic-export.csv</a>' in page
    start = page.index('id="result_list"')
    table = page[start : page.index("</table>", start)]
    assert table.count(f"Import #{other.pk}: synthetic-export.csv</a>") == 1  # its one row
    assert f"Import #{other.pk}: synthetic-export.csv" in row_of_line(page, 2)  # newest first
    # The import filter offers the jobs (the newest first) and lists only the one chosen.
    assert f'href="?job={other.pk}"' in page and f'href="?job={mixed_job.pk}"' in page
    assert lines_listed(rows_page(client, job=other.pk)) == [2]
    # One job's rows (its page's links) name it in the title, not in a column.
    one = rows_page(client, job=other.pk)
    assert f"Rows of Import #{other.pk}" in one and "column-job_column" not in one


def test_the_job_filter_offers_the_newest_imports_and_keeps_an_older_one_chosen(client):
    jobs = [ImportJob.objects.create(original_filename=f"export-{n}.csv") for n in range(25)]
    client.force_login(librarian())

    page = rows_page(client)

    offered = [int(n) for n in re.findall(r'href="\?job=(\d+)"', page)]
    assert offered == [job.pk for job in reversed(jobs)][:20]
    oldest = rows_page(client, job=jobs[0].pk)
    assert f'href="?job={jobs[0].pk}"' in oldest and f"Import #{jobs[0].pk}: export-0.csv" in oldest


def test_a_failed_row_not_read_as_a_book_shows_its_cells_never_a_dash(client, mixed_job):
    client.force_login(librarian())
    failed = mixed_job.rows.get(line_number=5)
    assert not (failed.normalized or {}).get("title") and "Nobody, Really" in failed.raw

    row = row_of_line(rows_page(client, job=mixed_job.pk), 5)

    assert "Not read as a book; its cells: 77 · Nobody, Really" in row
    assert "This row has no title." in row
    # A row read as a book still shows what it was read as.
    assert "A New Book by Ann Author" in row_of_line(rows_page(client, job=mixed_job.pk), 2)


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
    # A list of several pages reads its page's ids first (catalog.admin.paging): one query more.
    assert counts[1] == counts[0] + 1 <= 15
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


def test_a_rows_read_as_names_format_and_language_as_the_catalog_does(client):
    """ "Mass market paperback" and "Spanish", as the preview before the import and the editions
    list say, never the stored keys "mass_market" and "es"; a title known only by its key says
    so, never "Title is placeholder: True"."""
    job = ImportJob.objects.create(original_filename="synthetic-list.csv", status="completed")
    read = {
        "title": "OL123W",
        "title_is_placeholder": True,
        "format": "mass_market",
        "language": "es",
        "publication_year": 1967,
    }
    row = ImportRow.objects.create(job=job, line_number=2, status="created", normalized=read)
    client.force_login(librarian())
    page = client.get(reverse("admin:catalog_importrow_change", args=[row.pk])).content.decode()
    assert '<th scope="row">Format</th><td>Mass market paperback</td>' in page
    assert '<th scope="row">Language</th><td>Spanish</td>' in page
    assert '<th scope="row">Title</th><td>OL123W (title not known yet)</td>' in page
    assert "Title is placeholder" not in page
    assert '<th scope="row">Year published</th><td>1967</td>' in page


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
        # Offered only where a retry could import a row: one corrected by hand.
        mixed_job.rows.filter(status=ImportRow.Status.FAILED).update(corrected_at=timezone.now())
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


def test_the_job_page_says_whether_enrichment_was_asked_for_as_a_fact(client, mixed_job):
    """Under "Enrich" and a tick, the page read "Queue enrichment for imported books.", an
    instruction on a page where nothing can be changed any more."""
    client.force_login(librarian())
    page = re.sub(r"\s+", " ", job_page(client, mixed_job))  # imported without enrichment
    assert "Not asked for: no book imported is queued." in page
    ImportJob.objects.filter(pk=mixed_job.pk).update(enrich=True)
    page = re.sub(r"\s+", " ", job_page(client, mixed_job))
    assert "Queue enrichment for imported books." not in page
    assert "Asked for: each book imported is queued for covers and missing metadata." in page


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


def test_deleting_a_job_says_its_books_stay(client, mixed_job):
    """The confirmation listed the job and its rows "to be deleted", and said nothing of the
    books: a librarian could not tell whether deleting an import took its books with it."""
    client.force_login(user_with("deleter", "view_importjob", "delete_importjob"))
    page = client.get(reverse("admin:catalog_importjob_delete", args=[mixed_job.pk]))
    assert "The books it created or filled in stay in the catalog" in page.content.decode()
    selected = client.post(
        reverse("admin:catalog_importjob_changelist"),
        {"action": "delete_selected", "_selected_action": [mixed_job.pk]},
    )
    assert "The books they created or filled in stay in the catalog" in selected.content.decode()


def test_deleting_a_job_needs_the_permission(client, mixed_job):
    client.force_login(user_with("viewer", "view_importjob"))
    delete_url = reverse("admin:catalog_importjob_delete", args=[mixed_job.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=mixed_job.pk).exists()


# --- A job's rows list, empty: it says why ------------------------------------------------------


def empty_list_note(page: str) -> str:
    match = re.search(r'<div class="empty-list" role="status">\s*<p>(.*?)</p>', page, re.S)
    assert match, "no empty-list note"
    return unescape(re.sub(r"\s+", " ", match.group(1))).strip()


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"status": "pending"}, "No row read yet: this import is waiting for a worker to start"),
        ({"status": "running"}, "No row recorded yet: its first rows are being imported."),
        (
            {"status": "cancelled", "cancel_requested": True},
            "No row was read: the import was cancelled before its first row.",
        ),
        (
            {"status": "failed", "error": "The import stopped: disk full"},
            "No row was read: the import stopped before its first row",
        ),
        ({"status": "completed"}, "This import recorded no row."),
    ],
)
def test_a_jobs_empty_rows_list_says_why_from_the_jobs_state(client, fields, note):
    """Never "Nothing matches these filters" (only the job was chosen), nor a link to every
    import's rows as "the whole list"."""
    client.force_login(librarian())
    job = ImportJob.objects.create(original_filename="synthetic-list.csv", rows_total=0, **fields)
    page = rows_page(client, job=job.pk)
    shown = empty_list_note(page)
    assert shown.startswith(note), shown
    assert "Nothing matches" not in shown
    job_url = reverse("admin:catalog_importjob_change", args=[job.pk])
    assert f'href="{job_url}"' in page


def test_a_jobs_rows_filtered_to_none_offer_every_row_of_that_job(client, mixed_job):
    client.force_login(librarian())
    page = rows_page(client, job=mixed_job.pk, status__exact="failed", warnings="yes")
    shown = empty_list_note(page)
    assert shown.startswith("No row of this import matches these filters"), shown
    # The link lists this job's rows, not every import's.
    assert re.search(rf'<div class="empty-list".*?href="\?job={mixed_job.pk}"', page, re.S)
    assert 'href="?">Show the whole list' not in page


def test_the_rows_of_a_deleted_job_say_it_was_deleted(client, mixed_job):
    client.force_login(librarian())
    job_id = mixed_job.pk
    services.import_jobs_delete(jobs=[mixed_job])
    shown = empty_list_note(rows_page(client, job=job_id))
    assert shown == f"There is no Import #{job_id}: it was deleted, and its rows with it."


def test_a_row_whose_book_was_deleted_since_says_so_never_a_bare_dash(client, mixed_job):
    created = mixed_job.rows.get(line_number=2)
    created.work.delete()  # its edition goes with it; the row keeps its line, status and cells
    client.force_login(librarian())
    for page in (
        rows_page(client, job=mixed_job.pk),
        client.get(reverse("admin:catalog_importrow_change", args=[created.pk])).content.decode(),
    ):
        assert "Its book was deleted since." in page
    # A failed row made no book: nothing to say beyond the dash.
    failed = mixed_job.rows.get(line_number=5)
    page = client.get(reverse("admin:catalog_importrow_change", args=[failed.pk])).content.decode()
    assert "Its book was deleted since." not in page


def test_an_imports_rows_offer_show_all_only_once_something_narrows_them(client, mixed_job):
    """ "Rows of Import #1" with nothing but the import chosen said "5 results (Show all)", a
    link back to the very same list: the count stays, the link comes with a filter or a search."""
    client.force_login(librarian())
    show_all = re.compile(r"results? \(<a [^>]*>Show all</a>\)")
    assert re.search(r"\d+ results", rows_page(client, job=mixed_job.pk))
    assert not show_all.search(rows_page(client, job=mixed_job.pk))
    assert show_all.search(rows_page(client, job=mixed_job.pk, status__exact="failed"))
    assert show_all.search(rows_page(client, job=mixed_job.pk, q="zzz"))


def test_show_all_on_an_imports_rows_lists_that_imports_rows(client, mixed_job):
    """Beside the search, "Show all" on "Rows of Import #1" clears the search and filters but
    keeps the import: it opened every import's rows."""
    client.force_login(librarian())
    page = rows_page(client, job=mixed_job.pk, status__exact="failed", q="zzz")
    link = re.search(r'results? \(<a href="([^"]*)">Show all</a>\)', page)
    assert link and unescape(link.group(1)) == f"?job={mixed_job.pk}"
