"""A provider record's notes for reviewers are said in the reader's language on the review page,
whoever's worker wrote them; notes stored as text before read as written. A tiny in-test French
catalog stands in for a .mo file (as test_cover_notes_translated does)."""

import pytest
from django.utils import translation

from enrichment import engine, queue, review_page
from enrichment.api import serializers
from enrichment.candidates import Contributor
from enrichment.models import EnrichmentRequest
from enrichment.proposals import CandidateSeen, MatchDetails
from enrichment.providers import fields, settle
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_isbn13, make_work
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db

SERIES_NOTE = (
    "The subtitle “%(subtitle)s” names the series (%(series)s, number %(number)s): it is not "
    "proposed as the subtitle."
)
TOO_LONG = "The provider's answer was too long: %(cuts)s."
AUTHORS_KEPT = "only the first %(count)s authors kept"
SYNTHETIC_CATALOG = {
    SERIES_NOTE: "Le sous-titre « %(subtitle)s » nomme la série (%(series)s, numéro %(number)s).",
    TOO_LONG: "La réponse du fournisseur était trop longue : %(cuts)s.",
    AUTHORS_KEPT: "seuls les %(count)s premiers auteurs gardés",
}


@pytest.fixture
def french(monkeypatch):
    use_synthetic_catalog(monkeypatch, SYNTHETIC_CATALOG, language="fr")


def enriched_in_french() -> EnrichmentRequest:
    """A request whose provider record a worker running in French read: its subtitle is a
    series statement, and it names more authors than the catalog keeps."""
    isbn13 = make_isbn13()
    work = make_work("Stormbringer", authors=["Michael Moorcock"])
    make_edition(work, isbn13=isbn13)
    with translation.override("fr"):
        record = settle.settle_candidate(
            candidate(
                title="Stormbringer",
                subtitle="Book Six of the Elric Saga",
                authors=[Contributor(f"Author {n}") for n in range(fields.AUTHORS_MAX_COUNT + 1)],
                isbn13=[isbn13],
            )
        )
        ids = queue.works_enqueue_enrichment(dispatch=False, work_ids=[work.pk])
        engine.process_requests(
            queue.requests_claim(request_ids=ids),
            providers=[FakeProvider(answers={isbn13: [record]})],
        )
    return EnrichmentRequest.objects.get(pk=ids[0])


def notes_shown(request: EnrichmentRequest) -> list[str]:
    [shown] = review_page.candidates_context(request)
    return shown["notes"]


def test_a_records_notes_are_said_in_the_reviewers_language(french):
    request = enriched_in_french()
    limit = fields.AUTHORS_MAX_COUNT

    with translation.override("en"):
        assert notes_shown(request) == [
            "The subtitle “Book Six of the Elric Saga” names the series (Elric Saga, number 6): "
            "it is not proposed as the subtitle.",
            f"The provider's answer was too long: only the first {limit} authors kept.",
        ]
    with translation.override("fr"):
        assert notes_shown(request) == [
            "Le sous-titre « Book Six of the Elric Saga » nomme la série (Elric Saga, numéro 6).",
            f"La réponse du fournisseur était trop longue : seuls les {limit} premiers auteurs "
            "gardés.",
        ]
    # Stored in English beside their codes (the API and older readers read the text).
    [seen] = request.match_details.candidates
    assert seen.notes[0].startswith("The subtitle “Book Six")


def test_notes_stored_as_text_before_read_as_written(french):
    old = "Le sous-titre « Book Six » nomme la série (Elric Saga, numéro 6)."
    request = enriched_in_french()
    details = MatchDetails(candidates=[CandidateSeen(provider="openlibrary", notes=[old])])
    EnrichmentRequest.objects.filter(pk=request.pk).update(match_details=details)
    request.refresh_from_db()

    with translation.override("en"):
        assert notes_shown(request) == [old]


def test_the_api_says_a_records_notes_in_the_clients_language_too(french):
    request = enriched_in_french()

    def api_notes() -> list[str]:
        [seen] = serializers.MatchDetailsSerializer(request.match_details).data["candidates"]
        return seen["notes"]

    with translation.override("fr"):
        assert api_notes()[0] == (
            "Le sous-titre « Book Six of the Elric Saga » nomme la série (Elric Saga, numéro 6)."
        )
    with translation.override("en"):
        assert api_notes()[0].startswith("The subtitle “Book Six of the Elric Saga” names")
