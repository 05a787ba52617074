"""The History a librarian reads: a request's History rows and the audit log say what happened to a
proposal (a reviewer dismissed it, or a re-run superseded it: request_status.audit_action_label);
a merged duplicate author's History shows the merge that redirected it, and its revert."""

import re

import pytest
from django.urls import reverse

from enrichment import queue, revert, review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_audit_merge_revert import merged
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import AUDIT_URL, change_url, librarian
from tests.enrichment.test_work_page import text_of
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def history_rows(page: str) -> list[str]:
    """The request page's History rows, each as text."""
    table = re.search(r'<table class="review-history">(.*?)</table>', page, re.S)
    assert table, page
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_a_proposal_a_rerun_replaced_reads_superseded_not_dismissed(client):
    user = librarian()
    superseded = needs_review()
    queue.works_enqueue_enrichment(
        work_ids=[superseded.work_id], dispatch=False, supersede_review=True, actor=user
    )
    dismissed = needs_review(title="Stardust")
    review.request_dismiss(request=dismissed, actor=user, reason="another edition")
    newer = EnrichmentRequest.objects.get(work=superseded.work_id, status="pending")
    client.force_login(user)

    (row,) = history_rows(client.get(change_url(superseded)).content.decode())
    assert "Superseded by a re-run" in row and "Dismissed" not in row, row
    assert f"Superseded by request #{newer.pk}: enrichment was run again." in row
    (row,) = history_rows(client.get(change_url(dismissed)).content.decode())
    assert "Dismissed" in row and "Superseded" not in row and "another edition" in row, row

    listed = client.get(AUDIT_URL, {"action__exact": "dismiss"}).content.decode()
    badges = re.findall(r'<span class="status-badge"[^>]*>([^<]*)<', listed)
    assert sorted(badges) == ["Dismissed", "Superseded by a re-run"], badges
    entry = AuditLogEntry.objects.get(request=superseded)
    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert "Superseded by a re-run: Neverwhere" in page.content.decode()


def history_of(client, author) -> list[str]:
    """An author's History page's rows (when, who, what), each as text."""
    page = client.get(reverse("admin:catalog_author_history", args=[author.pk]))
    assert page.status_code == 200
    body = re.search(r"<tbody>(.*?)</tbody>", page.content.decode(), re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    return [text_of(row).strip() for row in rows]


def test_a_merged_duplicates_history_shows_the_merge_and_its_revert(client):
    """history_record writes the merge in the kept author's History: the duplicate's said "This
    object doesn't have a change history" though the merge moved its credits and made it a
    redirect."""
    user = librarian()
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    entry = merged(kept, duplicate)
    merged(make_author("Someone Else"), make_author("S. Else"))  # another author's merge
    client.force_login(user)

    (row,) = history_of(client, duplicate)
    assert "enrichment-worker" in row and "Merged into Ursula K. Le Guin" in row, row
    assert f"(enrichment audit entry #{entry.pk})" in row

    undo = revert.audit_revert(entry=entry, actor=user).revert_entry
    merge_row, revert_row = history_of(client, duplicate)
    assert "Merged into Ursula K. Le Guin" in merge_row
    assert " libby " in revert_row  # the user column: who reverted it
    assert "Its merge into Ursula K. Le Guin was reverted by libby" in revert_row, revert_row
    assert f"#{undo.pk}, which reverts #{entry.pk}" in revert_row
    # The kept author's History keeps its own rows, once each.
    assert len(history_of(client, kept)) == 2


def test_an_entry_a_rerun_recorded_names_itself_superseded_not_dismissed(client):
    """Its one line (__str__: the admin's titles and lists) said "Dismissed on 12 at …" where its
    page and the log said "Superseded by a re-run" (request_status.audit_action_label)."""
    user = librarian()
    superseded, dismissed = needs_review(), needs_review(title="Stardust")
    review.request_rerun(request=superseded, actor=user)
    review.request_dismiss(request=dismissed, actor=user)

    entry = AuditLogEntry.objects.get(request=superseded, action="dismiss")
    assert str(entry).startswith(f"Superseded by a re-run on {superseded.work_id} at "), str(entry)
    other = AuditLogEntry.objects.get(request=dismissed, action="dismiss")
    assert str(other).startswith(f"Dismissed on {dismissed.work_id} at "), str(other)
    client.force_login(user)
    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert "Dismissed" not in page.content.decode()
    # Its note in a sentence, one full stop (it read "…enrichment was run again..").
    assert "no field: Superseded by request #" in page.content.decode()
    assert "run again.." not in page.content.decode()
