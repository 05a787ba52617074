"""A birth or death year, read as each shape of source writes it: a date field's free text
(enrichment.author_dates.life_date), a library heading's dates (catalog.person_names), a
Wikidata time value (enrichment.providers.wikidata_authors). Each says what a minus means.

Open Library records: the real dump line of George Orwell (tests/fixtures/providers/openlibrary/
author__OL118077A__from_dump.json), its dates replaced in the test where a test says so, and the
real dump line of OL824357A, born "1761 or 2" (tests/fixtures/openlibrary_dump/).
"""

import json

import pytest

from catalog.person_names import split_life_dates
from enrichment import author_dates
from enrichment.author_candidates import AuthorCandidate
from enrichment.author_matching import (
    AuthorMatchScore,
    AuthorQuery,
    AuthorRecordSummary,
    score_author_record,
)
from enrichment.author_proposal import merge_author_candidates
from enrichment.matching import Tier
from enrichment.providers import openlibrary_authors, wikidata_authors
from tests.enrichment.providers.helpers import FIXTURES, load

ORWELL = "author__OL118077A__from_dump.json"


def parse(record: dict) -> AuthorCandidate:
    return openlibrary_authors.author_candidate(
        record,
        provider="openlibrary",
        base_url="https://openlibrary.org",
        covers_url="https://covers.openlibrary.org",
    )


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("1916", 1916),  # OL1A
        ("25 June 1903", 1903),  # Orwell
        ("18 Sep 1830", 1830),  # Hazlitt
        ("12/2010", 2010),  # OL789223A
        ("c. 1850", 1850),
        ("1850?", 1850),
        ("384 BC", -384),
        ("384 B.C.", -384),
        ("fl. 1200", None),  # flourished: no birth year
        ("1980s", None),
        ("12th century", None),
        ("2500", None),
        ("", None),
        # A date field holds one date: a minus before its year is the year's sign, before the
        # common era (Plato's "-428"); "-384" was read as the year 384.
        ("-384", -384),
        ("-0384", -384),
        ("\u2212384", -384),  # a minus sign
        ("-0384-05-01", -384),
        (-384, -384),  # a number
        ("c. -384", -384),
        ("-0", None),
        ("1802-1870", 1802),  # a span's hyphen is no sign
        # Years before the common era however short, and a heading's uncertain one (`Aesop,
        # 621? BCE-565? BCE`): "621? BCE" was read as the year 621, "43 B.C." as none.
        ("43 B.C.", -43),
        ("c. 50 BCE", -50),
        ("621? BCE", -621),
        ("17 A.D.", 17),
        ("1761 or 2", 1761),  # OL824357A
        ("1st cent. B.C.", None),
        # "active 317-322" is a heading's flourishing, as "fl." is; a year of the Hijri calendar
        # is no year of ours (1231 A.H. is 1815-16): both were read as birth years.
        ("active 1200", None),
        ("flourished 1200", None),
        ("1231 A.H.", None),
        ("1212 AH", None),
        ("1225 (Hijri)", None),
        ("1900 Ahmedabad", 1900),
    ],
)
def test_the_year_of_a_date_field(written, year):
    assert author_dates.life_date(written).year == year


def test_a_minus_means_what_its_shape_of_source_means():
    """A heading's "-1468" is its span's open start (died 1468); a date field's "-1468" is a
    year before the common era; Wikidata's "-1467" is 1468 BC (XSD 1.1: 1 BCE is year 0)."""
    heading = split_life_dates("Martorell, Joanot, -1468")
    assert (heading.birth_year, heading.death_year) == (None, 1468)
    assert author_dates.life_date("-1468").year == -1468
    assert wikidata_authors.wikidata_time("-1467-01-01T00:00:00Z/9") == (-1468, "1468 BC")


def test_an_open_library_signed_birth_year_agrees_with_wikidatas_and_is_proposed():
    """Aristotle's birth, "-384" in an Open Library record and 384 BC in Wikidata's: the record's
    year was read as 384 (AD), the two sources disagreed by 768 years and no birth year was
    proposed at all."""
    record = {**load("openlibrary", ORWELL), "birth_date": "-384", "death_date": "-322"}
    openlibrary = parse(record)
    assert (openlibrary.birth_year, openlibrary.death_year) == (-384, -322)
    wikidata = AuthorCandidate(
        provider="wikidata",
        name="George Orwell",
        birth_year=-384,
        birth_date="384 BC",
        death_year=-322,
        death_date="322 BC",
    )
    high = AuthorMatchScore(identifier=5, name=100, works=5, tier=Tier.HIGH)

    merged = merge_author_candidates(
        [(openlibrary, high), (wikidata, high)], provider_order=["openlibrary", "wikidata"]
    )

    assert merged.fields["birth_year"].value == -384
    assert merged.fields["birth_year"].agree == ["wikidata"]
    assert merged.fields["death_year"].value == -322


# --- a year the date says is a guess ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("c. 1850", (1850, True)),
        ("ca. 1200", (1200, True)),
        ("circa 1200", (1200, True)),
        ("approx. 1200", (1200, True)),
        ("about 1200", (1200, True)),
        ("1200?", (1200, True)),
        ("[1850?]", (1850, True)),
        ("1761 or 2", (1761, True)),  # OL824357A
        ("621? BCE", (-621, True)),
        ("c. 50 BCE", (-50, True)),
        ("c. -384", (-384, True)),
        ("1850", (1850, False)),
        ("13 September 1916", (1916, False)),
        ("384 B.C.", (-384, False)),  # the "C." of "B.C." is no "c."
        ("43 B.C.", (-43, False)),
        ("-384", (-384, False)),
        ("fl. c. 1200", (None, False)),
    ],
)
def test_life_date_says_when_the_year_is_a_guess(written, read):
    assert author_dates.life_date(written) == read


def _dump_record(author_id: str) -> dict:
    """A real author line of tests/fixtures/openlibrary_dump/booklink_authors_tail300.txt."""
    path = FIXTURES.parent / "openlibrary_dump" / "booklink_authors_tail300.txt"
    line = next(line for line in path.read_text().splitlines() if f"/authors/{author_id}\t" in line)
    return json.loads(line.split("\t", 4)[4])


HIGH = AuthorMatchScore(identifier=5, name=100, works=5, tier=Tier.HIGH)


def test_a_guessed_birth_year_is_proposed_with_the_date_that_says_so():
    """OL824357A, born "1761 or 2": the year is kept, said a guess, and proposed with its date."""
    record = parse(_dump_record("OL824357A"))
    assert (record.birth_year, record.birth_year_approximate) == (1761, True)
    assert (record.death_year, record.death_year_approximate) == (1844, False)

    merged = merge_author_candidates([(record, HIGH)], provider_order=["openlibrary"])

    assert merged.fields["birth_year"].value == 1761
    assert merged.fields["birth_date"].value == "1761 or 2"


def test_an_exact_year_is_taken_over_a_guess_with_its_own_date():
    """Open Library's "c. 1850" and Wikidata's 1851: the exact year, written as Wikidata writes
    it. Before, the first source's guess was proposed (1850, "c. 1850") as if it were exact."""
    guess = parse({**load("openlibrary", ORWELL), "birth_date": "c. 1850"})
    exact = AuthorCandidate(
        provider="wikidata", name="George Orwell", birth_year=1851, birth_date="1851-03-02"
    )

    merged = merge_author_candidates(
        [(guess, HIGH), (exact, HIGH)], provider_order=["openlibrary", "wikidata"]
    )

    assert (merged.fields["birth_year"].value, merged.fields["birth_year"].source) == (
        1851,
        "wikidata",
    )
    assert merged.fields["birth_date"].value == "1851-03-02"


def test_a_guessed_year_is_never_proposed_without_its_date():
    """A date too wide for its column is not proposed (a cut date would be another): its guessed
    year alone would have been applied as exact, so it is not proposed either."""
    record = parse({**load("openlibrary", ORWELL), "birth_date": "c. 1850 " + "x" * 70})
    assert (record.birth_year, record.birth_year_approximate) == (1850, True)

    merged = merge_author_candidates([(record, HIGH)], provider_order=["openlibrary"])

    assert "birth_date" not in merged.fields
    assert "birth_year" not in merged.fields
    assert merged.fields["death_year"].value == 1950  # the record's exact death year stands


@pytest.mark.parametrize(
    ("ours", "theirs", "approximate", "conflict"),
    [
        (1200, 1201, False, False),
        (1200, 1205, False, True),
        (1200, 1205, True, False),  # "c. 1200" and 1205: may be one person's
        (1200, 1215, True, True),
        (None, 1215, True, False),
    ],
)
def test_a_guessed_year_conflicts_only_beyond_a_decade(ours, theirs, approximate, conflict):
    assert author_dates.years_conflict(ours, theirs, approximate=approximate) is conflict


def test_a_record_whose_birth_year_is_a_guess_is_not_called_another_person():
    """Our author born 1205 and a record born "c. 1200" (its id ours): the five years between
    were "another person?" and held the match at low; a guess that far off is still them. An
    exact year five years off still is another person."""
    ours = AuthorQuery(name="Snorri Sturluson", birth_year=1205, ids={"wikidata": "Q191090"})

    def score(approximate: bool):
        record = AuthorRecordSummary(
            provider="openlibrary",
            name="Snorri Sturluson",
            birth_year=1200,
            ids={"wikidata": "Q191090"},
            birth_year_approximate=approximate,
        )
        return score_author_record(ours, record)

    guess, exact = score(True), score(False)
    assert guess.tier == Tier.HIGH
    assert not any("another person?" in reason for reason in guess.reasons)
    assert exact.tier == Tier.LOW
    assert "born 1200 per the record, 1205 per ours: another person?" in exact.reasons


def test_a_record_whose_person_died_before_ours_was_born_is_another_person():
    """Our author born 1900 and a record of the name, one of our works among its works, whose
    person died in 1870 (its birth unknown): matched high, its death year was applied to a man
    born thirty years later. Each side knew one of the two years, so no year was compared."""
    ours = AuthorQuery(name="John Smith", birth_year=1900, work_titles=("The Lost Valley",))
    namesake = AuthorRecordSummary(
        provider="wikidata", name="John Smith", death_year=1870, work_titles=("The Lost Valley",)
    )
    later = AuthorRecordSummary(
        provider="wikidata", name="John Smith", birth_year=1920, work_titles=("The Lost Valley",)
    )

    died_first = score_author_record(ours, namesake)
    assert died_first.tier == Tier.LOW
    assert "died 1870 per the record, before 1900, our birth year: another person?" in (
        died_first.reasons
    )
    dead_first = score_author_record(
        AuthorQuery(name="John Smith", death_year=1890, work_titles=("The Lost Valley",)), later
    )
    assert dead_first.tier == Tier.LOW
    assert "born 1920 per the record, after 1890, our death year: another person?" in (
        dead_first.reasons
    )
    # A death one year "before" a birth is a date read two ways; a guess allows ten.
    assert author_dates.died_before_born(1900, 1899) is False
    assert author_dates.died_before_born(1900, 1895, approximate=True) is False
    assert author_dates.died_before_born(1900, 1870, approximate=True) is True
    assert (
        score_author_record(
            AuthorQuery(name="John Smith", birth_year=1850, work_titles=("The Lost Valley",)),
            namesake,
        ).tier
        == Tier.HIGH
    )


@pytest.mark.parametrize(
    ("held", "read"),
    [
        (("George Orwell", 1903, None, "25 June 1903", ""), ((1903, False), (None, False))),
        (("George Orwell", None, None, "c. 1900", ""), ((1900, True), (None, False))),
        (("Dumas, Alexandre, 1824-1895", None, None, "", ""), ((1824, False), (1895, False))),
        (("Snorri Sturluson", 1179, None, "ca. 1179", "1241"), ((1179, True), (1241, False))),
        # A heading's span says which end is a guess (read as exact, both were).
        (("Sturluson, Snorri, ca. 1179-1241", None, None), ((1179, True), (1241, False))),
        (("Geoffrey, of Monmouth, 1100?-1154", None, None), ((1100, True), (1154, False))),
        (("Smith, John, 1580-ca. 1631", None, None), ((1580, False), (1631, True))),
        (("Smith, John, b. ca. 1650", None, None), ((1650, True), (None, False))),
        (("Chaucer, Geoffrey, -1400", None, None), ((None, False), (1400, False))),
    ],
)
def test_the_years_we_hold_come_from_the_fields_then_the_dates_then_a_heading(held, read):
    born, died = author_dates.held_life_years(*held)
    assert ((born.year, born.approximate), (died.year, died.approximate)) == read
