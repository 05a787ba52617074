"""A realistic review queue without the network: the engine answered by an in-memory provider.

Works from a real Goodreads export are enriched by the real engine (queue, claims, matching,
merging, decisions); only the provider is a stand-in (tests/enrichment/fakes.py). It answers each
book's ISBN with a record that agrees on title and author but lists no ISBN itself, so the
match is medium: the cover and the metadata wait for a reviewer.
"""

from enrichment import engine, queue
from enrichment.candidates import Contributor, CoverRef
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate

COVER_URL = "https://covers.openlibrary.org/b/id/{}-L.jpg"


def record_for(work, edition, number: int):
    """An Open Library-like record for a work: same title and authors, richer metadata."""
    publisher = (edition.publisher if edition else "") or "Penguin"
    return candidate(
        provider="openlibrary",
        title=work.title,
        authors=[Contributor(c.author.name) for c in work.credits.all()],
        publisher=f"{publisher} Publishing",
        page_count=(edition.page_count or 300) + 12 if edition else 312,
        publication_date="2016-03-01",
        language="eng",
        description=(
            f"{work.title}: a description written by the provider, long enough to show on the "
            "review page, and different from anything the catalog holds."
        ),
        subjects=["History", "Non-fiction", "Reading lists"],
        first_published_year=1990 + number % 30,
        covers=[CoverRef("openlibrary", COVER_URL.format(8_000_000 + number), str(number), "L")],
        provider_ids={"openlibrary_edition": f"OL{number}M", "openlibrary_work": f"OL{number}W"},
        source_url=f"https://openlibrary.org/books/OL{number}M",
        notes=["answered for the ISBN; the record itself lists none"],
        queried_isbn=edition.isbn13 if edition else "",
    )


def enrich_with_fake_provider(*, work_ids=None) -> list[int]:
    """Run the engine on the pending requests of these works (all pending if None); returns
    the ids of the requests that ended waiting for review."""
    pending = EnrichmentRequest.objects.filter(status="pending")
    if work_ids is not None:
        pending = pending.filter(work_id__in=work_ids)
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    claimed = queue.requests_claim(request_ids=ids, limit=max(len(ids), 1))
    answers = {}
    for number, request in enumerate(claimed, start=1):
        edition = request.work.editions.exclude(isbn13=None).order_by("pk").first()
        if edition is not None:
            answers[edition.isbn13] = [record_for(request.work, edition, number)]
    engine.process_requests(claimed, providers=[FakeProvider("openlibrary", answers=answers)])
    return list(
        EnrichmentRequest.objects.filter(pk__in=ids, status="needs_review").values_list(
            "pk", flat=True
        )
    )
