"""A book's people as its page and each author's page list them, in a real browser (chromium):
each row says its work, person and role once, with no caption above it repeating them
("Jay Rubin (Translator) of 1Q84" over a row that reads 1Q84, Translator). Screenshots land
in test-artifacts/credits-*.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from catalog.models import WorkAuthor
from tests.browser import test_review_flow as review_flow
from tests.factories import make_author, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_credits_row_is_not_captioned_with_what_it_shows(live_server, browser_page):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    translator = make_author("Jay Rubin")
    work = make_work("1Q84", authors=["Haruki Murakami"])
    WorkAuthor.objects.create(work=work, author=translator, role="translator", position=1)
    review_flow.log_in(page, base, "boss")

    for shot, url, shown in [
        ("credits-work-page", f"/admin/catalog/work/{work.pk}/change/", "Jay Rubin"),
        ("credits-author-page", f"/admin/catalog/author/{translator.pk}/change/", "1Q84"),
    ]:
        page.goto(f"{base}{url}")
        table = page.locator("#credits-group")
        rows = table.locator("tbody tr.has_original")
        assert rows.count() >= 1
        review_flow.shot(page, shot)
        assert shown in table.inner_text() and "Translator" in table.inner_text()
        assert "(Translator) of 1Q84" not in table.inner_text()  # only the caption said it so
        assert not table.locator("td.original p").first.is_visible()
