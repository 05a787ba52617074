"""The review page's "Why this match" beside its "Answered by": every provider that answered is
accounted for, by its record or by a line saying it gave none."""

import re

import pytest

from enrichment import engine, queue
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_review import ol_record
from tests.enrichment.test_review_admin import (  # noqa: F401 (no_task_queue: an autouse fixture)
    change_url,
    librarian,
    no_task_queue,
)
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_provider_that_answered_without_a_record_is_named_beside_the_records(client):
    """ "Answered by: Open Library, Google Books" above one Google Books record, and not a word
    of what Open Library said: it answered that it does not know the book."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work, publisher="Harper")
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    google = FakeProvider(
        "google_books",
        answers={edition.isbn13: [ol_record(edition.isbn13, provider="google_books")]},
    )
    engine.process_requests(
        queue.requests_claim(request_ids=ids), providers=[FakeProvider("openlibrary"), google]
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    client.force_login(librarian())
    page = text_of(client.get(change_url(request)).content.decode())
    assert "Open Library, Google Books" in page  # Answered by
    assert "No record of this book from Open Library." in page
    assert "No record of this book from Google Books" not in page
