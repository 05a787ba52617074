"""The cover step's notes (a download given up, a storage to try again) are said in the
librarian's language on the request's page and in the API, whoever's worker wrote them; a note
stored as English text before reads as written. A tiny in-test French catalog stands in for a
.mo file (as tests/enrichment/test_reasons_translated.py does)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation

from enrichment import cover_apply
from enrichment.models import EnrichmentRequest
from enrichment.proposals import MatchDetails
from tests.enrichment.test_cover_queue import pending_covers
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db

GIVEN_UP = "The worker stopped while downloading this cover %(count)s times: given up."
#: English message -> its (French) translation, said only when French is the active language.
SYNTHETIC_CATALOG = {
    GIVEN_UP: "Le worker s'est arrêté %(count)s fois en téléchargeant cette couverture : abandon.",
    "The storage failed to store this cover (the server's log has its error): it is tried "
    "again later.": "Le stockage n'a pas pu garder cette couverture : nouvel essai plus tard.",
    "Not downloaded: %(decision)s.": "Non téléchargée : %(decision)s.",
    "dismissed": "rejetée",
}
FRENCH_GIVEN_UP = "Le worker s'est arrêté 3 fois en téléchargeant cette couverture : abandon."


@pytest.fixture
def french(monkeypatch, settings):
    use_synthetic_catalog(monkeypatch, SYNTHETIC_CATALOG, language="fr")
    return settings


def given_up_request() -> EnrichmentRequest:
    """A request whose cover download stopped its worker every time: the sweep gives it up."""
    (pk,) = pending_covers(1)
    EnrichmentRequest.objects.filter(pk=pk).update(
        cover_attempts=cover_apply.MAX_COVER_ATTEMPTS,
        cover_claim_token="w3",
        cover_claimed_at=timezone.now() - timedelta(days=1),
    )
    assert cover_apply.covers_give_up_stale() == 1
    return EnrichmentRequest.objects.get(pk=pk)


def shown(client, request: EnrichmentRequest) -> tuple[str, str]:
    """The request's admin page and the API's cover note."""
    client.force_login(User.objects.create_superuser("libby", "libby@example.org", "x"))
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    answer = client.get(reverse("api:enrichment-request", args=[request.pk])).json()
    return page.content.decode(), answer["match_details"]["cover_note"]


def test_a_given_up_download_is_said_in_the_librarians_language(client, french):
    """The note was stored in English and shown so to a librarian using the admin in French."""
    request = given_up_request()  # the worker writes it, in no particular language
    french.LANGUAGE_CODE = "fr"

    page, api_note = shown(client, request)

    assert FRENCH_GIVEN_UP in page.replace("&#x27;", "'")
    assert "downloading this cover" not in page
    assert api_note == FRENCH_GIVEN_UP
    with translation.override("en"):
        assert cover_apply.cover_note_text(request) == (
            "The worker stopped while downloading this cover 3 times: given up."
        )


def test_a_storage_failure_is_said_in_the_librarians_language(french):
    (pk,) = pending_covers(1)
    request = EnrichmentRequest.objects.get(pk=pk)
    request.cover_attempts = 1
    cover_apply.cover_note_record(request, "storage_retry")
    request.save(update_fields=["match_details"])
    request.refresh_from_db()

    with translation.override("fr"):
        assert cover_apply.cover_note_text(request) == (
            "Le stockage n'a pas pu garder cette couverture : nouvel essai plus tard."
        )


def test_a_note_stored_as_english_text_before_reads_as_written(client, french):
    request = given_up_request()
    old = "The worker stopped while downloading this cover 3 times: given up."
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        match_details=MatchDetails(cover_note=old)
    )
    french.LANGUAGE_CODE = "fr"

    page, api_note = shown(client, request)

    assert old in page and api_note == old


def test_a_decisions_note_replaces_a_coded_one_and_is_said_in_the_readers_language(french):
    """A request given up, then dismissed: its queued cover is withheld (cover_withhold), and
    "Not downloaded: dismissed." was stored in the worker's language; it is said in the
    reader's, the decision's words too, with its English text stored beside."""
    request = given_up_request()
    request.status, request.reviewed_at = "skipped", timezone.now()
    request.cover_status = EnrichmentRequest.CoverStatus.PENDING
    with translation.override("fr"):  # the worker's language
        assert cover_apply.cover_withhold(request)

    assert request.match_details.cover_note == "Not downloaded: dismissed."
    with translation.override("fr"):
        assert cover_apply.cover_note_text(request) == "Non téléchargée : rejetée."
    with translation.override("en"):
        assert cover_apply.cover_note_text(request) == "Not downloaded: dismissed."
