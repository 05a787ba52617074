"""A long job's progress in a real browser (chromium) whose language is not the site's: the
figures the page polls (static/bookstore/progress.js) are written as the server writes the page,
in its language (<html lang>), never in the browser's. A German browser once turned the server's
"1,234" into "1.234" on the first poll. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from catalog.models import ImportJob
from tests.browser.test_review_flow import browser_page, log_in  # noqa: F401

FIGURES = ("processed", "created")


def figures(page) -> dict[str, str]:
    return {name: page.inner_text(f"#import-progress [data-field={name}]") for name in FIGURES}


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_page", ["de-DE"], indirect=True)
def test_a_german_browser_shows_the_progress_as_the_english_page_writes_it(
    live_server,
    browser_page,  # noqa: F811
):
    page, base = browser_page, live_server.url
    boss = User.objects.create_superuser("boss", password="pw")
    job = ImportJob.objects.create(
        original_filename="synthetic-goodreads.csv",
        status=ImportJob.Status.RUNNING,
        source="goodreads",
        uploaded_by=boss,
        rows_total=2_000,
        rows_processed=1_234,
        created_count=1_234,
    )
    log_in(page, base, "boss")
    assert page.evaluate("navigator.language") == "de-DE"
    assert page.evaluate("(1234).toLocaleString()") == "1.234"  # the browser's own way

    page.goto(f"{base}/admin/catalog/importjob/{job.pk}/change/")
    served = figures(page)
    ImportJob.objects.filter(pk=job.pk).update(rows_processed=1_500, created_count=1_500)
    page.wait_for_function(
        "document.querySelector('#import-progress [data-field=created]').textContent !== '1,234'"
    )

    assert page.evaluate("document.documentElement.lang") == "en-us"
    assert served == {"processed": "1,234", "created": "1,234"}
    assert figures(page) == {"processed": "1,500", "created": "1,500"}
