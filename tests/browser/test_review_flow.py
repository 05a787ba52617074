"""The review panel in a real browser: Debian's chromium driven by Playwright, against a live
server. Import a CSV and watch it finish, review a request (two chosen fields, by keyboard),
see the work updated, revert it from the audit log, and check that a user without the review
permission gets no approve button. Screenshots land in test-artifacts/.

Skipped when chromium or Playwright is missing, unless REQUIRE_BROWSER=1 (CI), which makes that
a failure. No browser is ever downloaded: Playwright drives the chromium package's binary.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connections

from catalog.models import Edition, ImportJob, Work
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.browser.scenario import enrich_with_fake_provider

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
EXPORT = ROOT / "tests/fixtures/imports/mapmyreads/goodreads_library_export.csv"
COVER = ROOT / "tests/fixtures/covers/synthetic-cover-400x600.jpg"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def _missing_browser() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return ""


@pytest.fixture
def browser_page(request, monkeypatch):
    """A chromium page; parametrized indirectly with a locale ("de-DE"), the browser speaks that
    language (navigator.language, Intl's default, Accept-Language) instead of its own."""
    missing = _missing_browser()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"{missing}; REQUIRE_BROWSER=1 makes this a failure")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(
            viewport={"width": 1400, "height": 1000}, locale=getattr(request, "param", None)
        )
        page.set_default_timeout(TIMEOUT_MS)
        # No network: the provider's cover host answers with a local image.
        page.route(
            "https://covers.openlibrary.org/**",
            lambda route: route.fulfill(path=str(COVER), content_type="image/jpeg"),
        )
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs get their own (context-local) database
        # connections: close them, or PostgreSQL cannot drop the test database afterwards.
        connections.close_all()


def librarian_group() -> Group:
    """The group as the migrations define it (flushed by earlier transactional tests):
    enrichment 0005 creates it, catalog 0007 adds the import permissions."""
    migration = importlib.import_module("enrichment.migrations.0005_librarian_group")
    group, _ = Group.objects.get_or_create(name=migration.GROUP)
    for label, codenames in migration.PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )
    imports = importlib.import_module("catalog.migrations.0007_import_permissions")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog", codename__in=[imports.IMPORT, imports.MANAGE_OTHERS]
        )
    )
    return group


def small_export(rows: int = 4) -> bytes:
    """The first rows of a real Goodreads export."""
    lines = EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(lines[: rows + 1]).encode()


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_review_flow_in_a_browser(live_server, browser_page, sent_tasks, settings, tmp_path):
    settings.IMPORT_INLINE_MAX_ROWS = 1  # so that the import runs "on a worker", with progress
    settings.ENRICHMENT_AUTO_APPLY_COVERS = False  # no cover download: there is no network
    page, base = browser_page, live_server.url
    reviewer = User.objects.create_user("libby", password="pw", is_staff=True)
    reviewer.groups.add(librarian_group())
    onlooker = User.objects.create_user("vera", password="pw", is_staff=True)
    onlooker.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_enrichmentrequest", "view_work"])
    )

    # 1. Upload a CSV through the works list's "Import CSV" button.
    log_in(page, base, "libby")
    page.goto(f"{base}/admin/catalog/work/")
    page.click("text=Import CSV")
    export = tmp_path / "goodreads_library_export.csv"
    export.write_bytes(small_export())
    page.set_input_files("#id_file", str(export))
    page.click("input[type=submit][value=Import]")
    page.wait_for_selector("#import-progress")
    job = ImportJob.objects.get()
    assert page.locator("[data-field=status_label]").inner_text() == "Pending"

    # 2. Watch it finish: the worker runs while the page polls its progress.
    page.route("**/progress/", lambda route: route.abort())  # no request while we work
    assert ("catalog.tasks.run_import_job", (job.pk,)) in [(t.func, t.args) for t in sent_tasks]
    from catalog.tasks import run_import_job

    run_import_job(job.pk)
    page.unroute("**/progress/")
    page.wait_for_function(
        "document.querySelector('[data-field=status_label]').textContent === 'Completed'"
    )
    assert page.locator("#import-progress progress").get_attribute("value") == "100"
    assert (
        Work.objects.count() == 4
        and EnrichmentRequest.objects.filter(status="pending").count() == 4
    )

    # 3. The enrichment engine answers (a stand-in provider: no network): requests wait.
    waiting = enrich_with_fake_provider()
    assert len(waiting) == 4
    request = EnrichmentRequest.objects.get(work__title="The Silk Roads")
    edition = Edition.objects.get(work=request.work)
    assert edition.publisher == "Bloomsbury"

    # 4. The queue, then the review page of one request.
    page.goto(f"{base}/admin/enrichment/enrichmentrequest/?status__exact=needs_review")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 4
    shot(page, "review-queue-list")
    page.click("#result_list >> text=The Silk Roads")
    page.wait_for_selector("#review-panel")
    assert page.locator("button", has_text="Approve selected fields").count() == 1
    # Choose exactly two fields: the description (empty) and the publisher (replaces a value).
    for box in page.locator("input[name=fields]").all():
        box.uncheck()
    page.check("#field-description")
    page.check("#field-publisher")
    shot(page, "review-page")
    with page.expect_navigation():
        page.keyboard.press("a")  # the "approve selected fields" shortcut
    assert "approved: applied description, publisher" in page.inner_text(".messagelist")

    # 5. The work is updated: the two fields, nothing else.
    edition.refresh_from_db()
    work = Work.objects.get(pk=request.work_id)
    assert edition.publisher == "Bloomsbury Publishing"
    assert work.description.startswith("The Silk Roads: a description")
    assert edition.page_count == 636 and edition.language == ""  # not ticked: unchanged
    page.goto(f"{base}/admin/catalog/work/{work.pk}/change/")
    assert page.locator("#id_description").input_value().startswith("The Silk Roads: a desc")
    assert page.locator("#id_editions-0-publisher").input_value() == "Bloomsbury Publishing"

    # 6. Revert it from the audit log.
    page.goto(f"{base}/admin/enrichment/auditlogentry/?action__exact=review_apply")
    page.click("#result_list tbody tr th a")
    page.wait_for_selector(".audit-changes")
    shot(page, "audit-entry")
    with page.expect_navigation():
        page.click("button:has-text('Revert these changes')")
    assert page.locator("h1").inner_text() == "Are you sure?"  # it asks first
    with page.expect_navigation():
        page.click("input[value='Yes, revert it']")
    assert "Reverted description, publisher" in page.inner_text(".messagelist")
    edition.refresh_from_db()
    work.refresh_from_db()
    assert edition.publisher == "Bloomsbury" and work.description == ""
    assert AuditLogEntry.objects.filter(action="revert", actor=reviewer).count() == 1

    # 7. The dashboard.
    page.goto(f"{base}/admin/enrichment/enrichmentrequest/dashboard/")
    page.wait_for_selector(".dashboard-grid")
    assert page.locator("svg.bar").count() > 5
    shot(page, "dashboard")

    # 8. Someone without review_enrichment sees the proposal but no approve button.
    other = EnrichmentRequest.objects.filter(status="needs_review").first()
    log_in(page, base, "vera")
    page.goto(f"{base}/admin/enrichment/enrichmentrequest/{other.pk}/change/")
    page.wait_for_selector("#review-panel")
    assert page.locator("button", has_text="Approve").count() == 0
    assert page.locator("input[name=fields]").count() == 0
    page.keyboard.press("a")  # the shortcut finds no button: nothing happens
    other.refresh_from_db()
    assert other.status == "needs_review"
