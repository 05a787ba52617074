"""The History a librarian reads: a request's History rows and the audit log say what happened to a
proposal (a reviewer dismissed it, or a re-run superseded it: request_status.audit_action_label)."""

import re

import pytest
from django.urls import reverse

from enrichment import queue, review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import AUDIT_URL, change_url, librarian

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
