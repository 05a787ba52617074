"""The admin's first visit and its widest pages in a real browser (chromium, 1,400 px wide):
the index of an empty catalog offers the import and the dashboard; then, on the demo catalog
enriched by the demo provider on loopback, the widest lists fit the window without a
horizontal scroll bar, the work page shows its enrichment, and the audit log shows covers as
thumbnails, with "Revert these changes" gone once an entry is reverted. Screenshots land in
test-artifacts/page-*.png. Skipped without chromium, as test_review_flow.py is."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from catalog.models import Edition, ImportJob, Work
from enrichment import revert, review
from enrichment.demo.server import DemoProviderServer
from enrichment.models import AuditLogEntry, EnrichmentRequest, ProviderState
from tests.browser import test_review_flow as review_flow
from tests.enrichment.test_demo_flow import import_and_enrich_the_demo_export, point_at_demo
from tests.factories import make_edition, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule
WIDTH = 1400


def list_overflow(page, base: str, url_name: str, shot: str, width: int) -> int:
    """Log in as boss, open the admin list `url_name` in a window `width` px wide, keep its
    screenshot (`shot`-`width`) and say by how many pixels it overflows."""
    page.set_viewport_size({"width": width, "height": 900})
    review_flow.log_in(page, base, "boss")
    page.goto(f"{base}{reverse(url_name)}")
    page.wait_for_selector("#result_list")
    review_flow.shot(page, f"{shot}-{width}")
    return overflow(page)


def overflow(page) -> int:
    """How many pixels the page, or a list's table inside its own scrolling box, would need
    beyond the window: 0 when nothing is clipped or scrolled sideways."""
    return page.evaluate(
        """() => Math.max(
            document.documentElement.scrollWidth - window.innerWidth,
            ...[...document.querySelectorAll('.results, #changelist, #content-main')]
                .map(box => box.scrollWidth - box.clientWidth), 0)"""
    )


@pytest.mark.slow  # a live server, the demo provider and a browser
@pytest.mark.django_db(transaction=True)
def test_first_visit_and_the_widest_pages_fit_1400_px(
    live_server, browser_page, sent_tasks, settings
):
    page, base = browser_page, live_server.url
    assert page.viewport_size["width"] == WIDTH
    User.objects.create_superuser("boss", password="pw")

    # 1. An empty catalog: the index offers the import and the dashboard up front.
    review_flow.log_in(page, base, "boss")
    start = page.locator(".start-here")
    assert "The catalog is empty" in start.inner_text()
    assert start.locator("a", has_text="Import a CSV").get_attribute("href") == reverse(
        "admin:catalog_importjob_upload"
    )
    assert start.locator("a", has_text="Enrichment dashboard").count() == 1
    review_flow.shot(page, "page-index-empty-catalog")
    # The favicon each page links, and /favicon.ico that browsers ask for anyway.
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{base}{icon}").status == 200
    favicon = page.request.get(f"{base}/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/")

    # 2. The demo catalog, enriched; one review approved, one cover reverted.
    with DemoProviderServer() as demo:  # serving the proposed covers the pages show
        point_at_demo(settings, demo.url)
        import_and_enrich_the_demo_export()
        look_at_the_demo_catalog(page, base)


def look_at_the_demo_catalog(page, base: str) -> None:
    boss = User.objects.get(username="boss")
    waiting = EnrichmentRequest.objects.filter(status="needs_review").order_by("pk").first()
    review.request_approve(request=waiting, actor=boss)
    cover_entry = AuditLogEntry.objects.filter(action="cover").order_by("pk").first()
    reverted = revert.audit_revert(entry=cover_entry, actor=boss)
    assert reverted.reverted and reverted.revert_entry is not None

    # 3. The widest lists fit 1,400 px: no horizontal scroll bar, nothing clipped.
    job = ImportJob.objects.get()
    lists = {
        "works": reverse("admin:catalog_work_changelist"),
        "enrichment-requests": reverse("admin:enrichment_enrichmentrequest_changelist")
        + "?show=all",
        "audit-log": reverse("admin:enrichment_auditlogentry_changelist"),
        "import-rows": reverse("admin:catalog_importrow_changelist") + f"?job={job.pk}",
    }
    widths: dict[str, int] = {}
    for name, url in lists.items():
        page.goto(f"{base}{url}")
        page.wait_for_selector("#result_list")
        widths[name] = overflow(page)
        review_flow.shot(page, f"page-{name}")
    assert widths == dict.fromkeys(lists, 0), widths

    # 4. The work page: its enrichment, links to its requests, audit entries and History.
    work = Work.objects.get(title="Beds I Have Known")
    page.goto(f"{base}{reverse('admin:catalog_work_change', args=[work.pk])}")
    section = page.locator("fieldset", has_text="Last try")
    assert "Enriched" in section.inner_text()
    for link in ("Its enrichment requests", "Its audit log entries", "History"):
        assert section.locator("a", has_text=link).count() == 1
    assert overflow(page) == 0
    review_flow.shot(page, "page-work")

    # 5. The audit log: covers as thumbnails; no revert button on an entry already reverted.
    # The cover the revert took off was used by nothing else, so its files went with it: the
    # entry and its revert say so, where they drew a broken image that showed nothing.
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[cover_entry.pk])}")
    changes = page.locator(".audit-changes")
    assert changes.locator("img").count() == 0
    assert "a cover since deleted" in changes.inner_text()
    assert "covers/" not in changes.inner_text()
    assert page.locator("button", has_text="Revert these changes").count() == 0
    assert "Reverted by entry #" in changes.inner_text()
    assert overflow(page) == 0
    review_flow.shot(page, "page-audit-entry-reverted")
    undo = reverted.revert_entry
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[undo.pk])}")
    assert "a cover since deleted" in page.locator(".audit-changes").inner_text()
    review_flow.shot(page, "page-audit-entry-revert")
    applied = AuditLogEntry.objects.filter(action="cover").exclude(pk=cover_entry.pk).first()
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[applied.pk])}")
    assert page.locator(".audit-changes img.cover-thumb").count() >= 1
    assert every_image_loaded(page)
    assert page.locator("button", has_text="Revert these changes").count() == 1
    review_flow.shot(page, "page-audit-entry-applied")
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_changelist')}")
    assert every_image_loaded(page)  # no broken thumbnail of a deleted cover in the list


def every_image_loaded(page) -> bool:
    """Whether every image the page names is there (thumbnails load lazily: each is asked for)."""
    sources = page.evaluate("() => [...document.images].map(image => image.src)")
    return all(page.request.get(source).status == 200 for source in sources)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_the_provider_states_fit_the_window(live_server, browser_page, settings, width):
    """Twelve columns hid the last ones off-screen at 1,400 px, with no scroll bar to reach
    them: each provider's state, its longest figures included, is readable at 1,400 and 1,280."""
    page, base = browser_page, live_server.url
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books", "isbndb"]
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000
    User.objects.create_superuser("boss", password="pw")
    now = timezone.now()
    ProviderState.objects.create(
        provider="openlibrary",
        day=now.date(),
        requests_today=12_345,
        last_success_at=now,
    )
    ProviderState.objects.create(
        provider="google_books",
        breaker_state=ProviderState.Breaker.OPEN,
        consecutive_failures=12,
        opened_at=now,
        failing_since=now,
        day=now.date(),
        requests_today=1000,
        quota_exhausted=True,
        throttled_until=now + datetime.timedelta(minutes=5),
        last_success_at=now - datetime.timedelta(days=2),
        last_error="http_5xx: HTTP 503 from www.googleapis.com",
        last_error_kind="http_5xx",
        last_error_host="www.googleapis.com",
        last_error_status=503,
        last_error_at=now,
    )
    ProviderState.objects.create(
        provider="isbndb",
        breaker_state=ProviderState.Breaker.HALF_OPEN,
        consecutive_failures=3,
        in_flight=2,
        last_error="timeout: api2.isbndb.com timed out after 20 s",
        last_error_kind="timeout",
        last_error_host="api2.isbndb.com",
        last_error_at=now,
    )
    assert (
        list_overflow(
            page, base, "admin:enrichment_providerstate_changelist", "page-provider-states", width
        )
        == 0
    )
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert len(headers) == 7, headers
    row = page.locator("#result_list tbody tr", has_text="Google Books").inner_text()
    for shown in ("Open", "12 failures in a row", "none: the provider says its quota is spent"):
        assert shown in row, row


LONG_TITLE = (
    "The Extraordinarily Long Title of a Collected Edition: Including the Annotated Letters, "
    "Journals and Previously Unpublished Essays"
)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_the_audit_log_fits_the_window(live_server, browser_page, width):
    """Eight columns put the last ones off-screen at 1,280 px: each entry, its longest title,
    changes and providers included, is readable at 1,400 and 1,280, who under when, "reverted"
    under the action and the request under the providers."""
    page, base = browser_page, live_server.url
    boss = User.objects.create_superuser("boss", password="pw")
    work = make_work(LONG_TITLE, authors=["Maria Konstantinovna Bashkirtseva-Wolkonsky"])
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    applied = AuditLogEntry.objects.create(
        work=work,
        request=request,
        actor=boss,
        action=AuditLogEntry.Action.REVIEW_APPLY,
        provider="openlibrary,google_books,isbndb",
        changes={
            "publisher": {"old": "", "new": "Oxford University Press, Clarendon Imprint"},
            "description": {"old": "A short blurb.", "new": "A much longer description " * 9},
            "subjects": {"old": [], "new": ["Letters", "Russian literature", "Diaries"]},
            "page_count": {"old": None, "new": 1234},
        },
    )
    AuditLogEntry.objects.create(
        work=work, actor=boss, action=AuditLogEntry.Action.REVERT, reverts=applied
    )
    assert (
        list_overflow(
            page, base, "admin:enrichment_auditlogentry_changelist", "page-audit-log", width
        )
        == 0
    )
    row = page.locator(f"#result_list tbody tr:has(input[value='{applied.pk}'])").inner_text()
    for shown in (
        "by boss",
        "reverted",
        "Open Library, Google Books, ISBNdb",
        f"request #{request.pk}",
    ):
        assert shown in row, row


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_the_import_jobs_fit_the_window(live_server, browser_page, width):
    """Eleven columns put the last ones off-screen even at 1,400 px: each job, a long file name
    and a million rows included, is readable at 1,400 and 1,280, the format under the file, the
    duplicates under the rows, the updated under the created and who under when."""
    page, base = browser_page, live_server.url
    boss = User.objects.create_superuser("boss", password="pw")
    job = ImportJob.objects.create(
        original_filename="goodreads_library_export_2026-11-30_with_every_shelf_and_review.csv",
        status=ImportJob.Status.FAILED,
        source="goodreads",
        uploaded_by=boss,
        rows_total=1_000_000,
        rows_processed=1_000_000,
        created_count=999_999,
        updated_count=888_888,
        duplicate_count=666_666,
        failed_count=777_777,
    )
    assert (
        list_overflow(page, base, "admin:catalog_importjob_changelist", "page-import-jobs", width)
        == 0
    )
    row = page.locator(f"#result_list tbody tr:has(input[value='{job.pk}'])").inner_text()
    for shown in (
        "Goodreads",
        "1,000,000",
        "666,666 duplicates",
        "999,999",
        "888,888 updated",
        "777,777",
        "by boss",
    ):
        assert shown in row, row


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_the_editions_fit_the_window(live_server, browser_page, width):
    """Eight columns put the last ones off-screen at 1,280 px: each edition, a long title and
    publisher included, is readable at 1,400 and 1,280, the ISBN-10 under the ISBN-13 and the
    language under the format."""
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    edition = make_edition(
        make_work(LONG_TITLE),
        title=LONG_TITLE,
        isbn13="9780306406157",
        isbn10="0306406152",
        publisher="Oxford University Press, Clarendon Press Imprint for Scholarly Editions",
        publication_date=datetime.date(2007, 3, 1),
        publication_date_precision=Edition.DatePrecision.DAY,
        format=Edition.Format.MASS_MARKET,
        language="en",
    )
    make_edition(  # long unbroken words: a title's, a publisher's, a format's
        make_work("Sieben Doppelgänger"),
        isbn13="9783446196803",
        isbn10="3446196803",
        publisher="Friedman/Fairfax Verlagsbuchhandlung",
        format=Edition.Format.PAPERBACK,
        language="de",
    )
    assert (
        list_overflow(page, base, "admin:catalog_edition_changelist", "page-editions", width) == 0
    )
    row = page.locator(f"#result_list tbody tr:has(input[value='{edition.pk}'])").inner_text()
    for shown in ("9780306406157\n0306406152", "Clarendon Press", "Mass market paperback\nEnglish"):
        assert shown in row, row
