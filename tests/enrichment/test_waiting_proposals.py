"""A proposal waiting for review is never lost nor doubled (enrichment.queue, enrichment.review):
nothing queues its work again (the admin's "Enrich selected", enrich_missing, an import, the
retries; the API's trigger in tests/enrichment/api/test_trigger.py), each saying why, so the
proposal stays in the review list; a reviewer's re-run replaces it, dismissed as superseded with
an audit entry, and says so. Proposals are made by the real engine over FakeProvider answers
(tests/enrichment/test_review.py's `needs_review`)."""

import importlib
import json
import re
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment import queue
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import needs_review

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")
WORKS_URL = reverse("admin:catalog_work_changelist")
WAITS = (
    "a proposal for the work waits for review: approve or dismiss it, or re-run it to replace it"
)


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def listed(client, request: EnrichmentRequest, url: str = QUEUE_URL) -> bool:
    """Whether the review list (the current request of each work) links to this request."""
    change = reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    return f'href="{change}' in client.get(url).content.decode()


# --- Not queued again ---------------------------------------------------------------------------


def test_enrich_selected_leaves_a_work_waiting_for_review_and_says_why(admin_client):
    request = needs_review()
    response = admin_client.post(
        WORKS_URL,
        {"action": "enrich_selected", "_selected_action": [request.work_id], "post": "yes"},
        follow=True,
    )

    assert f"0 queued for enrichment, 1 left as it was (1 {WAITS})." in messages_of(response)
    assert list(EnrichmentRequest.objects.values_list("pk", "status")) == [
        (request.pk, Status.NEEDS_REVIEW)
    ]
    assert Work.objects.get(pk=request.work_id).enrichment_status == "needs_review"
    assert listed(admin_client, request)


def test_enrich_missing_leaves_works_waiting_for_review_and_counts_them():
    request = needs_review()
    out = StringIO()
    call_command("enrich_missing", "--dry-run", stdout=out)
    assert "Dry run: 0 would be queued." in out.getvalue()

    out = StringIO()
    call_command("enrich_missing", stdout=out)
    assert (
        "1 of them waits for review and is not queued again: approve or dismiss its proposal in "
        "the admin, or re-run it to replace the proposal." in out.getvalue()
    )
    assert "Queued 0 " in out.getvalue()
    out = StringIO()
    call_command("enrich_missing", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["enqueued"], summary["waiting_for_review"]) == (0, 1)
    request.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW
    assert EnrichmentRequest.objects.count() == 1


def test_an_import_or_a_retry_does_not_queue_a_work_waiting_for_review_again():
    request = needs_review()
    assert queue.post_import_hook(work_ids=[request.work_id], trigger="post_import") == 0
    assert queue.works_enqueue_enrichment(trigger="schedule", dispatch=False) == []
    request.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW


# --- Re-run replaces it -------------------------------------------------------------------------


def test_rerun_supersedes_the_waiting_proposal_with_an_audit_entry_and_says_so(
    admin_client, admin_user
):
    request = needs_review()
    chosen = {"action": "rerun_selected", "_selected_action": [request.pk]}
    asked = text_of(admin_client.post(QUEUE_URL, {"index": "0", **chosen}).content.decode())
    assert (
        "You are about to run enrichment again for the selected enrichment request. A proposal "
        "waiting for review is replaced: dismissed as superseded, in the audit log." in asked
    )
    response = admin_client.post(QUEUE_URL, {**chosen, "post": "yes"}, follow=True)

    new = EnrichmentRequest.objects.exclude(pk=request.pk).get()
    assert new.status == Status.PENDING
    assert (
        "1 queued again (1 proposal waiting for review superseded (dismissed, in the audit log))."
        in messages_of(response)
    )
    request.refresh_from_db()
    note = f"Superseded by request #{new.pk}: enrichment was run again."
    assert (request.status, request.review_note, request.reviewed_by) == (
        Status.SKIPPED,
        note,
        admin_user,
    )
    entry = AuditLogEntry.objects.get(request=request)
    assert (entry.action, entry.note, entry.actor, entry.work_id, entry.changes) == (
        "dismiss",
        note,
        admin_user,
        request.work_id,
        {},
    )
    assert listed(admin_client, new) and not listed(admin_client, request)


def test_the_review_pages_rerun_button_says_the_proposal_was_superseded(admin_client):
    request = needs_review()
    url = reverse("admin:enrichment_enrichmentrequest_rerun", args=[request.pk])
    response = admin_client.post(url, follow=True)

    new = EnrichmentRequest.objects.exclude(pk=request.pk).get()
    assert (
        f"Enrichment of Neverwhere will run again (request #{new.pk}); the proposal waiting "
        "for review was superseded (dismissed, in the audit log)."
    ) in text_of(messages_of(response))
    request.refresh_from_db()
    assert request.status == Status.SKIPPED


def test_rerunning_the_newest_request_supersedes_a_proposal_hidden_under_it(admin_client):
    """A proposal left waiting under a newer request (as earlier versions left it, where no list
    showed it): re-running the request the list shows replaces it too, so no proposal for the
    work is left waiting unseen beside the new one."""
    waiting = needs_review()
    newest = EnrichmentRequest.objects.create(
        work_id=waiting.work_id, trigger="command", status=Status.FAILED
    )
    assert listed(admin_client, newest) and not listed(admin_client, waiting)

    admin_client.post(
        QUEUE_URL,
        {"action": "rerun_selected", "_selected_action": [newest.pk], "post": "yes"},
        follow=True,
    )

    waiting.refresh_from_db()
    assert waiting.status == Status.SKIPPED and waiting.review_note.startswith("Superseded")
    assert AuditLogEntry.objects.filter(request=waiting, action="dismiss").count() == 1
    assert not EnrichmentRequest.objects.filter(status=Status.NEEDS_REVIEW).exists()
    assert EnrichmentRequest.objects.filter(status=Status.PENDING).count() == 1


def test_the_migration_supersedes_the_proposals_earlier_versions_hid_under_a_newer_request():
    migration = importlib.import_module(
        "enrichment.migrations.0027_supersede_hidden_review_proposals"
    )
    hidden = needs_review()
    newest = EnrichmentRequest.objects.create(
        work_id=hidden.work_id, trigger="command", status=Status.PENDING
    )
    shown = needs_review("Stardust")  # the newest of its work: in the review list, left alone

    migration.supersede_hidden_proposals(django_apps, None)

    hidden.refresh_from_db()
    note = f"Superseded by request #{newest.pk}: enrichment was run again."
    assert (hidden.status, hidden.review_note) == (Status.SKIPPED, note)
    entry = AuditLogEntry.objects.get(request=hidden)
    assert (entry.action, entry.note, entry.work_id) == ("dismiss", note, hidden.work_id)
    assert entry.actor_label == "migration enrichment 0027"
    assert EnrichmentRequest.objects.get(pk=newest.pk).status == Status.PENDING
    assert list(
        EnrichmentRequest.objects.filter(status=Status.NEEDS_REVIEW).values_list("pk", flat=True)
    ) == [shown.pk]
    migration.supersede_hidden_proposals(django_apps, None)  # once is enough: nothing more
    assert AuditLogEntry.objects.filter(action="dismiss").count() == 1


def test_the_migration_links_the_requests_superseded_before_to_the_request_that_replaced_them():
    """Migration 0029: a proposal superseded before `superseded_by` existed (by a re-run, or
    by migration 0027) is linked to the request its note names; a reviewer's dismissal, whose
    reason merely mentions a request, and a note naming a request that is gone are not."""
    migration = importlib.import_module("enrichment.migrations.0029_request_superseded_by")
    hidden = needs_review()
    newest = EnrichmentRequest.objects.create(
        work_id=hidden.work_id, trigger="command", status=Status.PENDING
    )
    importlib.import_module(
        "enrichment.migrations.0027_supersede_hidden_review_proposals"
    ).supersede_hidden_proposals(django_apps, None)
    dismissed = needs_review("Stardust")
    EnrichmentRequest.objects.filter(pk=dismissed.pk).update(
        status=Status.SKIPPED,
        reviewed_at=timezone.now(),
        review_note=f"Dismissed: Superseded by request #{newest.pk}, I think",
    )
    gone = needs_review("Coraline")
    EnrichmentRequest.objects.filter(pk=gone.pk).update(
        status=Status.SKIPPED,
        reviewed_at=timezone.now(),
        review_note="Superseded by request #999999: enrichment was run again.",
    )
    EnrichmentRequest.objects.update(superseded_by=None)  # as the rows stood before 0029

    migration.link_superseded_requests(django_apps, None)

    linked = dict(EnrichmentRequest.objects.values_list("pk", "superseded_by"))
    assert linked == {
        hidden.pk: newest.pk,
        newest.pk: None,
        dismissed.pk: None,
        gone.pk: None,
    }
