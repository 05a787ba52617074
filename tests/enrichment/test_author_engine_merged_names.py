"""Author enrichment reads the names merged into an author as theirs (catalog.selectors.
names_merged_into, the reconciliation's rule): the real task against the loopback sources
server of test_author_engine, with a synthetic Open Library record of Dumas père (see
tests/fixtures/providers/openlibrary/PROVENANCE.md)."""

import pytest

from catalog.models import Author
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.providers.helpers import body
from tests.enrichment.test_author_engine import fresh, sources, work_queue  # noqa: F401
from tests.factories import make_author

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
PERE_KEY = "OL99000401A"


def _serve_pere(sources) -> None:  # noqa: F811
    sources.json(
        f"/ol/authors/{PERE_KEY}.json",
        body("openlibrary", f"synthetic-author__{PERE_KEY}__dumas_pere.json"),
    )


def _dumas(**fields) -> Author:
    return make_author("Alexandre Dumas", sort_name="Dumas, Alexandre", **fields)


def test_a_record_of_dumas_pere_is_not_applied_to_the_author_dumas_fils_was_merged_into(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    _serve_pere(sources)
    dumas = _dumas(openlibrary_key=PERE_KEY)  # père's key on the author who is fils: a wrong id
    make_author("Alexandre Dumas fils", merged_into=dumas)

    [request] = work_queue(dumas)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    dumas = fresh(dumas)
    assert (dumas.birth_year, dumas.bio) == (None, "")  # père's life is not written on fils
    assert not AuditLogEntry.objects.filter(author=dumas).exists()
    [seen] = [c for c in request.match_details.candidates if c.provider == "openlibrary"]
    assert "the id matches but the names say another generation: kept for review" in seen.reasons
    assert any("two generations of a family" in reason for reason in seen.reasons)
