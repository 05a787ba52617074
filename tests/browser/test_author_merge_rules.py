"""Author merges in a real browser (chromium), as a reviewer meets the reconciliation's rules:
a proposal recorded before Dumas père and Dumas fils were two people, on a generic title, is
marked and refused; a merge of two scripts keeps the kept name's own sort name, and its audit
entry says so. Screenshots land in test-artifacts/merge-rules-*.png. Skipped without chromium,
as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User

from catalog.models import Author
from enrichment.models import AuditLogEntry, AuthorMerge
from enrichment.reconcile import author_duplicates_propose
from tests.browser import test_review_flow as review_flow
from tests.factories import make_author, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_meets_the_merge_rules_in_a_browser(live_server, browser_page, sent_tasks):
    page, base = browser_page, live_server.url
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(review_flow.librarian_group())
    father = make_author("Alexandre Dumas père", sort_name="Dumas, Alexandre")
    son = make_author("Alexandre Dumas fils", sort_name="Dumas, Alexandre")
    make_work("Poésies", authors=[father])
    make_work("Poésies", authors=[son])
    AuthorMerge.objects.create(
        kept=father,
        duplicate=son,
        reason=AuthorMerge.Reason.NAME_AND_WORK,
        evidence={"names": {"kept": father.name, "duplicate": son.name}, "works": ["Poésies"]},
    )
    latin = make_author("Sergei Lukyanenko")
    make_work("Night Watch", authors=[latin])
    make_work("Day Watch", authors=[latin])
    cyrillic = make_author("Сергей Лукьяненко", sort_name="Лукьяненко, Сергей")
    make_work("Night Watch", authors=[cyrillic])
    assert author_duplicates_propose().proposed == 1  # Lukyanenko; not Dumas again

    review_flow.log_in(page, base, "libby")
    page.goto(f"{base}/admin/enrichment/authormerge/")
    dumas = page.locator("#result_list tbody tr", has_text="Alexandre Dumas fils")
    assert "Poésies (a generic title: no evidence)" in dumas.inner_text()
    review_flow.shot(page, "merge-rules-list")
    dumas.locator("input.action-select").check()
    page.select_option("select[name=action]", label="Merge the selected authors")
    page.click("button[name=index]")
    page.wait_for_selector("input[value='Yes, merge it']")  # it asks first
    page.click("input[value='Yes, merge it']")
    page.wait_for_selector(".messagelist")
    told = page.locator(".messagelist").inner_text()
    assert "0 merged, 1 skipped" in told and "are two generations of a family" in told
    review_flow.shot(page, "merge-rules-refused")
    son.refresh_from_db()
    assert son.merged_into_id is None

    page.locator("#result_list tbody tr", has_text="Сергей Лукьяненко").locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", label="Merge the selected authors")
    page.click("button[name=index]")
    page.wait_for_selector("input[value='Yes, merge it']")  # it asks first
    page.click("input[value='Yes, merge it']")
    page.wait_for_selector(".messagelist")
    assert "1 merged" in page.locator(".messagelist").inner_text()
    latin.refresh_from_db()
    assert (latin.merged_into_id, latin.sort_name) == (None, "")  # not "Лукьяненко, Сергей"
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.MERGE)
    page.goto(f"{base}/admin/enrichment/auditlogentry/{entry.pk}/change/")
    content = page.locator("#content").inner_text()
    assert "Credits moved here" in content and "Лукьяненко, Сергей" not in content
    review_flow.shot(page, "merge-rules-audit")
    assert Author.objects.get(pk=cyrillic.pk).merged_into_id == latin.pk
