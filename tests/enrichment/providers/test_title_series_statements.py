"""A series statement a title carries after its own words (Open Library's recorded search for
The Lord of the Rings): the title is its own words, the statement its series and number."""

import pytest

from enrichment.candidates import Candidate
from enrichment.providers import settle
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body


@pytest.fixture
def searched(make, http):
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )
    result = make(OpenLibraryProvider).search(title="lord of the rings", author="tolkien")
    return {c.provider_ids["openlibrary_work"]: c for c in result.candidates}


@pytest.mark.parametrize(
    ("work", "title", "series", "number"),
    [
        # "The Treason of Isengard.  Being the Third Book of The Lord of the Rings"
        ("OL14926103W", "The Treason of Isengard", "The Lord of the Rings", "3"),
        # "The End of the Third Age. Being the Sixth Book of the Lord of the Rings"
        ("OL14925991W", "The End of the Third Age", "Lord of the Rings", "6"),
        # "THE WAR OF THE RING BEING THE FIFTH BOOK OF THE LORD OF THE RINGS"
        ("OL14926116W", "THE WAR OF THE RING", "THE LORD OF THE RINGS", "5"),
        # "The Fellowship of the Ring, being the first part of the Lord of the Rings"
        ("OL14933358W", "The Fellowship of the Ring", "Lord of the Rings", "1"),
        # "The fellowship of the Ring - Part One of the Lord of the Rings Trilogy"
        ("OL14933362W", "The fellowship of the Ring", "Lord of the Rings Trilogy", "1"),
    ],
)
def test_a_title_s_series_statement_is_read_as_the_series(searched, work, title, series, number):
    candidate = searched[work]

    assert (candidate.title, candidate.series, candidate.series_number) == (title, series, number)
    assert any("names the series" in note for note in candidate.notes)


@pytest.mark.parametrize(
    "work",
    [
        "OL14933488W",  # "Ring Goes South Book Lord of the Rings": no number, no statement
        "OL27453W",  # "Poems from The lord of the rings"
        "OL14926004W",  # "The History of the Lord of the Rings"
    ],
)
def test_a_title_that_states_no_series_is_left_whole(searched, work):
    candidate = searched[work]

    assert candidate.series == "" and not any("names the series" in n for n in candidate.notes)


@pytest.mark.parametrize(
    "title",
    [
        "The Book of the New Sun",
        "The Lord of the Rings, Book One of the Trilogy",  # a series that says only "a series"
        "Ring Sets Out Book Lord of the Rings",
    ],
)
def test_other_titles_with_book_or_part_are_left_whole(title):
    record = settle.settle_candidate(Candidate(provider="openlibrary", title=title))

    assert (record.title, record.series) == (title, "")


def test_a_candidate_that_names_its_series_keeps_its_title():
    title = "The Treason of Isengard. Being the Third Book of The Lord of the Rings"
    record = settle.settle_candidate(
        Candidate(provider="openlibrary", title=title, series="The History of Middle-earth")
    )

    assert (record.title, record.series) == (title, "The History of Middle-earth")
