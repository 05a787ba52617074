"""If-Match with two reviewers' clients at once: the ETag's check and the decision's write are
one locked window. Only the enrichment request was locked for it, so a decision on another
request of the same book, committed between one client's check and its write, was replaced
unseen: both clients had 200, the first one's value was gone (PostgreSQL). Now the second waits
for the first, finds the book changed since its read, and is a 412 with nothing done; SQLite,
whose writers take turns, answers the same."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.urls import reverse

from catalog.models import Edition
from enrichment import engine, queue, review
from enrichment.api import views
from enrichment.models import EnrichmentRequest
from tests.enrichment.api.conftest import REVIEW_PERMISSIONS, token_client, user_with
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.processes import shared_database_url
from tests.enrichment.test_review import needs_review, ol_record
from tests.factories import make_edition

Status = EnrichmentRequest.Status


def second_proposal(first: EnrichmentRequest, *, publisher: str) -> EnrichmentRequest:
    """A newer request for the same book, proposing another publisher, waiting for review."""
    edition = Edition.objects.get(work=first.work_id)
    ids = queue.works_enqueue_enrichment(work_ids=[first.work_id], dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    answer = ol_record(edition.isbn13, publisher=publisher)
    engine.process_requests(claimed, providers=[FakeProvider(answers={edition.isbn13: [answer]})])
    second = EnrichmentRequest.objects.get(pk=ids[0])
    assert second.status == Status.NEEDS_REVIEW
    return second


@pytest.fixture
def database_for_threads(tmp_path, monkeypatch):
    """The database each thread's connection opens: the test database on PostgreSQL; on SQLite
    a migrated file, as the site's (the suite's in-memory one locks whole tables between
    connections, "database table is locked", where a file's writers wait for each other)."""
    if connection.vendor == "sqlite":
        url = shared_database_url(tmp_path)
        file_settings = {**connections.settings["default"], "NAME": url.removeprefix("sqlite:///")}
        monkeypatch.setitem(connections.settings, "default", file_settings)


def in_a_thread(call: Callable[[], Any]) -> Any:
    """`call()` on a connection of its own, as a second process's would be."""
    outcome: dict[str, Any] = {}

    def run():
        try:
            outcome["value"] = call()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return outcome["value"]


@pytest.mark.slow  # two clients' threads racing on the database
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_threads", "sent_tasks")
def test_two_reviewers_deciding_one_books_publisher_at_once_lose_neither_decision(monkeypatch):
    def two_proposals():
        first = needs_review()  # proposes "HarperTorch"; the edition holds "Harper"
        alice = token_client(user_with("alice", *REVIEW_PERMISSIONS))
        bob = token_client(user_with("bob", *REVIEW_PERMISSIONS))
        approved = alice.post(
            reverse("api:enrichment-approve", args=[first.pk]),
            {"fields": ["page_count"]},
            format="json",
        )
        assert approved.status_code == 200  # its publisher may still be chosen
        second = second_proposal(first, publisher="Bloomsbury")
        etags = {
            request.pk: alice.get(reverse("api:enrichment-request", args=[request.pk]))["ETag"]
            for request in (first, second)
        }
        return first, second, alice, bob, etags

    first, second, alice, bob, etags = in_a_thread(two_proposals)

    # Alice's decision stops once its If-Match held, until Bob's is done (or 3 s: Bob's may
    # wait for hers).
    alice_checked, bob_done = threading.Event(), threading.Event()
    approve = review.request_approve

    def approve_once_bob_tried(**kwargs):
        if kwargs["request"].pk == first.pk:
            alice_checked.set()
            bob_done.wait(timeout=3)
        return approve(**kwargs)

    monkeypatch.setattr(views.review, "request_approve", approve_once_bob_tried)
    answers = {}

    def decide(name, client, request):
        try:
            answers[name] = client.post(
                reverse("api:enrichment-approve", args=[request.pk]),
                {"fields": ["publisher"]},
                format="json",
                HTTP_IF_MATCH=etags[request.pk],
            )
        finally:
            if name == "bob":
                bob_done.set()
            connection.close()

    alice_thread = threading.Thread(target=decide, args=("alice", alice, first))
    alice_thread.start()
    assert alice_checked.wait(timeout=30)
    bob_thread = threading.Thread(target=decide, args=("bob", bob, second))
    bob_thread.start()
    for thread in (alice_thread, bob_thread):
        thread.join(timeout=60)

    assert answers["alice"].status_code == 200, answers["alice"].content
    assert answers["bob"].status_code == 412, answers["bob"].content
    assert answers["bob"].json()["error"]["code"] == "precondition_failed"

    def publisher_and_second():
        second.refresh_from_db()
        publisher = Edition.objects.get(work=first.work_id).publisher
        return publisher, second.status, second.reviewed_by_id

    assert in_a_thread(publisher_and_second) == ("HarperTorch", Status.NEEDS_REVIEW, None)


@pytest.mark.slow  # a decision and a librarian's edit racing on the database
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_for_threads", "sent_tasks")
def test_a_sibling_editions_cover_changed_during_a_decision_waits_for_it(monkeypatch):
    """The ETag covers the cover the work shows, a sibling edition's when the work has none,
    but only the work and the target edition were locked: a sibling's cover removed between
    the If-Match's check and the decision's write went unseen (PostgreSQL). Now the removal
    waits until the decision is taken, and the next read has another ETag."""

    def proposal_and_sibling():
        request = needs_review()
        edition = Edition.objects.get(work=request.work_id)
        sibling = make_edition(request.work, cover="covers/sibling.jpg")
        alice = token_client(user_with("alice", *REVIEW_PERMISSIONS))
        etag = alice.get(reverse("api:enrichment-request", args=[request.pk]))["ETag"]
        assert sibling.pk > edition.pk
        return request, sibling, alice, etag

    request, sibling, alice, etag = in_a_thread(proposal_and_sibling)
    checked, order = threading.Event(), []
    approve = review.request_approve

    def approve_after_a_while(**kwargs):
        checked.set()
        threading.Event().wait(timeout=2)  # the edit's chance to slip in
        outcome = approve(**kwargs)
        order.append("decided")
        return outcome

    monkeypatch.setattr(views.review, "request_approve", approve_after_a_while)
    answers = {}

    def decide():
        try:
            answers["alice"] = alice.post(
                reverse("api:enrichment-approve", args=[request.pk]),
                {"fields": ["publisher"]},
                format="json",
                HTTP_IF_MATCH=etag,
            )
        finally:
            connection.close()

    def remove_the_siblings_cover():
        Edition.objects.filter(pk=sibling.pk).update(cover="")
        order.append("cover removed")

    decision = threading.Thread(target=decide)
    decision.start()
    assert checked.wait(timeout=30)
    in_a_thread(remove_the_siblings_cover)
    decision.join(timeout=60)

    assert answers["alice"].status_code == 200, answers["alice"].content
    assert order == ["decided", "cover removed"]
    new_etag = in_a_thread(
        lambda: alice.get(reverse("api:enrichment-request", args=[request.pk]))["ETag"]
    )
    assert new_etag != etag
