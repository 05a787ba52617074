"""The works list's enrichment triggers: "Enrich all missing" and "Enrich selected works", who
is offered them, what they queue and what the operation's page says it did."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.models import Work
from enrichment import bulk_operations
from enrichment.models import BulkOperation, EnrichmentRequest
from tests.enrichment.test_review_admin import (  # noqa: F401 (no_task_queue: an autouse fixture)
    WORKS_URL,
    librarian,
    no_task_queue,
    viewer,
)
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db


def test_works_list_keeps_import_and_gains_the_enrichment_triggers(client):
    Work.objects.create(title="Bare")  # an empty list offers no action to select with
    client.force_login(librarian())
    page = client.get(WORKS_URL).content.decode()
    assert "Import CSV" in page and "Enrich all missing covers / metadata" in page
    assert "enrich_selected" in page
    client.force_login(viewer())
    page = client.get(WORKS_URL).content.decode()
    assert "Enrich all missing" not in page and "enrich_selected" not in page
    assert client.get(reverse("admin:catalog_work_enrich_missing")).status_code == 403


def test_enrich_all_missing_queues_the_works_that_lack_something(client):
    Work.objects.create(title="Bare")
    client.force_login(librarian())
    url = reverse("admin:catalog_work_enrich_missing")
    # One work has no cover and lacks metadata: said in the singular (it read "1 works have").
    page = normalised(client.get(url))
    assert "1 work has no cover; 1 lacks key metadata" in page
    # Each choice says how many works it queues, the first too (it said no number).
    assert "Covers and metadata (1) Covers only (1) Metadata only (1)" in page
    assert "manage.py enrich_missing" not in page  # a librarian's page: no command line
    response = client.post(url, {"what": "covers"}, follow=True)
    assert "1 queued for enrichment" in response.content.decode()
    request = EnrichmentRequest.objects.get()
    assert request.trigger == "manual_bulk" and not request.wants_metadata


def test_enrich_all_missing_counts_what_it_queues_and_says_what_it_leaves(client):
    """A work whose proposal waits for review is not queued again: the page counted it among
    those each choice queues ("Covers and metadata (3)") and said only that works already queued
    are left, then queued 1 and left 2."""
    waiting, queued = Work.objects.create(title="Waiting"), Work.objects.create(title="Queued")
    Work.objects.create(title="Bare")
    EnrichmentRequest.objects.create(work=waiting, status=EnrichmentRequest.Status.NEEDS_REVIEW)
    EnrichmentRequest.objects.create(work=queued, status=EnrichmentRequest.Status.PENDING)
    client.force_login(librarian())
    url = reverse("admin:catalog_work_enrich_missing")

    page = normalised(client.get(url))

    assert "3 works have no cover; 3 lack key metadata" in page
    assert (
        "Of these, 1 has a proposal waiting for review (approve, dismiss or re-run it); 1 is "
        "queued already: left as they are."
    ) in page
    assert "Covers and metadata (1) Covers only (1) Metadata only (1)" in page
    response = client.post(url, {"what": "both"}, follow=True)
    assert "1 queued for enrichment" in normalised(response)


def normalised(response) -> str:
    """A page's text with its markup and runs of white space gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_background_enrich_operation_says_what_it_queued_not_what_it_changed(
    client, monkeypatch, sent_tasks
):
    """Enrich all missing over more works than run at once: its page read "Changed 431" of works
    it only queued, "(432 rows)", "How the rows were chosen, for people." and linked "the list as
    it was filtered" to the whole works list, which no one had filtered; and its selection said
    "every work missing covers and metadata" of works that lacked either."""
    monkeypatch.setattr(bulk_operations, "BULK_INLINE_MAX", 1)
    for title in ("Bare", "Bare too"):
        Work.objects.create(title=title)
    client.force_login(librarian())
    response = client.post(reverse("admin:catalog_work_enrich_missing"), {"what": "both"})
    operation = BulkOperation.objects.get()
    assert response.url == reverse("admin:enrichment_bulkoperation_change", args=[operation.pk])
    bulk_operations.bulk_operation_run(operation_id=operation.pk)
    page = normalised(client.get(response.url))
    assert f"Enrich all missing covers / metadata #{operation.pk} (2 works)" in page
    assert "every work missing a cover or metadata (2)" in page
    assert "Queued for enrichment 2 · left as they were 0 · failed 0" in page
    assert "Changed" not in page and "rows" not in page and "for people" not in page
    assert "the list as it was filtered" not in page


def test_a_background_enrich_operations_selection_is_in_its_starters_language(
    client, monkeypatch, sent_tasks
):
    """The operation's selection is stored in words, as the admin actions' selections are: in
    the language of the librarian who started it, where it was English whatever theirs."""
    use_synthetic_catalog(
        monkeypatch,
        {"every work missing %(what)s (%(count)s)": "toute œuvre sans %(what)s (%(count)s)",
         "a cover": "couverture"},
        language="fr",
    )  # fmt: skip
    monkeypatch.setattr(bulk_operations, "BULK_INLINE_MAX", 1)
    for title in ("Bare", "Bare too"):
        Work.objects.create(title=title)
    with translation.override("fr"):
        bulk_operations.works_enrich_missing(actor=librarian(), covers=True, metadata=False)
    assert BulkOperation.objects.get().selection == "toute œuvre sans couverture (2)"


def test_enrich_selected_works_with_a_confirmation(client):
    works = [Work.objects.create(title=f"Bare {i}") for i in range(2)]
    client.force_login(librarian())
    pks = [w.pk for w in works]
    page = client.post(
        WORKS_URL, {"action": "enrich_selected", "index": "0", "_selected_action": pks}
    )
    assert "Enrich selected works" in page.content.decode()
    client.post(WORKS_URL, {"action": "enrich_selected", "_selected_action": pks, "post": "yes"})
    assert EnrichmentRequest.objects.filter(work__in=works, trigger="manual_bulk").count() == 2
