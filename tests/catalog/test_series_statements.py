"""A series statement standing as a subtitle (catalog.series_statements): read as the series
and the number, and anything a subtitle could be left alone. Pure: no database."""

import pytest

from catalog.series_statements import split_series_statement


@pytest.mark.parametrize(
    ("subtitle", "series"),
    [
        ("Book Six of the Elric Saga", ("Elric Saga", "6")),
        ("Book 6 of the Elric Saga", ("Elric Saga", "6")),
        ("Book Six of the Elric Saga.", ("Elric Saga", "6")),
        ("Elric Saga, Book 6", ("Elric Saga", "6")),  # the importers' rule
        ("The Elric Saga, Book Six", ("The Elric Saga", "6")),
        ("Book One of The Expanse", ("The Expanse", "1")),  # a capital "The" is the name's
        ("Book One of the Stormlight Archive", ("Stormlight Archive", "1")),
        ("Book One of the NW Wind Series", ("NW Wind Series", "1")),
        ("Book 2 in the Kingkiller Chronicle series", ("Kingkiller Chronicle", "2")),
        ("Book IV of the Belgariad", ("Belgariad", "4")),
        ("Dune Chronicles, Book 1", ("Dune Chronicles", "1")),
        ("Vampire Chronicles, Book II", ("Vampire Chronicles", "2")),
        ("Discworld #4", ("Discworld", "4")),
        ("The Lord of the Rings, Part 2", ("The Lord of the Rings", "2")),
        ("A Jack Reacher Novel", ("Jack Reacher", "")),
        ("An Inspector Rebus Novel", ("Inspector Rebus", "")),
        ("A Flavia de Luce Novel", ("Flavia de Luce", "")),
    ],
)
def test_a_series_statement_is_read_as_the_series(subtitle, series):
    assert split_series_statement(subtitle) == series


@pytest.mark.parametrize(
    "subtitle",
    [
        "",
        "A Novel",
        "A Graphic Novel",
        "A Historical Novel",
        "A Science Fiction Novel",
        "A Coming-of-Age Novel",
        "A Very Short Novel",
        "A Novel in Verse",
        "A Novel of the Discworld",
        "A Memoir",
        "Part One of Two",  # no name: a number
        "Book 2 of 3",
        "Book One of the Trilogy",  # says "a series", not which
        "Book 2 of a trilogy",
        "Volume 1",  # a number without a name
        "Good to Great, 2",  # a comma and a number may be a subtitle's
        "Berlin, 1998",
        "The Complete Collection",  # a series word is no numbered series
        "Penguin Classics",
        "Supplement, Civil and Military Awards, etc., No. 53632",  # the real London Gazette's
        "The Shadow of the Torturer ; The Claw of the Conciliator",
        "Book 1 of the Dragonlance Chronicles, Volume 2",
        "A Novel, Book 1",  # the kind of book, then a number
        "With Notes, References, and an Index, Volume 1",  # a real Google Books subtitle
        "technology for a sustainable future",
        "A New York Times Bestselling Novel",  # praise on the cover, no series
        "A Booker Prize-Winning Novel",
        "An Award-Winning Novel",
        "A National Book Award Finalist Novel",
    ],
)
def test_anything_else_is_no_series(subtitle):
    assert split_series_statement(subtitle) is None
