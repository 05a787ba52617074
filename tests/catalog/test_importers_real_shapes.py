"""Shapes found in other people's real exports (tests/fixtures/imports/real_shapes, with their
provenance): Amazon's language-edition suffix on titles, a spreadsheet's own dates, and rows
wider than their header."""

from pathlib import Path

import pytest

from catalog.importers import (
    ImportFileError,
    RowError,
    UnknownFormatError,
    csv_rows,
    importer_for,
    read_csv,
)
from catalog.importers.base import NormalizedRow
from catalog.importers.calendars import drop_hijri_years
from catalog.importers.dates import DAY_FIRST, MONTH_FIRST, is_ambiguous_date, parse_date
from catalog.importers.generic import guess_column_map
from catalog.importers.parsing import parse_format
from catalog.importers.readers import parse_contributors
from catalog.text import split_language_edition

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"


def read_rows(name: str):
    csv_file = read_csv((REAL / name).read_bytes())
    importer = importer_for(csv_file.header)
    return importer, csv_file.rows


def test_amazons_language_edition_suffix_is_the_editions_language_not_its_title():
    importer, rows = read_rows("goodreads-carlosperezzz-language-editions.csv")
    first, second = (importer.read_row(cells) for _line, cells in rows)
    assert (first.title, first.subtitle, first.language) == ("La cuarta mirada", "", "es")
    assert second.title == "Cuando una meiga se cruza en tu Camino"
    assert (second.subtitle, second.language) == ("Una bruja puede cambiar tu destino", "es")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "goodreads-sartak-in-japanese.csv",
            [
                ("Tactics Vol. 1 (Takutikusu)", "ja"),
                ("Dragonball (Perfect Version) Vol. 12 (Dragon Ball (Kanzen Ban))", "ja"),
            ],
        ),
        (
            "goodreads-sartak-legacy-in-japanese.csv",
            [("Vagabond Volume 4", "ja"), ("Deathnote Vol. 2", "ja")],
        ),
        # After a comma inside the parenthesis: the English title before it stays.
        (
            "goodreads-eitanshay-hebrew-edition.csv",
            [("Lehakir Et Hamas (Getting to Know Hamas)", "he")],
        ),
    ],
)
def test_other_shapes_of_the_language_suffix_give_the_editions_language(name, expected):
    """`(In Japanese)`, `(in Japanese)` and `(…, Hebrew Edition)` stayed in the
    title and the edition had no language."""
    importer, rows = read_rows(name)
    read = [importer.read_row(cells) for _line, cells in rows]
    assert [(row.title, row.language) for row in read] == expected


@pytest.mark.parametrize(
    "title",
    [
        "Classical Mechanics (3rd Edition)",
        "Freakonomics (Revised Edition)",
        "(Spanish Edition)",
        # A country, not a language: `uk` would read as Ukrainian.
        "Synthetic Title (UK Edition)",
        "Synthetic Title (US Edition)",
    ],
)
def test_an_edition_statement_that_is_no_language_stays_in_the_title(title):
    assert split_language_edition(title) == (title, "")


def test_a_spreadsheets_dates_are_read_when_only_one_order_makes_a_date():
    importer, rows = read_rows("storygraph-dblake26-us-dates.csv")
    ambiguous, with_ambiguous_added, unambiguous = (importer.read_row(c) for _l, c in rows)
    # 1/21/2023 and 1/22/2023 can only be month first.
    assert (unambiguous.date_added, unambiguous.date_read) == ("2023-01-21", "2023-01-22")
    assert unambiguous.warnings == []
    # 3/27/2024 likewise; 4/1/2024 is 4 January or April 1: not guessed, and the row says so.
    assert with_ambiguous_added.date_read == "2024-03-27"
    assert with_ambiguous_added.date_added == ""
    assert with_ambiguous_added.warnings == [
        "Date Added '4/1/2024' can be read day first or month first; it was ignored."
    ]
    # 10/12/2022 is either; 10/13/2022 only month first.
    assert (ambiguous.date_added, ambiguous.date_read) == ("", "2022-10-13")
    assert len(ambiguous.warnings) == 1


@pytest.mark.parametrize(
    ("cell", "date", "ambiguous"),
    [
        ("30.4.2023", "2023-04-30", False),  # day first, dotted
        ("30/4/2023", "2023-04-30", False),
        ("4/30/2023", "2023-04-30", False),  # month first
        ("5/5/2023", "2023-05-05", False),  # either order, the same day
        ("4/1/2024", "", True),
        ("31/31/2023", "", False),  # no order makes it a date
        ("2/30/2023", "", False),
        ("2023/06/29", "2023-06-29", False),
    ],
)
def test_numeric_dates(cell, date, ambiguous):
    assert parse_date(cell) == date
    assert is_ambiguous_date(cell) is ambiguous


@pytest.mark.parametrize(
    ("cell", "day_first", "month_first"),
    [
        ("4/1/2024", "2024-01-04", "2024-04-01"),  # read in the file's order
        ("30/4/2023", "2023-04-30", "2023-04-30"),  # one order only: whatever the file's
        ("4/30/2023", "2023-04-30", "2023-04-30"),
        ("31/31/2023", "", ""),
        ("2023/06/29", "2023-06-29", "2023-06-29"),
    ],
)
def test_a_date_either_order_could_read_is_read_in_the_files_order(cell, day_first, month_first):
    assert parse_date(cell, order=DAY_FIRST) == day_first
    assert parse_date(cell, order=MONTH_FIRST) == month_first


def test_a_row_wider_than_its_header_with_cells_past_it_fails_with_the_reason():
    """The owner padded the file by hand: each record has one cell more than the header, so
    its publisher, year and people sat one column off (Publisher '3', year 1088). Such a row is
    not imported, where a row whose extra cells are empty (a trailing separator) is."""
    importer, rows = read_rows("goodreads-aaronj1335-padded-rows.csv")
    for _line, cells in rows:
        assert len(cells) == len(importer.header) + 1
        with pytest.raises(RowError, match="cells past the header are not empty"):
            importer.read_row(cells)
    _line, cells = rows[0]
    trailing = [*cells[: len(importer.header)], "", " "]
    trailing[importer.columns["title"]] = "Raintree County"
    assert importer.read_row(trailing).title == "Raintree County"


def test_a_file_whose_header_line_is_missing_is_refused_saying_so():
    """Its first line is a book: taking it for column names (and mapping them) would lose that
    book and read the rest under made-up columns."""
    csv_file = read_csv((REAL / "goodreads-beatrizopdd-no-header.csv").read_bytes())
    with pytest.raises(ImportFileError, match="header line is missing") as refused:
        importer_for(csv_file.header)
    assert "17378527, The Raven King" in str(refused.value)
    assert not isinstance(refused.value, UnknownFormatError)  # no mapping step is offered


def test_an_export_a_spreadsheet_saved_as_one_column_is_read_line_by_line():
    """Each line quoted whole with a `;` after it (a spreadsheet that separates with `;` saw
    one column), and a line holding a `;` in two quoted cells: the whole file was refused
    ("',' expected after '\"'"), all 531 books."""
    data = (REAL / "goodreads-jakub-lines-saved-as-one-column.csv").read_bytes()
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    assert (importer.source, len(csv_file.header), csv_file.header[-1]) == ("goodreads", 31, "BCID")
    assert "saved as one quoted cell" in csv_file.warnings[0]
    energy, eric = (importer.read_row(cells) for _line, cells in csv_file.rows)
    assert [line for line, _cells in csv_file.rows] == [2, 3]
    assert (energy.title, energy.subtitle, energy.isbn13) == (
        "Energy and Civilization",
        "A History",
        "9780262035774",
    )
    assert [(c.name, c.sort_name) for c in energy.credits] == [("Vaclav Smil", "Smil, Vaclav")]
    assert (eric.title, eric.series, eric.series_number) == ("Eric", "Discworld", "9")
    assert eric.isbn13 == "9780380821211" and eric.publisher == "Harper"
    # The same file read a row at a time (a job's run) gives the same rows.
    header, rows = csv_rows(data)
    assert header == csv_file.header and list(rows) == csv_file.rows


def test_a_line_saved_as_one_column_keeps_its_line_number_after_a_cell_on_two_lines():
    """Synthetic, in the shape of the real file above: a cell holding a line break makes its
    record two lines long, and the records after it keep the file's line numbers."""
    data = (
        b'Title,Author,Year;\n"Synthetic One,""Two\nLines"",2001";\n"Synthetic Two,Three,2002";\n'
    )
    csv_file = read_csv(data)
    assert csv_file.header == ["Title", "Author", "Year"]
    assert csv_file.rows == [
        (2, ["Synthetic One", "Two\nLines", "2001"]),
        (4, ["Synthetic Two", "Three", "2002"]),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b'Title,Author,ISBN\n"Eats, Shoots & Leaves",Lynne Truss,1592400876\n',
        b'Title;Author;ISBN\n"Eats, Shoots & Leaves";Lynne Truss;1592400876\n',
        b'"Title","Author"\n"A, B","C"\n',
    ],
)
def test_a_file_whose_first_cell_is_quoted_is_read_as_it_is(data):
    csv_file = read_csv(data)
    assert csv_file.rows[0][1][0] in ("Eats, Shoots & Leaves", "A, B")
    assert csv_file.warnings == []


def test_a_goodreads_header_rewritten_with_underscores_is_still_goodreads():
    """`Book_Id`, `Author_l-f`, `Additional_Authors`: refused as an unknown format (the whole
    file, 133 books), and the suggested map lost the ISBN-10 and the co-authors."""
    importer, rows = read_rows("goodreads-solcat-underscored-header.csv")
    assert importer.source == "goodreads"
    first = importer.read_row(rows[0][1])
    assert (first.title, first.isbn13, first.publisher, first.page_count) == (
        "Japanese Modern Art Painting From 1910",
        "9783908161851",
        "Edition Stemmle",
        207,
    )
    assert [(c.name, c.sort_name) for c in first.credits] == [
        ("Schaarschmidt Richte", "Richte, Schaarschmidt")
    ]


def test_an_unknown_header_of_names_still_goes_to_the_mapping_step():
    with pytest.raises(UnknownFormatError):
        importer_for(["Book", "Writer", "Code", "Year 2", "Shelf 3"])


@pytest.mark.parametrize(
    ("cell", "role"),
    [("Anna Muster (Übersetzerin)", "translator"), ("Jean Dupont (Illustrateur)", "illustrator")],
)
def test_a_contributors_role_in_another_language_is_read(cell, role):
    """The role words LibraryThing users write in their language (one table, parsing.ROLES)
    read in StoryGraph's and Goodreads' `Name (Role)` cells too."""
    [credit] = parse_contributors(cell, default_role="contributor")
    assert credit.role == role


def test_librarythings_2014_header_is_librarything_when_detected_or_forced():
    """Its names are quoted (`'TITLE'`) and it has no Book Id; `'AUTHOR (last, first)'` is the
    primary author with the sort name."""
    data = (REAL / "librarything-mousereeve-2014-quoted-header.csv").read_bytes()
    header = read_csv(data).header
    for requested in ("auto", "librarything"):
        importer = importer_for(header, requested=requested)
        assert importer.source == "librarything"
        assert importer.column_of("primary_author") == "'AUTHOR (last, first)'"


@pytest.mark.parametrize(
    ("binding", "format_"),
    [
        # Amazon's and Goodreads' names for the same bindings as the real lines of
        # tests/catalog/test_import_real_lines.py (synthetic values: vocabulary).
        ("Tankobon Softcover", "paperback"),
        ("単行本（ソフトカバー）", "paperback"),
        ("Capa dura", "hardcover"),
        ("Format Kindle", "ebook"),
        ("Hardcover", "hardcover"),
    ],
)
def test_bindings_in_other_shops_words_name_their_format(binding, format_):
    assert parse_format(binding) == (format_, "")


def test_a_board_book_and_a_spiral_bound_book_are_other_bindings_without_a_warning():
    """Bindings a librarian knows but the catalog has no format for are "Other", not an
    "Unrecognized format" note on every such row."""
    importer, rows = read_rows("goodreads-argv1-board-and-spiral-bound.csv")
    diet, caterpillar = (importer.read_row(cells) for _line, cells in rows)
    assert (diet.format, diet.warnings) == ("other", [])
    assert (caterpillar.format, caterpillar.warnings) == ("other", [])


@pytest.mark.parametrize(
    ("binding", "format_"),
    [
        # Binding cells of real Goodreads exports (mirrored repositories, file
        # goodreads_library_export.csv unless said): TheArctesian/Book-Timeline-Vis
        # (DB/GoodReads/…), afelka/goodreads2, carlosperezzz/blog-lecturas, argv1/goodXtausch,
        # ayyucedemirbas/ayyucedemirbas.github.io, gigikenneth/goodreads,
        # pab-nguyen/Analysis-of-my-reading-journey (data/…), 20iuh20hug/datasets
        # (goodreads_library_export2-2.csv), olivier-twist/book_tags (data/…).
        ("Board Book", "other"),
        ("Unbound", "other"),
        ("Staple Bound", "other"),
        ("CD-ROM", "other"),
        ("Cards", "other"),
        ("Flexibound", "paperback"),
        ("Imitation Leather", "hardcover"),
        ("Bìa mềm", "paperback"),
        ("Webtoon", "ebook"),
        # sartak/goodreads (goodreads_export.csv, legacy.csv): what a book is, not its binding.
        ("コミック", ""),
        ("Comic", ""),
        ("Manga", ""),
        ("単行本", ""),
        ("大型本", ""),
        ("－", ""),
        # robdmc/libraryThing's Media and samkgormley/goodreads' Format: printed, no binding.
        ("Paper Book", ""),
        ("Physical", ""),
    ],
)
def test_bindings_of_real_exports_are_read_without_an_unrecognized_note(binding, format_):
    assert parse_format(binding) == (format_, "")


def test_a_persian_books_solar_hijri_year_is_not_stored_as_a_gregorian_one():
    """`1382` in a Goodreads export, for a book of the Tehran publisher نشر چیستا: 2003 or 2004,
    never the year 1382 of the common era."""
    importer, rows = read_rows("goodreads-asadisaghar-solar-hijri-year.csv")
    [row] = (importer.read_row(cells) for _line, cells in rows)
    assert (row.publication_year, row.first_published_year) == (None, None)
    assert (
        "The publication year 1382 is a year of the Solar Hijri (Persian) calendar, 2003–2004 in "
        "the Gregorian one the catalog keeps; it was ignored."
    ) in row.warnings


def test_an_arabic_books_islamic_year_is_dropped_and_a_gregorian_edition_keeps_its_years():
    importer, rows = read_rows("goodreads-ahmgeek-hijri-and-gregorian-years.csv")
    damiri, ibn_abi_al_dunya = (importer.read_row(cells) for _line, cells in rows)
    # An edition of 2006 says the export's years are Gregorian: al-Damiri wrote about 1400.
    assert (damiri.publication_year, damiri.first_published_year) == (2006, 1400)
    assert not damiri.warnings
    # 1413 AH, from a Beirut publisher: 1992 or 1993.
    assert (ibn_abi_al_dunya.publication_year, ibn_abi_al_dunya.first_published_year) == (
        None,
        None,
    )
    assert ibn_abi_al_dunya.warnings[0] == (
        "The publication year 1413 is a year of the Islamic (Hijri) calendar, 1992–1993 in the "
        "Gregorian one the catalog keeps; it was ignored."
    )


def test_a_list_of_files_in_a_mapped_format_column_is_an_ebook_and_0101_no_year():
    csv_file = read_csv((REAL / "calibre-derived-akienm-file-lists.csv").read_bytes())
    importer = importer_for(
        csv_file.header, column_map={"title": "title", "author": "authors", "year": "year",
                                     "format": "formats"},
    )  # fmt: skip
    transgalactic, pretty_monsters = (importer.read_row(cells) for _line, cells in csv_file.rows)
    assert (transgalactic.format, transgalactic.publication_year) == ("ebook", 2006)
    assert not transgalactic.warnings
    # `0101` is calibre's "undefined" date, not the year 101.
    assert (pretty_monsters.format, pretty_monsters.publication_year) == ("ebook", None)
    assert pretty_monsters.warnings == ["year '0101' holds no year; it was ignored."]


def test_the_guessed_map_of_a_file_made_from_a_calibre_library_reads_its_formats_column():
    header = read_csv((REAL / "calibre-derived-akienm-file-lists.csv").read_bytes()).header
    assert guess_column_map(header) == {
        "title": "title",
        "author": "authors",
        "publisher": "publisher",
        "year": "year",
        "format": "formats",
    }


def test_a_series_marker_before_a_dash_is_not_the_books_title():
    csv_file = read_csv((REAL / "calibre-derived-akienm-series-marker-titles.csv").read_bytes())
    importer = importer_for(csv_file.header, column_map={"title": "title", "author": "authors"})
    wizard, rebel_stand = (importer.read_row(cells) for _line, cells in csv_file.rows)
    # Not a book titled "1" and one titled "NJO" (the New Jedi Order): the titles after the dash.
    assert (wizard.title, wizard.subtitle) == ("A Wizard In Mind", "")
    assert (rebel_stand.title, rebel_stand.subtitle) == ("Enemy Lines 2", "Rebel Stand")
    # The marker is not thrown away unsaid: the row says what was left out.
    assert rebel_stand.warnings == [
        "'NJO' before the title's dash was read as a series marker, not the title; it was left "
        "out of the title."
    ]


def test_a_role_written_in_a_mapped_author_cell_is_the_persons_role_not_their_name():
    csv_file = read_csv((REAL / "calibre-derived-akienm-roles-in-author-cell.csv").read_bytes())
    importer = importer_for(csv_file.header, column_map={"title": "title", "author": "authors"})
    laumer, steampunk = (importer.read_row(cells) for _line, cells in csv_file.rows)
    # Keith Laumer wrote the book, Eric Flint edited it: neither is "Keith Laumer (Edited by…".
    assert [(c.name, c.role) for c in laumer.credits] == [
        ("Keith Laumer", "author"),
        ("Eric Flint", "editor"),
    ]
    assert laumer.primary_author == "Keith Laumer"
    # `(editors)`, plural, is both people's role: the anthology has two editors.
    assert [(c.name, c.role) for c in steampunk.credits] == [
        ("Kelly Link", "editor"),
        ("Gavin J. Grant", "editor"),
    ]


@pytest.mark.parametrize(
    ("value", "format_"),
    [("epub; mobi", "ebook"), ("EPUB", "ebook"), ("pdf, .epub", "ebook"), ("mp3", "audiobook"),
     ("Paperback", "paperback")],
)  # fmt: skip
def test_a_format_cell_naming_a_books_files_says_what_kind_of_book_it_is(value, format_):
    assert parse_format(value) == (format_, "")


def read_titles(name: str) -> list[tuple[str, str, str]]:
    """(title, series, number) of each row of a real file."""
    importer, rows = read_rows(name)
    read = [importer.read_row(cells) for _line, cells in rows]
    return [(row.title, row.series, row.series_number) for row in read]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("goodreads-eitanshay-book-series.csv", [("Mirage", "The Oregon Files", "9")]),
        (
            "goodreads-sartak-volume-series.csv",
            [
                ("The Protocols", "TCP/IP Illustrated", "1"),
                ("The Implementation", "TCP/IP Illustrated", "2"),
            ],
        ),
        # Amazon's language suffix after its series: both come off.
        (
            "goodreads-advokatb-series-and-language.csv",
            [("Месяц за Рубиконом", "Измененные", "3")],
        ),
        (
            "goodreads-pbayer-numbered-parentheses.csv",
            [
                ("The Manual", "Stoic Philosophy", "1"),  # its subtitle is kept apart
                # A parenthesis that holds a number but names no series stays in the title.
                ("David Bowie's Low (33 1/3)", "", ""),
                ("On What Matters (2 Volume Set)", "", ""),
                ("Three Kingdoms (4-Volume Boxed Set)", "", ""),
                ("Pop. 1280 (Crime Masterworks)", "", ""),
            ],
        ),
    ],
)
def test_a_series_numbered_in_amazons_words_is_the_books_series(name, expected):
    """`(The Oregon Files Book 9)`, `(TCP/IP Illustrated, Volume 2)`: a name, then Book,
    Volume, Vol., Novel or Part and a number. Each stayed in the title, so that the title key
    held the series and the same book from another source was not found."""
    assert read_titles(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "calibredb-list-rodolfolabiapari-semicolons.txt",
        "calibredb-list-rodolfolabiapari-commas.txt",
        "synthetic-calibredb-list.txt",  # its default separator, a space
    ],
)
def test_the_text_calibredb_list_prints_is_refused_whole_saying_what_to_export(name):
    """Its columns are padded and its long cells wrapped onto lines of their own: read as a CSV,
    each wrapped line was a row (a book titled `It Person`), a wrapped title or author list was
    cut, and its comma form split a tag list into cells past the header."""
    with pytest.raises(ImportFileError) as refused:
        read_csv((REAL / name).read_bytes())
    assert not isinstance(refused.value, UnknownFormatError)  # no mapping step either
    message = str(refused.value)
    assert "“calibredb list”" in message and "“calibredb catalog books.csv”" in message
    # A CSV with those column names, unpadded, is a CSV: its columns are mapped.
    with pytest.raises(UnknownFormatError):
        importer_for(read_csv(b"id,title,authors\n1,Synthetic Title,Synthetic Author\n").header)


def test_a_series_amazon_numbers_after_a_comma_is_the_books_series():
    """`(Good to Great, 2)`: a name, a comma and a bare number. It stayed in the title, so the
    book had no series and `Том 4 (Канашибари, 4)` a title key of its own."""
    assert read_titles("goodreads-eitanshay-comma-number-series.csv") == [
        ("Built to Last", "Good to Great", "2")
    ]
    assert read_titles("goodreads-ayyucedemirbas-comma-number-series.csv") == [
        (
            "Advances in Communication and Computational Technology",
            "Lecture Notes in Electrical Engineering",
            "668",
        )
    ]
    # The same series numbered both ways in one export.
    assert read_titles("goodreads-advokatb-comma-number-series.csv") == [
        ("Канашибари. Пока не погаснет последний фонарь. Том 4", "Канашибари", "4"),
        ("Канашибари. Том 2", "Канашибари", "2"),
    ]
    # A bare volume, a volume without a name or a number after no name stays in the title.
    assert read_titles("librarything-aipotu-numbers-no-series.tsv") == [
        ("Learn to Play Go", "", ""),  # `: The Palace of Memory (Volume V)` is its subtitle
        ("Age Of Bronze Volume 3", "", ""),  # `: Betrayal Part 1 (v. 3, Pt. 1)`
        ("(BICYCLE DIARIES ) By Byrne, David (Author) Paperback Published on (09, 2010)", "", ""),
    ]


def test_a_publishers_series_numbered_with_no_is_the_series_and_its_number():
    """The number stayed in the series' name (`Folio Series, No 763`, no number), or the whole
    parenthesis in the title and its key (`Les Faux-Monnayeurs (Folio Ser.: No.879)`)."""
    assert read_titles("librarything-aipotu-numbered-publisher-series.tsv") == [
        ("A L'Ombre Des Jeunes Filles En Fleurs", "Folio Series", "1946"),
        ("Les Faux-Monnayeurs", "Folio Ser.", "879"),
        ("Jacques Le Fataliste", "Folio Series", "763"),
        ("Memoires D'Hadrien", "Folio Series", "921"),
    ]


def test_a_goodreads_author_whose_name_is_a_list_is_those_people():
    """Goodreads has an author named `Ulrich Brand, Bettina Lösch, Benjamin Opratko, Stefan
    Thimmel` (its "Author l-f" `Thimmel, Ulrich Brand, Bettina Lösch, Benjamin Opratko,
    Stefan`): the book had one author of that name, sorted under Thimmel."""
    importer, rows = read_rows("goodreads-argv1-several-people-as-author.csv")
    ((_line, cells),) = rows
    credits = importer.read_row(cells).credits
    assert [(c.name, c.role, c.sort_name) for c in credits] == [
        ("Ulrich Brand", "author", ""),
        ("Bettina Lösch", "author", ""),
        ("Benjamin Opratko", "author", ""),
        ("Stefan Thimmel", "author", ""),
    ]


@pytest.mark.parametrize(
    ("author", "author_lf", "credit"),
    [
        # Synthetic names in the real shapes: a comma that is no list keeps Goodreads' reading.
        (
            "Synthetic Name, Jr.",
            "Jr., Synthetic Name",
            ("Synthetic Name, Jr.", "Name, Synthetic, Jr."),
        ),
        ("Name, Synthetic", "Synthetic, Name", ("Name, Synthetic", "Synthetic, Name")),
    ],
)
def test_a_goodreads_author_with_one_comma_stays_one_person(author, author_lf, credit):
    importer, rows = read_rows("goodreads-argv1-several-people-as-author.csv")
    ((_line, cells),) = rows
    cells = list(cells)
    cells[importer.columns["author"]] = author
    cells[importer.columns["author_lf"]] = author_lf
    ((name, sort_name),) = [(c.name, c.sort_name) for c in importer.read_row(cells).credits]
    assert (name, sort_name) == credit


def test_storygraphs_authors_are_whole_names_between_commas():
    """Guard: in the real StoryGraph exports read (316 rows, two people's), Authors lists whole
    names, given name first, between commas, and never a role (roles are in Contributors), so a
    comma there always separates two people: `A. E. Hotchner, Paul Newman` is two."""
    importer, rows = read_rows("storygraph-bsanser-several-authors.csv")
    credits = [
        [(c.name, c.role) for c in importer.read_row(cells).credits] for _line, cells in rows
    ]
    assert credits == [
        [("A. E. Hotchner", "author"), ("Paul Newman", "author")],
        [
            ("Viktor E. Frankl", "author"),
            ("Harold S. Kushner", "contributor"),
            ("William J. Winslade", "contributor"),
            ("Isle Lasch", "translator"),
        ],
        [
            ("H. Mitchell Caldwell", "author"),
            ("Ben Bycel", "author"),
            ("Michael S. Lief", "author"),
        ],
    ]


def test_a_row_said_to_be_in_persian_has_its_solar_hijri_year_dropped_in_any_script():
    """A language column saying Persian (LibraryThing's `Persian`, read as "fa") is enough,
    whatever the title's script (a synthetic row: a transliterated title)."""
    row = NormalizedRow(title="Shahnameh", language="fa", publication_year=1399)
    drop_hijri_years(row)
    assert row.publication_year is None
    assert "2020–2021" in row.warnings[0]
