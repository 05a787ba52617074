"""A reviewer's access taken away while its decision runs. Its token deleted: the decision,
authorised when it began, is taken, and the next request is a 401. The user deleted: the write
naming it as the actor fails and rolls back, which was a 500 as if the server had a bug; it is
a 401 saying so, and nothing changed."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import Edition
from enrichment import review
from enrichment.api import views
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import needs_review

# Committed: the foreign key the deletion breaks is checked when the decision commits.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sent_tasks")]


def approve_after(monkeypatch, meanwhile) -> None:
    """The decision runs `meanwhile()` once authorised, before it writes."""
    decide = review.request_approve

    def approve_once_it_happened(**kwargs):
        meanwhile()
        return decide(**kwargs)

    monkeypatch.setattr(views.review, "request_approve", approve_once_it_happened)


def test_a_user_deleted_while_its_decision_runs_is_a_401_and_nothing_changes(
    api, reviewer, monkeypatch
):
    request = needs_review()
    entries = AuditLogEntry.objects.count()
    approve_after(monkeypatch, lambda: User.objects.filter(pk=reviewer.pk).delete())

    response = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        {"fields": ["publisher"]},
        format="json",
    )

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "The user this request was made as was deleted while it ran: nothing was done.",
    }
    request.refresh_from_db()
    assert request.status == EnrichmentRequest.Status.NEEDS_REVIEW
    assert Edition.objects.get(work=request.work_id).publisher == "Harper"
    assert AuditLogEntry.objects.count() == entries


def test_a_token_revoked_while_its_decision_runs_decides_that_one_only(api, reviewer, monkeypatch):
    request = needs_review()
    approve_after(monkeypatch, lambda: reviewer.auth_token.delete())

    taken = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        {"fields": ["publisher"]},
        format="json",
    )
    after = api.get(reverse("api:enrichment-request", args=[request.pk]))

    assert taken.status_code == 200, taken.content
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"
    assert after.status_code == 401
