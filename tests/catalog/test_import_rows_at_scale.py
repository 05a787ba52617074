"""A job's rows at a million (issue 18, goal 6): whether a row has warnings is kept by the
database and indexed with the job, so the job page counts them and the warnings filter lists
them without comparing every row's JSON; the rows list counts only up to a cap past the page
shown and says "more than" past it, never a false total; any page is read as ids through an
index first. Every job here is synthetic, built in the test."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.admin import import_rows as rows_admin
from catalog.models import ImportJob, ImportRow
from tests.catalog.import_rows_view_support import (
    HEADER,
    ROWS_URL,
    job_page,
    lines_listed,
    rows_page,
    run,
    synthetic_export,
)
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db


def synthetic_job(size: int, *, warn_every: int = 0) -> ImportJob:
    """A finished job of `size` rows on lines 2.., every `warn_every`-th row with a warning."""
    job = ImportJob.objects.create(
        original_filename="synthetic-big.csv", header=HEADER, status=ImportJob.Status.COMPLETED
    )
    ImportRow.objects.bulk_create(
        ImportRow(
            job=job,
            line_number=n + 2,
            status=ImportRow.Status.FAILED,
            raw=["", f"Synthetic book {n}"],
            messages=["ISBN '9.78053E+12' was damaged by a spreadsheet."]
            if warn_every and n % warn_every == 0
            else [],
            error="This row has no title.",
        )
        for n in range(size)
    )
    return job


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))


@pytest.fixture
def small_pages(monkeypatch):
    """Two rows a page, counted up to five past the page shown."""
    monkeypatch.setattr(admin.site._registry[ImportRow], "list_per_page", 2)
    monkeypatch.setattr(rows_admin, "ROWS_COUNT_CAP", 5)


def count_line(page: str) -> str:
    found = re.search(r'<span class="list-count"[^>]*>\s*([^<]*?)\s*</span>', page)
    assert found, "no count under the list"
    return " ".join(found.group(1).split())


def test_the_database_keeps_whether_a_row_has_warnings():
    job = synthetic_job(3, warn_every=2)  # lines 2 and 4 warn
    assert list(job.rows.filter(has_warnings=True).values_list("line_number", flat=True)) == [2, 4]
    # Any write of the warnings, even one that skips the model, keeps the column true.
    job.rows.filter(line_number=2).update(messages=[])
    job.rows.filter(line_number=3).update(messages=["Year '12.5' could not be read."])
    assert list(job.rows.filter(has_warnings=True).values_list("line_number", flat=True)) == [3, 4]


def test_rows_an_import_writes_have_warnings_when_their_reading_left_one(boss, client):
    data = synthetic_export(
        {"Title": "Synthetic Clean", "Author": "A. Writer", "Book Id": "1"},
        {"Title": "Synthetic Damaged", "Author": "A. Writer", "ISBN13": "9.78053E+12",
         "Book Id": "2"},
    )  # fmt: skip
    job = run(data)
    warned = list(job.rows.filter(has_warnings=True).values_list("line_number", flat=True))
    assert warned == [3]
    assert re.search(r"with warnings <strong[^>]*>1</strong>", job_page(client, job))
    assert lines_listed(rows_page(client, job=job.pk, warnings="yes")) == [3]


def test_the_job_page_counts_exactly_the_rows_with_warnings(boss, client):
    job = synthetic_job(30, warn_every=3)  # 10 of 30
    other = synthetic_job(5, warn_every=1)  # another job's warnings are not counted
    assert re.search(r"with warnings <strong[^>]*>10</strong>", job_page(client, job))
    assert re.search(r"with warnings <strong[^>]*>5</strong>", job_page(client, other))


def test_past_the_cap_the_rows_list_says_more_than_never_a_false_total(boss, client, small_pages):
    job = synthetic_job(23)
    page = rows_page(client, job=job.pk)
    assert lines_listed(page) == [2, 3]
    assert count_line(page) == "More than 5 rows"  # counted up to 0 + 5 past the first page
    assert "23 rows" not in page
    page = rows_page(client, job=job.pk, p=4)  # rows 7–8 of 23
    assert lines_listed(page) == [8, 9]
    assert count_line(page) == "More than 11 rows"
    page = rows_page(client, job=job.pk, p=12)  # the last page: counted to the end
    assert lines_listed(page) == [24]
    assert count_line(page) == "23 rows"


def test_within_the_cap_the_rows_are_counted_exactly(boss, client):
    job = synthetic_job(7)
    page = rows_page(client, job=job.pk)
    assert count_line(page) == "7 rows"
    assert "More than" not in page
    assert count_line(rows_page(client, job=synthetic_job(1).pk)) == "1 row"


def test_page_500_shows_the_rows_of_its_place_in_the_job(boss, client, small_pages):
    job = synthetic_job(1_100, warn_every=2)
    page = rows_page(client, job=job.pk, p=500)
    assert lines_listed(page) == [1000, 1001]  # rows 999 and 1,000 (lines start at 2)
    assert count_line(page) == "More than 1,003 rows"
    # With warnings: every other row (even lines), so their page 250 holds their 499th and 500th.
    page = rows_page(client, job=job.pk, warnings="yes", p=250)
    assert lines_listed(page) == [998, 1000]
    page = rows_page(client, job=job.pk, warnings="no", p=1)
    assert lines_listed(page) == [3, 5]


def test_the_warnings_filter_lists_exactly_the_rows_with_warnings_page_by_page(
    boss, client, small_pages
):
    job = synthetic_job(9, warn_every=4)  # lines 2, 6, 10
    first = rows_page(client, job=job.pk, warnings="yes")
    second = rows_page(client, job=job.pk, warnings="yes", p=2)
    assert lines_listed(first) + lines_listed(second) == [2, 6, 10]
    assert count_line(second) == "3 rows"


def test_a_page_past_the_end_is_refused_as_django_does(boss, client, small_pages):
    job = synthetic_job(5)
    response = client.get(ROWS_URL, {"job": job.pk, "p": 9})
    assert response.status_code == 302 and "e=1" in response["Location"]


def test_the_page_is_read_as_ids_and_the_wide_rows_are_fetched_by_id(boss, client, small_pages):
    job = synthetic_job(40)
    with CaptureQueriesContext(connection) as captured:
        rows_page(client, job=job.pk, p=10)
    sqls = [q["sql"] for q in captured.captured_queries if "catalog_importrow" in q["sql"]]
    offset = [sql for sql in sqls if "OFFSET" in sql]
    assert len(offset) == 1 and '"catalog_importrow"."raw"' not in offset[0]


def test_the_rows_with_warnings_are_counted_and_listed_from_their_index():
    job = synthetic_job(20, warn_every=5)
    if connection.vendor == "postgresql":
        # The planner's figures for this job, not those earlier tests' rows left: with 20 rows
        # every index costs about the same, and stale figures chose another one now and then.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_importrow")
    warned = job.rows.filter(rows_admin.ROW_HAS_WARNINGS)
    # Counted as the paginator counts: without the model's ordering.
    count_sql, params = warned.order_by().values("pk").query.sql_with_params()
    count_plan = query_plan(f"SELECT COUNT(*) FROM ({count_sql}) t", params)
    assert "importrow_job_warnings_idx" in count_plan
    page = warned.order_by("line_number").values_list("pk", flat=True)[:50]
    plan = query_plan(*page.query.sql_with_params())
    assert "importrow_job_warnings_idx" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan


def test_a_rows_links_to_its_book_are_djangos_urls():
    from django.urls import reverse, set_script_prefix

    from catalog.admin.display import admin_change_url

    for object_id in (1, 42, 1_000_000):
        for name in ("admin:catalog_work_change", "admin:catalog_edition_change"):
            assert admin_change_url(name, object_id) == reverse(name, args=[object_id])
    set_script_prefix("/books/")  # behind a proxy's prefix: its own URLs
    try:
        assert (
            admin_change_url("admin:catalog_work_change", 7)
            == "/books/admin/catalog/work/7/change/"
        )
    finally:
        set_script_prefix("/")
