"""Author enrichment reads the life years of a name stored as a library heading (an import
before headings were read kept `Dumas, Alexandre, 1824-1895` whole): the real task against
the loopback sources server of test_author_engine, with the synthetic Open Library record of
Dumas père (tests/fixtures/providers/openlibrary/PROVENANCE.md)."""

import pytest

from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.providers.wikidata_authors import LabelQuery
from tests.enrichment.providers.helpers import body
from tests.enrichment.test_author_engine import (  # noqa: F401
    ORWELL_KEY,
    fresh,
    serve_orwell,
    sources,
    work_queue,
)
from tests.factories import make_author, make_work

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


def test_our_guessed_birth_year_finds_the_person_born_a_few_years_off_and_says_so(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    """Our "c. 1900" is a guess: Wikidata's George Orwell, born 1903, may be him (author_dates'
    ten years for a guess, as matching allows). The label search checked our year as exact and
    dropped him, so the shared work never matched; the note says the year was taken as a guess."""
    serve_orwell(sources)
    sources.json(
        f"/ol/authors/{ORWELL_KEY}/works.json",
        body("openlibrary", "synthetic-author_works__OL118077A__limit100.json"),
    )
    orwell = make_author("George Orwell", birth_year=1900, birth_date="c. 1900")
    make_work("Animal Farm", authors=[orwell])

    [request] = work_queue(orwell)

    assert (request.status, request.confidence) == (Status.COMPLETED, "high")
    orwell = fresh(orwell)
    assert orwell.wikidata_id == "Q3335"
    assert (orwell.birth_year, orwell.birth_date) == (1900, "c. 1900")  # ours, kept
    [wikidata] = [
        c
        for c in request.match_details.candidates
        if (c.provider, c.ids.get("wikidata")) == ("wikidata", "Q3335")
    ]
    assert (
        "Found by name; born in 1903, ours 1900: a guessed year, taken as the same person's"
        " within 10 years."
    ) in wikidata.notes
    # The namesake born in 1938 is still another person.
    assert "Q900000201" not in {c.ids.get("wikidata") for c in request.match_details.candidates}


def test_a_guessed_year_and_an_exact_one_are_two_label_questions():
    """Two authors of one name and year, one a guess: each gets its own check of the people."""
    exact = LabelQuery("George Orwell", birth_year=1900)
    guessed = LabelQuery("George Orwell", birth_year=1900, birth_year_approximate=True)
    assert exact.key != guessed.key
    assert exact.key == LabelQuery("George Orwell", 1900).key  # answers cached before, reused


def test_a_guessed_birth_date_typed_without_its_year_still_checks_the_people_found(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    """A librarian typed the birth date "c. 1900" and left the year empty: the label search
    knew no year, kept every namesake ("Found by name alone") and the one born in 1938 was
    listed as a candidate; the date's year, a guess, now checks them."""
    serve_orwell(sources)
    orwell = make_author("George Orwell", birth_date="c. 1900")  # no birth_year

    [request] = work_queue(orwell)

    seen = {c.ids.get("wikidata") for c in request.match_details.candidates}
    assert "Q3335" in seen and "Q900000201" not in seen
    assert request.match_details.held_author.birth_year == 1900
    assert fresh(orwell).birth_year is None  # a name alone applies nothing
