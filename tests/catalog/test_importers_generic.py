"""Any CSV through a column map, without a database: guessing the map from the header,
checking a map, and reading rows with it. The rows are synthetic."""

import pytest

from catalog.importers import GenericImporter, ImportFileError, RowError, importer_for, read_csv
from catalog.importers.generic import check_column_map, guess_column_map, parse_column_map


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["id", "title", "author", "ISBN13", "rating", "shelf", "review", "added", "finished"],
            {"title": "title", "author": "author", "isbn": "ISBN13"},
        ),
        (
            ["Book Title", "Author(s)", "ISBN-10", "Publisher", "Year Published", "Pages"],
            {
                "title": "Book Title",
                "author": "Author(s)",
                "isbn": "ISBN-10",
                "publisher": "Publisher",
                "year": "Year Published",
                "pages": "Pages",
            },
        ),
        (
            ["Titel", "Untertitel", "Autor", "Verlag", "Erscheinungsjahr", "Seiten", "Reihe",
             "Band"],
            {
                "title": "Titel",
                "subtitle": "Untertitel",
                "author": "Autor",
                "publisher": "Verlag",
                "year": "Erscheinungsjahr",
                "pages": "Seiten",
                "series": "Reihe",
                "series_number": "Band",
            },
        ),
        (
            ["Título", "Autor", "Editorial", "Año", "Páginas", "Idioma"],
            {
                "title": "Título",
                "author": "Autor",
                "publisher": "Editorial",
                "year": "Año",
                "pages": "Páginas",
                "language": "Idioma",
            },
        ),
        (["Название", "Автор", "Издательство", "Год"],
         {"title": "Название", "author": "Автор", "publisher": "Издательство", "year": "Год"}),
        (["Τίτλος", "Συγγραφέας", "Εκδότης"],
         {"title": "Τίτλος", "author": "Συγγραφέας", "publisher": "Εκδότης"}),
        (["Book", "Writer", "Code"], {"title": "Book", "author": "Writer"}),
        (["Buch", "Verfasser", "EAN", "Verlag", "Jahr", "Seiten"],
         {"title": "Buch", "author": "Verfasser", "isbn": "EAN", "publisher": "Verlag",
          "year": "Jahr", "pages": "Seiten"}),
        # A column is used once, and "Book Id" is not a title.
        (["Book Id", "Author Name", "Subtitle"], {"subtitle": "Subtitle", "author": "Author Name"}),
        (["colour", "size"], {}),
        # Plural names, as files listing each book's values call them (synthetic header; the
        # real `formats` column is tests/fixtures/imports/real_shapes/calibre-derived-akienm…).
        (["Title", "Authors", "ISBNs", "Languages", "Formats", "Tags"],
         {"title": "Title", "author": "Authors", "isbn": "ISBNs", "format": "Formats",
          "language": "Languages"}),
        (["title", "author", "isbn", "lang", "bindings"],
         {"title": "title", "author": "author", "isbn": "isbn", "format": "bindings",
          "language": "lang"}),
        # A program's names, one word each: Lorena-Cec/Vizualizacija-citanja-knjiga's books.csv
        # header (@ c96d91c2), and a Google Books-like one (synthetic). Its `Year` is the year
        # of DateRead (tests/fixtures/imports/real_shapes/reading-log-lorenacec-year-read.csv):
        # a reading log's bare year is not guessed.
        (["Title", "Author", "MyRating", "AverageRating", "NumberOfPages", "DateRead", "Year",
          "id", "Genre", "Link"],
         {"title": "Title", "author": "Author", "pages": "NumberOfPages"}),
        (["bookTitle", "authorName", "isbn13", "pageCount", "publishedDate"],
         {"title": "bookTitle", "author": "authorName", "isbn": "isbn13",
          "year": "publishedDate", "pages": "pageCount"}),
    ],
)  # fmt: skip
def test_the_map_is_guessed_from_header_words_in_several_languages(header, expected):
    assert guess_column_map(header) == expected


def test_parse_column_map():
    assert parse_column_map("title=Book, author = Writer,isbn=Code No") == {
        "title": "Book",
        "author": "Writer",
        "isbn": "Code No",
    }
    assert parse_column_map("") == {}
    with pytest.raises(ImportFileError, match="'Book' is not FIELD=COLUMN"):
        parse_column_map("Book")


@pytest.mark.parametrize(
    ("column_map", "message"),
    [
        ({"author": "Writer"}, "must name the title column"),
        ({"title": "Book", "writer": "Writer"}, "Unknown field"),
        ({"title": "Book", "author": "Author"}, "The column 'Author' \\(for author\\) is not in"),
    ],
)
def test_a_bad_map_is_refused_with_a_clear_message(column_map, message):
    with pytest.raises(ImportFileError, match=message):
        check_column_map(["Book", "Writer", "Code"], column_map)


def test_map_columns_match_without_case_and_keep_the_header_spelling():
    assert check_column_map(["Book", "Writer"], {"title": "book", "author": "WRITER "}) == {
        "title": "Book",
        "author": "Writer",
    }


def read_generic(text: str, column_map: dict[str, str]):
    csv_file = read_csv(text.encode())
    importer = importer_for(csv_file.header, requested="generic", column_map=column_map)
    return [importer.read_row(cells) for _line, cells in csv_file.rows]


def test_generic_rows_read_every_mapped_field():
    text = (
        "Book,Writer,Code,House,When,Length,Saga,No,Kind,Lang\n"
        '"synthetic-Dune (Dune Chronicles, #1)","Herbert, Frank",978-0-441-17271-9,Ace,'
        '1990-09-01,"1,234",,,Paperback,English\n'
        "synthetic-Mort,Terry Pratchett & Neil Gaiman,0 8044 2957 X,Corgi,1988.0,272.0,"
        "Discworld #4,,Mass Market Paperback,en\n"
        "synthetic-Unnumbered,A. Writer,,,,,My Saga,3,,\n"
    )
    column_map = {
        "title": "Book",
        "author": "Writer",
        "isbn": "Code",
        "publisher": "House",
        "year": "When",
        "pages": "Length",
        "series": "Saga",
        "series_number": "No",
        "format": "Kind",
        "language": "Lang",
    }
    dune, mort, unnumbered = read_generic(text, column_map)
    assert (dune.title, dune.series, dune.series_number) == (
        "synthetic-Dune",
        "Dune Chronicles",
        "1",
    )
    assert [(c.name, c.sort_name) for c in dune.credits] == [("Frank Herbert", "Herbert, Frank")]
    assert (dune.isbn13, dune.publisher, dune.publication_year) == ("9780441172719", "Ace", 1990)
    assert (dune.page_count, dune.format, dune.language) == (1234, "paperback", "en")
    assert [c.name for c in mort.credits] == ["Terry Pratchett", "Neil Gaiman"]
    assert (mort.isbn10, mort.publication_year, mort.page_count) == ("080442957X", 1988, 272)
    assert mort.series_entries == [("Discworld", "4")] and mort.format == "mass_market"
    assert (unnumbered.series, unnumbered.series_number) == ("My Saga", "3")
    assert dune.warnings == mort.warnings == unnumbered.warnings == []


def test_generic_rows_warn_about_damage_instead_of_guessing():
    text = "Book,Code,When,Length\nsynthetic-X,9.78044E+12,someday,many\n"
    [row] = read_generic(text, {"title": "Book", "isbn": "Code", "year": "When", "pages": "Length"})
    assert (row.isbn13, row.publication_year, row.page_count) == ("", None, None)
    assert len(row.warnings) == 3
    assert "scientific notation" in row.warnings[0]
    assert "When 'someday' holds no year" in row.warnings[1]
    assert "Length 'many' is not a page count" in row.warnings[2]


def test_a_generic_row_without_a_title_fails_alone():
    csv_file = read_csv(b"Book,Writer\n,Someone\n")
    importer = GenericImporter(csv_file.header, {"title": "Book", "author": "Writer"})
    with pytest.raises(Exception, match="no title"):
        importer.read_row(csv_file.rows[0][1])


def test_auto_format_with_a_map_is_generic():
    importer = importer_for(["Book"], column_map={"title": "Book"})
    assert importer.source == "generic" and importer.column_map == {"title": "Book"}


@pytest.mark.parametrize(
    ("cell", "isbn13", "warnings"),
    [
        ("[0345497503]", "9780345497505", []),  # LibraryThing's brackets
        ("[]", "", []),
        ("2070400662, 9782070400669", "9782070400669", []),
        ("9780306406157 0306406152", "9780306406157", []),  # two, side by side
        ("978 3 16 148410 0", "9783161484100", []),  # one, spaced
        ("-", "", []),
        (
            "synthetic-none",
            "",
            ["Code 'synthetic-none' is not an ISBN; it was not used as an ISBN."],
        ),
        ("n/a", "", ["Code 'n/a' is not an ISBN; it was not used as an ISBN."]),
    ],
)
def test_a_mapped_isbn_cell_is_read_as_every_importer_reads_one(cell, isbn13, warnings):
    """Synthetic cells in the shapes real exports write; text with no ISBN in it is said."""
    [row] = read_generic(f'Book,Code\nsynthetic-Book,"{cell}"\n', {"title": "Book", "isbn": "Code"})
    assert (row.isbn13, row.warnings) == (isbn13, warnings)


@pytest.mark.parametrize(
    ("cell", "language"),
    [
        ("CZ", "cs"),  # a country's code for its language: Czech is cs
        ("DK", "da"),
        ("JP", "ja"),
        ("GR", "el"),
        ("UA", "uk"),
        ("CN", "zh"),
        ("cs", "cs"),
        ("SE", "se"),  # a language's code (Northern Sami) stays that language
        ("KR", "kr"),  # Kanuri's code, though a list may mean Korea
        ("xx", "xx"),  # an unknown code is kept as written, as before
        ("CZ?", ""),  # not a code: dropped, as before
    ],
)
def test_a_mapped_language_cell_with_a_countrys_code_is_stored_as_its_language(cell, language):
    """Synthetic cells in the shape of a home-made list's `language` column (`CZ`)."""
    [row] = read_generic(
        f"Book,Lang\nsynthetic-Book,{cell}\n", {"title": "Book", "language": "Lang"}
    )
    assert row.language == language


@pytest.mark.parametrize(
    ("cell", "language"),
    [
        ("und", ""),  # "undetermined"
        ("mul", ""),  # "multiple languages"
        ("N/A", ""),
        ("iw", "he"),  # Hebrew's withdrawn code
        ("en_US", "en-us"),
        ('"English; French"', "en"),
    ],
)
def test_a_mapped_language_cell_is_read_as_the_providers_read_a_language(cell, language):
    """Synthetic cells in the shapes library tools write (`und`, Java's `iw`): an export's "und"
    and "mul" were stored as the edition's language, and "iw" as a code no provider's record of
    the same book carries (they read Hebrew, "he")."""
    [row] = read_generic(
        f"Book,Lang\nsynthetic-Book,{cell}\n", {"title": "Book", "language": "Lang"}
    )
    assert row.language == language


@pytest.mark.parametrize(
    ("cell", "authors"),
    [
        ("Unknown", []),
        ("unknown author", []),
        ("UNKNOWN AUTHOR 12", []),
        ("Unknown & A. Writer", ["A. Writer"]),
        ("Anonymous", []),
        ("Anónimo", []),
        ("Anonimo", []),
        ("Unbekannt", []),
        ("Inconnu", []),
        ("Various", []),
        ("Anonymus Belae Regis Notarius", ["Anonymus Belae Regis Notarius"]),  # a chronicler
        ("Unknown Pleasures", ["Unknown Pleasures"]),
    ],
)
def test_an_author_cell_saying_unknown_names_no_one(cell, authors):
    """Synthetic cells (vocabulary); the real `Unknown` lines are in test_import_real_lines."""
    [row] = read_generic(
        f"Book,Writer\nsynthetic-Book,{cell}\n", {"title": "Book", "author": "Writer"}
    )
    assert [c.name for c in row.credits] == authors


@pytest.mark.parametrize(
    ("cell", "refusal"),
    [
        ("DVD", "Medium says this is a DVD, not a book"),
        ("Blu-ray", "Medium says this is a Blu-ray, not a book"),
        ("Music CD", "Medium says this is a music CD, not a book"),
    ],
)
def test_a_mapped_format_cell_naming_a_film_or_a_record_fails_the_row(cell, refusal):
    """A library system's format column mixes media (`DVD`, `Music CD`): such a row is no book
    and fails alone; a book's binding, an audiobook's `Audio CD` included, is read as before."""
    text = f"Book,Medium\nsynthetic-A film,{cell}\nsynthetic-A book,Audio CD\n"
    csv_file = read_csv(text.encode())
    importer = GenericImporter(csv_file.header, {"title": "Book", "format": "Medium"})
    with pytest.raises(RowError, match=refusal):
        importer.read_row(csv_file.rows[0][1])
    assert importer.read_row(csv_file.rows[1][1]).warnings == []


@pytest.mark.parametrize("cell", ["Standard", "Case", "Letter", "Map", "Text"])
def test_a_mapped_format_cell_that_names_no_film_or_record_is_a_books_format(cell):
    """Only a film's, a recording's or a game's kind fails a row from its format cell: words
    that are a kind of item elsewhere (Zotero's `standard`, `case`, `letter`, `map`) can be a
    book's binding or size there, so the row imports."""
    [row] = read_generic(
        f"Book,Medium\nsynthetic-A book,{cell}\n", {"title": "Book", "format": "Medium"}
    )
    assert row.title == "synthetic-A book"


def test_a_field_mapped_twice_is_refused_naming_both_columns():
    # `title=Title,title=Author` took the last, and made works titled with their authors' names.
    with pytest.raises(ImportFileError, match="title is mapped twice \\(Title and Author\\)"):
        parse_column_map("title=Title,title=Author")
