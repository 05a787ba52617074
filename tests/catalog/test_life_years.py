"""A person's life years as every screen says them (catalog.life_years): an era, not a minus;
a guess as its date says it. Pure."""

import pytest

from catalog.life_years import author_life_text, author_year_text, date_says_approximate, year_text
from catalog.models import Author


@pytest.mark.parametrize(
    ("year", "approximate", "shown"),
    [
        (-384, False, "384 BC"),
        (-384, True, "c. 384 BC"),
        (1850, True, "c. 1850"),
        (1850, False, "1850"),
        (None, True, ""),
    ],
)
def test_a_year_reads_with_its_era_and_its_guess(year, approximate, shown):
    assert year_text(year, approximate=approximate) == shown


@pytest.mark.parametrize(
    ("date", "guess"),
    [("c. 1850", True), ("ca. 1200", True), ("1850?", True), ("384 B.C.", False), ("", False)],
)
def test_a_date_says_whether_its_year_is_a_guess(date, guess):
    assert date_says_approximate(date) is guess


def test_an_authors_years_read_as_a_span():
    plato = Author(name="Plato", birth_year=-428, death_year=-348, birth_date="c. 428 BC")
    assert author_year_text(plato, "birth") == "c. 428 BC"
    assert author_life_text(plato) == "c. 428 BC–348 BC"
    assert author_life_text(Author(name="Ursula K. Le Guin", birth_year=1929)) == "1929–"
    assert author_life_text(Author(name="Anonymous")) == ""
