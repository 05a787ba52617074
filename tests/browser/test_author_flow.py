"""Authors in a real browser (chromium): the queue filtered to authors, an author's review page
(current vs proposed, the proposed photo with its licence), approving a chosen field, the author
list with its completeness, a proposed merge of two spellings of one person merged from the
merge list, and the dashboard's author panel. Screenshots land in test-artifacts/author-*.png.
Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from catalog.models import Author
from enrichment.candidates import CoverRef
from enrichment.matching import Tier
from enrichment.models import AuthorMerge
from enrichment.reconcile import author_duplicates_propose
from tests.browser import test_review_flow as review_flow
from tests.enrichment.test_author_requests import decide
from tests.factories import make_author, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule
PHOTO_URL = "https://covers.openlibrary.org/a/id/6257600-L.jpg"  # routed to a local image


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_an_authors_review_and_merge_in_a_browser(live_server, browser_page, sent_tasks):
    page, base = browser_page, live_server.url
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(review_flow.librarian_group())
    author = make_author("Sergei Lukyanenko")
    twin = make_author("Сергей Лукьяненко")
    make_work("Night Watch", authors=[author])
    make_work("Night Watch", authors=[twin])  # the same book from another export
    request = decide(
        author,
        Tier.LOW,
        covers=[CoverRef("wikidata", PHOTO_URL, licence="CC BY-SA 4.0", artist="Someone")],
        birth_year=1968,
        short_description="Russian science fiction writer",
        wikidata_id="Q312981",
    )
    assert author_duplicates_propose().proposed == 1

    review_flow.log_in(page, base, "libby")
    page.goto(f"{base}/admin/enrichment/enrichmentrequest/?target=authors")
    row = page.locator("#result_list tbody tr", has_text="Sergei Lukyanenko")
    assert "author" in row.inner_text() and "Needs review" in row.inner_text()
    review_flow.shot(page, "author-queue")

    row.locator("a", has_text="Sergei Lukyanenko").click()
    page.wait_for_selector("#review-panel")
    panel = page.locator("#review-panel")
    assert "Russian science fiction writer" in panel.inner_text()
    assert "An id of ours is on the record and the name agrees" in panel.inner_text()
    assert "No photo" in panel.inner_text() and "CC BY-SA 4.0" in panel.inner_text()
    assert page.locator("a", has_text="Open the author").count() == 1
    review_flow.shot(page, "author-review")
    # Every safe field is ticked; keep only the birth year.
    for name in ("short_description", "wikidata_id", "cover"):
        page.uncheck(f"#field-{name}")
    page.check("#field-birth_year")
    page.click("button[name=_chosen]")
    page.wait_for_selector(".messagelist")
    author.refresh_from_db()
    assert author.birth_year == 1968 and author.short_description == ""
    assert not author.photo  # not chosen: no download was queued
    request.refresh_from_db()
    assert request.status == "completed" and request.reviewed_by == user

    page.goto(f"{base}/admin/catalog/author/{author.pk}/change/")
    content = page.locator("#content").inner_text()
    assert "Its enrichment requests (1)" in content and "Its audit log entries (1)" in content
    assert page.input_value("#id_birth_year") == "1968"
    assert "enrichment matched this author but kept no photo" in content  # none chosen
    review_flow.shot(page, "author-page")

    page.goto(f"{base}/admin/catalog/author/")
    listed = page.locator("#result_list tbody tr", has_text="Sergei Lukyanenko").inner_text()
    assert "Enriched" in listed
    review_flow.shot(page, "author-list")

    page.goto(f"{base}/admin/enrichment/authormerge/")
    proposal = page.locator("#result_list tbody tr", has_text="Сергей Лукьяненко")
    assert "Sergei Lukyanenko" in proposal.inner_text()
    review_flow.shot(page, "author-merges")
    proposal.locator("input.action-select").check()
    page.select_option("select[name=action]", label="Merge the selected authors")
    page.click("button[name=index]")
    page.wait_for_selector("input[value='Yes, merge it']")  # it asks first
    review_flow.shot(page, "author-merge-confirm")
    page.click("input[value='Yes, merge it']")
    page.wait_for_selector(".messagelist")
    assert "1 merged" in page.locator(".messagelist").inner_text()
    twin.refresh_from_db()
    merge = AuthorMerge.objects.get()
    kept = Author.objects.get(pk=merge.kept_id)
    assert merge.status == "merged" and twin.merged_into_id in (None, kept.pk)
    assert Author.objects.filter(merged_into__isnull=False).count() == 1

    page.goto(f"{base}/admin/enrichment/enrichmentrequest/dashboard/")
    assert "Author completeness" in page.locator("#content").inner_text()
    review_flow.shot(page, "author-dashboard")
