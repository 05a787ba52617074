"""An author merge's audit entry offers Revert only while author_merges would revert it, and
says why not in the refusal's own words (one rule: author_merges.author_merge_refusal)."""

import html
import re

import pytest
from django.urls import reverse

from catalog.models import Author
from enrichment import author_merges, revert
from enrichment.models import AuthorMerge
from tests.enrichment.test_work_page import text_of
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
REVERT_BUTTON = "Revert these changes"
AUDIT_URL = reverse("admin:enrichment_auditlogentry_changelist")


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def merged(kept: Author, duplicate: Author):
    merge = AuthorMerge.objects.create(
        kept=kept, duplicate=duplicate, reason=AuthorMerge.Reason.SHARED_ID
    )
    assert author_merges.author_merge_apply(merge=merge, actor=None).done
    merge.refresh_from_db()
    return merge.audit_entry


def entry_page(client, entry) -> str:
    url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    return html.unescape(text_of(client.get(url).content.decode()))


def test_a_merge_whose_kept_author_was_merged_since_offers_no_revert_and_says_why(
    client, librarian
):
    """It offered Revert, which author_merges then refused ("revert that merge first")."""
    a, b, c = (make_author(n) for n in ("Ursula K. Le Guin", "Le Guin, Ursula K.", "U. Le Guin"))
    make_work("The Dispossessed", authors=[c])
    first = merged(b, c)
    assert REVERT_BUTTON in entry_page(client, first)
    merged(a, b)

    page = entry_page(client, first)

    assert REVERT_BUTTON not in page
    why = (
        f"#{b.pk} Le Guin, Ursula K. was merged into another author since: revert that merge first"
    )
    assert f"This entry cannot be reverted: {why}." in page
    # The page's reason is the refusal's own.
    assert revert.audit_revert(entry=first, actor=librarian).refused == {"*": why}
    assert revert.revert_check(first).revertible == []


def test_a_merge_whose_duplicate_no_longer_redirects_offers_no_revert_and_says_why(
    client, librarian
):
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    entry = merged(kept, duplicate)
    Author.objects.filter(pk=duplicate.pk).update(merged_into=None)  # undone by hand since

    page = entry_page(client, entry)

    assert REVERT_BUTTON not in page
    why = f"#{duplicate.pk} U. K. Le Guin no longer redirects to #{kept.pk} Ursula K. Le Guin"
    assert f"This entry cannot be reverted: {why}." in page
    assert revert.audit_revert(entry=entry, actor=librarian).refused == {"*": why}
    # Selected alone for a bulk revert, it is counted beforehand as left: nothing to do.
    data = {"action": "revert_selected", "_selected_action": [entry.pk], "index": "0"}
    confirmation = html.unescape(text_of(client.post(AUDIT_URL, data).content.decode()))
    assert "Reverting the selected audit log entry would change nothing" in confirmation
    assert "Yes, revert" not in confirmation


def test_a_merge_that_stands_offers_revert_and_no_reason(client, librarian):
    entry = merged(make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin"))
    page = entry_page(client, entry)
    assert REVERT_BUTTON in page and "cannot be reverted" not in page


def test_a_reverted_merge_says_by_which_entry_once(client, librarian):
    entry = merged(make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin"))
    undo = revert.audit_revert(entry=entry, actor=librarian).revert_entry
    page = entry_page(client, entry)
    assert REVERT_BUTTON not in page
    assert f"Reverted by entry #{undo.pk}" in page and "cannot be reverted" not in page


def test_the_merged_authors_page_counts_and_links_the_merge_that_made_it_a_redirect(
    client, librarian
):
    """The merge is recorded on the kept author: the duplicate's page said "Its audit log
    entries (0)" and its link listed none, though the merge made it a redirect (and its revert
    an author of its own again)."""
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    entry = merged(kept, duplicate)
    undo = revert.audit_revert(entry=entry, actor=librarian).revert_entry
    merged(make_author("Someone Else"), make_author("S. Else"))  # another author's merge

    page = client.get(reverse("admin:catalog_author_change", args=[duplicate.pk]))
    link = re.search(
        r'<a href="([^"]+)">Its audit log entries \((\d+)\)</a>', page.content.decode()
    )
    assert link and link.group(2) == "2"

    listed = client.get(html.unescape(link.group(1))).content.decode()
    assert set(re.findall(r"auditlogentry/(\d+)/change/", listed)) == {str(entry.pk), str(undo.pk)}
    assert f"Only the entries of the author “{duplicate}”" in html.unescape(text_of(listed))


def test_the_list_says_which_author_a_merges_redirect_changed(client, librarian):
    """A merge's row names the kept author; its "Merged into: #1 Ursula K. Le Guin" read as that
    author's own change (merged into itself) rather than the duplicate's."""
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    entry = merged(kept, duplicate)
    undo = revert.audit_revert(entry=entry, actor=librarian).revert_entry

    page = client.get(AUDIT_URL).content.decode()
    rows = dict(
        re.findall(r'auditlogentry/(\d+)/change/.*?field-changes_summary">(.*?)</td>', page, re.S)
    )
    for shown in (entry, undo):
        changes = html.unescape(text_of(rows[str(shown.pk)]))
        assert re.search(rf"Merged into \(on {re.escape(str(duplicate))}\)\s*:", changes)


def test_the_merge_entry_page_names_the_duplicate_its_changes_were_written_to(client, librarian):
    """Its "On" column said "duplicate" (the log's key), beside a page titled by the kept
    author."""
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    entry = merged(kept, duplicate)

    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>.*?<td>([^<]*)</td></tr>', page.content.decode(), re.S
    )
    on = {name: html.unescape(target) for name, target in rows}
    assert on["Merged into"] == "U. K. Le Guin (the duplicate)"
    assert on["Credits moved here"] == "Author"
