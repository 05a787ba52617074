"""A reviewer's access taken away while its decision runs. Its token deleted (revoked): a 401
saying so, and nothing changed (the decision, authorised when it began, was taken); deleted
after, the decision stands and the next request is a 401. The user deleted: the write
naming it as the actor fails and rolls back, which was a 500 as if the server had a bug; it is
a 401 saying so, and nothing changed."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's writers take turns: a revocation waits for the decision",
)
@pytest.mark.parametrize("action", ["approve", "dismiss"])
def test_a_token_revoked_while_its_decision_runs_is_a_401_and_nothing_changes(
    api, reviewer, monkeypatch, action
):
    """The decision, authorised when it began, was taken although its token had been revoked
    meanwhile (a leaked token, a reviewer let go): a 200."""
    request = needs_review()
    entries = AuditLogEntry.objects.count()
    decide = {"approve": review.request_approve, "dismiss": review.request_dismiss}[action]

    def revoked_then_decided(**kwargs):
        revoke = threading.Thread(target=revoke_on_its_own_connection, args=(reviewer.pk,))
        revoke.start()  # an admin deleting the token, committed at once
        revoke.join(timeout=30)
        return decide(**kwargs)

    monkeypatch.setattr(views.review, f"request_{action}", revoked_then_decided)
    body = {"fields": ["publisher"]} if action == "approve" else {}

    taken = api.post(reverse(f"api:enrichment-{action}", args=[request.pk]), body, format="json")

    assert taken.status_code == 401, taken.content
    assert taken.json()["error"] == {
        "code": "authentication_failed",
        "message": "The token this request was made with was revoked while it ran: nothing "
        "was done. Ask for a new token.",
    }
    request.refresh_from_db()
    assert request.status == EnrichmentRequest.Status.NEEDS_REVIEW
    assert Edition.objects.get(work=request.work_id).publisher == "Harper"
    assert AuditLogEntry.objects.count() == entries
    assert not Token.objects.filter(user=reviewer).exists()  # the revocation stands


def revoke_on_its_own_connection(user_id: int) -> None:
    try:
        Token.objects.filter(user_id=user_id).delete()
    finally:
        connection.close()


def test_a_token_revoked_after_its_decision_leaves_it_taken_and_the_next_is_a_401(api, reviewer):
    request = needs_review()

    taken = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        {"fields": ["publisher"]},
        format="json",
    )
    reviewer.auth_token.delete()
    after = api.get(reverse("api:enrichment-request", args=[request.pk]))

    assert taken.status_code == 200, taken.content
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"
    assert after.status_code == 401
