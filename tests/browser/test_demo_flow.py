"""The demo flow (`make demo`) in a real browser: the demo provider on loopback, the bundled
demo export imported and enriched against it, then what a newcomer does. Every page says it is
a demo; a request from the demo's review queue (a same-title book by another author) shows the
demo provider's cover, offers no one-click approval (the record may be another book's), is
approved field by field, and its audit entry is reverted. Screenshots land in
test-artifacts/demo-*.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from catalog.models import Edition
from enrichment.demo.server import DemoProviderServer
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.browser import test_review_flow as review_flow
from tests.enrichment.test_demo_flow import import_and_enrich_the_demo_export, point_at_demo

browser_page = review_flow.browser_page  # the same browser, and its skip rule
BANNER = "Demo — data from a local demo provider, not the real Open Library"


@pytest.mark.slow  # a live server, the demo provider and a browser
@pytest.mark.django_db(transaction=True)
def test_demo_flow_in_a_browser(live_server, browser_page, sent_tasks, settings):
    page, base = browser_page, live_server.url
    settings.DEMO_MODE = True
    with DemoProviderServer() as demo:
        point_at_demo(settings, demo.url)
        import_and_enrich_the_demo_export()
        reviewer = User.objects.create_user("libby", password="pw", is_staff=True)
        reviewer.groups.add(review_flow.librarian_group())

        # 1. Every page says it is a demo, the login page first.
        page.goto(f"{base}/admin/login/")
        assert page.locator("#demo-banner").inner_text() == BANNER
        review_flow.log_in(page, base, "libby")
        assert page.locator("#demo-banner").inner_text() == BANNER
        review_flow.shot(page, "demo-admin-index")

        # 2. The review queue holds the demo's decisions.
        page.goto(f"{base}/admin/enrichment/enrichmentrequest/?status__exact=needs_review")
        page.wait_for_selector("#result_list")
        assert page.locator("#result_list tbody tr").count() == 4
        review_flow.shot(page, "demo-review-queue")

        # 3. Les Enchanteurs, by James Ellroy says our row; Romain Gary says the record for its
        # ISBN. The proposed cover comes from the demo provider, drawn and marked DEMO.
        page.click("#result_list >> text=Les Enchanteurs")
        page.wait_for_selector("#review-panel")
        proposed = page.locator(f"#review-panel img[src^='{demo.url}/b/id/967767-']").first
        proposed.wait_for()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 400", arg=proposed.element_handle()
        )
        review_flow.shot(page, "demo-review-page")
        # Low confidence (author 0/5): the record may be another book's, so no one-click
        # approval (enrichment.safe_approval), and the page says why. Its key does nothing.
        assert page.locator("button", has_text="Approve safe proposal").count() == 0
        assert "no one-click approval" in page.inner_text("#safe-withheld")
        page.keyboard.press("s")
        request = EnrichmentRequest.objects.get(work__title="Les Enchanteurs")
        assert request.status == "needs_review" and not request.fields_applied
        # The reviewer ticks what they checked (nothing comes ticked) and approves that.
        assert page.locator("input[name=fields]:checked").count() == 0
        page.check("#field-publisher")
        with page.expect_navigation():
            page.keyboard.press("a")
        request.refresh_from_db()
        edition = Edition.objects.get(work=request.work)
        assert request.status == "completed" and edition.publisher == "Gallimard"
        assert edition.page_count is None  # not ticked: not applied

        # 4. Revert it from the audit log: the empty fields it filled are empty again.
        page.goto(f"{base}/admin/enrichment/auditlogentry/?action__exact=review_apply")
        page.click("#result_list tbody tr th a")
        page.wait_for_selector(".audit-changes")
        review_flow.shot(page, "demo-audit-entry")
        with page.expect_navigation():
            page.click("button:has-text('Revert these changes')")
        assert page.locator("h1").inner_text() == "Are you sure?"  # it asks first
        with page.expect_navigation():
            page.click("input[value='Yes, revert it']")
        edition.refresh_from_db()
        assert edition.publisher == ""
        assert AuditLogEntry.objects.filter(action="revert", actor=reviewer).count() == 1
        assert page.locator("#demo-banner").inner_text() == BANNER
