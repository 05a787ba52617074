"""A count on an admin page is a link to what it counts, and a count of 0 is no link: an import
job's "updated 0", a work's "Its audit log entries (0)" led to an empty list."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import Author, ImportJob
from enrichment.dashboard import dashboard_snapshot_refresh
from enrichment.models import EnrichmentRequest
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def counts_html(client, job: ImportJob) -> str:
    page = client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content.decode()
    return re.search(r'<p class="import-counts">(.*?)</p>', page, re.S).group(1)


def test_a_count_of_zero_is_no_link_to_an_empty_list(client):
    job = ImportJob.objects.create(
        original_filename="reading.csv",
        status="completed",
        rows_total=3,
        rows_processed=3,
        created_count=2,
        failed_count=1,
    )
    client.force_login(User.objects.create_superuser("boss", password="pw"))

    counts = counts_html(client, job)
    linked = set(re.findall(r"status__exact=(\w+)", counts))
    assert linked == {"created", "failed"}
    assert "warnings=yes" not in counts  # no row warned
    for label in ("updated", "duplicates", "with warnings"):
        assert re.search(rf"{label} <strong[^>]*>0</strong>", counts), label


def test_a_work_or_author_with_no_request_or_entry_links_to_no_empty_list(client):
    """A work's and an author's pages said "Its audit log entries (0)" as a link to an empty
    list; a count above 0 stays a link."""
    work = make_work("Piranesi", authors=["Susanna Clarke"])
    author = Author.objects.get(name="Susanna Clarke")
    EnrichmentRequest.objects.create(work=work, trigger="command")
    client.force_login(User.objects.create_superuser("boss", password="pw"))

    for url, linked, plain in (
        (
            reverse("admin:catalog_work_change", args=[work.pk]),
            "Its enrichment requests (1)",
            "Its audit log entries (0)",
        ),
        (
            reverse("admin:catalog_author_change", args=[author.pk]),
            None,
            "Its audit log entries (0)",
        ),
    ):
        page = client.get(url).content.decode()
        assert plain in page and not re.search(rf">\s*{re.escape(plain)}\s*</a>", page), url
        if linked:
            assert re.search(rf">\s*{re.escape(linked)}\s*</a>", page), url
    author_page = client.get(reverse("admin:catalog_author_change", args=[author.pk]))
    assert not re.search(r">\s*Its enrichment requests \(0\)\s*</a>", author_page.content.decode())


def test_the_dashboards_counts_of_0_are_no_links(client):
    """The dashboard linked "0 works waiting (…)", "0 redirects (…)" and each bar of 0
    ("Failed 0") to an empty list."""
    make_work("Piranesi", authors=["Susanna Clarke"])
    dashboard_snapshot_refresh()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("admin:enrichment_dashboard")).content.decode()

    for anchor in ("works-waiting", "works-unresolved", "authors-redirects"):
        tag = re.search(rf'<a[^>]*id="{anchor}"[^>]*>', page).group(0)
        assert "href" not in tag, anchor
    assert not re.search(r'<a href="[^"]*">Failed</a>', page)  # no request failed
    # A count above 0 stays a link: the one author lacks a bio, dates or ids.
    assert "href" in re.search(r'<a[^>]*id="authors-missing"[^>]*>', page).group(0)
