"""The author sources, Wikidata's side: the birth and death dates of a person, as WDQS writes
them with their precision and their sourcing circumstances (P1480: circa, disputed), and
what a date that is a guess does to matching and to what is proposed. Over the synthetic
label-search answer (tests/fixtures/providers/wikidata/PROVENANCE.md), its dates replaced.
Out of test_author_sources_wikidata.py, past 600 lines."""

import pytest

from enrichment.author_candidates import AuthorCandidate
from enrichment.author_matching import (
    AuthorMatchScore,
)
from enrichment.author_proposal import merge_author_candidates
from enrichment.matching import Tier
from enrichment.providers import wikidata_authors
from tests.enrichment.providers.helpers import load

BY_LABEL = "synthetic-sparql__authors_by_label.json"


# --- a date Wikidata says is a guess (P1480 sourcing circumstances) ------------------------------

CIRCA = "http://www.wikidata.org/entity/Q5727902"
DISPUTED = "http://www.wikidata.org/entity/Q18912752"


def _person_born(*births: str):
    """The synthetic label-search row of BY_LABEL, its birth values replaced (as WDQS joins a
    statement's values, one per sourcing circumstance, with GROUP_CONCAT's "|")."""
    [row, *_] = load("wikidata", BY_LABEL)["results"]["bindings"]
    row = {**row, "births": {"type": "literal", "value": "|".join(births)}}
    return wikidata_authors.author_candidate(
        row, provider="wikidata", commons_url="https://commons.wikimedia.org"
    )


def test_the_people_query_asks_each_dates_sourcing_circumstances():
    query = wikidata_authors.build_query("openlibrary", ["OL118077A"])
    assert "?birthStatement pq:P1480 ?birthCircumstance" in query
    assert "?deathStatement pq:P1480 ?deathCircumstance" in query


@pytest.mark.parametrize(
    ("births", "read"),
    [
        ((f"1200-01-01T00:00:00Z/9/{CIRCA}",), (1200, "1200", True)),
        (("1200-01-01T00:00:00Z/9",), (1200, "1200", False)),
        ((f"1200-01-01T00:00:00Z/9/{DISPUTED}",), (1200, "1200", False)),  # disputed, not guessed
        (
            (f"1200-01-01T00:00:00Z/9/{DISPUTED}", f"1200-01-01T00:00:00Z/9/{CIRCA}"),
            (1200, "1200", True),
        ),
        ((f"1200-01-01T00:00:00Z/8/{CIRCA}",), (None, "", False)),  # a decade: no year at all
    ],
)
def test_a_birth_wikidata_says_is_circa_is_a_guessed_year(births, read):
    person = _person_born(*births)
    assert (person.birth_year, person.birth_date, person.birth_year_approximate) == read


def test_births_of_best_rank_in_two_years_give_no_year():
    """A birth Wikidata puts in two years, both of best rank (as a disputed one is: Sor Juana
    Inés de la Cruz, 1648 or 1651): the first was read as the year, exact, and proposed with
    its date, or taken to say the person is not ours, born in the other year. Neither year is
    read, and the reviewer is told why; one year given twice (a date and its year) is one."""
    person = _person_born("1651-11-12T00:00:00Z/11", "1648-11-12T00:00:00Z/11")

    assert (person.birth_year, person.birth_date, person.birth_year_approximate) == (
        None,
        "",
        False,
    )
    assert "Wikidata gives the birth in 1651, 1648: no year is read." in person.notes
    one = _person_born("1648-11-12T00:00:00Z/11", f"1648-01-01T00:00:00Z/9/{CIRCA}")
    assert (one.birth_year, one.birth_date, one.birth_year_approximate) == (
        1648,
        "1648-11-12",
        True,
    )
    assert not [n for n in one.notes if n.startswith("Wikidata gives")]


def test_a_label_search_keeps_a_person_whose_circa_year_is_a_few_years_off():
    """Our author born 1205; Wikidata's person of the name born circa 1200 is them, possibly;
    one born exactly 1200 is another person."""
    guessed = _person_born(f"1200-01-01T00:00:00Z/9/{CIRCA}")
    exact = _person_born("1200-01-01T00:00:00Z/9")
    assert (guessed.birth_year, guessed.birth_year_approximate) == (1200, True)

    assert wikidata_authors.check_life_years([guessed], 1205) == [guessed]
    assert wikidata_authors.check_life_years([exact], 1205) == []


def test_wikidatas_circa_year_is_not_proposed_as_exact_over_another_sources_guess():
    """Open Library's "c. 1200" and Wikidata's circa 1200: both guesses, so the proposal keeps the
    date that says so. Read as exact, Wikidata's "1200" was proposed over "c. 1200"."""
    wikidata = _person_born(f"1200-01-01T00:00:00Z/9/{CIRCA}")
    assert (wikidata.birth_year, wikidata.birth_year_approximate) == (1200, True)
    openlibrary = AuthorCandidate(
        provider="openlibrary",
        name="George Orwell",
        birth_year=1200,
        birth_date="c. 1200",
        birth_year_approximate=True,
    )
    high = AuthorMatchScore(identifier=5, name=100, works=5, tier=Tier.HIGH)

    merged = merge_author_candidates(
        [(openlibrary, high), (wikidata, high)], provider_order=["openlibrary", "wikidata"]
    )

    assert merged.fields["birth_date"].value == "c. 1200"
    assert merged.fields["birth_year"].value == 1200
