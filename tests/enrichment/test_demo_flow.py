"""`make demo` end to end, without a network: the demo provider on a free loopback port, the
bundled demo export imported as `make demo` imports it, and the real engine, clients and cover
pipeline working every request here (what the demo's worker does). The outcome is what a
newcomer sees: books enriched with covers, real decisions waiting for review, books nobody
knows left unresolved."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Work
from catalog.selectors import work_has_cover
from enrichment import engine
from enrichment.demo.recordings import DEMO_EXPORT
from enrichment.demo.server import DemoProviderServer
from enrichment.models import AuditLogEntry, EnrichmentRequest

#: Known to the recorded bodies: by ISBN (Books API, Google), by Open Library edition or work key.
ENRICHED = {
    "Use of Weapons",
    "宇宙の話をしよう",
    "Butterfly gardening",
    "Little Louie the Baby Bloomer",
    "Beds I Have Known",
    "Musical!",
    "Sieben Doppelgänger",
    "Disparo en la catedral",
    "Drew and the Homeboy Question",
    "The Idiot",
    "The Letters of Dostoyevsky to His Wife",
    "Marduk the Mighty and Other Stories of Creation",
    ".45-Caliber Deathtrap",
}
#: Found by a title + author search, no ISBN of ours to confirm it: the cover is applied, the
#: metadata waits for a reviewer.
FOUND_BY_SEARCH = {"The Lord of the Rings", "Children of Time"}
UNKNOWN = {"The Silk Roads", "The Design of Everyday Things", "Piranesi"}


@pytest.fixture
def no_network(monkeypatch):
    """Name lookups fail for anything but the demo provider's loopback address."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host != "127.0.0.1":
            raise socket.gaierror(socket.EAI_NONAME, f"no network in this test: {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def point_at_demo(settings, url: str) -> None:
    """The provider settings scripts/demo.sh exports (rates: no limit to respect locally)."""
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
    settings.OPENLIBRARY_URL = settings.OPENLIBRARY_COVERS_URL = url
    settings.GOOGLE_BOOKS_URL = f"{url}/books/v1"
    settings.GOOGLE_BOOKS_API_KEY = ""
    settings.COVER_ALLOWED_HOSTS = []
    settings.OPENLIBRARY_RATE = settings.GOOGLE_BOOKS_RATE = 1000.0


@pytest.fixture
def demo_provider(settings, no_network):
    with DemoProviderServer() as server:
        point_at_demo(settings, server.url)
        yield server


def import_and_enrich_the_demo_export() -> None:
    """What `make demo` does: import_books, then its worker works the queued requests."""
    call_command("import_books", str(DEMO_EXPORT), stdout=StringIO())
    pending = EnrichmentRequest.objects.filter(status="pending").values_list("pk", flat=True)
    engine.run_now(request_ids=list(pending))


def request_for(title: str) -> EnrichmentRequest:
    return EnrichmentRequest.objects.select_related("work").get(work__title=title)


@pytest.mark.slow  # a server thread and the whole pipeline over HTTP
@pytest.mark.django_db
def test_the_demo_export_enriched_by_the_demo_provider(demo_provider, sent_tasks):
    import_and_enrich_the_demo_export()

    assert Work.objects.count() == len(ENRICHED | FOUND_BY_SEARCH | UNKNOWN) + 2
    for title in ENRICHED:  # high confidence: metadata and a verified cover applied
        request = request_for(title)
        assert (request.status, request.confidence, request.cover_status) == (
            "completed",
            "high",
            "applied",
        ), title
        assert request.work.enrichment_status == "enriched" and work_has_cover(request.work)
    for title in FOUND_BY_SEARCH:  # medium: the cover applied, the metadata for review
        request = request_for(title)
        assert (request.status, request.confidence, request.cover_status) == (
            "needs_review",
            "medium",
            "applied",
        ), title
        assert work_has_cover(request.work)

    # The two real decisions: our ISBN on a record whose title, or whose author, is not ours.
    title_disagrees = request_for("Lake of the Long Sun")
    other_author = request_for("Les Enchanteurs")
    for request in (title_disagrees, other_author):
        assert (request.status, request.confidence) == ("needs_review", "low")
        assert request.cover_status == "" and not work_has_cover(request.work)
    scores = title_disagrees.proposal.scores
    assert (scores.isbn, scores.title, scores.author) == (5, 2, 5)  # The Book of the New Sun
    scores = other_author.proposal.scores
    assert (scores.isbn, scores.title, scores.author) == (5, 5, 0)  # by Romain Gary

    for title in UNKNOWN:  # both providers answered, and neither knew it
        request = request_for(title)
        assert request.status == "skipped" and request.work.enrichment_status == "unresolved"
        assert sorted(request.providers_attempted) == ["google_books", "openlibrary"]

    # The audit log has an entry for each applied change, ready to be reverted.
    assert AuditLogEntry.objects.filter(action="cover").count() == 15
    # Open Library's Books API is asked once for every ISBN; searches and records one by one.
    assert demo_provider.requests["books_api"] == 1
    assert demo_provider.requests["cover"] + demo_provider.requests["google_cover"] == 15
