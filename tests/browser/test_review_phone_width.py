"""The review page on a phone (chromium, 390 px wide): the table of current and proposed values,
six columns with their tags ("fills an empty field", "not applied: …"), fits the window; the
page does not scroll sideways (it was 530–720 px wide on the demo's requests). Screenshot:
test-artifacts/review-390.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.browser import test_review_flow as review_flow
from tests.browser.scenario import enrich_with_fake_provider
from tests.factories import make_edition, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule
PHONE = 390
TABLE_RIGHT = """Math.max(...[...document.querySelectorAll(
    'table.review-fields, table.review-fields *')].map(e => e.getBoundingClientRect().right))"""


def signed_in_on_a_phone_with_one_enriched_request(page, base: str) -> int:
    """A superuser signed in at PHONE width, with one book's request worked by the fake
    provider: its id."""
    User.objects.create_superuser("boss", password="pw")
    work = make_work("The Dispossessed: An Ambiguous Utopia", authors=["Ursula K. Le Guin"])
    make_edition(work, isbn13="9780061054884")
    EnrichmentRequest.objects.create(work=work, trigger="command")
    [request_id] = enrich_with_fake_provider()
    page.set_viewport_size({"width": PHONE, "height": 900})
    review_flow.log_in(page, base, "boss")
    return request_id


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_review_page_fits_a_phone(live_server, browser_page):
    page, base = browser_page, live_server.url
    request_id = signed_in_on_a_phone_with_one_enriched_request(page, base)

    page.goto(f"{base}{reverse('admin:enrichment_enrichmentrequest_change', args=[request_id])}")
    review_flow.shot(page, "review-390")

    table = page.locator("table.review-fields")
    assert "fills an empty field" in table.inner_text()
    assert table.locator("input[type=checkbox]").count() >= 3
    assert page.evaluate(TABLE_RIGHT) <= PHONE
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    # Each value sits under its field's name, as wide as the card: none squeezed into the
    # tick box's column (a word a letter a line).
    narrowest = page.evaluate(
        "Math.min(...[...document.querySelectorAll("
        "'table.review-fields tbody td:not(:first-child)')].map(td => td.clientWidth))"
    )
    assert narrowest > PHONE / 2
    named = page.evaluate(
        "[...document.querySelector('table.review-fields tbody tr').querySelectorAll('td')]"
        ".map(td => getComputedStyle(td, '::before').content)"
    )
    assert named[1:] == ['"Current: "', '"Proposed: "', '"Source: "', '"Match: "']


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_bulk_dismissal_s_confirmation_fits_a_phone(live_server, browser_page):
    """Its reason box was 60 columns wide: the page scrolled sideways to 464 px."""
    page, base = browser_page, live_server.url
    signed_in_on_a_phone_with_one_enriched_request(page, base)

    page.goto(f"{base}{reverse('admin:enrichment_enrichmentrequest_changelist')}")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "dismiss_selected")
    page.click("button[name=index]")
    page.wait_for_selector("#bulk-reason")
    review_flow.shot(page, "bulk-dismiss-390")

    assert "You are about to dismiss" in page.inner_text("#content")
    reason = page.locator("#bulk-reason").bounding_box()
    assert reason["x"] + reason["width"] <= PHONE
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_queue_list_fits_a_phone_each_request_a_card(live_server, browser_page):
    """Its six columns scrolled in the list's box: the book's title began at the box's right
    edge and was cut after a few letters. Each request is a card now: its title whole, then its
    status and confidence, images, who answered and its age, inside the window."""
    page, base = browser_page, live_server.url
    signed_in_on_a_phone_with_one_enriched_request(page, base)

    page.goto(f"{base}{reverse('admin:enrichment_enrichmentrequest_changelist')}")
    review_flow.shot(page, "queue-390")

    title = page.locator("#result_list tbody th.field-book a strong").first
    assert title.inner_text() == "The Dispossessed: An Ambiguous Utopia"
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    # Nothing of the row left outside the list's box, to scroll sideways to.
    results = page.locator(".results")
    assert page.evaluate("e => e.scrollWidth <= e.clientWidth", results.element_handle())
    row_right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#result_list tbody tr > *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert row_right <= PHONE
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    for cell in ("status_badge", "confidence_badge", "answered_by", "age"):
        assert page.locator(f"#result_list tbody td.field-{cell}").first.is_visible(), cell
    # Still a list: every request chosen at once, and sorted by a column's name.
    page.check("#action-toggle")
    assert page.locator("#result_list tbody input.action-select:checked").count() == 1
    assert page.locator("#result_list thead th a", has_text="Age").count() == 1
