"""A librarian uploads a cover on a work's page in a real browser (chromium): a tiny image is
refused with the reason next to the field and nothing is saved; a real-sized one becomes the
cover, with its thumbnail in the works list, which lists it under "Uploaded by hand".
Screenshots land in test-artifacts/cover-upload-*.png. Skipped without chromium, as
test_review_flow.py is. The images are SYNTHETIC (Pillow-drawn)."""

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.urls import reverse

from catalog.models import Work
from tests.browser import test_review_flow as review_flow
from tests.factories import make_work
from tests.fixtures.covers import synthetic

browser_page = review_flow.browser_page  # the same browser, and its skip rule


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_cover_uploaded_in_the_browser_is_checked_then_listed_as_a_thumbnail(
    live_server, browser_page, tmp_path
):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    work = make_work("Scanned By Hand", authors=["Some Writer"])
    make_work("Without A Cover")
    tiny, good = tmp_path / "tiny.jpg", tmp_path / "my-scan.jpg"
    tiny.write_bytes(synthetic.cover_jpeg(30, 45, seed=1))
    good.write_bytes(synthetic.cover_jpeg(360, 540, seed=2))
    change_url = f"{base}{reverse('admin:catalog_work_change', args=[work.pk])}"

    review_flow.log_in(page, base, "boss")
    page.goto(change_url)
    page.set_input_files("input[name=cover]", str(tiny))
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    error = page.locator(".field-cover .errorlist").inner_text()
    assert "This image cannot be a cover: it is too small (30x45, under 50 px a side)." in error
    review_flow.shot(page, "cover-upload-refused")
    assert not Work.objects.get(pk=work.pk).cover

    page.set_input_files("input[name=cover]", str(good))
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    work.refresh_from_db()
    assert work.cover_sha256 and work.cover_verified_at and work.cover_source == "upload"
    review_flow.shot(page, "cover-upload-saved")

    page.goto(f"{base}{reverse('admin:catalog_work_changelist')}")
    row = page.locator("#result_list tbody tr", has_text="Scanned By Hand")
    thumbnail = row.locator("img").first
    assert thumbnail.get_attribute("src") == storages["default"].url(work.cover_thumbnail.name)
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")  # served, decoded
    review_flow.shot(page, "cover-upload-works-list")
    page.locator("#changelist-filter a", has_text="Uploaded by hand").click()
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1  # the filter finds the upload
