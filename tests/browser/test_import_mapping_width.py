"""The column-mapping step of an import on a phone (chromium, 390 px wide): the preview of the
rows, twelve columns, scrolls sideways in its own box; the page itself fits the window (it was
stretched to 859 px, the header and the form left a strip on its left). A row's warnings read as
sentences under it at 1280 and 400 px (they were a thirteenth column, out of sight at the end of
the box and a word wide). The screenshots land in test-artifacts/import-mapping-390.png and
import-preview-warnings-*.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from tests.browser import test_review_flow as review_flow

browser_page = review_flow.browser_page  # the same browser, and its skip rule
PHONE = 390
# Synthetic: a reading list with columns no known export has, so the columns are mapped by hand.
LIST = (
    "Title,Writer,Pages,Comments\n"
    "The Left Hand of Darkness,Ursula K. Le Guin,304,read twice for the book club\n"
    "Kindred,Octavia E. Butler,264,lent to a friend\n"
)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_mapping_preview_scrolls_in_its_box_on_a_phone(live_server, browser_page):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    page.set_viewport_size({"width": PHONE, "height": 900})
    review_flow.log_in(page, base, "boss")

    page.goto(f"{base}/admin/catalog/importjob/upload/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "synthetic-list.csv", "mimeType": "text/csv", "buffer": LIST.encode()}],
    )
    page.click("input[type=submit]")
    page.wait_for_selector("table.import-mapping-preview")
    review_flow.shot(page, "import-mapping-390")

    assert "Kindred" in page.locator("table.import-mapping-preview").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


# Synthetic: a reading list whose rows the importer warns about (an ISBN whose check digit is
# wrong, pages and a year it cannot read), so the preview's Warnings column holds sentences.
WARNED = (
    "Title,Writer,ISBN,Year,Pages,Comments\n"
    "The Left Hand of Darkness,Ursula K. Le Guin,9780441478110,c. 1969?,three hundred,"
    "read twice\n"
    "Kindred,Octavia E. Butler,0807083690,1979,264,lent to a friend\n"
)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 400])
def test_the_previews_warnings_read_as_sentences(live_server, browser_page, width):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    page.set_viewport_size({"width": width, "height": 900})
    review_flow.log_in(page, base, "boss")

    page.goto(f"{base}/admin/catalog/importjob/upload/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "synthetic-list.csv", "mimeType": "text/csv", "buffer": WARNED.encode()}],
    )
    page.click("input[type=submit]")
    page.wait_for_selector("table.import-mapping-preview")
    review_flow.shot(page, f"import-preview-warnings-{width}")

    box = page.locator(".table-scroll").bounding_box()
    warnings = page.locator("table.import-mapping-preview ul.import-row-messages li")
    assert warnings.count() == 2 and "wrong check digit" in warnings.first.inner_text()
    line_height = float(
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.import-row-messages li'))"
            ".lineHeight)"
        )
    )
    for shown in warnings.all():
        where = shown.bounding_box()
        # In view without scrolling the box sideways, and a sentence, not a column a word wide.
        assert box["x"] <= where["x"] and where["x"] + where["width"] <= box["x"] + box["width"]
        assert where["height"] <= 3 * line_height + 2, shown.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
