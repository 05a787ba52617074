"""A title, subtitle, publisher or series a provider writes all in capitals (Open Library's
search: "LORD OF THE RINGS BOXED SET" from "HARPERCOLLINS PUBLISHERS"): proposed as written,
never title-cased by guess; another provider's spelling of the same words is preferred, and a
catalog's value that differs only in case is never proposed to change."""

import pytest

from enrichment.candidates import Candidate
from enrichment.merge import merge_candidates
from enrichment.proposals import Scores, build_proposal
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body

ORDER = ["openlibrary", "google_books", "isbndb"]


@pytest.fixture
def boxed_set(make, http):
    """The real search answer's candidate for OL265321W (ISBN 9780007203635)."""
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )
    candidates = make(OpenLibraryProvider).search(title="lord of the rings", author="tolkien")
    return next(
        c for c in candidates.candidates if c.provider_ids.get("openlibrary_work") == "OL265321W"
    )


def test_a_title_in_capitals_is_proposed_as_written_when_no_one_writes_it_otherwise(boxed_set):
    merged = merge_candidates([boxed_set], provider_order=ORDER)

    assert boxed_set.title == "LORD OF THE RINGS BOXED SET"  # no title case of ours
    assert merged.fields["title"].value == "LORD OF THE RINGS BOXED SET"
    assert merged.fields["publisher"].value == "HARPERCOLLINS PUBLISHERS"


def test_another_providers_spelling_of_the_same_words_is_preferred(boxed_set):
    """Open Library comes first in the providers' order; a later provider's record of the same
    book writes the title, the publisher and the series in their case: those are proposed,
    each from that provider, Open Library agreeing."""
    boxed_set.series = "THE LORD OF THE RINGS"
    other = Candidate(
        provider="isbndb",
        title="Lord of the Rings Boxed Set",
        publisher="HarperCollins Publishers",
        series="The Lord of the Rings",
    )

    merged = merge_candidates([boxed_set, other], provider_order=ORDER)

    for name, value in (
        ("title", "Lord of the Rings Boxed Set"),
        ("publisher", "HarperCollins Publishers"),
        ("series", "The Lord of the Rings"),
    ):
        assert (merged.fields[name].value, merged.fields[name].source) == (value, "isbndb")
        assert merged.fields[name].agree == ["openlibrary"]


def test_a_catalog_value_that_differs_only_in_case_is_not_proposed_to_change(boxed_set):
    merged = merge_candidates([boxed_set], provider_order=ORDER)

    proposal = build_proposal(
        current={"title": "", "publisher": "HarperCollins Publishers"},
        merged=merged,
        tier="high",
        scores=Scores(),
    )

    assert proposal.fields["title"].proposed == "LORD OF THE RINGS BOXED SET"  # fills an empty
    assert "publisher" not in proposal.fields
