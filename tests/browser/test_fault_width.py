"""The review page with a long provider error, in a real browser (chromium, 1,400 px wide): the
page must not grow wider than the window, whether the error's details are closed or open. The
whole urllib3 text with a batch URL of 40 ISBNs once stretched it to 8,308 px (issue 14)."""

import pytest
from django.contrib.auth.models import User

from enrichment.models import EnrichmentRequest
from tests.browser.test_review_flow import ARTIFACTS, browser_page, log_in  # noqa: F401
from tests.factories import make_edition, make_work

WIDTH = 1400
PAGE_WIDTH = "document.documentElement.scrollWidth"
#: The error elements whose content is wider than they are (hidden by an overflow rule).
CLIPPED = """[...document.querySelectorAll('.fault-list, .fault-list li, .fault-detail pre')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`)"""


def long_faults() -> list:
    isbns = ",".join(f"ISBN%3A97800000000{n:02d}" for n in range(40))
    unbroken = "x" * 1900  # one "word" nobody can break but the browser's anywhere-wrapping
    return [
        # As older code stored it: the whole text, batch URL included.
        "openlibrary: server_error connection failed: HTTPSConnectionPool(host='openlibrary.org',"
        f" port=443): Max retries exceeded with url: /api/books?bibkeys={isbns}&format=json "
        '(Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at '
        "0x7f3c>: Failed to resolve 'openlibrary.org' ([Errno -3] Temporary failure in name "
        'resolution)"))',
        {
            "provider": "google_books",
            "kind": "other",
            "host": "www.googleapis.com",
            "detail": unbroken,
        },
    ]


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_long_error_does_not_widen_the_review_page(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    User.objects.create_superuser("root", password="pw")
    work = make_work("Use of Weapons", authors=["Iain M. Banks"])
    make_edition(work, isbn13="9780316030571")
    request = EnrichmentRequest.objects.create(
        work=work,
        trigger="command",
        status=EnrichmentRequest.Status.FAILED,
        attempts=3,
        last_error="Open Library: openlibrary.org could not be found (DNS lookup failed)",
        match_details={"faults": long_faults()},
    )

    log_in(page, base, "root")
    page.goto(f"{base}/admin/enrichment/enrichmentrequest/{request.pk}/change/")
    page.wait_for_selector(".fault-list")
    closed = page.evaluate(PAGE_WIDTH)
    for summary in page.locator("details.fault-detail summary").all():
        summary.click()
    page.wait_for_function(
        "[...document.querySelectorAll('details.fault-detail')].every(d => d.open)"
    )
    opened = page.evaluate(PAGE_WIDTH)
    clipped = page.evaluate(CLIPPED)
    page.screenshot(path=str(ARTIFACTS / "review-long-error.png"), full_page=True)

    assert closed <= WIDTH, f"the page is {closed} px wide with the details closed"
    assert opened <= WIDTH, f"the page is {opened} px wide with the details open"
    # Wrapped, not cut off by a box that hides what overflows (the admin's modules do).
    assert clipped == [], f"text wider than its box: {clipped}"
    text = page.inner_text("body")
    assert "openlibrary.org could not be found (DNS lookup failed)" in text
    assert "9780000000039" not in text  # no other book's ISBN, details open or not
