"""The admin's first visit and its widest pages in a real browser (chromium, 1,400 px wide):
the index of an empty catalog offers the import and the dashboard; then, on the demo catalog
enriched by the demo provider on loopback, the widest lists fit the window without a
horizontal scroll bar, the work page shows its enrichment, and the audit log shows covers as
thumbnails, with "Revert these changes" gone once an entry is reverted. Screenshots land in
test-artifacts/page-*.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import ImportJob, Work
from enrichment import revert, review
from enrichment.demo.server import DemoProviderServer
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.browser import test_review_flow as review_flow
from tests.enrichment.test_demo_flow import import_and_enrich_the_demo_export, point_at_demo

browser_page = review_flow.browser_page  # the same browser, and its skip rule
WIDTH = 1400


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
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[cover_entry.pk])}")
    changes = page.locator(".audit-changes")
    assert changes.locator("img.cover-thumb").count() >= 1
    assert "covers/" not in changes.inner_text()
    assert page.locator("button", has_text="Revert these changes").count() == 0
    assert overflow(page) == 0
    review_flow.shot(page, "page-audit-entry-reverted")
    undo = reverted.revert_entry
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[undo.pk])}")
    assert page.locator(".audit-changes img.cover-thumb").count() >= 1
    review_flow.shot(page, "page-audit-entry-revert")
    applied = AuditLogEntry.objects.filter(action="cover").exclude(pk=cover_entry.pk).first()
    page.goto(f"{base}{reverse('admin:enrichment_auditlogentry_change', args=[applied.pk])}")
    assert page.locator("button", has_text="Revert these changes").count() == 1
    review_flow.shot(page, "page-audit-entry-applied")
