"""Author enrichment reads the life years of a name stored as a library heading (an import
before headings were read kept `Dumas, Alexandre, 1824-1895` whole): the real task against
the loopback sources server of test_author_engine, with the synthetic Open Library record of
Dumas père (tests/fixtures/providers/openlibrary/PROVENANCE.md)."""

import pytest

from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.providers.helpers import body
from tests.enrichment.test_author_engine import (  # noqa: F401
    fresh,
    serve_orwell,
    sources,
    work_queue,
)
from tests.factories import make_author

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
PERE_KEY = "OL99000401A"


def test_a_record_born_decades_before_the_years_of_our_heading_is_not_applied(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    sources.json(
        f"/ol/authors/{PERE_KEY}.json",
        body("openlibrary", f"synthetic-author__{PERE_KEY}__dumas_pere.json"),
    )
    # Dumas fils under his heading, holding his father's key (a wrong id).
    fils = make_author("Dumas, Alexandre, 1824-1895", openlibrary_key=PERE_KEY)

    [request] = work_queue(fils)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    fils = fresh(fils)
    assert (fils.birth_year, fils.bio) == (None, "")  # père's 1802 is not written on fils
    assert not AuditLogEntry.objects.filter(author=fils).exists()
    [seen] = [c for c in request.match_details.candidates if c.provider == "openlibrary"]
    assert "born 1802 per the record, 1824 per ours: another person?" in seen.reasons
    assert request.match_details.held_author.birth_year == 1824


def test_an_author_named_by_a_heading_is_found_by_name_with_its_years(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    """Wikidata's label search asks for the name as sources write it: asked with the
    heading's dates and comma, no label is ever "Orwell, George, 1903-1950." and nobody was
    found. The heading's years check the people found (the namesake born in 1938 is left out)."""
    serve_orwell(sources)
    orwell = make_author("Orwell, George, 1903-1950.")  # no id, no work

    [request] = work_queue(orwell)

    assert "/sparql label" in sources.requests
    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    seen = [(c.provider, c.ids.get("wikidata")) for c in request.match_details.candidates]
    assert seen == [("wikidata", "Q3335"), ("wikidata", "Q900000202")]
    assert request.proposal.fields["wikidata_id"].proposed == "Q3335"
    assert fresh(orwell).wikidata_id == ""  # a name alone applies nothing
