"""Shapes the last sweep of other people's exports left to read: a row read as the import reads
it (BaseImporter.read_row), without the database. Where no real line was found the title or
name is written here, and says so."""

import pytest

from catalog.importers.goodreads import GoodreadsImporter
from catalog.person_names import is_organisation_heading, name_as_written

GOODREADS_HEADER = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies",
]  # fmt: skip


def goodreads_row(**cells: str):
    """A Goodreads row of these cells (`Title=`, `Author=`, `Author_l_f=`...), read."""
    importer = GoodreadsImporter(GOODREADS_HEADER)
    values = dict.fromkeys(GOODREADS_HEADER, "") | {"Book Id": "1"}
    values |= {name.replace("_l_f", " l-f").replace("_", " "): v for name, v in cells.items()}
    return importer.read_row([values[name] for name in GOODREADS_HEADER])


@pytest.mark.parametrize(
    ("title", "author", "author_lf", "expected"),
    [
        # Written here (the sweep's line was not kept): a book catalogued under its author.
        ("Plato: Republic", "Plato", "Plato, Plato", ("Republic", "")),
        ("Plato: Republic: Books I-V", "Plato", "Plato, Plato", ("Republic", "Books I-V")),
        ("Arthur Conan Doyle: The Complete Stories", "Arthur Conan Doyle",
         "Doyle, Arthur Conan", ("The Complete Stories", "")),
        # Another person's name before a colon is the title's: a biography.
        ("Napoleon: A Life", "Andrew Roberts", "Roberts, Andrew", ("Napoleon", "A Life")),
        ("Doyle: A Study", "Arthur Conan Doyle", "Doyle, Arthur Conan", ("Doyle", "A Study")),
    ],
)  # fmt: skip
def test_the_authors_name_before_a_colon_is_not_the_works_title(title, author, author_lf, expected):
    """`Plato: Republic` by Plato was the work "Plato" with the subtitle "Republic": every book
    of Plato's so written was one work, "Plato", with several subtitles."""
    row = goodreads_row(Title=title, Author=author, Author_l_f=author_lf)
    assert (row.title, row.subtitle) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Written here (the sweep's lines were not kept).
        ("The Complete Sherlock Holmes (Collection)",
         ("The Complete Sherlock Holmes (Collection)", [])),
        ("Harry Potter (The Complete Collection)",
         ("Harry Potter (The Complete Collection)", [])),
        ("The Hunger Games (Trilogy)", ("The Hunger Games (Trilogy)", [])),
        ("Harry Potter (Boxed Set)", ("Harry Potter (Boxed Set)", [])),
        # A series' name beside the word is one.
        ("Tales (Penguin Classics)", ("Tales", [("Penguin Classics", "")])),
        ("Dubliners (Collection Folio)", ("Dubliners", [("Collection Folio", "")])),
    ],
)  # fmt: skip
def test_a_series_word_alone_in_a_parenthesis_is_no_series(title, expected):
    """`(Collection)` was read as a series named "Collection": every collection a library held
    was one series, and the title lost what it said the book is."""
    row = goodreads_row(Title=title, Author="Jane Doe", Author_l_f="Doe, Jane")
    assert (row.title, row.series_entries) == expected


@pytest.mark.parametrize(
    ("author", "author_lf"),
    [
        # Written here (the sweep's lines were not kept): Goodreads turns every name at its
        # last word.
        ("Department of Health", "Health, Department of"),
        ("Bureau of the Census", "Census, Bureau of the"),
        ("Home Office", "Office, Home"),
        ("European Commission", "Commission, European"),
    ],
)
def test_a_government_body_is_an_organisation_not_a_persons_name(author, author_lf):
    """`Department of Health` was filed as a person, surname "Health": its sort name was
    Goodreads' `Health, Department of`, and every reader of the one organisation-word list
    (the credit's kind, the duplicate finder) took it for a person's."""
    row = goodreads_row(Title="Annual Report", Author=author, Author_l_f=author_lf)
    assert [(c.name, c.sort_name) for c in row.credits] == [(author, author)]
    assert is_organisation_heading(*author_lf.split(", "))


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        ("Health, Department of", "Department of Health"),
        ("Inc., Apple", "Apple Inc."),
        ("Smith, Elder & Co.", "Smith, Elder & Co."),  # the firm's name as written
    ],
)
def test_an_organisation_turned_at_its_last_word_is_labelled_by_its_name(heading, written):
    """Once `Department` was an organisation's word, the heading `Health, Department of` was
    left as written on the author's label and in what providers are asked."""
    assert name_as_written(heading) == written


@pytest.mark.parametrize(
    ("cell", "warning"),
    [
        # Written here (the sweep's lines were not kept): a catalogue's year not known.
        ("19??", "Year Published '19??' gives only a century, the year not known; it was ignored."),
        ("19-", "Year Published '19-' gives only a century, the year not known; it was ignored."),
        ("[18--?]",
         "Year Published '[18--?]' gives only a century, the year not known; it was ignored."),
        ("194?", "Year Published '194?' gives a decade, not a year; it was ignored."),
        ("soon", "Year Published 'soon' is not a year; it was ignored."),
    ],
)  # fmt: skip
def test_a_year_cell_giving_a_century_says_so(cell, warning):
    """`19??` and `19-` were warned as "not a year", as if the cell were damaged, where a
    decade (`194?`) already said what it gives."""
    row = goodreads_row(Title="Poems", Author="Jane Doe", Year_Published=cell)
    assert (row.publication_year, row.warnings) == (None, [warning])
